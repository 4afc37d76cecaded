"""LSTM with forget gates and peepholes, trained online by (decoupled) extended Kalman filters."""

from .estimator import FilterDivergenceError, KalmanLSTMRegressor

__all__ = ["FilterDivergenceError", "KalmanLSTMRegressor"]
