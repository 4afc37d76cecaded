"""Prediction intervals for closed-loop forecasts by split conformal calibration: a copy of the
forecaster fitted on the start of the series forecasts its end from many origins, and the
quantile of its absolute errors at each step ahead (in units of the series' recent spread)
gives the interval's half-width there."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .common.validation import ONE, sequence_form
from .covariates import closed_loops, forecast_variables
from .forecaster import check_forecast_options, far_outside


class ConformalForecaster(MetaEstimatorMixin, BaseEstimator):
    """A forecaster whose closed-loop forecasts come with prediction intervals.

    ``fit`` fits a copy of ``forecaster`` on the first ``1 - calibration`` of the series,
    forecasts ``horizon`` steps from every origin of the rest (at most ``n_origins``, evenly
    spaced) and keeps, for each step ahead and variable, the conformal quantile of the absolute
    errors: the ``ceil((n + 1) * coverage)``-th smallest of the n origins' errors, each divided
    by the standard deviation of the ``scale_window`` values before its origin (the local
    scale: intervals widen where the series swings more). It then fits ``forecaster`` on the
    whole series (``forecaster_``), whose forecasts the intervals widen:
    ``forecast(h, return_interval=True)`` gives the forecast and the bounds forecast -/+ the
    quantile times the local scale before the forecast. Split conformal prediction covers at
    least ``coverage`` of new errors when they are exchangeable with the calibration ones; the
    errors of overlapping closed loops of a time series are not quite, so the coverage is
    approximate, and the local scale keeps it when the series' swings grow after the
    calibration part (90% intervals around a searched ESN held 86% of the sunspots' largest
    cycles, 70% without it: docs/benchmarks.md).

    Parameters
    ----------
    forecaster : estimator with ``fit`` and ``forecast``
        ``ESNForecaster``, ``NVARForecaster`` or ``ForecastPipeline``, not fitted (it is
        cloned).
    horizon : int, default=10
        Steps ahead the intervals are calibrated for: forecasts with intervals reach that far.
    coverage : float in (0, 1), default=0.9
        Fraction of the future values an interval should hold.
    calibration : float in (0, 1), default=0.25
        Fraction of the series, at its end, held out to calibrate the intervals.
    n_origins : int, default=200
        At most this many calibration origins, evenly spaced.
    scale_window : int >= 2, "horizon" or None, default="horizon"
        Values before each origin whose standard deviation (per variable, at least 1% of the
        series') is the unit of its errors and intervals; "horizon": ``horizon`` of them
        (at least 2); None: the series' units, the same width from every origin.

    Attributes
    ----------
    forecaster_ : estimator
        ``forecaster`` fitted on the whole series.
    calibration_errors_ : ndarray of shape (n_used, horizon[, n_variables])
        Absolute errors of the calibration forecasts, by origin (n_used = ``n_origins_``) and
        step ahead.
    quantile_ : ndarray of shape (horizon,) or (horizon, n_variables)
        The conformal quantile of the errors, by step ahead, in units of the local scale.
    half_width_ : ndarray of shape (horizon,) or (horizon, n_variables)
        The half-widths of the intervals after the end of the series (``forecast`` without
        context), by step ahead, in the series' units.
    n_origins_ : int
        Calibration origins used.
    n_features_in_ : int
        Variables of the series.

    Examples
    --------
    >>> import numpy as np
    >>> from reservoir import ConformalForecaster, ESNForecaster
    >>> rng = np.random.default_rng(0)
    >>> series = np.sin(np.arange(800) * 0.2) + 0.1 * rng.standard_normal(800)
    >>> model = ConformalForecaster(ESNForecaster(100, washout=50, random_state=0), horizon=5)
    >>> forecast, lower, upper = model.fit(series).forecast(5, return_interval=True)
    >>> bool(np.all(lower < forecast) and np.all(forecast < upper))
    True
    """

    _parameter_constraints = {
        "forecaster": [HasMethods(["fit", "forecast"])],
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "coverage": [Interval(Real, 0, 1, closed="neither")],
        "calibration": [Interval(Real, 0, 1, closed="neither")],
        "n_origins": [Interval(Integral, 1, None, closed="left")],
        "scale_window": [Interval(Integral, 2, None, closed="left"), StrOptions({"horizon"}),
                         None],
    }

    def __init__(self, forecaster, *, horizon=10, coverage=0.9, calibration=0.25, n_origins=200,
                 scale_window="horizon"):
        self.forecaster = forecaster
        self.horizon = horizon
        self.coverage = coverage
        self.calibration = calibration
        self.n_origins = n_origins
        self.scale_window = scale_window

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags

    def fit(self, X, y=None):
        """Calibrate the intervals on the end of the series X, then fit the forecaster on all
        of it.

        Parameters
        ----------
        X : array-like of shape (n_steps,) or (n_steps, n_variables)
            One series (NumPy, pandas or xarray).
        y : None
            Unused (a forecaster's targets are the next steps of X).

        Returns
        -------
        self : ConformalForecaster
            The fitted model.
        """
        self._validate_params()
        if sequence_form(X) != ONE:
            raise ValueError("ConformalForecaster calibrates on one series, not several; pass "
                             "one (n_steps,) or (n_steps, n_variables) series.")
        forecaster = clone(self.forecaster).fit(X)
        series = np.asarray(X, dtype=np.float64)
        origins = self._origins(len(series))
        try:
            early = clone(self.forecaster).fit(series[:origins[0]])
        except ValueError as error:
            raise ValueError(f"The forecaster fitted on the first {origins[0]} of the "
                             f"{len(series)} steps (those before the calibration part) "
                             f"failed: {error} Or lower calibration={self.calibration}.") from error
        paths = np.stack(closed_loops(early, series, origins, self.horizon))
        series = forecast_variables(early, series)  # without the covariates, if any
        _warn_divergence(paths, series[:origins[0]], origins)
        truth = np.stack([series[o:o + self.horizon] for o in origins])
        errors = np.abs(paths - truth)
        spread = series.std(axis=0)
        self._floor = np.where(spread > 0, 0.01 * spread, 1.0)  # a constant series: its units
        scales = np.stack([self._scale(series[:o]) for o in origins])
        rank = conformal_rank(len(origins), self.coverage)
        self.calibration_errors_ = errors
        self.quantile_ = np.sort(errors / scales[:, None], axis=0)[rank - 1]
        self.half_width_ = self.quantile_ * self._scale(series)
        self.n_origins_ = len(origins)
        self.forecaster_ = forecaster
        self.n_features_in_ = forecaster.n_features_in_
        if hasattr(forecaster, "feature_names_in_"):
            self.feature_names_in_ = forecaster.feature_names_in_
        return self

    def _origins(self, n_steps):
        """The calibration origins: steps o of the last ``calibration`` of the series whose
        ``horizon`` steps o .. o + horizon - 1 lie in it, at most ``n_origins``; refused with
        what to change when too few to give an interval of ``coverage``."""
        start = n_steps - int(round(self.calibration * n_steps))
        last = n_steps - self.horizon
        n = last - start + 1
        needed = fewest_errors(self.coverage)
        if n < needed:
            least = math.ceil(100 * (needed + self.horizon - 1) / n_steps) / 100
            fix = (f"Raise calibration (to {least:g} or more), or lower horizon or coverage."
                   if least < 1 else "Lower horizon or coverage, or pass a longer series.")
            raise ValueError(
                f"coverage={self.coverage} needs at least {needed} calibration origins, and the "
                f"last calibration={self.calibration} of the {n_steps} steps holds {max(n, 0)} "
                f"forecast{'s' * (n != 1)} of horizon={self.horizon} steps. {fix}")
        if self.n_origins < needed:
            raise ValueError(f"coverage={self.coverage} needs at least {needed} calibration "
                             f"origins; n_origins={self.n_origins} allows fewer.")
        return np.unique(np.linspace(start, last, min(n, self.n_origins)).round().astype(int))

    def predict(self, X):
        """One-step predictions of the fitted forecaster (row t forecasts s(t+1)).

        Parameters
        ----------
        X : array-like of shape (n_steps,) or (n_steps, n_variables)
            The series.

        Returns
        -------
        predictions : ndarray of the shape of X
            As ``forecaster_.predict(X)``.
        """
        check_is_fitted(self)
        return self.forecaster_.predict(X)

    def score(self, X, y=None):
        """R^2 of the fitted forecaster's one-step predictions, as ``forecaster_.score``.

        Parameters
        ----------
        X : array-like of shape (n_steps,) or (n_steps, n_variables)
            The series.
        y : None
            Unused.

        Returns
        -------
        score : float
            The one-step R^2.
        """
        check_is_fitted(self)
        return self.forecaster_.score(X)

    def forecast(self, horizon=None, context=None, on_divergence="warn", return_interval=False,
                 covariates=None):
        """Closed-loop forecast of the fitted forecaster, with its prediction interval.

        Parameters
        ----------
        horizon : int, default=None
            Steps to forecast (None: the calibrated ``horizon``); with ``return_interval``, at
            most that.
        context : array-like of shape (n_steps,) or (n_steps, n_variables), default=None
            A series to continue instead of the training series.
        on_divergence : {"warn", "raise"}, default="warn"
            As in the forecaster's ``forecast``.
        return_interval : bool, default=False
            Also return the interval's bounds.
        covariates : array-like of shape (horizon, n_covariates), default=None
            The covariates' values at the forecast steps, for a forecaster with covariates
            (``ESNForecaster(covariates=...)``; their calibration forecasts read them from the
            series).

        Returns
        -------
        forecast : ndarray of shape (horizon,) or (horizon, n_variables)
            The forecast, as the forecaster returns it (pandas or xarray after such a series).
        lower, upper : same as forecast
            Only with ``return_interval``: forecast -/+ ``quantile_`` times the local scale
            before the forecast (of the training series' end, or of ``context``).
        """
        check_is_fitted(self)
        horizon = self.horizon if horizon is None else horizon
        check_forecast_options(horizon, on_divergence)
        if return_interval and horizon > self.horizon:
            raise ValueError(f"horizon={horizon} is beyond the {self.horizon} steps the "
                             "intervals were calibrated for; refit with "
                             f"ConformalForecaster(..., horizon={horizon}).")
        given = {} if covariates is None else {"covariates": covariates}
        out = self.forecaster_.forecast(horizon, context=context, on_divergence=on_divergence,
                                        **given)
        if not return_interval:
            return out
        width = self.half_width_ if context is None else self.quantile_ * self._scale(
            forecast_variables(self.forecaster_, np.asarray(context, dtype=np.float64)))
        width = width[:horizon].astype(np.asarray(out).dtype)
        return out, out - width, out + width

    def _scale(self, history):
        """The local scale before the step after ``history`` (n_steps[, n_variables]): the
        standard deviation of its last ``scale_window`` values, at least ``_floor``; 1 without
        a window."""
        if self.scale_window is None:
            return np.ones(history.shape[1:])
        window = max(2, self.horizon) if self.scale_window == "horizon" else self.scale_window
        return np.maximum(history[-window:].std(axis=0), self._floor)


def conformal_rank(n, coverage):
    """The conformal quantile's rank among n errors, ceil((n + 1) * coverage) (rounded to 9
    decimals first, so that 10 * 0.9 is 9): a finite interval needs it <= n."""
    return math.ceil(round((n + 1) * coverage, 9))


def fewest_errors(coverage):
    """The fewest errors that give a finite interval of ``coverage``: the least n with
    :func:`conformal_rank` (n) <= n."""
    return math.ceil(round(coverage / (1 - coverage), 9))


def _warn_divergence(paths, fitted, origins):
    """Warn when calibration forecasts ``paths`` (n_origins, horizon[, n_variables]) leave the
    range of the part of the series they were fitted on by far (a diverging closed loop, whose
    errors widen the intervals)."""
    seen = fitted.reshape(len(fitted), -1)
    seen = (seen.min(axis=0), seen.max(axis=0))
    far = [far_outside(p.reshape(len(p), -1), seen).any() for p in paths]
    if any(far):
        warnings.warn(
            f"The closed loop left the training range by more than ten times its width from "
            f"{sum(far)} of the {len(far)} calibration origins (the first at step "
            f"{origins[int(np.argmax(far))]}): the forecaster diverges, and the intervals are "
            "as wide as its errors. Choose a stable one first, e.g. by grid_search with "
            "scoring=experiments.walk_forward.ClosedLoop(horizon).", RuntimeWarning,
            stacklevel=3)
