"""Time per DEKF-LSTM training step (forward, Jacobian, filter) against a numpy implementation.

For 2..16 blocks of one cell (5 inputs and outputs, as in a^n b^n c^n, truncated Jacobian,
decoupled EKF with one group per block and per output), prints the Numba kernel's time per
step and that of a straightforward numpy implementation of the same step, run in the same
process; and the time of the node-decoupled filter (``trainer="ndekf"``: one group per gate,
cell input, peephole set and output unit) on the same network. Run with
`python benchmarks/lstm_dekf_step.py [--blocks 2 4 8 16]`.
"""

import argparse
import os
import platform
import time

import numba
import numpy as np
from threadpoolctl import threadpool_limits

from lstm import KalmanLSTMRegressor


def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def numpy_step(w, B, n_x, m, x, y, state, cov_blocks, cov_out, r, q):
    """One truncated-Jacobian DEKF-LSTM step (1 cell a block, peepholes, forget gates,
    logistic outputs), written with numpy arrays the way research code does."""
    n_u = n_x + B + 1
    PB = 4 * n_u + 3
    P = w.size
    s, yc, ds = state
    u = np.concatenate([x, yc, [1.0]])
    Wb = w[:B * PB].reshape(B, PB)
    W_in, W_phi, W_out, W_c = (Wb[:, k * n_u:(k + 1) * n_u] for k in range(4))
    p_in, p_phi, p_out = Wb[:, 4 * n_u], Wb[:, 4 * n_u + 1], Wb[:, 4 * n_u + 2]
    y_in = sig(W_in @ u + p_in * s)
    y_phi = sig(W_phi @ u + p_phi * s)
    g = np.tanh(W_c @ u)
    s_new = y_phi * s + y_in * g
    y_out = sig(W_out @ u + p_out * s_new)
    h = np.tanh(s_new)
    yc_new = y_out * h
    # truncated derivatives, one (B, P) matrix per quantity
    eye = np.eye(B)
    d_in = np.zeros((B, P))
    d_phi = np.zeros((B, P))
    d_c = np.zeros((B, P))
    d_out = np.zeros((B, P))
    for j in range(B):
        base = j * PB
        d_in[j, base:base + n_u] = u
        d_phi[j, base + n_u:base + 2 * n_u] = u
        d_out[j, base + 2 * n_u:base + 3 * n_u] = u
        d_c[j, base + 3 * n_u:base + 4 * n_u] = u
        d_in[j, base + 4 * n_u] = s[j]
        d_phi[j, base + 4 * n_u + 1] = s[j]
        d_out[j, base + 4 * n_u + 2] = s_new[j]
    d_in = (y_in * (1 - y_in))[:, None] * (d_in + p_in[:, None] * ds)
    d_phi = (y_phi * (1 - y_phi))[:, None] * (d_phi + p_phi[:, None] * ds)
    ds_new = d_phi * s[:, None] + y_phi[:, None] * ds + d_in * g[:, None] + \
        (y_in * (1 - g * g))[:, None] * d_c
    d_out = (y_out * (1 - y_out))[:, None] * (d_out + p_out[:, None] * ds_new)
    dyc = d_out * h[:, None] + (y_out * (1 - h * h))[:, None] * ds_new
    Wo = w[B * PB:].reshape(m, B + 1)
    z = np.concatenate([yc_new, [1.0]])
    o = sig(Wo @ z)
    Hm = np.zeros((m, P))
    Hm[:, :B * PB] = (Wo[:, :B] @ (eye @ dyc))[:, :B * PB]
    for k in range(m):
        Hm[k, B * PB + k * (B + 1):B * PB + (k + 1) * (B + 1)] = z
    Hm *= (o * (1 - o))[:, None]
    e = y - o
    groups = [(j * PB, PB, cov_blocks[j]) for j in range(B)] + \
        [(B * PB + k * (B + 1), B + 1, cov_out[k]) for k in range(m)]
    A = np.linalg.inv(r * np.eye(m) + sum(Hm[:, a:a + n] @ C @ Hm[:, a:a + n].T
                                          for a, n, C in groups))
    for a, n, C in groups:
        Hg = Hm[:, a:a + n]
        K = C @ Hg.T @ A
        w[a:a + n] += K @ e
        C -= K @ Hg @ C
        C += q * np.eye(n)
        C[:] = 0.5 * (C + C.T)
    return s_new, yc_new, ds_new


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, nargs="+", default=[2, 4, 8, 16])
    args = parser.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, numba {numba.__version__}")
    print(f"{'blocks':>6} {'weights':>8} {'numba (us/step)':>16} {'numpy (us/step)':>16} "
          f"{'x numpy':>8} {'ndekf (us/step)':>16}")
    rng = np.random.default_rng(0)
    n_x = m = 5
    T = 2000
    X = np.eye(5)[rng.integers(0, 5, size=T)]
    Y = (rng.random((T, 5)) < 0.4).astype(float)
    for B in args.blocks:
        times, models = {}, {}
        for trainer in ("dekf", "ndekf"):
            model = KalmanLSTMRegressor(B, 1, output="logistic", trainer=trainer, q=1e-4, r=1.0,
                                        jacobian="truncated", epochs=1, device="parallel",
                                        random_state=0)
            model.partial_fit(X[:10], Y[:10])  # compile
            models[trainer], times[trainer] = model, float("inf")
            for _ in range(3):
                t = time.perf_counter()
                model.partial_fit(X, Y)
                times[trainer] = min(times[trainer], (time.perf_counter() - t) / T)
        best = times["dekf"]
        w = models["dekf"].coef_
        n_u = n_x + B + 1
        PB = 4 * n_u + 3
        state = (np.zeros(B), np.zeros(B), np.zeros((B, w.size)))
        cov_blocks = [np.eye(PB) * 100.0 for _ in range(B)]
        cov_out = [np.eye(B + 1) * 100.0 for _ in range(m)]
        n_ref = 200
        t = time.perf_counter()
        for i in range(n_ref):
            state = numpy_step(w, B, n_x, m, X[i], Y[i], state, cov_blocks, cov_out, 1.0, 1e-4)
        ref = (time.perf_counter() - t) / n_ref
        print(f"{B:>6} {w.size:>8} {best * 1e6:>16.1f} {ref * 1e6:>16.1f} {ref / best:>8.1f} "
              f"{times['ndekf'] * 1e6:>16.1f}", flush=True)


if __name__ == "__main__":
    with threadpool_limits(1, user_api="blas"):
        main()
