"""ESNForecaster: one-step-ahead training and closed-loop forecasting of a (multivariate) series."""

import warnings

import numpy as np
from sklearn.utils.validation import _check_feature_names

from . import kernels
from .base import CONSTRAINTS, ReservoirMixin
from .common.box_cox import box_cox, box_cox_inverse
from .common.device import blas_threads
from .common.interrupt import keyboard_interrupts, run_in_slices
from .common.memory import check_fits
from .common.scaling import fit_scaling, scaled
from .common.scoring import r2
from .common.season import (
    fit_season,
    label_origin,
    phase_of,
    phases,
    with_season,
    without_season,
)
from .common.time_index import continuation
from .common.validation import (
    BOX_COX,
    COUNT,
    LIST,
    ONE,
    check_magnitude,
    check_sequences,
    check_washout,
    is_sequence_list,
    sequence_form,
)
from .covariates import CovariatesMixin, covariate_columns, future_covariates
from .docstrings import fill_doc


def series_of(estimator, X, reset, dtype, name="X"):
    """A forecaster's series: one (n_steps,) or (n_steps, n_variables) array or a list of them,
    validated, as (n_steps, n_variables) arrays of ``dtype``; returns (seqs, form).

    With ``reset`` it sets ``n_features_in_`` (and a data frame's ``feature_names_in_``),
    ``_y_1d``, the seasonal means ``season_`` (None unless ``estimator.seasonal_period``:
    :func:`~reservoir.common.season.fit_season`) and ``_season_origin`` (where phases count
    from: :func:`~reservoir.common.season.label_origin`), the standardisation ``series_mean_``,
    ``series_scale_`` (zeros and ones unless ``estimator.standardize``) and ``_continuation``
    (how a forecast after a labelled series comes back:
    :func:`~reservoir.common.time_index.continuation`); otherwise it checks X against them.
    The series come back through the Box-Cox transform (``box_cox``), less their seasonal
    means, then standardised (``standardize``).
    """
    if not is_sequence_list(X):  # a data frame's column names, as validate_data keeps them
        _check_feature_names(estimator, X, reset=reset)
    seqs, form, was_1d = check_sequences(X, name=name, dtype=dtype, allow_1d=True)
    check_magnitude(seqs, name)  # before the standardisation, whose squares would overflow
    seqs = box_cox(seqs, estimator.box_cox, name)
    n = seqs[0].shape[1]
    if reset:
        estimator.n_features_in_ = n
        estimator._y_1d = was_1d
        estimator._continuation = continuation(X)
        estimator._season_origin = label_origin(X)
        starts = phases(estimator._season_origin, X, len(seqs), name)
        estimator.season_ = fit_season(seqs, estimator.seasonal_period, starts, name)
        seqs = without_season(seqs, estimator.season_, dtype, starts)
        estimator.series_mean_, estimator.series_scale_ = fit_scaling(seqs, estimator, name)
    elif n != estimator.n_features_in_:
        raise ValueError(f"{name} has {n} features, but {type(estimator).__name__} is expecting "
                         f"{estimator.n_features_in_} features as input (variables of the "
                         "series).")
    else:
        seqs = without_season(seqs, estimator.season_, dtype,
                              phase_of(estimator, X, len(seqs), name))
    if estimator.standardize:
        seqs = scaled(seqs, estimator.series_mean_, estimator.series_scale_, dtype)
    return seqs, form


def in_series_units(estimator, outs, starts):
    """A forecaster's outputs (n_steps_i, n_forecast) back in the series' units, float64: the
    standardisation undone, the seasonal means added back (the first step of output i at phase
    ``starts[i]``), the Box-Cox transform inverted; :func:`series_of` in reverse, for the
    forecast variables."""
    fi = estimator.forecast_index_
    if estimator.standardize:
        outs = [o * estimator.series_scale_[fi] + estimator.series_mean_[fi] for o in outs]
    season = None if estimator.season_ is None else estimator.season_[:, fi]
    return [box_cox_inverse(o, estimator.box_cox) for o in with_season(outs, season, starts)]


def context_of(estimator, context, dtype, needs):
    """A forecast's ``context``: one series validated as by :func:`series_of`, (n_steps,
    n_variables), with more than ``needs`` steps (those that set the model's state)."""
    if sequence_form(context) != ONE:
        raise ValueError("context must be one series, not several; forecast each series on its "
                         "own.")
    (ctx,), _ = series_of(estimator, context, False, dtype, name="context")
    if len(ctx) <= needs:
        raise ValueError(f"context has {len(ctx)} steps; {type(estimator).__name__} needs more "
                         f"than {needs} to set its state before it forecasts. Pass a longer "
                         "context, or none to continue the training series.")
    return ctx


def as_series(forecast, estimator, context):
    """A forecast as the labelled object (pandas, xarray) it continues (the ``context`` when
    given, else the training series: :class:`~reservoir.common.time_index.Continuation`; its
    forecast variables, without an estimator's covariates), or as it is after any other
    series."""
    after = estimator._continuation if context is None else continuation(context)
    if after is not None and hasattr(estimator, "forecast_index_"):
        after = after.columns(estimator.forecast_index_)
    return forecast if after is None else after(forecast)


def check_forecast_options(horizon, on_divergence="warn"):
    """A forecast's ``horizon`` (a positive integer, not a bool) and ``on_divergence`` ("warn"
    or "raise"), refused with a message that names them."""
    if not isinstance(horizon, (int, np.integer)) or isinstance(horizon, bool) or horizon < 1:
        raise ValueError(f"horizon must be a positive integer, got {horizon!r}.")
    if on_divergence not in ("warn", "raise"):
        raise ValueError(f"on_divergence must be 'warn' or 'raise', got {on_divergence!r}.")


#: Arrays of a forecast's size held at a forecast's peak (of float64 values): the output, its
#: copy in the series' units, and an NVAR's fed-back history or the loops' covariates.
FORECAST_COPIES = 3


def check_forecast_memory(estimator, horizon, n_loops=1):
    """Refuse up front (``MemoryError``, naming the horizon) ``n_loops`` forecasts of
    ``horizon`` steps whose arrays this machine's memory cannot hold: numpy may allocate them
    lazily, and the system then stops the process as the loop fills them."""
    d = estimator.n_features_in_
    loops = f"{n_loops} closed loops" if n_loops != 1 else "a closed loop"
    check_fits(FORECAST_COPIES * 8 * n_loops * horizon * d,
               f"Forecasting {loops} of horizon={horizon} steps of {d} "
               f"variable{'s' * (d != 1)}", "Forecast fewer steps at a time.")


def far_outside(out, seen):
    """Which steps of ``out`` (n_steps, n_variables) leave the range ``seen`` (min, max per
    variable) by more than ten times its width (the width of its value, 1 for zero, for a
    variable that was constant): (n_steps,) bool."""
    lo, hi = seen
    margin = 10 * np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
    return ((out < lo - margin) | (out > hi + margin)).any(axis=1)


def check_closed_loop(out, start, seen, on_divergence, warned):
    """Steps start .. start + len(out) - 1 of a forecast against the training range ``seen``
    (min, max) per variable, in the units the model runs in: non-finite is an error naming the
    step; leaving the range by more than ten times its width (:func:`far_outside`) is a warning
    (once: returns whether one was given) or, with ``on_divergence="raise"``, an error."""
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        raise FloatingPointError(
            f"The closed loop became non-finite at step {start + int(np.argmax(bad))}: the "
            "model is unstable when it runs on its own outputs. Use a larger ridge or a "
            "shorter horizon (for an ESN, a smaller spectral_radius).")
    far = far_outside(out, seen)
    if far.any() and not warned:
        message = (f"The forecast leaves the training range by more than ten times its width "
                   f"from step {start + int(np.argmax(far))} on: the closed loop is probably "
                   "diverging.")
        if on_divergence == "raise":
            raise FloatingPointError(message + " (on_divergence='raise' stopped it there)")
        warnings.warn(message, RuntimeWarning, stacklevel=3)
        return True
    return warned


def origins_of(estimator, X, origins, horizon, non_finite, after):
    """``forecast_origins``' arguments, checked: X one series (validated as by
    :func:`series_of`, in the model's dtype), the ``origins`` in (``after``, n_steps] (with
    horizon - 1 steps of X after each for a model with covariates, whose values the closed
    loops read there), ``non_finite`` "raise" or "keep". Returns (series (n_steps,
    n_variables), origins (n_origins,) int64, covariates (n_origins, horizon - 1, k) after each
    origin, or None without covariates)."""
    check_forecast_options(horizon)
    if non_finite not in ("raise", "keep"):
        raise ValueError(f"non_finite must be 'raise' or 'keep', got {non_finite!r}.")
    if sequence_form(X) != ONE:
        raise ValueError("forecast_origins takes one series, not several; call it on each "
                         "series in turn.")
    (U,), _ = series_of(estimator, X, False, estimator._dtype)
    given = np.asarray(origins).ravel()
    whole = given.dtype.kind in "iu" or given.dtype.kind == "f" and bool(
        np.all(np.isfinite(given) & (given == np.round(given))))
    if given.size and not whole:
        raise ValueError(f"origins must be whole step numbers; got {given[:5].tolist()}"
                         f"{' ...' * (given.size > 5)}.")
    origins = given.astype(np.int64)
    check_forecast_memory(estimator, horizon, len(origins))
    if origins.size and (origins.min() <= after or origins.max() > len(U)):
        raise ValueError(f"origins must lie in ({after}, {len(U)}] (after the first {after} "
                         f"step{'s' * (after != 1)}, which set the model's state, within the "
                         f"series); got {origins.min()}..{origins.max()}.")
    ci = estimator.covariate_index_
    if not ci.size:
        return U, origins, None
    if origins.size and origins.max() + horizon - 1 > len(U):
        raise ValueError(f"origins must leave {horizon - 1} steps of X after them: the closed "
                         f"loops read the covariates there; got origin {origins.max()} of "
                         f"{len(U)} steps.")
    C = np.array([U[o:o + horizon - 1][:, ci] for o in origins])
    return U, origins, C.reshape(len(origins), horizon - 1, ci.size)


def ridge_values(ridges):
    """``forecast_origins``' ``ridges`` as a float64 array (n_ridges,), refused unless one or
    more finite values >= 0."""
    values = np.asarray(ridges, dtype=np.float64).ravel()
    if not values.size or not np.all(np.isfinite(values)) or values.min() < 0:
        raise ValueError(f"ridges must be one or more finite values >= 0; got "
                         f"{values.tolist()}.")
    return values


def check_loops(outputs, origins, ridge, non_finite):
    """Closed loops ``outputs`` (n_origins, horizon, m) from ``origins``, with the readout
    solved for ``ridge`` (None: the fitted one): with ``non_finite="raise"`` the first that
    became non-finite is an error naming its origin (and the ridge)."""
    bad = ~np.isfinite(outputs).all(axis=(1, 2))
    if non_finite == "raise" and bad.any():
        which = "" if ridge is None else f" (ridge {ridge:g})"
        raise FloatingPointError(f"The closed loop from origin {origins[np.argmax(bad)]}{which} "
                                 "became non-finite: the model is unstable when it runs on its "
                                 "own outputs.")


@fill_doc
class ESNForecaster(CovariatesMixin, ReservoirMixin):
    """Echo state network that learns a series one step ahead and forecasts it in closed loop.

    Training is teacher forced: the input at step t is the observed value s(t), the target s(t+1).
    ``forecast`` then runs free: each prediction becomes the next input. Parameters are those of
    :class:`reservoir.ESNRegressor` (no feedback weights: the input already is the fed-back output).

    Series are arrays (n_steps,) or (n_steps, n_variables), or lists of them (each with its own
    washout); forecasts have the shape of the training series' steps, in the model's dtype.

    Parameters
    ----------
    {reservoir_parameters}
    {readout_parameters}
    standardize : bool, default=True
        Standardise every variable by its mean and standard deviation over the training series
        before the reservoir, and map every output back (``predict``, ``forecast``): series of
        any scale then suit the default scalings. False feeds the series as they are (for
        series already scaled, as the paper reproductions do).
    {seasonal_period}
    {box_cox}
    {covariates}
    {run_parameters}

    Attributes
    ----------
    reservoir_ : reservoir.Reservoir
        The drawn weights W (CSR), W_in and b.
    coef_ : ndarray of shape (n_variables, n_readout_features)
        Readout weights.
    intercept_ : ndarray of shape (n_variables,)
        Constant term of the readout.
    ridge_ : float
        The ridge of ``coef_``: ``ridge``, or the one chosen with ``ridge=None``.
    state_ : ndarray of shape (n_reservoir,)
        Reservoir state at the end of the last training series (where ``forecast`` starts).
    season_ : ndarray of shape (seasonal_period, n_variables) or None
        The seasonal means (None without ``seasonal_period``).
    series_mean_, series_scale_ : ndarray of shape (n_variables,)
        The standardisation (zeros and ones with ``standardize=False``), after the season.
    covariate_index_, forecast_index_ : ndarray of int
        The positions of the covariates among the variables of X, and of those forecast (all
        of them without ``covariates``).
    """

    _parameter_constraints = {**CONSTRAINTS, "standardize": ["boolean"],
                              "seasonal_period": COUNT + [None], "box_cox": BOX_COX,
                              "covariates": [list, tuple, None]}

    def __init__(self, n_reservoir=300, *, spectral_radius=1.0, leak_rate=0.9, input_scaling=0.4,
                 bias_scaling=0.5, density=0.1, input_density=1.0, ridge=None, washout=100,
                 squares=False, fit_intercept=True, solver="qr", standardize=True,
                 seasonal_period=None, box_cox=None, covariates=None, device="cpu",
                 dtype="float64", n_jobs=None, random_state=None, verbose=False):
        self.n_reservoir = n_reservoir
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.density = density
        self.input_density = input_density
        self.ridge = ridge
        self.washout = washout
        self.squares = squares
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.standardize = standardize
        self.seasonal_period = seasonal_period
        self.box_cox = box_cox
        self.covariates = covariates
        self.device = device
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags

    def _series(self, X, reset):
        return series_of(self, X, reset, self._dtype)

    def _format_output(self, outs, form, starts):
        """Outputs (of the forecast variables) back in the series' units
        (:func:`in_series_units`, the first step of output i at phase ``starts[i]``), in the
        model's dtype."""
        return super()._format_output(in_series_units(self, outs, starts), form)

    def _format_predictions(self, outs, form, X):
        """One-step predictions of X (row t forecasts step t + 1) as ``predict`` returns them."""
        return self._format_output(outs, form, [p + 1 for p in phase_of(self, X, len(outs))])

    def fit(self, X, y=None):
        """Learn s(t) -> s(t+1) on every series after its washout.

        Parameters
        ----------
        {X_series}
        {y_ignored}

        Returns
        -------
        self : ESNForecaster
            The fitted estimator.
        """
        return self._fit(X, y)

    def _training_data(self, X, y):
        seqs, _ = self._series(X, reset=True)
        check_washout(seqs, self.washout, reserved=1)
        self.covariate_index_, self.forecast_index_ = covariate_columns(self, seqs[0].shape[1])
        # The last value of each series is run through too (it has no target) so that the
        # final state is the one forecasting continues from.
        return seqs, [s[1:, self.forecast_index_].astype(np.float64) for s in seqs], None

    def _after_fit(self, U_seqs, Y_seqs):
        self.last_input_ = U_seqs[-1][-1].copy()
        self._next_phase = len(U_seqs[-1])  # of the step a forecast continues with
        # the range of the forecast variables, against which forecast checks its closed loop
        fi = self.forecast_index_
        self._seen = (np.min([s[:, fi].min(axis=0) for s in U_seqs], axis=0),
                      np.max([s[:, fi].max(axis=0) for s in U_seqs], axis=0))

    def predict(self, X):
        """One-step-ahead predictions, teacher forced.

        Parameters
        ----------
        {X_series}

        Returns
        -------
        predictions : ndarray shaped like each series, or list of such arrays
            Row t is the forecast of s(t+1) given s(0..t) (one array for a 3-D X); with
            ``covariates``, of the forecast variables only (n_steps, n_forecast).
        """
        self._check_fitted()
        seqs, form = self._series(X, reset=False)
        return self._format_predictions(self._outputs(seqs), form, X)

    def score(self, X, y=None):
        """R^2 of the one-step-ahead predictions of s(washout+1..T-1).

        Earlier steps are transients and are not scored.

        Parameters
        ----------
        {X_series}
        {y_ignored}

        Returns
        -------
        score : float
            The coefficient of determination R^2.
        """
        return self.score_predictions(X, y, self.predict(X))

    def score_predictions(self, X, y, predictions):
        """The score :meth:`score` gives, for one-step predictions of X already made (by another
        readout of this reservoir, say: the grid search scores many ridge values so).

        Parameters
        ----------
        {X_series}
        {y_ignored}
        predictions : ndarray or list of ndarray
            What :meth:`predict` would return for X.

        Returns
        -------
        score : float
            The coefficient of determination R^2 after the washout.
        """
        seqs, preds = ([X], [predictions]) if sequence_form(X) == ONE else (X, predictions)
        w = self.washout
        try:
            check_washout([np.empty((len(p), 0)) for p in preds], w, reserved=1)
        except ValueError as err:  # often the test part of a series, scored on its own
            raise ValueError(
                f"{err} score runs X from a zero state; to score steps that continue a history "
                "(the test part after the training part), score them from the whole series: "
                "experiments.walk_forward.score_model(model, series, None, test_rows).") from None
        truth = np.concatenate([self.forecast_variables(s)[w + 1:] for s in seqs])
        return r2(truth, np.concatenate([p[w:-1] for p in preds]))

    def _predict_inputs(self, X):
        return self._series(X, reset=False)

    def forecast_origins(self, X, origins, horizon, non_finite="raise", ridges=None):
        """Closed-loop forecasts of ``horizon`` steps from many origins of one series, side by
        side: row k equals ``forecast(horizon, context=X[:origins[k]])`` (to round-off), from
        one harvest of X (keeping only the states at the origins) and one batch of closed loops
        (one per thread with ``device="parallel"``).

        Parameters
        ----------
        {X_one_series}
        origins : array-like of int
            Steps o (washout < o <= n_steps): each forecast continues X[:o].
        {origins_horizon}
        ridges : array-like of shape (n_ridges,) or None, default=None
            Forecast with the readout re-solved for each of these ridge values (as
            ``with_ridge(r).forecast_origins`` would, from the one harvest of X); None uses the
            fitted ``coef_``.

        Returns
        -------
        forecasts : ndarray of shape (n_origins, horizon, n_variables), or (n_origins, horizon)
            The forecasts, in the series' units and the model's dtype; with ``ridges``, one
            such array per ridge value, stacked (n_ridges, n_origins, horizon, ...). With
            ``covariates``, of the forecast variables, the covariates read from X after each
            origin (which must leave horizon - 1 steps of X after it).
        """
        self._check_fitted()
        U, origins, C = origins_of(self, X, origins, horizon, non_finite, self.washout)
        if ridges is None:
            weights = [(None, self.coef_, self.intercept_)]
        else:
            ridges = ridge_values(ridges)
            with blas_threads(self._n_features_out()):
                coef, intercept = self.readout_.coef_for(ridges)
            weights = list(zip(ridges, coef, intercept))
        x = np.empty((len(origins), self.reservoir_.n_reservoir), dtype=self._dtype)
        for piece in self._run([U])[2]:  # keep only the states at the origins
            a, b = piece.rows.start, piece.rows.stop
            here = (origins - 1 >= a) & (origins - 1 < b)
            x[here] = piece.states[origins[here] - 1 - a]
        u, (phase,) = U[origins - 1], phase_of(self, X)
        forecasts = [self._closed_loops(u, C, origins, phase, x.copy(), horizon, non_finite,
                                        coef, intercept, ridge)
                     for ridge, coef, intercept in weights]
        return forecasts[0] if ridges is None else np.stack(forecasts)

    def _closed_loops(self, u, C, origins, phase, x, horizon, non_finite, coef, intercept,
                      ridge):
        """The closed loops of :meth:`forecast_origins` with the readout ``coef``,
        ``intercept`` (solved for ``ridge``, named in an error; None: the fitted one), from the
        states x (n_origins, N) at the origins (updated in place) and the inputs u there, with
        the covariates C (n_origins, horizon - 1, k) of their later steps (None without); the
        series' first step at ``phase`` of the season."""
        first = self._readout(u, x, coef, intercept).astype(self._dtype)
        res = self.reservoir_
        W_u, W_x, W_sq = self._readout_weights(coef)
        W_loop, W_out_loop = self._loop_weights(W_u)
        m, steps = first.shape[1], horizon - 1
        rest = np.empty((len(origins), steps, m), dtype=self._dtype)
        y_prev = first.copy()
        leak = self._dtype(self.leak_rate)

        def run_slice(a, b):  # steps a..b of every loop, continuing from x and y_prev
            part = np.empty((len(origins), b - a, m), dtype=self._dtype)
            # the same drives for every loop, side by side; with covariates each its own
            loops = [slice(None)] if C is None else [slice(i, i + 1) for i in range(len(x))]
            for k in loops:
                drive, out_drive = self._drives(W_u, intercept, b - a,
                                                None if C is None else C[k][0, a:b])
                kernels.generate_many(res.indptr, res.indices, res.data, leak, drive, W_loop,
                                      W_x, W_sq, out_drive, W_out_loop, x[k], y_prev[k], part[k])
            rest[:, a:b] = part
            return -1

        with self._harvester().backend.threads(), keyboard_interrupts():
            run_in_slices(steps, run_slice, first=1)  # Ctrl-C stops it between two slices
        outputs = np.concatenate([first[:, None], rest], axis=1)
        check_loops(outputs, origins, ridge, non_finite)
        out = self._format_output(list(outputs), LIST, origins + phase)
        return np.stack(out) if out else np.empty((0, horizon) + ((m,) * (not self._y_1d)))

    def _loop_weights(self, W_u):
        """(W_loop, W_out_loop): the reservoir's and the readout's weights of the forecast
        variables, the inputs a closed loop feeds back (all of them without covariates)."""
        if not self.covariate_index_.size:  # every input fed back: the weights as they are
            return self.reservoir_.W_in, W_u
        fi = self.forecast_index_
        return (np.ascontiguousarray(self.reservoir_.W_in[:, fi]),
                np.ascontiguousarray(W_u[:, fi]))

    def _drives(self, W_u, intercept, n_steps, C=None):
        """The constant parts of n_steps closed-loop steps, in the model's dtype: the
        reservoir's drive (n_steps, N), the bias, and the readout's (n_steps, n_forecast), the
        intercept; with the covariates C (n_steps, k) of those steps' inputs, plus their
        weighted values."""
        res, dtype = self.reservoir_, self._dtype
        drive = np.broadcast_to(res.bias, (n_steps, res.n_reservoir)).astype(dtype, order="C")
        out_drive = np.broadcast_to(intercept.astype(dtype), (n_steps, len(intercept))).copy()
        if C is not None:
            ci = self.covariate_index_
            drive += (C @ res.W_in[:, ci].T).astype(dtype)
            out_drive += (C @ W_u[:, ci].T).astype(dtype)
        return drive, out_drive

    def forecast(self, horizon, context=None, on_divergence="warn", covariates=None):
        """Free-running forecast of the next ``horizon`` steps.

        Without ``context``, continues from the end of the (last) training series; with a
        ``context`` series (n_steps, n_variables), first runs teacher forced through it from a zero
        state (it should be longer than ``washout``) and forecasts what follows it. The loop runs
        in pieces of at most 32 MiB of states into one preallocated output: memory grows with
        ``horizon`` only by the forecast itself.

        Parameters
        ----------
        horizon : int
            Number of steps to forecast.
        context : array-like of shape (n_steps,) or (n_steps, n_variables), default=None
            Series to continue instead of the training series.
        on_divergence : {"warn", "raise"}, default="warn"
            A forecast that leaves the training range by more than ten times its width gets a
            ``RuntimeWarning`` naming the step (``"warn"``), or stops there with a
            ``FloatingPointError`` (``"raise"``). A non-finite forecast always stops with one.
        {forecast_covariates}

        Returns
        -------
        forecast : ndarray of shape (horizon, n_variables), or (horizon,) for a univariate series
            The free-running forecast (of the forecast variables alone, with ``covariates``), in
            the model's dtype. After a pandas Series or DataFrame
            or an xarray DataArray (the training series, or ``context``) it comes back as one,
            with the same name and columns (variables' coordinate), indexed by the series'
            index (steps' coordinate) continued when that is evenly spaced (dates with a
            frequency, numbers with a constant step), else by the steps ahead 1 .. horizon
            (pandas: ``steps_ahead``; xarray: no coordinate).
        """
        self._check_fitted()
        check_forecast_options(horizon, on_divergence)
        check_forecast_memory(self, horizon)
        if context is None:
            x, u, start = self.state_.copy(), self.last_input_.copy(), self._next_phase
        else:
            ctx = context_of(self, context, self._dtype, self.washout)  # to forget x = 0
            start = phase_of(self, context, name="context")[0] + len(ctx)
            x, u = self._final_state(ctx), ctx[-1].copy()
        C = future_covariates(self, covariates, horizon, start)
        out = np.empty((horizon, len(self.forecast_index_)), dtype=self._dtype)
        out[0] = self._readout(u[None, :], x[None, :])[0]
        W_u, _, _ = self._readout_weights()
        W_loop, W_out_loop = self._loop_weights(W_u)
        piece = max(1, min(horizon - 1, self._harvester().max_rows))
        y_prev = out[0].copy()
        warned = check_closed_loop(out[:1], 0, self._seen, on_divergence, False)
        for a in range(1, horizon, piece):
            b = min(horizon, a + piece)
            drive, out_drive = self._drives(W_u, self.intercept_, b - a,
                                            None if C is None else C[a - 1:b - 1])
            out[a:b] = self._generate(drive, W_loop, out_drive, W_out_loop, x, y_prev)
            warned = check_closed_loop(out[a:b], a, self._seen, on_divergence, warned)
        return as_series(self._format_output([out], False, [start]), self, context)

