"""Echo state networks: Numba reservoir kernels behind scikit-learn estimators."""

from .classifier import ESNClassifier
from .conformal import ConformalForecaster
from .esn import ESNRegressor
from .forecaster import ESNForecaster
from .nvar import NVARForecaster
from .pipeline import ForecastPipeline
from .readout import GramRidge, QRRidge, Readout
from .sequence_regressor import ESNSequenceRegressor
from .weights import Reservoir, make_reservoir, spectral_radius

__all__ = ["ConformalForecaster", "ESNClassifier", "ESNRegressor", "ESNForecaster",
           "ESNSequenceRegressor", "ForecastPipeline", "GramRidge", "NVARForecaster", "QRRidge",
           "Readout", "Reservoir", "make_reservoir", "spectral_radius"]
