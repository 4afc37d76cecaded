"""Error measures used by the reproductions, and scores of prediction intervals."""

from dataclasses import dataclass

import numpy as np


def _pair(y_true, y_pred, pred_name="y_pred", nan_ok=False):
    """Truth and prediction as float arrays of one shape; refused when empty, when the truth is
    not finite, or (unless ``nan_ok``) when the prediction holds NaN (an infinite one, a
    diverged forecast, scores as infinitely wrong)."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and {pred_name} {y_pred.shape} differ in "
                         "shape.")
    if y_true.size == 0:
        raise ValueError(f"y_true and {pred_name} are empty.")
    for name, kind, bad in (("y_true", "non-finite", ~np.isfinite(y_true)),
                            (pred_name, "NaN", np.isnan(y_pred) & (not nan_ok))):
        if bad.any():
            first = tuple(int(i) for i in np.unravel_index(bad.argmax(), bad.shape))
            raise ValueError(f"{name} has {int(bad.sum())} {kind} value(s), the first at index "
                             f"{first[0] if len(first) == 1 else first}; the score would be "
                             "NaN: fill or drop them first.")
    return y_true, y_pred


def nrmse(y_true, y_pred, *, normalization="std"):
    """Root mean squared error over all entries, divided by a scale of ``y_true``.

    Parameters
    ----------
    y_true, y_pred : array-like of the same shape
        Truth and prediction.
    normalization : {"std", "range"} or float, default="std"
        Standard deviation of all entries of y_true, max - min, or a positive number (for example
        the std of the whole series, as in NRMSE84).

    Returns
    -------
    nrmse : float
        The normalised root mean squared error.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    rmse = np.sqrt(np.mean((y_true - y_pred) ** 2))
    if normalization == "std":
        scale = y_true.std()
    elif normalization == "range":
        scale = np.ptp(y_true)
    elif isinstance(normalization, (int, float)) and normalization > 0:
        scale = float(normalization)
    else:
        raise ValueError(f"normalization must be 'std', 'range' or a positive number, got "
                         f"{normalization!r}.")
    if scale == 0:
        raise ValueError(f"y_true is constant, so normalization={normalization!r} is 0 and the "
                         "normalised error undefined; pass normalization= a positive number "
                         "(e.g. the standard deviation of the training series).")
    return rmse / scale


@dataclass(frozen=True)
class ValidTime:
    """First step whose normalised error exceeds the threshold (n_steps if none does).

    Parameters
    ----------
    steps : int
        Valid steps.
    time : float
        The same in model time.
    lyapunov_times : float
        The same in Lyapunov times (nan without an exponent).
    """

    steps: int
    time: float  # steps * dt
    lyapunov_times: float  # time * lyapunov_exponent (nan when no exponent was given)


def normalized_errors(y_true, y_pred, *, scale=None):
    """Per-step error ``||y_pred(t) - y_true(t)|| / scale``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (T,) or (T, d)
        Truth and forecast.
    scale : float or None, default=None
        Defaults to ``sqrt(mean_t ||y_true(t) - mean||^2)`` over the window, the normalisation of
        Pathak et al. (2018): the error relative to the typical size of the trajectory's
        fluctuations. Pass the value of a long reference series to compare windows.

    Returns
    -------
    errors : ndarray of shape (T,)
        The normalised errors (NaN at the steps of a forecast that became NaN).
    """
    y_true, y_pred = _pair(y_true, y_pred, nan_ok=True)
    y_true = y_true.reshape(len(y_true), -1)
    y_pred = y_pred.reshape(len(y_pred), -1)
    if scale is None:
        scale = np.sqrt(np.mean(np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=1)))
    if scale == 0:
        raise ValueError("y_true is constant; the normalised error is undefined.")
    return np.linalg.norm(y_pred - y_true, axis=1) / scale


def _bounds(y_true, lower, upper):
    """The truth and the bounds of prediction intervals as float arrays of one shape, the
    bounds in order."""
    y_true, lower = _pair(y_true, lower, "lower")
    _, upper = _pair(y_true, upper, "upper")
    if np.any(lower > upper):
        raise ValueError("lower is above upper somewhere: pass the intervals' bounds in order.")
    return y_true, lower, upper


def interval_coverage(y_true, lower, upper):
    """Share of the true values that lie in their prediction intervals (bounds included).

    Parameters
    ----------
    y_true, lower, upper : array-like of the same shape
        Truth and the intervals' bounds.

    Returns
    -------
    coverage : float
        Between 0 and 1; compare it with the intervals' nominal coverage.
    """
    y_true, lower, upper = _bounds(y_true, lower, upper)
    return float(np.mean((lower <= y_true) & (y_true <= upper)))


def interval_score(y_true, lower, upper, coverage):
    """Mean interval score (Winkler 1972; Gneiting & Raftery 2007) of central prediction
    intervals: the width, plus ``2 / (1 - coverage)`` times the distance from a value outside
    its interval to the interval. Lower is better; it rewards narrow intervals that still hold
    the values, at the rate the nominal coverage sets.

    Parameters
    ----------
    y_true, lower, upper : array-like of the same shape
        Truth and the intervals' bounds.
    coverage : float in (0, 1)
        The intervals' nominal coverage.

    Returns
    -------
    score : float
        In the units of ``y_true`` (divide by a spread to compare series).
    """
    if not 0 < coverage < 1:
        raise ValueError(f"coverage must be between 0 and 1, got {coverage!r}.")
    y_true, lower, upper = _bounds(y_true, lower, upper)
    miss = np.maximum(lower - y_true, 0) + np.maximum(y_true - upper, 0)
    return float(np.mean(upper - lower + 2 / (1 - coverage) * miss))


def valid_prediction_time(y_true, y_pred, *, dt=1.0, threshold=0.5, lyapunov_exponent=None,
                          scale=None):
    """Valid prediction time of a free-running forecast.

    The number of steps before :func:`normalized_errors` first exceeds ``threshold``, also in model
    time and in Lyapunov times. A non-finite forecast counts as exceeding the threshold.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (T, d)
        Truth and forecast.
    dt : float, default=1.0
        Model time per step.
    threshold : float, default=0.5
        Largest normalised error of a valid step.
    lyapunov_exponent : float or None, default=None
        Largest Lyapunov exponent (e.g. 0.906 for Lorenz-63), for the time in Lyapunov times.
    scale : float or None, default=None
        As in :func:`normalized_errors` (by default from y_true over the window, so pass a window
        several Lyapunov times long).

    Returns
    -------
    valid : ValidTime
        Steps, model time and Lyapunov times.
    """
    errors = normalized_errors(y_true, y_pred, scale=scale)
    bad = ~(errors <= threshold)
    steps = int(np.argmax(bad)) if bad.any() else len(errors)
    time = steps * dt
    lyap = time * lyapunov_exponent if lyapunov_exponent is not None else float("nan")
    return ValidTime(steps, time, lyap)


def memory_capacity(targets, outputs):
    """Memory capacity (Jaeger 2001): sum over delays of the squared correlation r^2.

    Parameters
    ----------
    targets, outputs : array-like of shape (T, K)
        Column k-1 holds u(t-k) and its trained readout.

    Returns
    -------
    mc : float
        The memory capacity.
    r2 : ndarray of shape (K,)
        The squared correlation of every delay.
    """
    targets, outputs = _pair(targets, outputs)
    targets = targets.reshape(len(targets), -1)
    outputs = outputs.reshape(len(outputs), -1)
    tc = targets - targets.mean(axis=0)
    oc = outputs - outputs.mean(axis=0)
    denom = np.sqrt(np.sum(tc ** 2, axis=0) * np.sum(oc ** 2, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(denom > 0, np.sum(tc * oc, axis=0) / denom, 0.0)
    r2 = r ** 2
    return float(r2.sum()), r2
