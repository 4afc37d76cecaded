"""The online training loop of the LSTM (Numba): each step the network's forward step and
Jacobian (:mod:`lstm.network`), then an update of the weights by the filter
(:mod:`lstm.filters`) or by gradient descent with momentum. :mod:`lstm.cuda_kernels` mirrors
:func:`train` with the same arguments.
"""

from collections import namedtuple

import numpy as np
from numba import njit

from reservoir.common.arrays import copy_into
from reservoir.common.config import KERNEL, renamed

from . import filters
from .network import record, step

#: Trainers: a Kalman filter, or gradient descent with momentum.
FILTER, SGD = 0, 1
#: The noise schedules of the filter: R annealed geometrically from ``r0`` to ``r1`` and Q from
#: ``q0`` to ``q1`` over ``anneal`` updates, ``count`` (1,) the updates so far.
Schedule = namedtuple("Schedule", "r0 r1 q0 q1 anneal count")
#: Gradient descent: step size ``lr``, ``momentum`` and the ``velocity`` (P,).
Momentum = namedtuple("Momentum", "lr momentum velocity")


def _train(net, full, X, Y, weights, state, trainer, filt, schedule, sgd, out_all):
    """The loop of :func:`train`, calling the global ``filter_update`` (rebound in each
    compiled copy)."""
    w, B, S, n_x, m = net.w, net.B, net.S, net.n_x, net.m
    P = w.shape[0]
    H = np.zeros((m, P))
    e = np.empty(m)
    tmp = np.empty((4, P))
    rec = record(B, S, n_x, m)
    n_z = B * S + (n_x if net.shortcut else 0) + 1
    count = schedule.count
    velocity = sgd.velocity
    for t in range(X.shape[0]):
        step(net, full, X[t], state, rec, H, tmp)
        copy_into(rec.out, out_all[t])
        if weights[t] == 0.0:
            continue
        for k in range(m):
            e[k] = weights[t] * (Y[t, k] - rec.out[k])
        if trainer == FILTER:
            frac = min(count[0] / schedule.anneal, 1.0) if schedule.anneal > 0 else 1.0
            r = schedule.r0 * (schedule.r1 / schedule.r0) ** frac
            q0, q1 = schedule.q0, schedule.q1
            q = q0 * (q1 / q0) ** frac if q0 > 0 and q1 > 0 else q0 + (q1 - q0) * frac
            backup = w.copy()
            ok = filter_update(w, H, e, state.dyc, B, S, m, n_z, rec.dout, filt, r, q)  # noqa: F821
            if not ok or not np.all(np.isfinite(w)):
                copy_into(backup, w)
                return t
        else:
            backup, v_backup = w.copy(), velocity.copy()
            for p in range(P):
                if filt.frozen[p]:
                    continue
                grad = 0.0
                for k in range(m):
                    grad += H[k, p] * e[k]
                velocity[p] = sgd.momentum * velocity[p] + sgd.lr * grad
                w[p] += velocity[p]
            if not np.all(np.isfinite(w)):  # weights and velocity left before the step
                copy_into(backup, w)
                copy_into(v_backup, velocity)
                return t
        count[0] += 1
    return -1


#: :func:`_train` compiled once per filter update (:func:`reservoir.common.config.renamed`):
#: a fit compiles the update it uses, not all three (about 10 s of a cold start).
_TRAIN = {kind: njit(**KERNEL)(renamed(_train, "train_" + update.py_func.__name__,
                                      filter_update=update))
          for kind, update in filters.UPDATES.items()}


def train(net, full, X, Y, weights, state, trainer, filt, schedule, sgd, out_all):
    """Online training of ``net`` (a :class:`~lstm.network.Net`) over X (T, n_x), targets
    Y (T, m), per-step weights (T,) (0: no target), from ``state`` (a
    :class:`~lstm.network.State`, carried in place).

    ``trainer`` FILTER: the Kalman filter ``filt`` (:class:`~lstm.filters.Filter`, its update
    chosen by the caller) with the noise ``schedule``; SGD: gradient descent with momentum
    ``sgd``, on the same Jacobian (exact with ``full``, else truncated). out_all (T, m) receives
    the outputs before each update. Returns the first step whose filter lost positive
    definiteness, overflowed (H P H^T) or produced non-finite weights (the weights, and the
    momentum's velocity, stay as before that step), or -1.
    """
    return _TRAIN[filt.kind](net, full, X, Y, weights, state, trainer, filt, schedule, sgd,
                             out_all)
