"""Datasets, metrics and reproductions of published results for numba-rnn's models."""
