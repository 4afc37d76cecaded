"""CUDA kernels (numba-cuda) of the leaky-tanh reservoir and its Gram-matrix readout.

Imported only for ``device="cuda"``. Each kernel keeps its states on the device for all time
steps of a launch: one thread block per sequence of a pack (or configuration), its threads
striding over the reservoir units, ``syncthreads`` between steps; blocks stride over sequences
(grid-stride), so any grid size is correct, and a whole pack is one launch. They mirror the CPU
kernels of :mod:`reservoir.kernels` (same equations; sums in another order, so results agree to
round-off).
"""

import math

import numpy as np
from numba import cuda

from .common.cuda import flat_launch, row_launch


@cuda.jit
def run_packed_kernel(indptr, indices, data, leak, v_indptr, v_indices, v_data, bias, inputs,
                      starts, x, states):
    """The B sequences of a pack: inputs (n_rows, n_v) with weights V (CSR, (N, n_v)) and bias
    (N,), states (n_rows, N), sequence b in rows starts[b] .. starts[b + 1]; x (B, N) initial
    states, overwritten by the final ones."""
    B, N = x.shape
    for b in range(cuda.blockIdx.x, B, cuda.gridDim.x):
        r0 = starts[b]
        T = starts[b + 1] - r0
        for t in range(T):
            src = x[b] if t == 0 else states[r0 + t - 1]
            for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                acc = bias[i]
                for k in range(v_indptr[i], v_indptr[i + 1]):
                    acc += v_data[k] * inputs[r0 + t, v_indices[k]]
                for k in range(indptr[i], indptr[i + 1]):
                    acc += data[k] * src[indices[k]]
                states[r0 + t, i] = (1.0 - leak) * src[i] + leak * math.tanh(acc)
            cuda.syncthreads()
        if T > 0:
            for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                x[b, i] = states[r0 + T - 1, i]
        cuda.syncthreads()


@cuda.jit
def run_configs_kernel(indptr, indices, data, W_in, bias, U, starts, radius, in_scale, leak, x,
                       states):
    """C reservoirs sharing one sparse pattern, driven by the same packed inputs U (n_rows, n_in),
    sequence q in rows starts[q] .. starts[q + 1].

    ``data``, ``W_in`` (N, n_in) and ``bias`` (N,) are at unit scale; configuration c scales
    them by ``radius[c]``, ``in_scale[c]`` and 1, with leak rate ``leak[c]``:
    x(t) = (1-a_c) x(t-1) + a_c tanh(r_c W x(t-1) + s_c W_in u(t) + b).
    x (C, n_sequences, N) initial states, overwritten by the final ones; states (C, n_rows, N).
    """
    C, S, N = x.shape
    n_in = U.shape[1]
    for c in range(cuda.blockIdx.x, C, cuda.gridDim.x):
        a = leak[c]
        for q in range(S):
            r0 = starts[q]
            T = starts[q + 1] - r0
            for t in range(T):
                src = x[c, q] if t == 0 else states[c, r0 + t - 1]
                for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                    rec = 0.0
                    for k in range(indptr[i], indptr[i + 1]):
                        rec += data[k] * src[indices[k]]
                    inp = 0.0
                    for j in range(n_in):
                        inp += W_in[i, j] * U[r0 + t, j]
                    pre = radius[c] * rec + in_scale[c] * inp + bias[i]
                    states[c, r0 + t, i] = (1.0 - a) * src[i] + a * math.tanh(pre)
                cuda.syncthreads()
            if T > 0:
                for i in range(cuda.threadIdx.x, N, cuda.blockDim.x):
                    x[c, q, i] = states[c, r0 + T - 1, i]
            cuda.syncthreads()


@cuda.jit
def features_kernel(states, U, Y, use, intercept, squares, A):
    """Readout rows [1, u, x, x[::2]**2, y] of every packed row, zero where ``use`` is 0.

    states (n_rows, N); U (n_rows, n_in); Y (n_rows, m); use (n_rows,) 0/1; A (n_rows, q) with
    q = intercept + n_in + N + squares * ceil(N/2) + m. Zero rows add nothing to a Gram matrix:
    that is how washouts and unused steps are left out.
    """
    T, N = states.shape
    n_in = U.shape[1]
    q = A.shape[1]
    start = cuda.grid(1)
    for idx in range(start, T * q, cuda.gridsize(1)):
        t = idx // q
        j = idx % q
        value = 0.0
        if use[t]:
            col = j
            if intercept:
                if col == 0:
                    value = 1.0
                col -= 1
            if col >= 0:
                if col < n_in:
                    value = U[t, col]
                elif col < n_in + N:
                    value = states[t, col - n_in]
                else:
                    col -= n_in + N
                    n_sq = (N + 1) // 2 if squares else 0
                    if col < n_sq:
                        s = states[t, 2 * col]
                        value = s * s
                    else:
                        value = Y[t, col - n_sq]
        A[t, j] = value


@cuda.jit
def gram_kernel(A, G):
    """G += A^T A on and above the diagonal: A (T, q), G (q, q) in float64.

    Each thread owns entries (i, j) with j >= i (grid-stride) and sums over time; threads of a
    warp read consecutive columns of a row, so the reads coalesce.
    """
    T, q = A.shape
    start = cuda.grid(1)
    for idx in range(start, q * q, cuda.gridsize(1)):
        i = idx // q
        j = idx % q
        if j >= i:
            acc = 0.0
            for t in range(T):
                acc += A[t, i] * A[t, j]
            G[i, j] += acc


def _on_device(a):
    return a if hasattr(a, "copy_to_host") else cuda.to_device(a)


def run_packed(indptr, indices, data, leak, v_indptr, v_indices, v_data, bias, inputs, starts, x,
               keep_on_device=False):
    """Host wrapper of :func:`run_packed_kernel`, one launch for the whole pack: inputs
    (n_rows, n_v) on the host (the drives are computed on the device: only the inputs travel),
    x (B, N) the initial then final states (on the host). Returns the states, on the host, or on
    the device with ``keep_on_device``."""
    d_states = cuda.device_array((inputs.shape[0], x.shape[1]), dtype=x.dtype)
    d_x = cuda.to_device(x)
    run_packed_kernel[row_launch(x.shape[0])](
        *(cuda.to_device(a) for a in (indptr, indices, data)), leak,
        *(cuda.to_device(a) for a in (v_indptr, v_indices, v_data, bias, inputs, starts)), d_x,
        d_states)
    d_x.copy_to_host(x)
    return d_states if keep_on_device else d_states.copy_to_host()


def run_configs(indptr, indices, data, W_in, bias, U, starts, radius, in_scale, leak, x0):
    """Host wrapper of :func:`run_configs_kernel`: returns (states (C, n_rows, N), final x
    (C, n_sequences, N))."""
    C, _, N = x0.shape
    d_states = cuda.device_array((C, U.shape[0], N), dtype=x0.dtype)
    d_x = cuda.to_device(x0)
    run_configs_kernel[row_launch(C)](
        cuda.to_device(indptr), cuda.to_device(indices), cuda.to_device(data),
        cuda.to_device(W_in), cuda.to_device(bias), cuda.to_device(U), cuda.to_device(starts),
        cuda.to_device(np.asarray(radius, np.float64)),
        cuda.to_device(np.asarray(in_scale, np.float64)),
        cuda.to_device(np.asarray(leak, np.float64)), d_x, d_states)
    return d_states.copy_to_host(), d_x.copy_to_host()


class DeviceGram:
    """Accumulates ``A^T A`` of readout rows [1, u, x, x[::2]**2, y] on the device.

    ``add(states, U, Y, use)`` with device or host states (n_rows, N), U (n_rows, n_in),
    Y (n_rows, m) and the used rows (``use`` 0/1, (n_rows,)); ``result()`` copies back the
    (q, q) float64 matrix (symmetrised), the only transfer that grows with N.
    """

    def __init__(self, q, intercept, squares):
        self.q, self.intercept, self.squares = q, intercept, squares
        self._G = cuda.to_device(np.zeros((q, q)))

    def add(self, states, U, Y, use):
        A = cuda.device_array((states.shape[0], self.q), dtype=np.float64)
        blocks, threads = flat_launch(A.size)
        features_kernel[blocks, threads](
            _on_device(states), cuda.to_device(np.ascontiguousarray(U, dtype=np.float64)),
            cuda.to_device(np.ascontiguousarray(Y, dtype=np.float64)),
            cuda.to_device(np.ascontiguousarray(use, dtype=np.int8)), self.intercept,
            self.squares, A)
        blocks, threads = flat_launch(self.q * self.q)
        gram_kernel[blocks, threads](A, self._G)

    def result(self):
        G = self._G.copy_to_host()
        return np.triu(G) + np.triu(G, 1).T
