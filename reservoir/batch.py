"""Fitting many reservoir configurations at once (the engine of fast grid searches).

Reservoirs that differ only in ``spectral_radius``, ``input_scaling`` and ``leak_rate`` share
their random draws (see :mod:`reservoir.weights`), so they can run side by side on one sparse
pattern: :func:`fit_configurations` harvests all of them in one pass over the data (threads over
configurations) and streams each one's states into its own readout. Ridge values need no new
states at all: a fitted model re-solves its readout for another ``ridge`` from the factor it
kept (:func:`with_ridge`).
"""

import copy

import numba
import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from . import kernels
from .base import ReservoirMixin, input_product
from .common.config import CHUNK_BYTES
from .common.device import blas_threads, check_device, num_threads, thread_map
from .readout import SOLVERS, design_matrix
from .weights import Reservoir, make_reservoir

#: Parameters that may differ between the configurations of one batch.
PER_CONFIG = ("spectral_radius", "input_scaling", "leak_rate")


def with_ridge(model, ridge):
    """A copy of the fitted reservoir model ``model`` with its readout re-solved for ``ridge``
    (no new states: from the QR factor or Gram matrix kept by ``fit``)."""
    return copy.deepcopy(model)._set_ridge(ridge)


def batchable(estimator):
    """Whether :func:`fit_configurations` can run configurations of ``estimator`` side by side
    (reservoir estimators without output feedback: on the CPU threads over configurations, on
    ``device="cuda"`` one GPU launch for all of them)."""
    return isinstance(estimator, ReservoirMixin) and not estimator._has_feedback


def fit_configurations(estimator, configs, X, y=None, checkpoints=None):
    """Fit ``clone(estimator).set_params(**config)`` for every config; returns the fitted models.

    ``configs`` are dicts over :data:`PER_CONFIG`. When the estimator has no output feedback
    (:func:`batchable`), all configurations are harvested together: one pass over X, threads
    over configurations on the CPU, one kernel launch for all of them on ``device="cuda"``
    (:func:`reservoir.cuda_kernels.run_configs_kernel`); otherwise each is fitted on its own.
    Either way each model equals, to round-off, the one ``fit`` would give.

    Batched models keep the shared unit reservoir for :func:`predict_configurations`.

    ``checkpoints`` (batchable estimators, one sequence X): step counts e_k; then returns
    ``(models, snapshots)`` with ``snapshots[c][k]`` the readout accumulator of configuration c
    as a fit on ``X[:e_k]`` would leave it, so expanding-window folds (``TimeSeriesSplit``)
    share one harvest.
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
    unit = make_reservoir(
        base.n_reservoir, U_seqs[0].shape[1], Y_seqs[0].shape[1], spectral_radius_=1.0,
        density=base.density, input_scaling=1.0, input_density=base.input_density,
        bias_scaling=base.bias_scaling, random_state=check_random_state(base.random_state),
        dtype=base._dtype)
    for m in models:
        for attr in ("_P", "_W", "_accumulator"):
            m.__dict__.pop(attr, None)
        m._set_reservoir(Reservoir(unit.indptr, unit.indices,
                                   (unit.data * m.spectral_radius).astype(unit.data.dtype),
                                   (unit.W_in * m.input_scaling).astype(unit.W_in.dtype),
                                   unit.bias, unit.W_fb * 0), Y_seqs[0].shape[1])
    accs = [SOLVERS[m.solver](m._n_features_out(), m.n_outputs_, m.fit_intercept)
            for m in models]
    dtype = base._dtype
    radius, scale, leak = _config_arrays(models)
    C, N = len(models), base.n_reservoir
    if checkpoints is not None and len(U_seqs) != 1:
        raise ValueError("checkpoints need X to be one sequence.")
    # a fit on e steps learns from the rows t < len(Y) of those steps
    rows = [] if checkpoints is None else \
        [len(base._training_data(X[:e], None if y is None else y[:e])[1][0]) for e in checkpoints]
    snapshots = [[None] * len(rows) for _ in models]
    on_gpu = check_device(base.device) == "cuda"
    chunk, buffer = _chunking(C, N, dtype, U_seqs, on_gpu)
    with num_threads(base.n_jobs), blas_threads(base._n_features_out()):
        for U, Y in zip(U_seqs, Y_seqs):
            x = np.zeros((C, N), dtype=dtype)
            cuts = sorted(set(range(0, U.shape[0], chunk)) | {r for r in rows if r < U.shape[0]}
                          | {U.shape[0]})
            for a, b in zip(cuts[:-1], cuts[1:]):
                Uc = U[a:b]
                states = _run_chunk(unit, Uc, radius, scale, leak, x, on_gpu, buffer)
                thread_map(lambda c: models[c]._accumulate_rows(accs[c], Uc, states[c], Y, a),
                           range(C), base.n_jobs)
                for k, r in enumerate(rows):
                    if a < r <= b or (r <= 0 and a == 0):
                        for c in range(C):
                            snapshots[c][k] = copy.deepcopy(accs[c])
    with blas_threads(base._n_features_out()):
        solutions = thread_map(lambda c: accs[c].solve(models[c].ridge), range(C), base.n_jobs)
    for c, (m, acc) in enumerate(zip(models, accs)):
        m._batch_unit = unit
        m._set_readout(solutions[c])
        m._accumulator = acc
        for k, r in enumerate(rows):
            if r >= len(Y_seqs[0]):  # that snapshot is the final factor: reuse its solve
                snapshots[c][k] = acc
        m.state_ = x[c].copy()
        m._after_fit(U_seqs, Y_seqs)
    return models if checkpoints is None else (models, snapshots)


def _config_arrays(models):
    """Spectral radius, input scaling and leak rate of each model, as arrays (C,)."""
    return tuple(np.array([getattr(m, name) for m in models], dtype=np.float64)
                 for name in PER_CONFIG)


def _run_chunk(unit, U, radius, scale, leak, x, on_gpu, buffer):
    """States (C, T, N) of the configurations over the inputs U (T, n_in) from x (C, N), which
    ends with the final states: one kernel for all configurations. On the CPU the states are
    written into the flat ``buffer`` (:func:`_chunking`), reused chunk after chunk."""
    if on_gpu:
        from . import cuda_kernels

        states, x[:] = cuda_kernels.run_configs(
            unit.indptr, unit.indices, unit.data, unit.W_in, unit.bias,
            np.ascontiguousarray(U, dtype=x.dtype), radius, scale, leak, x)
        return states
    C, N = x.shape
    states = buffer[:C * U.shape[0] * N].reshape(C, U.shape[0], N)
    drive = np.ascontiguousarray(input_product(U, unit.W_in), dtype=x.dtype)
    kernels.run_configs(unit.indptr, unit.indices, unit.data, drive, unit.bias, radius, scale,
                        leak, x, states, numba.get_num_threads())
    return states


def _chunking(C, N, dtype, U_seqs, on_gpu):
    """Steps per chunk of C configurations of N units (CHUNK_BYTES of states), and the buffer of
    :func:`_run_chunk` for them (None on the GPU): one buffer per call, as fresh pages for
    every chunk cost as much as a quarter of its harvest."""
    chunk = max(1, CHUNK_BYTES // (C * N * np.dtype(dtype).itemsize))
    steps = min(chunk, max(len(U) for U in U_seqs))
    return chunk, None if on_gpu else np.empty(C * steps * N, dtype=dtype)


def predict_configurations(models, X, weights):
    """Predictions of models fitted together by :func:`fit_configurations`, from one harvest of X
    for all of them (side by side, as in the fit), each with several readouts.

    Parameters
    ----------
    models : list of fitted estimators
        Models returned by one call of :func:`fit_configurations` (batchable).
    X : array-like or list of array-like
        What their ``predict`` takes.
    weights : list of ndarray of shape (n_readouts, n_features_out, n_outputs)
        Readout weights for each model, laid out as the readout's ``solve`` returns them (e.g.
        one per ridge value).

    Returns
    -------
    predictions : list of lists
        ``predictions[c][r]``: ``models[c].predict(X)`` with the readout ``weights[c][r]``.
    """
    base = models[0]
    base._check_fitted()
    unit = base._batch_unit
    U_seqs, was_list = base._predict_inputs(X)
    radius, scale, leak = _config_arrays(models)
    C, N, dtype = len(models), base.n_reservoir, base._dtype
    m = base.n_outputs_
    c0 = int(base.fit_intercept)
    # every readout of a model in one matrix: columns r * m .. (r + 1) * m are readout r
    coefs = [np.ascontiguousarray(W[:, c0:].transpose(1, 0, 2).reshape(W.shape[1] - c0, -1),
                                  dtype=dtype) for W in weights]
    intercepts = [W[:, 0].reshape(-1) if c0 else np.zeros(W.shape[0] * m) for W in weights]
    outs = [[np.empty((U.shape[0], coefs[c].shape[1])) for U in U_seqs] for c in range(C)]
    on_gpu = check_device(base.device) == "cuda"
    chunk, buffer = _chunking(C, N, dtype, U_seqs, on_gpu)
    with num_threads(base.n_jobs), blas_threads(base._n_features_out()):
        for i, U in enumerate(U_seqs):
            x = np.zeros((C, N), dtype=dtype)
            for a in range(0, U.shape[0], chunk):
                Uc = U[a:a + chunk]
                states = _run_chunk(unit, Uc, radius, scale, leak, x, on_gpu, buffer)

                def readout(c):
                    F = design_matrix(Uc, states[c], base.squares, intercept=False)
                    outs[c][i][a:a + Uc.shape[0]] = F @ coefs[c] + intercepts[c]

                thread_map(readout, range(C), base.n_jobs)
    return [[base._format_output([o[:, r * m:(r + 1) * m] for o in outs[c]], was_list)
             for r in range(len(weights[c]))] for c in range(C)]
