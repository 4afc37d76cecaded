"""Numba CPU kernels of the leaky-tanh reservoir.

State update (Jaeger et al. 2007), with ``drive[t] = W_in u(t) + W_fb y(t-1) + b`` computed by the
caller with one GEMM per chunk:

    x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + drive[t])

W is CSR with uint32 ``indptr``/``indices`` (numba then skips negative-index checks). Kernels take
arrays and scalars only, and write states into ``states``, which may be the same array as
``drive`` (each row is read before it is overwritten), so a chunk needs one (T, N) buffer.
"""

import numpy as np
from numba import njit, prange

from ._config import KERNEL, PARALLEL_KERNEL
from .activations import tanh_inplace


@njit(**KERNEL)
def _csr_matvec_add(indptr, indices, data, x, add, out, lo, hi):
    """out[i] = (W x)[i] + add[i] for rows lo <= i < hi."""
    for i in range(lo, hi):
        acc = add[i]
        for k in range(indptr[i], indptr[i + 1]):
            acc += data[k] * x[indices[k]]
        out[i] = acc


@njit(**KERNEL)
def _leaky(x_old, act, leak, x_new):
    """x_new = (1 - leak) x_old + leak act (act already through tanh)."""
    keep = 1.0 - leak
    for i in range(x_new.shape[0]):
        x_new[i] = keep * x_old[i] + leak * act[i]


@njit(**KERNEL)
def run_sequence(indptr, indices, data, leak, drive, x, states):
    """Run one sequence serially.

    drive, states: (T, N); x: (N,) initial state, overwritten by the final state.
    """
    n = x.shape[0]
    pre = np.empty(n, dtype=x.dtype)
    em = np.empty(n, dtype=np.float64)
    bits = np.empty(n, dtype=np.int64)
    for t in range(drive.shape[0]):
        _csr_matvec_add(indptr, indices, data, x, drive[t], pre, 0, n)
        tanh_inplace(pre, em, bits)
        _leaky(x, pre, leak, x)
        states[t] = x


@njit(**PARALLEL_KERNEL)
def run_sequence_rows(indptr, indices, data, leak, drive, x, states, n_blocks):
    """As :func:`run_sequence`, each step split into ``n_blocks`` blocks of rows run in parallel."""
    n = x.shape[0]
    n_blocks = max(1, min(n_blocks, n))
    bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
    pre = np.empty(n, dtype=x.dtype)
    em = np.empty(n, dtype=np.float64)
    bits = np.empty(n, dtype=np.int64)
    for t in range(drive.shape[0]):
        src = x if t == 0 else states[t - 1]
        dst = states[t]
        drive_t = drive[t]
        for blk in prange(n_blocks):
            lo = bounds[blk]
            hi = bounds[blk + 1]
            _csr_matvec_add(indptr, indices, data, src, drive_t, pre, lo, hi)
            tanh_inplace(pre[lo:hi], em[lo:hi], bits[lo:hi])
            _leaky(src[lo:hi], pre[lo:hi], leak, dst[lo:hi])
    if drive.shape[0] > 0:
        x[:] = states[drive.shape[0] - 1]


@njit(**KERNEL)
def run_sequences(indptr, indices, data, leak, drive, starts, x0, states):
    """Run B independent sequences one after the other.

    drive, states: (sum of lengths, N), sequence b in rows starts[b]:starts[b+1];
    x0: (B, N) initial states, overwritten by the final states.
    """
    for b in range(x0.shape[0]):
        run_sequence(indptr, indices, data, leak, drive[starts[b]:starts[b + 1]], x0[b],
                     states[starts[b]:starts[b + 1]])


@njit(**PARALLEL_KERNEL)
def run_sequences_parallel(indptr, indices, data, leak, drive, starts, x0, states):
    """As :func:`run_sequences`, sequences spread over threads (``prange``)."""
    for b in prange(x0.shape[0]):
        run_sequence(indptr, indices, data, leak, drive[starts[b]:starts[b + 1]], x0[b],
                     states[starts[b]:starts[b + 1]])


@njit(**KERNEL)
def generate(indptr, indices, data, leak, drive, W_loop, W_x, W_sq, out_drive, W_out_loop,
             x, y_prev, states, outputs):
    """Run the reservoir in closed loop, feeding back its own readout.

    At each step t:
        x(t) = (1-a) x(t-1) + a tanh(W x(t-1) + drive[t] + W_loop y(t-1))
        y(t) = W_x x(t) + W_sq x(t)[::2]**2 + out_drive[t] + W_out_loop y(t-1)

    drive (T, N); W_loop (N, m); W_x (m, N); W_sq (m, ceil(N/2)) or (m, 0); out_drive (T, m);
    W_out_loop (m, m); x (N,) and y_prev (m,) are the initial state and output, overwritten by
    the final ones; states (T, N) and outputs (T, m) receive the trajectory.
    """
    n = x.shape[0]
    m = y_prev.shape[0]
    n_sq = W_sq.shape[1]
    pre = np.empty(n, dtype=x.dtype)
    em = np.empty(n, dtype=np.float64)
    bits = np.empty(n, dtype=np.int64)
    y = np.empty(m, dtype=x.dtype)
    for t in range(drive.shape[0]):
        for i in range(n):
            acc = drive[t, i]
            for j in range(m):
                acc += W_loop[i, j] * y_prev[j]
            pre[i] = acc
        _csr_matvec_add(indptr, indices, data, x, pre, pre, 0, n)
        tanh_inplace(pre, em, bits)
        _leaky(x, pre, leak, x)
        states[t] = x
        for k in range(m):
            acc = out_drive[t, k]
            for j in range(m):
                acc += W_out_loop[k, j] * y_prev[j]
            for i in range(n):
                acc += W_x[k, i] * x[i]
            for i in range(n_sq):
                acc += W_sq[k, i] * x[2 * i] * x[2 * i]
            y[k] = acc
        y_prev[:] = y
        outputs[t] = y
