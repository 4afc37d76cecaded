"""Fast hyperparameter grid search for reservoir models, with results as an xarray Dataset.

``grid_search`` returns what ``GridSearchCV`` would (the same scores, to round-off, for the same
grid, folds and seeds; for one series its folds are scored walking forward by default, as
``GridSearchCV`` does with :class:`experiments.walk_forward.WalkForward`) but exploits the
structure of reservoirs:

* configurations that differ only in ``ridge`` share one harvest of the states and one
  factorization of the readout; every ridge value is a re-solve of the fitted model's public
  ``readout_`` (``readout_.coef_for(ridges)``, ``with_ridge(ridge)``), no estimator is changed;
* configurations that differ only in ``spectral_radius``, ``input_scaling`` and ``leak_rate``
  share one sparse pattern and run side by side in one batched kernel
  (``reservoir.batch.fit_configurations``).

The work is split into one task per (group of configurations, fold) and run by joblib, or under
``joblib.parallel_backend("dask")`` by the Dask cluster's client, with no other change.
"""

import itertools
import numbers
import time
import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr
from joblib import Parallel, delayed
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit, check_cv
from sklearn.utils import _safe_indexing

from reservoir.base import ReservoirMixin
from reservoir.batch import (
    PER_CONFIG,
    batchable,
    fit_configurations,
    predict_configurations,
    shares_prefixes,
)
from reservoir.common.device import blas_threads, readout_threads, resolve, thread_map
from reservoir.common.progress import Progress
from reservoir.common.validation import is_sequence_list, is_stacked, unstacked
from reservoir.covariates import covariates_ahead, forecast_variables
from reservoir.sequence_model import SequenceModel

from .results import finish
from .walk_forward import ClosedLoop, check_folds, score_model, score_rows
from .walk_forward import check_scoring as walk_scoring

SHARED = PER_CONFIG + ("ridge",)
#: The ridge values searched for an ESN estimator with ``ridge=None`` whose grid names none
#: (each configuration's readout solved for all of them from one factorization).
SEARCH_RIDGES = (1e-8, 1e-6, 1e-4, 1e-2, 1.0, 100.0)


def _shared(estimator):
    """Parameters whose values share work: the batched ones and ``ridge`` for estimators with
    a step-by-step readout, ``ridge`` alone for others with ``with_ridge`` (the classifier)."""
    if isinstance(estimator, ReservoirMixin):
        return SHARED
    return ("ridge",) if hasattr(estimator, "with_ridge") else ()


@dataclass
class SearchResult:
    """Outcome of :func:`grid_search`, with the names of scikit-learn's search estimators.

    Parameters
    ----------
    dataset : xarray.Dataset
        ``mean_test_score``, ``std_test_score`` and ``mean_fit_time`` over one dimension per
        searched parameter (named like it), ``split_test_score`` with a ``split`` dimension too.
    best_params_ : dict
        The best configuration.
    best_score_ : float
        Its mean test score.
    best_estimator_ : estimator or None
        The best configuration refitted on all the data (None with ``refit=False``).
    """

    dataset: xr.Dataset
    best_params_: dict
    best_score_: float
    best_estimator_: object


def _configs(base, shared_grid):
    names = [k for k in shared_grid if k in PER_CONFIG]
    configs = [dict(zip(names, values))
               for values in itertools.product(*[shared_grid[k] for k in names])]
    return names, configs, shared_grid.get("ridge", [getattr(base, "ridge", None)])


def _evaluate_prefixes(estimator, group, shared_grid, X, y, folds, scoring, walk):
    """All folds of one group at once when every training set is a prefix of the series
    (TimeSeriesSplit): one harvest up to the longest prefix, the readout factor snapshotted at
    each fold's end. Returns {fold: {config tuple: (score, time)}}."""
    base = clone(estimator).set_params(**group)
    names, configs, ridges = _configs(base, shared_grid)
    ends = [len(train) for train, _ in folds]
    stop = max(ends)
    start = time.perf_counter()
    models, snapshots = fit_configurations(
        base.set_params(ridge=ridges[0]), configs or [{}], X[:stop],
        None if y is None else y[:stop], checkpoints=ends)
    fit_each = (time.perf_counter() - start) / (len(models) * len(folds))
    out = {}
    for k, (_, test) in enumerate(folds):
        X_eval, y_eval, rows = _validation(X, y, test, walk)
        scores = _batch_scores(models, [s[k] for s in snapshots], ridges, X_eval, y_eval, rows,
                               scoring)
        out[k] = _collect(names, configs, ridges, scores, fit_each)
    return out


def _validation(X, y, test, walk):
    """What a fold's models predict, and the rows scored: the validation steps alone (None:
    all of them, the estimator's own score), or walking forward the whole history up to the
    fold's end and its validation steps (of each series, for a list of them)."""
    if isinstance(test, list):  # several series, walking forward
        parts = [_validation(x, None if y is None else t, r, True)
                 for x, t, r in zip(X, y if y is not None else X, test)]
        return ([p[0] for p in parts], None if y is None else [p[1] for p in parts],
                [p[2] for p in parts])
    rows = np.arange(test[-1] + 1) if walk else test
    X_eval = _safe_indexing(X, rows)
    y_eval = None if y is None else _safe_indexing(y, rows)
    return X_eval, y_eval, (np.asarray(test) if walk else None)


def _batch_scores(models, readouts, ridges, X, y, rows=None, scoring=None):
    """(score, seconds) per ridge of each model of one ``fit_configurations`` batch, with its
    readout re-solved from ``readouts[c]`` (a :class:`reservoir.Readout`), scored by the
    estimator's own score (or, given the ``rows`` of a walk-forward fold, by
    :func:`experiments.walk_forward.score_rows`): the test states of all models harvested side
    by side once, for every ridge."""
    start = time.perf_counter()
    preds = predict_configurations(models, X, _solve_readouts(models, readouts, ridges))
    truth = X if y is not None else forecast_variables(models[0], X)
    scores = [[float(model.score_predictions(X, y, p) if rows is None else
                     score_rows(p, truth, y, rows, scoring)) for p in model_preds]
              for model, model_preds in zip(models, preds)]
    seconds = (time.perf_counter() - start) / (len(models) * len(ridges))
    return [[(score, seconds) for score in model_scores] for model_scores in scores]


def _solve_readouts(models, readouts, ridges):
    """[(coef, intercept) of every ridge value] of each readout (a :class:`reservoir.Readout`
    of ``models``' features), solved side by side, each on one BLAS thread, not one after the
    other on BLAS's threads, which then spin after them (see ``QRRidge._solve_direct``)."""
    p = models[0].coef_.shape[1]
    with blas_threads(p):
        return thread_map(lambda readout: readout.coef_for(np.asarray(ridges, np.float64)),
                          readouts, readout_threads(_host_threads(models[0]), p))


def _host_threads(estimator):
    """Threads for scoring fitted models: those of the estimator's device (one on ``"cpu"`` and
    on the GPU, where one host thread drives the device; ``n_jobs`` on ``"parallel"``)."""
    return resolve(getattr(estimator, "device", "cpu"), getattr(estimator, "n_jobs", None)).workers


def _ridge_scores(model, ridges, X, y, scoring, rows=None):
    """(score, seconds) of the fitted ``model`` re-solved for each ridge, scored by ``scoring``
    (walking forward through X when the ``rows`` to score are given; closed loops of all the
    ridge values from one harvest of X)."""
    if isinstance(scoring, ClosedLoop) and rows is not None and None not in ridges and \
            hasattr(model, "with_ridge"):
        start = time.perf_counter()
        scores = scoring.score(model, X, rows, ridges=ridges)
        seconds = (time.perf_counter() - start) / len(ridges)
        return [(float(score), seconds) for score in scores]
    scorer = check_scoring(model, scoring=scoring) if rows is None else None
    out = []
    for ridge in ridges:
        start = time.perf_counter()
        fitted = model if ridge is None else model.with_ridge(ridge)
        score = scorer(fitted, X, y) if rows is None else \
            score_model(fitted, X, y, rows, scoring)
        out.append((float(score), time.perf_counter() - start))
    return out


def _check_grid(param_grid):
    if not isinstance(param_grid, dict) or not param_grid:
        raise ValueError("param_grid must be a non-empty dict of parameter name -> list of "
                         "values (one dimension of the results per parameter).")
    if "covariates" in param_grid:
        raise ValueError("param_grid cannot search covariates: models with other covariates "
                         "forecast other variables, whose scores do not compare. Set them on "
                         "the estimator.")
    grid = {}
    for name, values in param_grid.items():
        values = list(values) if np.ndim(values) else [values]
        if not values:
            raise ValueError(f"param_grid[{name!r}] is empty.")
        repeated = [v for i, v in enumerate(values) if any(_same(v, w) for w in values[:i])]
        if repeated:
            raise ValueError(f"param_grid[{name!r}] repeats {repeated}: each value is one "
                             "coordinate of the results; give each once.")
        grid[name] = values
    return grid


def _same(a, b):
    """Whether two grid values are the same coordinate (1 and 1.0 are)."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # arrays and the like: compared by identity
        return a is b


def _evaluate(estimator, group, shared_grid, X, y, train, test, scoring, walk=False):
    """Fit every configuration of one group on one fold; returns {config tuple: (score, time)}."""
    if isinstance(train, list):  # several series: the training steps of each
        X_train = [_safe_indexing(x, r) for x, r in zip(X, train)]
        y_train = None if y is None else [_safe_indexing(t, r) for t, r in zip(y, train)]
    else:
        X_train = _safe_indexing(X, train)
        y_train = None if y is None else _safe_indexing(y, train)
    X_test, y_test, rows = _validation(X, y, test, walk)
    base = clone(estimator).set_params(**group)
    names, configs, ridges = _configs(base, shared_grid)
    start = time.perf_counter()
    if isinstance(base, ReservoirMixin):
        models = fit_configurations(base.set_params(ridge=ridges[0]), configs or [{}], X_train,
                                    y_train)
    else:  # any other estimator: one fit per configuration
        models = [base.fit(X_train, y_train)]
    fit_each = (time.perf_counter() - start) / len(models)
    if (scoring is None or (walk and not isinstance(scoring, ClosedLoop))) and batchable(base):
        scores = _batch_scores(models, [m.readout_ for m in models], ridges, X_test, y_test,
                               rows, scoring)
    else:
        if all(hasattr(m, "readout_") for m in models) and None not in ridges:
            # the readouts keep the weights they solve: ``with_ridge`` below takes them
            _solve_readouts(models, [m.readout_ for m in models], ridges)
        scores = thread_map(lambda m: _ridge_scores(m, ridges, X_test, y_test, scoring, rows),
                            models, _host_threads(base))
    return _collect(names, configs, ridges, scores, fit_each)


def _collect(names, configs, ridges, scores, fit_each):
    """{(config values..., ridge): (score, seconds)} from per-model lists of (score, seconds)."""
    return {tuple(cfg.get(n) for n in names) + (ridge,): (score, fit_each + seconds)
            for cfg, model_scores in zip(configs or [{}], scores)
            for ridge, (score, seconds) in zip(ridges, model_scores)}


def grid_search(estimator, param_grid, X, y=None, *, cv=5, scoring=None, walk_forward=True,
                refit=True, n_jobs=None, verbose=False):
    """Exhaustive search over ``param_grid`` with cross-validation, fast for reservoirs.

    Parameters
    ----------
    estimator : ESNRegressor, ESNForecaster, ESNClassifier or ESNSequenceRegressor
        The base estimator (any estimator works; reservoir estimators run fast).
    param_grid : dict
        Parameter name -> list of values. For an ESN regressor or forecaster with
        ``ridge=None`` whose grid names no ridge, the values of :data:`SEARCH_RIDGES` are
        searched too (each configuration's readout solved for all of them from one
        factorization).
    X : array-like of shape (n_steps, n_features), or sequences
        One series, split in time by ``cv``, or a list of series (each split alike, fold k of
        the search holding the k-th fold of every series, their validation steps scored
        together walking forward); for a classifier or a sequence regressor, the sequences (a
        list, or an array of them), split into folds of whole sequences.
    y : array-like, default=None
        Targets of every step, (n_steps,) or (n_steps, n_outputs) (None for a forecaster); for
        a classifier, one label per sequence; for a sequence regressor, one target (or row of
        targets) per sequence.
    cv : int or cross-validation generator, default=5
        As in ``GridSearchCV``; an int is ``TimeSeriesSplit(cv)`` for one series, stratified
        folds of sequences for a classifier and ``KFold(cv)`` of sequences for a sequence
        regressor.
    scoring : str, callable or None, default=None
        As in ``GridSearchCV``; None scores with ``estimator.score`` (R^2 for a series).
    walk_forward : bool, default=True
        For one series: score each validation fold walking forward, every step predicted
        from the state reached through everything before it, the washout paid once
        (:mod:`experiments.walk_forward`; ``scoring`` then one of its ``METRICS``, or a
        ``ClosedLoop``: closed-loop forecasts from many origins of each fold). False
        scores each fold on its own from a zero state, as ``GridSearchCV`` with
        ``TimeSeriesSplit`` does (it matches :class:`experiments.walk_forward.WalkForward`
        otherwise).
    refit : bool, default=True
        Refit the best configuration on all the data.
    n_jobs : int or None, default=None
        joblib workers for the (group, fold) tasks (a Dask cluster under
        ``joblib.parallel_backend("dask")``).
    verbose : bool, default=False
        Progress bar over the tasks.

    Returns
    -------
    result : SearchResult
        The Dataset with one dimension per parameter, and the best configuration.
    """
    grid = _check_grid(param_grid)
    unknown = set(grid) - set(estimator.get_params())
    if unknown:
        raise ValueError(f"param_grid names unknown parameter(s) {sorted(unknown)}, which are "
                         f"not parameters of {type(estimator).__name__}.")
    if isinstance(estimator, ReservoirMixin) and estimator.ridge is None and "ridge" not in grid:
        grid["ridge"] = list(SEARCH_RIDGES)  # chosen by the search, at no extra harvest
    classify = is_classifier(estimator)
    per_sequence = classify or isinstance(estimator, SequenceModel)  # one target a sequence
    if not per_sequence and is_stacked(X):  # equal-length series: searched as a list of them
        X, y = unstacked(X, y)
    if per_sequence:
        if y is None or len(y) != len(X):
            raise ValueError(f"X has {len(X)} sequences but y has "
                             f"{'no' if y is None else len(y)} "
                             f"{'labels' if classify else 'targets'}; pass one per sequence.")
    elif is_sequence_list(X) and not walk_forward:
        raise ValueError("Several series are searched walking forward only: pass "
                         "walk_forward=True, or one series.")
    elif not is_sequence_list(X) and np.ndim(X) > 2:
        raise ValueError(f"grid_search splits series in time; got {np.ndim(X)}-D X. Pass one "
                         "series (n_steps, n_features), a list of them or a 3-D array of them "
                         "(n_series, n_steps, n_features).")
    elif is_sequence_list(X) and y is not None and (len(y) != len(X) or any(
            len(a) != len(b) for a, b in zip(X, y))):
        raise ValueError("X and y must hold as many series, each aligned step by step.")
    elif not is_sequence_list(X) and y is not None and len(y) != len(X):
        raise ValueError(f"X has {len(X)} steps but y has {len(y)}; they must be aligned.")
    names = list(grid)
    shared = _shared(estimator)
    shared_grid = {k: grid[k] for k in names if k in shared}
    other = [k for k in names if k not in shared]
    groups = [dict(zip(other, values)) for values in itertools.product(*[grid[k] for k in other])]
    if isinstance(cv, numbers.Integral) and not per_sequence:
        cv = TimeSeriesSplit(cv)
    cv = check_cv(cv, y if per_sequence or not is_sequence_list(X) else None,
                  classifier=classify)
    if classify and isinstance(cv, StratifiedKFold):
        labels, counts = np.unique(np.asarray(y), return_counts=True)
        if counts.min() < cv.n_splits:
            rarest = labels[counts.argmin()].item()
            raise ValueError(f"cv={cv.n_splits} stratified folds need at least {cv.n_splits} "
                             f"sequences of every class; class {rarest!r} has "
                             f"{counts.min()}. "
                             + (f"Pass cv={counts.min()} or fewer, or more sequences."
                                if counts.min() > 1 else "Add sequences of it, or drop it."))
    walk = walk_forward and not per_sequence
    if walk and is_sequence_list(X):  # several series: fold k holds the k-th fold of each
        per_series = [list(cv.split(x)) for x in X]
        if len({len(f) for f in per_series}) > 1:
            raise ValueError(f"{type(cv).__name__} splits the series into different numbers of "
                             "folds; give them lengths it splits alike.")
        for f in per_series:
            check_folds(f)
        folds = [([f[k][0] for f in per_series], [f[k][1] for f in per_series])
                 for k in range(len(per_series[0]))]
    else:
        folds = list(cv.split(X, y))
        if walk:
            check_folds(folds)
    if walk:
        walk_scoring(scoring)
    if not per_sequence:
        _check_training_parts(estimator, grid, folds, cv)
    shortest = min(len(np.concatenate([np.ravel(t) for t in test]) if isinstance(test, list)
                       else test) for _, test in folds)
    if not per_sequence and scoring in (None, "r2") and shortest < 2:
        raise ValueError(f"{type(cv).__name__} leaves a validation fold of {shortest} step, "
                         "which R^2 cannot score; use fewer folds (cv) or another scoring, e.g. "
                         "'neg_mean_squared_error'.")
    prefixes = (scoring is None or (walk and not isinstance(scoring, ClosedLoop))) and all(
        batchable(m) and shares_prefixes(m)
        for m in (clone(estimator).set_params(**g) for g in groups)) and all(
        not isinstance(train, list) and np.array_equal(train, np.arange(len(train)))
        for train, _ in folds)
    if prefixes:  # one task per group, all folds from one harvest
        tasks = [(g, None, None, None) for g in groups]
        call = [delayed(_evaluate_prefixes)(estimator, g, shared_grid, X, y, folds, scoring,
                                            walk) for g in groups]
    else:  # one task per group and fold
        tasks = [(g, f, train, test) for g in groups for f, (train, test) in enumerate(folds)]
        call = [delayed(_evaluate)(estimator, g, shared_grid, X, y, train, test, scoring, walk)
                for g, _, train, test in tasks]
    results = {}
    jobs = _run(call, n_jobs)
    with Progress(len(tasks), "grid search", enabled=bool(verbose), unit="tasks") as bar:
        for (g, f, _, _), out in zip(tasks, jobs):
            for fold, fold_out in (out.items() if f is None else [(f, out)]):
                results[(tuple(g.values()), fold)] = fold_out
            bar.update()
    ds = _dataset(grid, names, other, shared_grid, len(folds), results)
    flat = ds["mean_test_score"].values
    if np.all(np.isnan(flat)):
        raise ValueError("Every configuration scored NaN; check the data and the scoring.")
    best_index = np.unravel_index(np.nanargmax(flat), flat.shape)
    best_params = {k: _plain(grid[k][i]) for k, i in zip(names, best_index)}
    best_estimator = clone(estimator).set_params(**best_params).fit(X, y) if refit else None
    if walk and best_estimator is not None and not isinstance(scoring, ClosedLoop) \
            and not is_sequence_list(X):
        _check_closed_loop(best_estimator, best_params, X, folds[-1][1])
    finish(ds, "Grid search", "grid_search", dict(
        estimator=type(estimator).__name__, n_splits=len(folds), cv=str(cv),
        scoring=str(scoring or "estimator.score"), walk_forward=int(walk),
        best_score=float(flat[best_index]),
        **{f"best_{k}": v for k, v in best_params.items()}))
    return SearchResult(ds, best_params, float(flat[best_index]), best_estimator)


def _check_closed_loop(model, params, X, test):
    """A forecaster chosen by one-step scores may diverge when it runs on its own outputs: say
    so when it does over the last validation fold (from the history before it)."""
    if not hasattr(model, "forecast"):
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            model.forecast(len(test), context=_safe_indexing(X, np.arange(test[0])),
                           on_divergence="raise", **covariates_ahead(model, X, test[0], len(test)))
    except FloatingPointError as err:
        warnings.warn(f"The chosen configuration {params} diverges in closed loop over the last "
                      f"validation fold ({err}). Search with scoring=ClosedLoop(horizon) "
                      "(experiments.walk_forward) to choose a stable one.", RuntimeWarning,
                      stacklevel=3)


def _check_training_parts(estimator, grid, folds, cv):
    """Refuse up front folds whose training part is too short for the largest washout of the
    grid (a forecaster's last step has no target), naming the fold rather than a slice of X."""
    washout = max([w for w in grid.get("washout", [getattr(estimator, "washout", 0)])
                   if isinstance(w, numbers.Integral)], default=0)
    need = washout + int(hasattr(estimator, "forecast"))
    lengths = [min(len(t) for t in train) if isinstance(train, list) else len(train)
               for train, _ in folds]
    k = int(np.argmin(lengths))
    if lengths[k] <= need:
        fits = lengths[k] - 1 - (need - washout)  # the largest washout this fold leaves a step
        raise ValueError(f"Fold {k} of {type(cv).__name__} trains on {lengths[k]} steps, not "
                         f"more than washout={washout}" + (" + 1" if need > washout else "")
                         + ": nothing would be left to learn from. "
                         + (f"Set washout={fits} or less (in the estimator or the grid), use "
                            if fits >= 0 else "Use ")
                         + "fewer folds (cv) or a longer series.")


def _run(calls, n_jobs):
    """The results of joblib ``delayed`` calls, in order. Under joblib's Dask backend the calls go
    straight to its distributed client (``client.submit``, the data scattered once), so the
    scheduler reruns the task of a worker that dies; joblib's own Dask batching cancelled the
    remaining futures ("already forgotten") in some runs when a worker died (joblib #959)."""
    from joblib.parallel import get_active_backend

    backend = get_active_backend()[0]
    if type(backend).__name__ != "DaskDistributedBackend":
        return Parallel(n_jobs=n_jobs, return_as="generator")(calls)
    client = backend.client
    shared = {}  # id -> future of each large argument, scattered to the workers once

    def remote(arg):
        if isinstance(arg, np.ndarray) and arg.nbytes > 1 << 16:
            if id(arg) not in shared:
                shared[id(arg)] = client.scatter(arg, broadcast=True)
            return shared[id(arg)]
        return arg

    futures = [client.submit(fn, *[remote(a) for a in args], pure=False, retries=2, **kwargs)
               for fn, args, kwargs in calls]
    return client.gather(futures)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _dataset(grid, names, other, shared_grid, n_splits, results):
    shape = tuple(len(grid[k]) for k in names)
    scores = np.full((n_splits,) + shape, np.nan)
    times = np.full((n_splits,) + shape, np.nan)
    per_config = [k for k in shared_grid if k in PER_CONFIG]
    for (gvals, f), out in results.items():
        g = dict(zip(other, gvals))
        for key, (score, seconds) in out.items():
            values = {**g, **dict(zip(per_config, key[:-1])), "ridge": key[-1]}
            index = tuple(grid[k].index(values[k]) for k in names)
            scores[(f,) + index] = score
            times[(f,) + index] = seconds
    coords = {k: _coord(grid[k]) for k in names}
    dims = tuple(names)
    with np.errstate(invalid="ignore"):  # NaN where a fold scored -inf (a diverged loop)
        std = scores.std(axis=0)
    return xr.Dataset(
        {"mean_test_score": (dims, scores.mean(axis=0), {"long_name": "mean test score"}),
         "std_test_score": (dims, std, {"long_name": "std of the test scores"}),
         "split_test_score": (("split",) + dims, scores, {"long_name": "test score per fold"}),
         "mean_fit_time": (dims, times.mean(axis=0), {"units": "s",
                                                        "long_name": "mean fit time"})},
        coords={"split": np.arange(n_splits), **coords})


def _coord(values):
    """A grid's values as a coordinate: numbers, flags (bool: ``sel(bidirectional=False)``
    works, and netCDF keeps them), else their text."""
    if all(isinstance(v, (bool, np.bool_)) for v in values):
        return np.asarray(values, dtype=bool)
    if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float)
    return np.asarray([str(v) for v in values])
