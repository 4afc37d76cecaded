"""CUDA kernel (numba-cuda) of the RTRL sensitivity update, the O(n^4) part of a step.

    M_new = A M + a D Mbar,    A = (1 - a) I + a D W_rec (built by the caller, n x n),

with Mbar holding z^T in row i of column block i (columns i * nz .. i * nz + nz - 1). One thread
per entry of M_new (grid-stride), threads of a warp on consecutive columns, so the reads of M
coalesce. Mirrors the CPU update in :func:`rtrl.kernels.run`.
"""

from numba import cuda

from reservoir.common.cuda import flat_launch


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
