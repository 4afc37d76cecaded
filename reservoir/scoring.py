"""Scores over sequences, shared by the estimators of every package."""

import numpy as np
from sklearn.metrics import r2_score

from .validation import is_sequence_list


def sequence_r2(estimator, X, y, sample_weight=None):
    """R^2 of ``estimator.predict(X)`` against y over all steps of all sequences."""
    pred = estimator.predict(X)
    if is_sequence_list(X):
        pred = np.concatenate(pred)
        y = np.concatenate([np.asarray(t) for t in y])
    return r2_score(y, pred, sample_weight=sample_weight)
