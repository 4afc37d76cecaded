"""Fitting many reservoir configurations at once (the engine of fast grid searches).

Reservoirs that differ only in ``spectral_radius``, ``input_scaling`` and ``leak_rate`` share
their random draws (see :mod:`reservoir.weights`), so they can run side by side on one sparse
pattern: :func:`fit_configurations` harvests all of them in one pass over the data (threads over
configurations) and streams each one's states into its own readout. Ridge values need no new
states at all: a fitted model re-solves its readout for another ``ridge`` from the factor it
kept (:func:`with_ridge`).
"""

import copy

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from . import kernels
from ._config import CHUNK_BYTES
from .base import ReservoirMixin, input_product
from .device import blas_threads, check_device, num_threads, thread_map
from .readout import SOLVERS
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
    (:func:`reservoir.cuda_kernels.run_configs_kernel`); otherwise each is fitted on its own. Either way each model
    equals, to round-off, the one ``fit`` would give.

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
        m.reservoir_ = Reservoir(unit.indptr, unit.indices,
                                 (unit.data * m.spectral_radius).astype(unit.data.dtype),
                                 (unit.W_in * m.input_scaling).astype(unit.W_in.dtype),
                                 unit.bias, unit.W_fb * 0)
        m.n_outputs_ = Y_seqs[0].shape[1]
    accs = [SOLVERS[m.solver](m._n_features_out(), m.n_outputs_, m.fit_intercept)
            for m in models]
    dtype = base._dtype
    radius = np.array([m.spectral_radius for m in models], dtype=np.float64)
    scale = np.array([m.input_scaling for m in models], dtype=np.float64)
    leak = np.array([m.leak_rate for m in models], dtype=np.float64)
    C, N = len(models), base.n_reservoir
    chunk = max(1, CHUNK_BYTES // (C * N * np.dtype(dtype).itemsize))
    if checkpoints is not None and len(U_seqs) != 1:
        raise ValueError("checkpoints need X to be one sequence.")
    # a fit on e steps learns from the rows t < len(Y) of those steps
    rows = [] if checkpoints is None else \
        [len(base._training_data(X[:e], None if y is None else y[:e])[1][0]) for e in checkpoints]
    snapshots = [[None] * len(rows) for _ in models]
    on_gpu = check_device(base.device) == "cuda"
    if on_gpu:
        from . import cuda_kernels
    with num_threads(base.n_jobs), blas_threads(base._n_features_out()):
        for U, Y in zip(U_seqs, Y_seqs):
            x = np.zeros((C, N), dtype=dtype)
            cuts = sorted(set(range(0, U.shape[0], chunk)) | {r for r in rows if r < U.shape[0]}
                          | {U.shape[0]})
            for a, b in zip(cuts[:-1], cuts[1:]):
                Uc = U[a:b]
                if on_gpu:
                    states, x = cuda_kernels.run_configs(
                        unit.indptr, unit.indices, unit.data, unit.W_in, unit.bias,
                        np.ascontiguousarray(Uc, dtype=dtype), radius, scale, leak, x)
                else:
                    drive = np.ascontiguousarray(input_product(Uc, unit.W_in), dtype=dtype)
                    states = np.empty((C, Uc.shape[0], N), dtype=dtype)
                    kernels.run_configs(unit.indptr, unit.indices, unit.data, drive, unit.bias,
                                        radius, scale, leak, x, states)
                thread_map(lambda c: models[c]._accumulate_rows(accs[c], Uc, states[c], Y, a),
                           range(C), base.n_jobs)
                for k, r in enumerate(rows):
                    if a < r <= b or (r <= 0 and a == 0):
                        for c in range(C):
                            snapshots[c][k] = copy.deepcopy(accs[c])
    with blas_threads(base._n_features_out()):
        solutions = thread_map(lambda c: accs[c].solve(models[c].ridge), range(C), base.n_jobs)
    for c, (m, acc) in enumerate(zip(models, accs)):
        m._set_readout(solutions[c])
        m._accumulator = acc
        for k, r in enumerate(rows):
            if r >= len(Y_seqs[0]):  # that snapshot is the final factor: reuse its solve
                snapshots[c][k] = acc
        m.state_ = x[c].copy()
        m._after_fit(U_seqs, Y_seqs)
    return models if checkpoints is None else (models, snapshots)
