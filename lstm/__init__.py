"""LSTM with forget gates and peepholes, trained online by (decoupled) extended Kalman filters."""

from .classifier import KalmanLSTMClassifier
from .estimator import FilterDivergenceError, KalmanLSTMRegressor

__all__ = ["FilterDivergenceError", "KalmanLSTMClassifier", "KalmanLSTMRegressor"]
