"""Fitting many reservoir configurations at once (the engine of fast grid searches).

Reservoirs that differ only in ``spectral_radius``, ``input_scaling`` and ``leak_rate`` share
their random draws (see :mod:`reservoir.weights`), so they can run side by side on one sparse
pattern: :func:`fit_configurations` harvests all of them in one pass over the data (packed as by
:class:`reservoir.harvest.Pack`; threads over configurations on the CPU, one launch a piece on
the GPU) and streams each one's states into its own readout. Ridge values need no new states at
all: a fitted model's ``readout_`` gives the weights of any ridge value (``with_ridge``).
"""

import copy

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from .common.device import blas_threads, thread_map
from .common.interrupt import keyboard_interrupts
from .harvest import PER_CONFIG, Configurations, Pack
from .readout import Readout, design_matrix, n_features
from .weights import Reservoir, make_reservoir


def batchable(estimator):
    """Whether :func:`fit_configurations` can run configurations of ``estimator`` side by side
    (reservoir estimators without output feedback: with ``device="parallel"`` threads over
    configurations, on ``device="cuda"`` one GPU launch for all of them)."""
    from .base import ReservoirMixin

    return isinstance(estimator, ReservoirMixin) and \
        not estimator.get_params().get("feedback_scaling", 0.0) > 0


def shares_prefixes(estimator):
    """Whether one harvest gives the readouts of fits on every prefix of the data
    (``checkpoints`` of :func:`fit_configurations`): not for a model that standardises its
    inputs or removes a season, whose fit on a prefix fits them on that prefix alone."""
    params = estimator.get_params()
    return not params.get("standardize", False) and params.get("seasonal_period") is None


def fit_configurations(estimator, configs, X, y=None, checkpoints=None):
    """Fit ``clone(estimator).set_params(**config)`` for every config; returns the fitted models.

    ``configs`` are dicts over :data:`PER_CONFIG`. When the estimator has no output feedback
    (:func:`batchable`), all configurations are harvested together: one pass over X, threads
    over configurations with ``device="parallel"``, one kernel launch a piece for all of them on
    ``device="cuda"`` (:func:`reservoir.cuda_kernels.run_configs_kernel`); otherwise each is
    fitted on its own. Either way each model equals, to round-off, the one ``fit`` would give.

    Batched models keep the shared unit reservoir for :func:`predict_configurations`.

    ``checkpoints`` (batchable estimators that :func:`shares_prefixes`, one sequence X): step
    counts e_k; then returns
    ``(models, snapshots)`` with ``snapshots[c][k]`` the :class:`~reservoir.readout.Readout` of
    configuration c as a fit on ``X[:e_k]`` would leave it, so expanding-window folds
    (``TimeSeriesSplit``) share one harvest.
    """
    configs = [dict(c) for c in configs]
    extra = set().union(*configs) - set(PER_CONFIG) if configs else set()
    if extra:
        raise ValueError(f"configs may only set {PER_CONFIG}; got {sorted(extra)}.")
    models = [clone(estimator).set_params(**c) for c in configs]
    if not models:
        return models
    for m in models:
        m._check_params()
    base = models[0]
    if not batchable(base):
        if checkpoints is not None:
            raise ValueError("checkpoints need a batchable estimator (see batchable()).")
        return [m.fit(X, y) for m in models]
    data = [m._training_data(X, y) for m in models]  # validation, n_features_in_, ...
    U_seqs, Y_seqs, _ = data[0]
    if checkpoints is not None and len(U_seqs) != 1:
        raise ValueError("checkpoints need X to be one sequence.")
    if checkpoints is not None and not shares_prefixes(base):
        raise ValueError("checkpoints need an estimator that does not standardise its inputs "
                         "or remove a season: a fit on each prefix fits its own.")
    dtype = base._dtype
    unit = make_reservoir(
        base.n_reservoir, U_seqs[0].shape[1], Y_seqs[0].shape[1], spectral_radius_=1.0,
        density=base.density, input_scaling=1.0, input_density=base.input_density,
        bias_scaling=base.bias_scaling, random_state=check_random_state(base.random_state),
        dtype=dtype)
    # a fit on e steps learns from the rows t < len(Y) of those steps
    rows = [] if checkpoints is None else \
        [len(base._training_data(X[:e], None if y is None else y[:e])[1][0]) for e in checkpoints]
    pack = Pack.of(U_seqs)
    U = pack.rows(U_seqs, dtype=dtype)
    Y = pack.rows(Y_seqs, dtype=np.float64)
    use = base._training_rows(pack, Y_seqs)
    accs = [m._accumulator(n_features(U_seqs[0].shape[1], unit.n_reservoir, m.squares,
                                      m.fit_intercept), Y_seqs[0].shape[1], int(use.sum()))
            for m in models]
    snapshots = [[Readout(copy.deepcopy(a)) if r <= 0 else None for r in rows] for a in accs]
    runner = Configurations(unit, models)
    with runner.device.threads(), blas_threads(accs[0].n_features), keyboard_interrupts():
        for piece, states in runner.run(pack, U, cuts=rows):
            r = piece.rows
            thread_map(lambda c: models[c]._add_rows(accs[c], U[r], states[c], Y[r], use[r]),
                       range(len(models)), runner.device.workers)
            for k, cut in enumerate(rows):
                if cut == r.stop and cut < pack.n_rows:
                    for c in range(len(models)):
                        snapshots[c][k] = Readout(copy.deepcopy(accs[c]))
    final = runner.final(pack, len(U_seqs) - 1)
    for c, (m, acc) in enumerate(zip(models, accs)):
        reservoir = Reservoir(unit.indptr, unit.indices,
                              (unit.data * m.spectral_radius).astype(unit.data.dtype),
                              (unit.W_in * m.input_scaling).astype(unit.W_in.dtype),
                              unit.bias, unit.W_fb * 0)
        readout = Readout(acc)
        m._fitted_from(reservoir, readout, final[c].copy(), U_seqs, Y_seqs)
        m._batch_unit = unit
        for k, cut in enumerate(rows):
            if cut >= pack.n_rows:  # that snapshot is the final readout
                snapshots[c][k] = readout
    return models if checkpoints is None else (models, snapshots)


def predict_configurations(models, X, readouts):
    """Predictions of models fitted together by :func:`fit_configurations`, from one harvest of X
    for all of them (side by side, as in the fit), each with several readouts.

    Parameters
    ----------
    models : list of fitted estimators
        Models returned by one call of :func:`fit_configurations` (batchable).
    X : array-like or list of array-like
        What their ``predict`` takes.
    readouts : list of (coef, intercept) pairs
        For each model, readout weights ``coef`` (n_readouts, n_outputs, n_features_out) and
        ``intercept`` (n_readouts, n_outputs), as ``readout_.coef_for(ridges)`` returns them.

    Returns
    -------
    predictions : list of lists
        ``predictions[c][r]``: ``models[c].predict(X)`` with the readout r of ``readouts[c]``.
    """
    base = models[0]
    base._check_fitted()
    U_seqs, form = base._predict_inputs(X)
    dtype, m = base._dtype, base.n_outputs_
    # every readout of a model in one matrix: columns r * m .. (r + 1) * m are readout r
    coefs = [np.ascontiguousarray(coef.transpose(2, 0, 1).reshape(coef.shape[2], -1), dtype=dtype)
             for coef, _ in readouts]
    intercepts = [intercept.reshape(-1) for _, intercept in readouts]
    pack = Pack.of(U_seqs)
    U = pack.rows(U_seqs, dtype=dtype)
    outs = [np.empty((pack.n_rows, coef.shape[1])) for coef in coefs]
    runner = Configurations(base._batch_unit, models)
    with runner.device.threads(), blas_threads(coefs[0].shape[0]):
        for piece, states in runner.run(pack, U):
            r = piece.rows

            def readout(c):
                F = design_matrix(U[r], states[c], base.squares, intercept=False)
                outs[c][r] = F @ coefs[c] + intercepts[c]

            thread_map(readout, range(len(models)), runner.device.workers)
    return [[base._format_predictions([o[:, j * m:(j + 1) * m] for o in pack.split(outs[c])],
                                      form, X)
             for j in range(len(readouts[c][0]))] for c in range(len(models))]
