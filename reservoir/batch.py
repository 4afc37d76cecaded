"""Fitting many reservoir configurations at once (the engine of fast grid searches).

Reservoirs that differ only in ``spectral_radius``, ``input_scaling`` and ``leak_rate`` share
their random draws (see :mod:`reservoir.weights`), so they can run side by side on one sparse
pattern: :func:`fit_configurations` harvests all of them in one pass over the data (threads over
configurations) and streams each one's states into its own readout. Ridge values need no new
states at all: a fitted model re-solves its readout for another ``ridge`` from the factor it
kept (:func:`with_ridge`).
"""

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_random_state

from . import kernels
from ._config import CHUNK_BYTES
from .base import ReservoirMixin
from .device import blas_threads, check_device, num_threads
from .readout import SOLVERS
from .weights import Reservoir, make_reservoir

#: Parameters that may differ between the configurations of one batch.
PER_CONFIG = ("spectral_radius", "input_scaling", "leak_rate")


def with_ridge(model, ridge):
    """A copy of the fitted reservoir model ``model`` with its readout re-solved for ``ridge``
    (no new states: from the QR factor or Gram matrix kept by ``fit``)."""
    import copy

    return copy.deepcopy(model)._set_ridge(ridge)


def fit_configurations(estimator, configs, X, y=None):
    """Fit ``clone(estimator).set_params(**config)`` for every config; returns the fitted models.

    ``configs`` are dicts over :data:`PER_CONFIG`. When the estimator has no output feedback and
    runs on the CPU, all configurations are harvested together (one pass over X, threads over
    configurations); otherwise each is fitted on its own. Either way each model equals, to
    round-off, the one ``fit`` would give.
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
    if not isinstance(base, ReservoirMixin) or base._has_feedback or \
            check_device(base.device) == "cuda" or len(models) == 1:
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
    with num_threads(base.n_jobs), blas_threads(base._n_features_out()):
        for U, Y in zip(U_seqs, Y_seqs):
            x = np.zeros((C, N), dtype=dtype)
            for a in range(0, U.shape[0], chunk):
                Uc = U[a:a + chunk]
                drive = np.ascontiguousarray(Uc @ unit.W_in.T, dtype=dtype)
                states = np.empty((C, Uc.shape[0], N), dtype=dtype)
                kernels.run_configs(unit.indptr, unit.indices, unit.data, drive, unit.bias,
                                    radius, scale, leak, x, states)
                for m, acc, S in zip(models, accs, states):
                    m._accumulate_rows(acc, Uc, S, Y, a)
    for c, (m, acc) in enumerate(zip(models, accs)):
        with blas_threads(m._n_features_out()):
            m._set_readout(acc.solve(m.ridge))
        m._accumulator = acc
        m.state_ = x[c].copy()
        m._after_fit(U_seqs, Y_seqs)
    return models
