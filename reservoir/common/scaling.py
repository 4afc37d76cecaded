"""The input standardisation the estimators fit on their training steps (``standardize``), and
the warning when unstandardised data are far above the scale a network learns from."""

import warnings

import numpy as np

from .validation import kept_dtype, validate_sequences

#: What a warning of inputs far from the network's scale advises.
INPUT_FIX = "Set standardize=True, or scale X (e.g. sklearn.preprocessing.StandardScaler)."
#: What a warning of targets far from a gradient-trained network's scale advises.
TARGET_FIX = ("Scale y, e.g. sklearn.compose.TransformedTargetRegressor(model, "
              "transformer=sklearn.preprocessing.StandardScaler()).")


def fit_scaling(seqs, estimator, name="X"):
    """Mean and standard deviation (n_features,) of every feature over all steps of the
    sequences (n_steps_i, n_features), float64; zeros and ones without the estimator's
    ``standardize``, after warning when ``name`` is far above the scale its network learns from
    (its ``_input_scale_limit``, if any: :func:`warn_scale`). A constant feature keeps the scale
    1."""
    n = seqs[0].shape[1]
    if not estimator.standardize:
        warn_scale(seqs, name, getattr(estimator, "_input_scale_limit", None),
                   getattr(estimator, "input_scaling", 1.0))
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
        estimator.input_mean_, estimator.input_scale_ = fit_scaling(seqs, estimator)
    if not estimator.standardize:
        return seqs
    return scaled(seqs, estimator.input_mean_, estimator.input_scale_, dtype)


def training_sequences(estimator, X, y, reset):
    """What the gradient-trained estimators (RTRL, the Kalman LSTM) validate X and y into:
    :func:`~reservoir.common.validation.validate_sequences`, then, with ``reset``, the outputs'
    dtype (``_out_dtype``) and a warning of targets far above the network's scale (its
    ``_target_scale_limit``); the inputs standardised (:func:`standardized_inputs`). Returns
    (X_seqs, y_seqs or None, form)."""
    X_seqs, y_seqs, form = validate_sequences(estimator, X, y, reset=reset)
    if reset:
        estimator._out_dtype = kept_dtype(X)
        if y_seqs is not None:
            warn_scale(y_seqs, "y", estimator._target_scale_limit, fix=TARGET_FIX)
    return standardized_inputs(estimator, X_seqs, reset), y_seqs, form


def warn_scale(seqs, name, high, gain=1.0, fix=INPUT_FIX):
    """Warn when a feature of the sequences (n_steps_i, n_features), times ``gain`` (an ESN's
    ``input_scaling``), has a root mean square above ``high`` (None: no check): the network's
    tanh units saturate (an offset counts: it saturates them too), or a gradient-trained
    network's linear outputs are far from the scale its initial weights and steps suit. ``fix``
    says what to do. (Inputs far below the scale are not warned of: a linear reservoir driven
    by tiny inputs is a deliberate regime, e.g. for memory capacity.)"""
    if high is None:
        return
    n = sum(len(s) for s in seqs)
    squares = sum(np.square(s, dtype=np.float64).sum(axis=0) for s in seqs)
    rms = np.sqrt(squares.max() / n)
    if rms * gain > high:
        what = f" ({rms * gain:.3g} times input_scaling={gain:g})" if gain != 1.0 else ""
        warnings.warn(f"{name} has a feature of root mean square {rms:.3g}{what}, above "
                      f"{high:g}: the network learns little from values of that size. " + fix,
                      UserWarning, stacklevel=4)
