"""The input standardisation the estimators fit on their training steps (``standardize``)."""

import numpy as np


def fit_scaling(seqs, standardize):
    """Mean and standard deviation (n_features,) of every feature over all steps of the
    sequences (n_steps_i, n_features), float64; zeros and ones without ``standardize``. A
    constant feature keeps the scale 1."""
    n = seqs[0].shape[1]
    if not standardize:
        return np.zeros(n), np.ones(n)
    rows = np.concatenate(seqs).astype(np.float64)
    scale = rows.std(axis=0)
    return rows.mean(axis=0), np.where(scale > 0, scale, 1.0)


def scaled(seqs, mean, scale, dtype):
    """``(s - mean) / scale`` of every sequence, in ``dtype``."""
    mean, scale = mean.astype(dtype), scale.astype(dtype)
    return [(s - mean) / scale for s in seqs]


def standardized_inputs(estimator, seqs, reset, dtype=np.float64):
    """The sequences through the estimator's input standardisation (its ``standardize``
    parameter; ``input_mean_`` and ``input_scale_`` fitted on them when ``reset``)."""
    if reset:
        estimator.input_mean_, estimator.input_scale_ = fit_scaling(seqs, estimator.standardize)
    if not estimator.standardize:
        return seqs
    return scaled(seqs, estimator.input_mean_, estimator.input_scale_, dtype)
