"""CUDA kernels (numba-cuda) of the leaky-tanh reservoir and its Gram-matrix readout.

Imported only for ``device="cuda"``. Each kernel keeps its states on the device for all time
steps of a launch: one thread block per sequence (or configuration), its threads striding over
the reservoir units, ``syncthreads`` between steps; blocks stride over sequences (grid-stride),
so any grid size is correct. They mirror the CPU kernels of :mod:`reservoir.kernels`
(same equations; sums in another order, so results agree to round-off).
"""

import math

import numpy as np
from numba import cuda

from .common.cuda import flat_launch, row_launch


@cuda.jit
def run_batch_kernel(indptr, indices, data, leak, drive, x, states):
    """B sequences of equal length: drive, states (B, T, N) (may alias); x (B, N) in/out."""
    B, T, N = drive.shape
    for b in range(cuda.blockIdx.x, B, cuda.gridDim.x):
        for t in range(T):
            src = x[b] if t == 0 else states[b, t - 1]
            for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                acc = drive[b, t, i]
                for k in range(indptr[i], indptr[i + 1]):
                    acc += data[k] * src[indices[k]]
                states[b, t, i] = (1.0 - leak) * src[i] + leak * math.tanh(acc)
            cuda.syncthreads()
        if T > 0:
            for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                x[b, i] = states[b, T - 1, i]
        cuda.syncthreads()


@cuda.jit
def run_configs_kernel(indptr, indices, data, W_in, bias, U, radius, in_scale, leak, x, states):
    """C reservoirs sharing one sparse pattern, driven by the same input U (T, n_in).

    ``data``, ``W_in`` (N, n_in) and ``bias`` (N,) are at unit scale; configuration c scales
    them by ``radius[c]``, ``in_scale[c]`` and 1, with leak rate ``leak[c]``:
    x(t) = (1-a_c) x(t-1) + a_c tanh(r_c W x(t-1) + s_c W_in u(t) + b).
    x (C, N) initial states, overwritten by the final ones; states (C, T, N).
    """
    C, T, N = states.shape
    n_in = U.shape[1]
    for c in range(cuda.blockIdx.x, C, cuda.gridDim.x):
        a = leak[c]
        for t in range(T):
            src = x[c] if t == 0 else states[c, t - 1]
            for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                rec = 0.0
                for k in range(indptr[i], indptr[i + 1]):
                    rec += data[k] * src[indices[k]]
                inp = 0.0
                for j in range(n_in):
                    inp += W_in[i, j] * U[t, j]
                pre = radius[c] * rec + in_scale[c] * inp + bias[i]
                states[c, t, i] = (1.0 - a) * src[i] + a * math.tanh(pre)
            cuda.syncthreads()
        if T > 0:
            for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                x[c, i] = states[c, T - 1, i]
        cuda.syncthreads()


@cuda.jit
def features_kernel(states, U, Y, lo, hi, intercept, squares, A):
    """Readout rows [1, u, x, x[::2]**2, y] of every step, zero outside rows lo[b] <= t < hi[b].

    states (B, T, N); U (B or 1, T, n_in) and Y (B or 1, T, m), a leading size of 1 being shared
    by all B; A (B, T, q) with q = intercept + n_in + N + squares * ceil(N/2) + m.
    Zero rows add nothing to a Gram matrix: that is how washouts and unused steps are left out.
    """
    B, T, N = states.shape
    n_in = U.shape[2]
    q = A.shape[2]
    start = cuda.grid(1)
    for idx in range(start, B * T * q, cuda.gridsize(1)):
        b = idx // (T * q)
        t = (idx // q) % T
        j = idx % q
        value = 0.0
        if lo[b] <= t and t < hi[b]:
            ub = b if U.shape[0] > 1 else 0
            yb = b if Y.shape[0] > 1 else 0
            col = j
            if intercept:
                if col == 0:
                    value = 1.0
                col -= 1
            if col >= 0:
                if col < n_in:
                    value = U[ub, t, col]
                elif col < n_in + N:
                    value = states[b, t, col - n_in]
                else:
                    col -= n_in + N
                    n_sq = (N + 1) // 2 if squares else 0
                    if col < n_sq:
                        s = states[b, t, 2 * col]
                        value = s * s
                    else:
                        value = Y[yb, t, col - n_sq]
        A[b, t, j] = value


@cuda.jit
def gram_kernel(A, G):
    """G[b] += A[b]^T A[b] on and above the diagonal: A (B, T, q), G (B, q, q) in float64.

    Each thread owns entries (b, i, j) with j >= i (grid-stride) and sums over time; threads of a
    warp read consecutive columns of a row, so the reads coalesce.
    """
    B, T, q = A.shape
    start = cuda.grid(1)
    for idx in range(start, B * q * q, cuda.gridsize(1)):
        b = idx // (q * q)
        i = (idx // q) % q
        j = idx % q
        if j >= i:
            acc = 0.0
            for t in range(T):
                acc += A[b, t, i] * A[b, t, j]
            G[b, i, j] += acc


def _on_device(a):
    return a if hasattr(a, "copy_to_host") else cuda.to_device(a)


def run_batch(indptr, indices, data, leak, states, xs, copy_states=True):
    """Host wrapper of :func:`run_batch_kernel`: states (B, T, N) holds the drives and receives
    the states (unless ``copy_states`` is False), xs (B, N) the initial then final states.
    Returns the states on the device."""
    d_states = cuda.to_device(states)
    d_x = cuda.to_device(xs)
    run_batch_kernel[row_launch(states.shape[0])](
        cuda.to_device(indptr), cuda.to_device(indices), cuda.to_device(data), leak, d_states,
        d_x, d_states)
    if copy_states:
        d_states.copy_to_host(states)
    d_x.copy_to_host(xs)
    return d_states


def run_configs(indptr, indices, data, W_in, bias, U, radius, in_scale, leak, x0):
    """Host wrapper of :func:`run_configs_kernel`: returns (states (C, T, N), final x (C, N))."""
    C, N = x0.shape
    d_states = cuda.device_array((C, U.shape[0], N), dtype=x0.dtype)
    d_x = cuda.to_device(x0)
    run_configs_kernel[row_launch(C)](
        cuda.to_device(indptr), cuda.to_device(indices), cuda.to_device(data),
        cuda.to_device(W_in), cuda.to_device(bias), cuda.to_device(U),
        cuda.to_device(np.asarray(radius, np.float64)),
        cuda.to_device(np.asarray(in_scale, np.float64)),
        cuda.to_device(np.asarray(leak, np.float64)), d_x, d_states)
    return d_states.copy_to_host(), d_x.copy_to_host()


class DeviceGram:
    """Accumulates ``A^T A`` of readout rows [1, u, x, x[::2]**2, y] on the device.

    ``add(states, U, Y, lo, hi)`` with device or host states (B, T, N), U (B, T, n_in), Y (B, T, m)
    and the used rows lo[b] <= t < hi[b]; ``result()`` copies back the (q, q) float64 matrix
    (symmetrised), the only transfer that grows with N.
    """

    def __init__(self, q, intercept, squares):
        self.q, self.intercept, self.squares = q, intercept, squares
        self._G = cuda.to_device(np.zeros((1, q, q)))

    def add(self, states, U, Y, lo, hi):
        B, T, _ = states.shape
        A = cuda.device_array((B, T, self.q), dtype=np.float64)
        blocks, threads = flat_launch(A.size)
        features_kernel[blocks, threads](
            _on_device(states), cuda.to_device(U), cuda.to_device(Y),
            cuda.to_device(np.asarray(lo, np.int64)), cuda.to_device(np.asarray(hi, np.int64)),
            self.intercept, self.squares, A)
        blocks, threads = flat_launch(self.q * self.q)
        gram_kernel[blocks, threads](A.reshape(1, B * T, self.q), self._G)

    def result(self):
        G = self._G.copy_to_host()[0]
        return np.triu(G) + np.triu(G, 1).T
