"""CUDA kernels (numba-cuda) of the RTRL sensitivity update, the O(n^4) part of a step, and of
random weight guessing's batch of candidate networks (:func:`solved_prefix`).

    M_new = A M + a D Mbar,    A = (1 - a) I + a D W_rec (built by the caller, n x n),

with Mbar holding z^T in row i of column block i (columns i * nz .. i * nz + nz - 1). One thread
per entry of M_new (grid-stride), threads of a warp on consecutive columns, so the reads of M
coalesce. Mirrors the CPU update in :func:`rtrl.kernels.run`; :func:`run` here has the CPU
kernel's signature (the estimator picks the module once per call).
"""

import math

import numpy as np
from numba import cuda

from reservoir.common.cuda import flat_launch

from . import kernels


@cuda.jit
def sensitivity_kernel(A, M, z, D, leak, M_new):
    """A (n, n), M (n, P) with P = n * nz, z (nz,), D (n,) -> M_new (n, P)."""
    n, P = M.shape
    nz = z.shape[0]
    for idx in range(cuda.grid(1), n * P, cuda.gridsize(1)):
        k = idx // P
        p = idx % P
        acc = 0.0
        for l in range(n):
            acc += A[k, l] * M[l, p]
        if p // nz == k:
            acc += leak * D[k] * z[p % nz]
        M_new[k, p] = acc


@cuda.jit
def project_kernel(M, c, out):
    """out[p] = sum_k c[k] M[k, p]: the sensitivities' contribution to the gradient."""
    n, P = M.shape
    for p in range(cuda.grid(1), P, cuda.gridsize(1)):
        acc = 0.0
        for k in range(n):
            acc += c[k] * M[k, p]
        out[p] = acc



def sensitivity_step_device(A, M, z, D, leak):
    """One update with M a host or device array (n, P); returns M_new as a device array, so the
    sensitivities can stay on the GPU from step to step."""
    n, P = M.shape
    d_M = M if hasattr(M, "copy_to_host") else cuda.to_device(M)
    out = cuda.device_array((n, P), dtype=d_M.dtype)
    sensitivity_kernel[flat_launch(n * P)](
        cuda.to_device(A), d_M, cuda.to_device(z), cuda.to_device(D), leak, out)
    return out


def sensitivity_step(A, M, z, D, leak):
    """As :func:`sensitivity_step_device`, returning M_new (n, P) as a host array."""
    return sensitivity_step_device(A, M, z, D, leak).copy_to_host()


def project(d_M, c):
    """c^T M (P,) for sensitivities on the device; returns a host array."""
    out = cuda.device_array(d_M.shape[1], dtype=d_M.dtype)
    project_kernel[flat_launch(d_M.shape[1])](d_M, cuda.to_device(c), out)
    return out.copy_to_host()


def run(net, sens, opt, X, Y, weights, g, losses):
    """:func:`rtrl.kernels.run` for exact RTRL (``method`` RTRL) with the sensitivities on the
    GPU: the same arguments and arithmetic, step by step from the host (the O(n) forward step
    and the optimizer there, the O(n^4) sensitivity update and its projection on the device).
    M is copied to the device by the first update and back at the end. Returns the first step
    whose loss or gradient is not finite (weights left as before that step), or -1."""
    theta, n, n_in, m, leak, act = net
    method, h, M, ht, tt, signs = sens
    learn, lr, optimizer, m1, m2, count, clip, update_every, since_last = opt
    if method != kernels.RTRL:
        raise ValueError("The CUDA kernel runs exact RTRL only.")
    nz = n_in + n + 1
    P = n * nz
    Theta, W_out, b_out = theta[:P].reshape(n, nz), theta[P:P + m * n].reshape(m, n), \
        theta[P + m * n:]
    z, net, fh, D = np.empty(nz), np.empty(n), np.empty(n), np.empty(n)
    d_M = M
    since, step = int(since_last[0]), -1
    for t in range(X.shape[0]):
        kernels._forward(Theta, leak, act, X[t], h, z, net, fh, D)
        e = W_out @ h + b_out - Y[t]
        losses[t] = 0.5 * weights[t] * float(e @ e)
        if not np.isfinite(losses[t]):
            step = t
            break
        e *= weights[t]
        c = W_out.T @ e
        g[P:P + m * n] += np.outer(e, h).ravel()
        g[P + m * n:] += e
        A = (1.0 - leak) * np.eye(n) + leak * D[:, None] * Theta[:, n_in:n_in + n]
        d_M = sensitivity_step_device(A, d_M, z, D, leak)
        g[:P] += project(d_M, c)
        since += 1
        if learn and since == update_every:
            if not np.all(np.isfinite(g)):
                step = t
                break
            kernels._optimizer_step(theta, g, lr, optimizer, m1, m2, count, clip)
            g[:] = 0.0
            since = 0
    if hasattr(d_M, "copy_to_host"):
        d_M.copy_to_host(M)
    if step < 0:
        since_last[0] = since
    return step


#: Most units (hidden + outputs) of a guessed network on the GPU (its state lives in registers).
GUESS_MAX_UNITS = 16


@cuda.jit
def solved_prefix_kernel(thetas, n, n_in, m, act, X, starts, Y, W, tol, prefix):
    """One thread per candidate network (grid-stride): the mirror of
    :func:`rtrl.guessing.solved_prefix`, the network's step (:func:`rtrl.guessing.step`)
    inlined, its state in local arrays."""
    h = cuda.local.array(16, np.float64)
    y = cuda.local.array(16, np.float64)
    a = cuda.local.array(16, np.float64)
    nz = n_in + n + m + 1
    for c in range(cuda.grid(1), thetas.shape[0], cuda.gridsize(1)):
        count = 0
        for s in range(starts.shape[0] - 1):
            for i in range(n + m):
                h[i] = 0.0
                y[i] = 0.0
            right = True
            for t in range(starts[s], starts[s + 1]):
                for i in range(n + m):
                    if i == n:  # the outputs read the new hidden state
                        for j in range(n):
                            h[j] = math.tanh(a[j]) if act == kernels.TANH else \
                                1.0 / (1.0 + math.exp(-a[j]))
                    r = i * nz
                    v = thetas[c, r + nz - 1]
                    for k in range(n_in):
                        v += thetas[c, r + k] * X[t, k]
                    for j in range(n):
                        v += thetas[c, r + n_in + j] * h[j]
                    for k in range(m):
                        v += thetas[c, r + n_in + n + k] * y[k]
                    a[i] = v
                for k in range(m):
                    y[k] = 1.0 / (1.0 + math.exp(-a[n + k]))
                if W[t] > 0.0:
                    for k in range(m):
                        right = right and abs(y[k] - Y[t, k]) < tol
                    if not right:
                        break
            if not right:
                break
            count += 1
        prefix[c] = count


def solved_prefix(thetas, n, n_in, m, act, X, starts, Y, W, tol, prefix):
    """:func:`rtrl.guessing.solved_prefix` on the GPU, with the same arguments (host arrays)."""
    if n + m > GUESS_MAX_UNITS:
        raise ValueError(f"device='cuda' guesses networks of at most {GUESS_MAX_UNITS} units "
                         f"(hidden + outputs), got {n + m}; use device='parallel'.")
    d_prefix = cuda.device_array(prefix.shape[0], dtype=np.int64)
    solved_prefix_kernel[flat_launch(thetas.shape[0])](
        cuda.to_device(thetas), n, n_in, m, act, cuda.to_device(X), cuda.to_device(starts),
        cuda.to_device(Y), cuda.to_device(W), tol, d_prefix)
    prefix[:] = d_prefix.copy_to_host()
