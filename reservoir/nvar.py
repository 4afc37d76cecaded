"""NVARForecaster: next-generation reservoir computing (Gauthier et al. 2021), a nonlinear
vector autoregression whose features are delayed inputs and their polynomial monomials.

At step t the linear features are ``lin(t) = [s(t), s(t - skip), ..., s(t - (delays-1) skip)]``
(d * delays values), the nonlinear ones every distinct monomial of the linear features of degree
2 .. ``degree``; a ridge readout (streamed through :class:`~reservoir.readout.QRRidge`, the
intercept unpenalised) maps ``[lin(t), monomials(t)]`` to the increment ``s(t+1) - s(t)`` (or,
with ``increment=False``, to ``s(t+1)``). Forecasts run the same map in closed loop.
"""

import copy
import itertools
import math

import numpy as np
from numba import njit
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .common.arrays import copy_matrix
from .common.config import KERNEL
from .common.docstrings import fill_doc
from .common.interrupt import keyboard_interrupts, run_in_slices
from .common.scoring import r2
from .common.season import phase_of
from .common.validation import (
    BOX_COX,
    COUNT,
    NON_NEGATIVE,
    ONE,
    as_given,
    kept_dtype,
    sequence_form,
)
from .covariates import CovariatesMixin, covariate_columns, future_covariates
from .forecaster import (
    as_series,
    check_closed_loop,
    check_forecast_memory,
    check_forecast_options,
    check_loops,
    context_of,
    in_series_units,
    origins_of,
    ridge_values,
    series_of,
)
from .readout import QRRidge, Readout, check_readout_memory


def monomials(n_linear, degree):
    """Index array (n_monomials, degree) of the distinct monomials of degree 2 .. ``degree`` of
    ``n_linear`` features, each a sorted tuple of feature indices padded with -1. A readout over
    more features than this machine's memory holds is refused before they are listed."""
    count = sum(math.comb(n_linear + k - 1, k) for k in range(2, degree + 1))
    check_readout_memory(n_linear + count + 1, n_linear + count + 1)
    rows = [c + (-1,) * (degree - k) for k in range(2, degree + 1)
            for c in itertools.combinations_with_replacement(range(n_linear), k)]
    return np.array(rows, dtype=np.int64).reshape(len(rows), degree)


@njit(**KERNEL)
def _row(S, t, delays, skip, terms, f):
    """The features of step t of the series S (T, d) into f (n_features,): linear features
    (missing past values read as 0), then the monomials ``terms`` (indices into the linear
    features, -1 padded)."""
    d = S.shape[1]
    n_lin = d * delays
    for j in range(delays):
        u = t - j * skip
        for i in range(d):
            f[j * d + i] = S[u, i] if u >= 0 else 0.0
    for m in range(terms.shape[0]):
        value = 1.0
        for k in range(terms.shape[1]):
            if terms[m, k] >= 0:
                value *= f[terms[m, k]]
        f[n_lin + m] = value


@njit(**KERNEL)
def features(S, delays, skip, terms, out):
    """NVAR features of every step of the series S (T, d) into out (T, d * delays +
    len(terms)) (see :func:`_row`)."""
    for t in range(S.shape[0]):
        _row(S, t, delays, skip, terms, out[t])


@njit(**KERNEL)
def generate(history, coef, intercept, delays, skip, terms, increment, outputs, inputs, known,
             out):
    """Closed loop: ``out`` (horizon, n_out) continues the series whose last
    ``(delays - 1) * skip + 1`` values are ``history`` (oldest first, (w, d)): the variables
    ``outputs`` (n_out,) forecast by the readout ``coef`` (n_out, n_features) and ``intercept``
    (n_out,) and fed back, the variables ``inputs`` (k,) read from ``known`` (horizon, k),
    row h at the step of ``out[h]``."""
    w, d = history.shape
    buf = np.empty((w + out.shape[0], d))
    copy_matrix(history, buf[:w])
    f = np.empty(coef.shape[1])
    for h in range(out.shape[0]):
        t = w - 1 + h  # the newest value in buf
        _row(buf, t, delays, skip, terms, f)
        for j in range(outputs.shape[0]):
            i = outputs[j]
            y = intercept[j]
            for p in range(coef.shape[1]):
                y += coef[j, p] * f[p]
            if increment:
                y += buf[t, i]
            out[h, j] = y
            buf[t + 1, i] = y
        for j in range(inputs.shape[0]):
            buf[t + 1, inputs[j]] = known[h, j]


@njit(**KERNEL)
def generate_many(histories, coef, intercept, delays, skip, terms, increment, outputs, inputs,
                  known, out):
    """Closed loops side by side: ``out[k]`` (horizon, n_out) continues ``histories[k]`` (w, d),
    reading ``known[k]`` (horizon, k) (each as :func:`generate`), for k < len(histories)."""
    for k in range(histories.shape[0]):
        generate(histories[k], coef, intercept, delays, skip, terms, increment, outputs, inputs,
                 known[k], out[k])


@fill_doc
class NVARForecaster(CovariatesMixin, BaseEstimator):
    """Next-generation reservoir computer: forecasts a series from its delayed values and their
    polynomial monomials (Gauthier et al. 2021, Nat. Commun. 12:5564).

    Parameters
    ----------
    delays : int, default=2
        Delayed values k in the linear features.
    skip : int, default=1
        Steps s between two delayed values.
    degree : int, default=2
        Highest degree of the monomials (2: the paper's quadratic terms; 1: a linear VAR).
    ridge : float, default=2.5e-6
        Tikhonov penalty of the readout (added to F^T F as it is; the intercept free).
    increment : bool, default=True
        Learn s(t+1) - s(t) (the paper's choice) rather than s(t+1).
    standardize : bool, default=True
        Standardise every variable over the training series, outputs mapped back. The
        monomials of raw values span orders of magnitude: on raw Lorenz-63 (values up to 45)
        the paper's ridge leaves a closed loop that diverges within 20 steps here, standardised
        it forecasts one Lyapunov time to a normalised error of about 5e-3.
    {seasonal_period}
    {box_cox}
    {covariates}

    Attributes
    ----------
    readout_ : reservoir.Readout
        The factorized feature rows (any ridge value: ``with_ridge``).
    coef_ : ndarray of shape (n_forecast, n_features_out)
        Readout weights of [linear features, monomials] (features of every variable, the
        covariates' included), for each forecast variable.
    intercept_ : ndarray of shape (n_forecast,)
        Constant terms.
    history_ : ndarray of shape ((delays - 1) * skip + 1, n_variables)
        The last values of the training series (where ``forecast`` continues).
    season_ : ndarray of shape (seasonal_period, n_variables) or None
        The seasonal means (None without ``seasonal_period``).
    series_mean_, series_scale_ : ndarray of shape (n_variables,)
        The standardisation (zeros and ones without ``standardize``), after the season.
    covariate_index_, forecast_index_ : ndarray of int
        The positions of the covariates among the variables of X, and of those forecast (all
        of them without ``covariates``).
    n_features_in_ : int
        Variables of the series.

    Examples
    --------
    >>> from experiments.datasets import lorenz63
    >>> from reservoir import NVARForecaster
    >>> xyz = lorenz63(500, dt=0.025, random_state=0)
    >>> model = NVARForecaster().fit(xyz[:400])
    >>> model.forecast(10).shape
    (10, 3)
    """

    _parameter_constraints = {"delays": COUNT, "skip": COUNT, "degree": COUNT,
                              "ridge": NON_NEGATIVE, "increment": ["boolean"],
                              "standardize": ["boolean"], "seasonal_period": COUNT + [None],
                              "box_cox": BOX_COX, "covariates": [list, tuple, None]}

    #: The features, the readout and the closed loop run in float64 (outputs come back in the
    #: training series' dtype).
    _dtype = np.dtype(np.float64)

    def __init__(self, delays=2, skip=1, *, degree=2, ridge=2.5e-6, increment=True,
                 standardize=True, seasonal_period=None, box_cox=None, covariates=None):
        self.delays = delays
        self.skip = skip
        self.degree = degree
        self.ridge = ridge
        self.increment = increment
        self.standardize = standardize
        self.seasonal_period = seasonal_period
        self.box_cox = box_cox
        self.covariates = covariates

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags

    @property
    def _warmup(self):
        """Steps before the first whole set of delayed values, (delays - 1) * skip."""
        return (self.delays - 1) * self.skip

    def _features(self, S):
        out = np.empty((len(S), S.shape[1] * self.delays + len(self._terms)))
        features(S, self.delays, self.skip, self._terms, out)
        return out

    def fit(self, X, y=None):
        """Learn the one-step map on every series (after its first (delays-1) skip steps).

        Parameters
        ----------
        {X_series}
        {y_ignored}

        Returns
        -------
        self : NVARForecaster
            The fitted estimator.
        """
        self._validate_params()
        self._out_dtype = kept_dtype(X)  # the features and the readout: float64
        seqs, _ = series_of(self, X, reset=True, dtype=np.float64)
        short = [len(S) for S in seqs if len(S) <= self._warmup + 1]
        if short:
            raise ValueError(f"X has a series of n_samples={short[0]} steps: "
                             f"delays={self.delays} and "
                             f"skip={self.skip} need more than {self._warmup + 1} to learn "
                             "from. Lower delays or skip, or pass a longer series.")
        d = seqs[0].shape[1]
        self.covariate_index_, fi = covariate_columns(self, d)
        self.forecast_index_ = fi
        self._terms = monomials(d * self.delays, self.degree)
        acc = QRRidge(d * self.delays + len(self._terms) + 1, len(fi), True)
        for S in seqs:
            F = self._features(S)[self._warmup:-1]
            target = S[self._warmup + 1:, fi] - (S[self._warmup:-1, fi] if self.increment
                                                 else 0.0)
            acc.update(np.hstack([np.ones((len(F), 1)), F]), target)
        self.readout_ = Readout(acc)
        self.coef_, self.intercept_ = self.readout_.coef_for(self.ridge)
        self.history_ = seqs[-1][-(self._warmup + 1):].copy()
        self._next_phase = len(seqs[-1])  # of the step a forecast continues with
        rows = np.concatenate(seqs)[:, fi]
        self._seen = (rows.min(axis=0), rows.max(axis=0))
        return self

    def with_ridge(self, ridge):
        """This fitted model with its readout solved for another ``ridge`` (one factorization
        serves every value); ``self`` is not changed.

        Parameters
        ----------
        ridge : float
            The new penalty (>= 0).

        Returns
        -------
        model : NVARForecaster
            A copy with ``ridge`` set and ``coef_``, ``intercept_`` solved for it.
        """
        check_is_fitted(self, "readout_")
        model = copy.copy(self)
        model.set_params(ridge=ridge)._validate_params()
        model.coef_, model.intercept_ = self.readout_.coef_for(ridge)
        return model

    def _one_step(self, S):
        """One-step predictions (T, n_forecast) of every row of a standardised series."""
        out = self._features(S) @ self.coef_.T + self.intercept_
        return out + S[:, self.forecast_index_] if self.increment else out

    def _back(self, out, start):
        """Outputs (n_steps, n_forecast) in the series' units (:func:`in_series_units`, the
        first step at phase ``start``) and in the training series' dtype."""
        (out,) = in_series_units(self, [out], [start])
        return out.astype(self._out_dtype, copy=False)

    def predict(self, X):
        """One-step-ahead predictions: row t forecasts s(t+1) from s(..t) (the first
        (delays-1) skip rows read missing past values as 0).

        Parameters
        ----------
        {X_series}

        Returns
        -------
        predictions : ndarray shaped like each series, or list of such arrays
            The one-step forecasts (of the forecast variables only, (n_steps, n_forecast),
            with ``covariates``; float32 when the training series were float32; one array for
            a 3-D X).
        """
        check_is_fitted(self, "coef_")
        seqs, form = series_of(self, X, reset=False, dtype=np.float64)
        outs = [self._back(self._one_step(S), start + 1)
                for S, start in zip(seqs, phase_of(self, X, len(seqs)))]
        outs = [o[:, 0] for o in outs] if self._y_1d else outs
        return as_given(outs, form)

    def score(self, X, y=None):
        """R^2 of the one-step predictions of s(w+1..T-1), w = (delays-1) skip.

        Parameters
        ----------
        {X_series}
        {y_ignored}

        Returns
        -------
        score : float
            The coefficient of determination R^2.
        """
        preds = self.predict(X)
        seqs, preds = ([X], [preds]) if sequence_form(X) == ONE else (X, preds)
        w = self._warmup
        truth = np.concatenate([self.forecast_variables(s)[w + 1:] for s in seqs])
        return r2(truth, np.concatenate([np.asarray(p)[w:-1] for p in preds]))

    def forecast(self, horizon, context=None, on_divergence="warn", covariates=None):
        """Free-running forecast of the next ``horizon`` steps.

        Parameters
        ----------
        horizon : int
            Number of steps to forecast.
        context : array-like of shape (n_steps,) or (n_steps, n_variables), default=None
            A series to continue (at least (delays-1) skip + 1 steps) instead of the training
            series.
        on_divergence : {"warn", "raise"}, default="warn"
            As for ``ESNForecaster.forecast``: leaving the training range by more than ten
            times its width warns or raises; a non-finite forecast always raises.
        {forecast_covariates}

        Returns
        -------
        forecast : ndarray of shape (horizon, n_variables), or (horizon,) for a univariate series
            The free-running forecast (of the forecast variables alone, with ``covariates``;
            float32 when the training series were float32); after a
            pandas or xarray series, the same kind of object, as ``ESNForecaster.forecast``
            returns it.
        """
        check_is_fitted(self, "coef_")
        check_forecast_options(horizon, on_divergence)
        check_forecast_memory(self, horizon)
        if context is None:
            history, start = self.history_, self._next_phase
        else:
            ctx = context_of(self, context, np.float64, self._warmup)
            history = ctx[-(self._warmup + 1):]
            start = phase_of(self, context, name="context")[0] + len(ctx)
        C = future_covariates(self, covariates, horizon, start)
        known = np.empty((horizon, 0)) if C is None else np.ascontiguousarray(C)
        out = np.empty((horizon, len(self.forecast_index_)))
        generate(np.ascontiguousarray(history), np.ascontiguousarray(self.coef_),
                 self.intercept_, self.delays, self.skip, self._terms, self.increment,
                 self.forecast_index_, self.covariate_index_, known, out)
        check_closed_loop(out, 0, self._seen, on_divergence, False)
        out = self._back(out, start)
        return as_series(out[:, 0] if self._y_1d else out, self, context)

    def forecast_origins(self, X, origins, horizon, non_finite="raise", ridges=None):
        """Closed-loop forecasts of ``horizon`` steps from many origins of one series, in one
        compiled batch: row k equals ``forecast(horizon, context=X[:origins[k]])``.

        Parameters
        ----------
        {X_one_series}
        origins : array-like of int
            Steps o ((delays-1) skip < o <= n_steps): each forecast continues X[:o].
        {origins_horizon}
        ridges : array-like of shape (n_ridges,) or None, default=None
            Forecast with the readout re-solved for each of these ridge values (as
            ``with_ridge(r).forecast_origins`` would); None uses the fitted ``coef_``.

        Returns
        -------
        forecasts : ndarray of shape (n_origins, horizon, n_variables), or (n_origins, horizon)
            The forecasts, in the series' units (float32 when the training series were
            float32); with ``ridges``, one such array per ridge value, stacked (n_ridges,
            n_origins, horizon, ...). With ``covariates``, of the forecast variables, the
            covariates read from X after each origin (which must leave horizon - 1 steps of X
            after it).
        """
        check_is_fitted(self, "coef_")
        S, origins, C = origins_of(self, X, origins, horizon, non_finite, self._warmup)
        w, n_out = self._warmup + 1, len(self.forecast_index_)
        histories = np.array([S[o - w:o] for o in origins]).reshape(len(origins), w, S.shape[1])
        known = np.zeros((len(origins), horizon, len(self.covariate_index_)))
        if C is not None:  # row h: the covariates at the step of forecast h (the last unread)
            known[:, :horizon - 1] = C
        if ridges is None:
            weights = [(None, self.coef_, self.intercept_)]
        else:
            ridges = ridge_values(ridges)
            weights = list(zip(ridges, *self.readout_.coef_for(ridges)))
        (phase,) = phase_of(self, X)
        forecasts = []
        for ridge, coef, intercept in weights:
            out, coef = np.empty((len(origins), horizon, n_out)), np.ascontiguousarray(coef)

            def run_slice(a, b):  # the loops from origins a..b
                generate_many(histories[a:b], coef, intercept, self.delays, self.skip,
                              self._terms, self.increment, self.forecast_index_,
                              self.covariate_index_, known[a:b], out[a:b])
                return -1

            with keyboard_interrupts():
                run_in_slices(len(origins), run_slice, first=1)
            check_loops(out, origins, ridge, non_finite)
            forecasts.append(np.stack([self._back(o, s) for o, s in zip(out, origins + phase)])
                             if len(out) else out.astype(self._out_dtype))
        forecasts = np.stack(forecasts)
        forecasts = forecasts[..., 0] if self._y_1d else forecasts
        return forecasts[0] if ridges is None else forecasts
