"""Time per online RTRL step against the GEMM of one step and a numpy Kronecker implementation.

For n hidden units (one input, one output) a textbook exact RTRL step updates the sensitivities
M (n, n * (n + 2)) with one (n x n) @ (n x P) product; this script prints the kernel's time per
step (forward, sensitivities, gradient, Adam update; the kernel pairs the steps, one product for
two), the time of that GEMM alone, and a straightforward numpy step that builds the immediate
term with a Kronecker product, as public research code does. Run with
`python benchmarks/rtrl_step.py [--sizes 16 32 64 128]`.
"""

import argparse
import os
import platform

import numba
import numpy as np
from numba import njit
from threadpoolctl import threadpool_limits
from timing import interleaved_best

from rtrl import kernels
from rtrl.gradient import pack


@njit(cache=True)
def gemm_loop(A, M, out, reps):
    """The product of one textbook step alone, M <- A M through the same BLAS call
    as the kernel, alternating two buffers as the recursion does."""
    for _ in range(reps):
        np.dot(A, M, out)
        M, out = out, M


def numpy_step(W_in, W_rec, b, W_out, b_out, x, d, h, M, lr):
    """One online RTRL step, textbook form: M = D (W_rec M + kron(I, z^T)), then SGD."""
    n = h.shape[0]
    z = np.concatenate([x, h, [1.0]])
    v = np.tanh(W_in @ x + W_rec @ h + b)
    D = np.diag(1.0 - v * v)
    M = D @ (W_rec @ M + np.kron(np.eye(n), z[None, :]))
    e = W_out @ v + b_out - d
    g = (W_out.T @ e) @ M
    Theta = np.concatenate([W_in, W_rec, b[:, None]], axis=1) - lr * g.reshape(n, -1)
    W_out -= lr * np.outer(e, v)
    b_out -= lr * e
    return Theta, v, M


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64, 128])
    args = parser.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, numba {numba.__version__}, "
          f"numpy {np.__version__}")
    print(f"{'n':>4} {'P':>7} {'step (us)':>10} {'GEMM (us)':>10} {'x GEMM':>7} "
          f"{'numpy (us)':>11} {'x numpy':>8}")
    rng = np.random.default_rng(0)
    for n in args.sizes:
        nz = n + 2
        P = n * nz
        T = max(50, int(2e9 / (n * n * P)))  # long enough that per-call set-up is amortised
        X, Y = rng.uniform(-1, 1, (T, 1)), rng.uniform(-1, 1, (T, 1))
        W_in, W_rec = rng.uniform(-1, 1, (n, 1)), rng.normal(size=(n, n)) * 0.9 / np.sqrt(n)
        W_out, b, b_out = rng.normal(size=(1, n)) * 0.1, np.zeros(n), np.zeros(1)
        theta0 = pack(W_in, W_rec, b, W_out, b_out)

        def ours():
            theta = theta0.copy()
            kernels.run(kernels.Net(theta, n, 1, 1, 1.0, kernels.TANH),
                        kernels.Sensitivity(kernels.RTRL, np.zeros(n), np.zeros((n, P)),
                                            np.empty(0), np.empty(0), np.empty((0, 0))),
                        kernels.Optimizer(True, 1e-4, kernels.ADAM, np.zeros_like(theta),
                                          np.zeros_like(theta), np.zeros(1, np.int64), 0.0, 1,
                                          np.zeros(1, np.int64)),
                        X, Y, np.ones(T), np.zeros_like(theta), np.empty(T))

        A = np.linalg.qr(rng.normal(size=(n, n)))[0]  # orthogonal: M neither grows nor decays
        M, out = rng.normal(size=(n, P)), np.empty((n, P))

        def gemm():
            gemm_loop(A, M, out, T)

        n_ref = min(T, 200)

        def reference():
            h, Mr = np.zeros(n), np.zeros((n, P))
            Wi, Wr, bb, Wo, bo = W_in.copy(), W_rec.copy(), b.copy(), W_out.copy(), b_out.copy()
            for t in range(n_ref):
                Theta, h, Mr = numpy_step(Wi, Wr, bb, Wo, bo, X[t], Y[t], h, Mr, 1e-4)
                Wi, Wr, bb = Theta[:, :1], Theta[:, 1:n + 1], Theta[:, -1]

        ours()
        gemm()
        t_ours, t_gemm, t_ref = interleaved_best([ours, gemm, reference], 7)
        step, gemm_time, ref = t_ours / T, t_gemm / T, t_ref / n_ref
        print(f"{n:>4} {P:>7} {step * 1e6:>10.1f} {gemm_time * 1e6:>10.1f} "
              f"{step / gemm_time:>7.2f} "
              f"{ref * 1e6:>11.1f} {ref / step:>8.1f}", flush=True)


if __name__ == "__main__":
    with threadpool_limits(1, user_api="blas"):  # both sides single-threaded: stable ratios
        main()
