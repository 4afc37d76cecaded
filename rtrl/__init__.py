"""Fully recurrent networks trained online by Real-Time Recurrent Learning (and UORO, SnAp-1)."""

from .bptt import bptt_gradient
from .estimator import DivergenceError, RTRLRegressor
from .gradient import gradient
from .guessing import GuessingRNNRegressor

__all__ = ["DivergenceError", "GuessingRNNRegressor", "RTRLRegressor", "bptt_gradient",
           "gradient"]
