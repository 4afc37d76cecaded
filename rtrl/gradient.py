"""Whole-sequence loss and gradient with frozen weights, by RTRL or BPTT."""

import numpy as np

from . import kernels
from .bptt import bptt_gradient, fill_doc

ACTIVATIONS = {"tanh": kernels.TANH, "logistic": kernels.LOGISTIC}
METHODS = ("rtrl", "bptt")


def pack(W_in, W_rec, b, W_out, b_out):
    """The flat parameter vector [[W_in | W_rec | b].ravel(), W_out.ravel(), b_out]."""
    Theta = np.concatenate([W_in, W_rec, b[:, None]], axis=1)
    return np.concatenate([Theta.ravel(), W_out.ravel(), b_out]).astype(np.float64)


def unpack(theta, n, n_in, m):
    """Inverse of :func:`pack`: (W_in, W_rec, b, W_out, b_out)."""
    nz = n_in + n + 1
    Theta = theta[:n * nz].reshape(n, nz)
    W_out = theta[n * nz:n * nz + m * n].reshape(m, n)
    return Theta[:, :n_in], Theta[:, n_in:n_in + n], Theta[:, -1], W_out, theta[n * nz + m * n:]


def _check(W_in, W_rec, b, W_out, b_out, X, Y):
    arrays = [np.asarray(a, dtype=np.float64) for a in (W_in, W_rec, b, W_out, b_out, X, Y)]
    W_in, W_rec, b, W_out, b_out, X, Y = arrays
    n, n_in = W_in.shape if W_in.ndim == 2 else (None, None)
    m = W_out.shape[0] if W_out.ndim == 2 else None
    expected = {"W_in": (W_in, 2), "W_rec": (W_rec, (n, n)), "b": (b, (n,)),
                "W_out": (W_out, (m, n)), "b_out": (b_out, (m,)), "X": (X, (X.shape[0], n_in)),
                "Y": (Y, (X.shape[0], m))}
    for name, (arr, shape) in expected.items():
        ok = arr.ndim == shape if isinstance(shape, int) else arr.shape == shape
        if not ok:
            raise ValueError(f"{name} has shape {arr.shape}; expected {shape} given W_in "
                             f"{W_in.shape}, W_out {W_out.shape} and X {X.shape}.")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinity.")
    if X.shape[0] == 0:
        raise ValueError("X has no time steps.")
    return W_in, W_rec, b, W_out, b_out, X, Y


@fill_doc
def gradient(W_in, W_rec, b, W_out, b_out, X, Y, method="rtrl", leak_rate=1.0,
             activation="tanh"):
    """Loss ``L = 1/2 sum_t ||y(t) - d(t)||^2`` of one sequence and its gradient.

    Network: ``h(t) = (1-a) h(t-1) + a f(W_in x(t) + W_rec h(t-1) + b)``, ``h(-1) = 0``,
    ``y(t) = W_out h(t) + b_out``. ``method="rtrl"`` carries the exact sensitivities forward (Numba
    kernel); ``"bptt"`` runs the backward pass (numpy). Both give the same gradient to round-off.

    Parameters
    ----------
    {rtrl_network}
    method : {"rtrl", "bptt"}, default="rtrl"
        Forward sensitivities or the backward pass.

    Returns
    -------
    {rtrl_gradient}
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}.")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {tuple(ACTIVATIONS)}, got {activation!r}.")
    W_in, W_rec, b, W_out, b_out, X, Y = _check(W_in, W_rec, b, W_out, b_out, X, Y)
    if method == "bptt":
        return bptt_gradient(W_in, W_rec, b, W_out, b_out, X, Y, leak_rate, activation)
    n, n_in = W_in.shape
    m = W_out.shape[0]
    theta = pack(W_in, W_rec, b, W_out, b_out)
    g = np.zeros_like(theta)
    losses = np.empty(X.shape[0])
    empty = np.empty(0)
    kernels.run(kernels.Net(theta, n, n_in, m, float(leak_rate), ACTIVATIONS[activation]),
                kernels.Sensitivity(kernels.RTRL, np.zeros(n), np.zeros((n, n * (n_in + n + 1))),
                                    empty, empty, np.empty((0, 0))),
                kernels.Optimizer(False, 0.0, kernels.SGD, empty, empty, np.zeros(1, np.int64),
                                  0.0, 1, np.zeros(1, np.int64)),
                np.ascontiguousarray(X), np.ascontiguousarray(Y), np.ones(X.shape[0]), g, losses)
    grads = unpack(g, n, n_in, m)
    return float(losses.sum()), tuple(np.array(a) for a in grads)
