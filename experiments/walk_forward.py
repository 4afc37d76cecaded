"""Walk-forward (rolling-origin) validation of models of one series.

A validation fold of a series is scored the way the model will be used: each of its steps is
predicted from the state reached by running through everything before it (the fold's training
steps included), never from a zero state in the middle of the series. The transient at the start
(``washout``) is then paid once per series, not once per fold: on a short series (30 scored
years of sunspots after a 100-step washout per fold) that decides which model wins.

:func:`experiments.search.grid_search` scores this way by default (``walk_forward=True``); for
scikit-learn's searches, :class:`WalkForward` is a splitter whose validation sets are whole
histories, and its :meth:`WalkForward.scorer` scores only their last ``test_size`` steps:

    wf = WalkForward(n_splits=3, test_size=100)
    GridSearchCV(ESNForecaster(), grid, cv=wf, scoring=wf.scorer())
"""

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

from reservoir.common.scoring import r2
from reservoir.covariates import closed_loops, forecast_variables

from .metrics import valid_prediction_time

#: Scores a walk-forward fold can be scored by: name -> (function of truth and prediction,
#: sign); None is the estimators' own score (R^2).
METRICS = {
    None: (r2, 1.0),
    "r2": (r2, 1.0),
    "neg_mean_squared_error": (lambda t, p: float(np.mean((t - p) ** 2)), -1.0),
    "neg_root_mean_squared_error": (lambda t, p: float(np.sqrt(np.mean((t - p) ** 2))), -1.0),
    "neg_mean_absolute_error": (lambda t, p: float(np.mean(np.abs(t - p))), -1.0),
}


def check_scoring(scoring):
    """The scoring's (function, sign) (None for a :class:`ClosedLoop`); a clear error for
    scorers walk-forward cannot use.

    Parameters
    ----------
    scoring : str, ClosedLoop or None
        A key of :data:`METRICS`, or closed-loop forecasts.

    Returns
    -------
    metric : tuple of (callable, float) or None
        The function of truth and prediction and its sign (greater is better after it).
    """
    if isinstance(scoring, ClosedLoop):
        return None
    if not (scoring is None or isinstance(scoring, str)) or scoring not in METRICS:
        raise ValueError(f"walk-forward validation scores with {sorted(k for k in METRICS if k)}"
                         f", a ClosedLoop (or None, the estimator's R^2); got scoring={scoring!r}. "
                         "Pass "
                         "walk_forward=False to score other ways.")
    return METRICS[scoring]


def check_folds(folds):
    """Every fold's validation steps must be contiguous and follow all its training steps.

    Parameters
    ----------
    folds : list of (ndarray, ndarray)
        (training steps, validation steps) of each fold.
    """
    for k, (train, test) in enumerate(folds):
        test = np.asarray(test)
        if (len(test) == 0 or np.any(np.diff(test) != 1) or len(train) == 0
                or np.max(train) >= test[0]):
            raise ValueError(f"fold {k}: walk-forward validation needs validation steps that "
                             "follow their training steps, in one block (TimeSeriesSplit); "
                             "pass walk_forward=False for other folds.")


def score_rows(predictions, X, y, rows, scoring=None):
    """The walk-forward score of the steps ``rows`` of one series.

    Parameters
    ----------
    predictions : ndarray of shape (n_steps, ...), or list of them
        What the model's ``predict`` returns for ``X`` (everything up to the end of the rows).
    X : ndarray of shape (n_steps, ...), or list of them
        The series (its history up to the last scored step), or several (their scored steps
        pooled).
    y : ndarray of shape (n_steps, ...), list of them, or None
        Targets of a regressor; None for a forecaster, whose prediction at step t is s(t+1).
    rows : ndarray of int, or list of them
        The steps scored (each after the first), of each series.
    scoring : str or None, default=None
        A key of :data:`METRICS`.

    Returns
    -------
    score : float
        The score (greater is better).
    """
    metric, sign = check_scoring(scoring)
    if isinstance(X, list):  # several series: their scored steps pooled
        pairs = [_pairs(p, x, None if y is None else t, r)
                 for p, x, t, r in zip(predictions, X, y if y is not None else X, rows)]
        truth, pred = (np.concatenate([pair[k] for pair in pairs]) for k in (0, 1))
    else:
        truth, pred = _pairs(predictions, X, y, rows)
    return sign * metric(truth, pred)


def _pairs(predictions, X, y, rows):
    """(truth, prediction) of the steps ``rows`` of one series, float arrays."""
    rows = np.asarray(rows)
    if y is None:
        truth, pred = np.asarray(X)[rows], np.asarray(predictions)[rows - 1]
    else:
        truth, pred = np.asarray(y)[rows], np.asarray(predictions)[rows]
    return np.asarray(truth, dtype=float), np.asarray(pred, dtype=float)


def score_model(model, X, y, rows, scoring=None):
    """The walk-forward score of a fitted model on the steps ``rows`` of the history X (and
    y): from its one-step predictions (:func:`score_rows`), or its closed-loop forecasts for a
    :class:`ClosedLoop` scoring.

    Parameters
    ----------
    model : estimator
        Fitted; a forecaster for a :class:`ClosedLoop`.
    X : ndarray of shape (n_steps, ...)
        The history up to the last scored step.
    y : ndarray of shape (n_steps, ...) or None
        Targets of a regressor; None for a forecaster.
    rows : ndarray of int
        The steps scored.
    scoring : str, ClosedLoop or None, default=None
        A key of :data:`METRICS`, or closed-loop forecasts.

    Returns
    -------
    score : float
        The score (greater is better).
    """
    if isinstance(scoring, ClosedLoop):
        return scoring.score(model, X, rows)
    return score_rows(model.predict(X), forecast_variables(model, X) if y is None else X, y, rows,
                      scoring)


class ClosedLoop:
    """Scores a forecaster by its closed-loop forecasts from many origins of a validation fold:
    from each origin o, ``forecast(max(horizon), context=X[:o])`` (the state of the whole
    history), compared with X[o:o+h]. ``ESNForecaster`` and ``NVARForecaster`` run all the
    origins side by side (``forecast_origins``).

    Parameters
    ----------
    horizon : int or list of int
        Steps ahead; several: the NRMSE averaged over the horizons (each over its first h
        steps).
    n_origins : int, default=10
        Origins spread evenly over the fold (those with h steps left after them).
    metric : {"nrmse", "valid_time"}, default="nrmse"
        Minus the NRMSE (RMS error over the variables, over the RMS of the history's standard
        deviations; greater is better), or the valid prediction time in steps (the first step
        whose normalised error exceeds ``threshold``, :func:`experiments.metrics.
        valid_prediction_time`), averaged over the origins. A forecast that becomes
        non-finite scores -inf (or 0 steps).
    threshold : float, default=0.5
        The valid time's threshold.
    """

    def __init__(self, horizon, *, n_origins=10, metric="nrmse", threshold=0.5):
        self.horizons = sorted(np.atleast_1d(horizon).astype(int).tolist())
        if self.horizons[0] < 1 or n_origins < 1 or metric not in ("nrmse", "valid_time"):
            raise ValueError(f"ClosedLoop needs horizons >= 1, n_origins >= 1 and metric "
                             f"'nrmse' or 'valid_time'; got {horizon!r}, {n_origins!r}, "
                             f"{metric!r}.")
        self.n_origins, self.metric, self.threshold = n_origins, metric, threshold

    def __repr__(self):
        return (f"ClosedLoop(horizon={self.horizons}, n_origins={self.n_origins}, "
                f"metric={self.metric!r})")

    def score(self, model, X, rows, ridges=None):
        """The score of a fitted forecaster on the validation steps ``rows`` of the history X.

        Parameters
        ----------
        model : ESNForecaster or NVARForecaster
            Fitted.
        X : array-like of shape (n_steps,) or (n_steps, n_variables), or list of them
            The series up to the end of the fold (several: the mean of their scores).
        rows : ndarray of int, or list of them
            The fold's validation steps (of each series).
        ridges : array-like of shape (n_ridges,) or None, default=None
            Score the model re-solved for each of these ridge values instead (``with_ridge``;
            an ``ESNForecaster`` harvests the history once for all of them, an
            ``NVARForecaster`` factorizes its readout once).

        Returns
        -------
        score : float, or ndarray of shape (n_ridges,) with ``ridges``
            Greater is better.
        """
        if isinstance(X, list):  # several series: the mean of their scores
            scores = np.mean([self.score(model, x, r, ridges) for x, r in zip(X, rows)], axis=0)
            return float(scores) if ridges is None else scores
        X = np.asarray(X, dtype=float)
        series = np.asarray(forecast_variables(model, X), dtype=float).reshape(len(X), -1)
        H = self.horizons[-1]
        rows = np.asarray(rows)
        candidates = rows[rows + H <= rows[-1] + 1]
        if not candidates.size:
            raise ValueError(f"A validation fold of {len(rows)} steps is shorter than the "
                             f"closed-loop horizon {H}; use fewer folds or a shorter horizon.")
        picks = np.unique(np.linspace(0, candidates.size - 1, self.n_origins).round())
        scale = float(np.sqrt(np.mean(series[:rows[0]].var(axis=0)))) or 1.0
        chosen = candidates[picks.astype(int)]
        if ridges is None:
            runs = closed_loops(model, X, chosen, H, non_finite="keep")
            return self._value(series, chosen, runs, scale)
        if hasattr(model, "forecast_origins"):
            runs = model.forecast_origins(X, chosen, H, non_finite="keep", ridges=ridges)
        else:
            runs = [closed_loops(model.with_ridge(r), X, chosen, H, non_finite="keep")
                    for r in ridges]
        return np.array([self._value(series, chosen, run, scale) for run in runs])

    def _value(self, series, origins, forecasts, scale):
        """The score of the forecasts from ``origins`` against the series."""
        H = self.horizons[-1]
        values = []
        for o, pred in zip(origins, forecasts):
            truth = series[o:o + H]
            pred = np.asarray(pred, dtype=float).reshape(H, -1)
            if self.metric == "valid_time":
                values.append(valid_prediction_time(truth, pred, threshold=self.threshold,
                                                    scale=scale).steps)
            else:
                with np.errstate(invalid="ignore", over="ignore"):
                    errors = [np.sqrt(np.mean((pred[:h] - truth[:h]) ** 2)) / scale
                              for h in self.horizons]
                values.append(-float(np.mean(errors)) if np.all(np.isfinite(errors))
                              else -np.inf)
        return float(np.mean(values))


class WalkForward:
    """A splitter for scikit-learn's searches: the folds of ``TimeSeriesSplit(n_splits,
    test_size=test_size)`` with each validation set extended back to the start of the series,
    so that the model runs through the whole history; :meth:`scorer` scores only the last
    ``test_size`` steps.

    Parameters
    ----------
    n_splits : int, default=5
        Folds.
    test_size : int
        Steps scored in each fold.
    """

    def __init__(self, n_splits=5, *, test_size):
        self.n_splits, self.test_size = n_splits, test_size

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds.

        Parameters
        ----------
        X, y, groups : ignored
            For scikit-learn's interface.

        Returns
        -------
        n_splits : int
            The number of folds.
        """
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Yield (training steps, the history up to the end of the fold's validation steps).

        Parameters
        ----------
        X : array-like of shape (n_steps, ...)
            The series.
        y, groups : ignored
            For scikit-learn's interface.

        Yields
        ------
        train, history : ndarray of int
            Indices of the training steps and of the validation history.
        """
        for train, test in TimeSeriesSplit(self.n_splits, test_size=self.test_size).split(X):
            yield train, np.arange(test[-1] + 1)

    def scorer(self, scoring=None):
        """A scikit-learn scorer ``(estimator, X, y) -> score`` of the last ``test_size`` steps
        of a validation history (see :func:`score_rows`).

        Parameters
        ----------
        scoring : str, ClosedLoop or None, default=None
            A key of :data:`METRICS`, or closed-loop forecasts (:class:`ClosedLoop`).

        Returns
        -------
        scorer : callable
            For ``GridSearchCV(scoring=...)``.
        """
        check_scoring(scoring)
        size = self.test_size

        def score(estimator, X, y=None):
            return score_model(estimator, X, y, np.arange(len(X) - size, len(X)), scoring)

        return score
