"""Scores over sequences, shared by the estimators of every package."""

import numpy as np
from sklearn.metrics import r2_score

from .docstrings import fill_doc
from .validation import is_sequence_list


def sequence_r2(estimator, X, y, sample_weight=None):
    """R^2 of ``estimator.predict(X)`` against y over all steps of all sequences."""
    pred = estimator.predict(X)
    if is_sequence_list(X):
        pred = np.concatenate(pred)
        y = np.concatenate([np.asarray(t) for t in y])
    return r2_score(y, pred, sample_weight=sample_weight)


@fill_doc
class SequenceR2Mixin:
    """``score`` as R^2 over every step of every sequence (regressors whose every step counts)."""

    def score(self, X, y, sample_weight=None):
        """R^2 over all steps of all sequences.

        Parameters
        ----------
        {X_sequences}
        {y_sequences}
        {sample_weight_steps}

        Returns
        -------
        score : float
            The coefficient of determination R^2.
        """
        return sequence_r2(self, X, y, sample_weight)
