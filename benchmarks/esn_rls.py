"""Online learning by recursive least squares: time per step of ``ESNRegressor.partial_fit``
against a numpy RLS on the same features, and the stream's test error against the batch ridge.

A stream of uniform noise u(t) and the target u(t-1) arrives in pieces of 500 steps; the ESN
(N units of :data:`RESERVOIR`: spectral radius 1.25, leak rate 0.3, input scaling 1) updates its
readout by RLS after every step (the reservoir's step included in its time). The numpy side is
the textbook row update (``k = P f / (forgetting + f^T P f)``, a rank-one update of P) on the
ESN's features, taken out of the timing; it applies no penalty with ``forgetting`` < 1, as
public code does. Prints microseconds per step (best and median of interleaved runs), the ratio,
and the test RMSE over the 2000 steps after the stream (batch ridge on the same steps beside
it). Run with `python benchmarks/esn_rls.py [--sizes 100 300] [--steps 10000]`.
"""

import argparse
import os
import platform
import warnings

import numba
import numpy as np
from timing import interleaved_timings

from reservoir import ESNRegressor

PIECE = 500
#: The reservoir of the figures in docs/benchmarks.md (the first version's defaults).
RESERVOIR = dict(spectral_radius=1.25, leak_rate=0.3, input_scaling=1.0)


def numpy_rls(F, Y, P, W, forgetting):
    """The textbook RLS, one row at a time (P, W updated in place)."""
    for f, y in zip(F, Y):
        Pf = P @ f
        k = Pf / (forgetting + f @ Pf)
        W += np.outer(k, y - W.T @ f)
        P -= np.outer(k, Pf)
        P /= forgetting


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"# {platform.machine()}, {os.cpu_count()} cores, numba {numba.__version__}, "
          f"numpy {np.__version__}")
    rng = np.random.default_rng(0)
    T = args.steps
    u = rng.uniform(-1, 1, size=(T + 2000, 1))
    y = np.r_[0.0, u[:-1, 0]]
    print(f"{'N':>5} {'forgetting':>10} {'ours (us/step)':>18} {'numpy (us/step)':>18} "
          f"{'x numpy':>8} {'test RMSE':>10} {'numpy':>10} {'batch':>8}")
    for n in args.sizes:
        batch = ESNRegressor(n, washout=0, ridge=1e-3, random_state=0, **RESERVOIR).fit(
            u[:T], y[:T])
        F = np.c_[np.ones(T + 2000), u, batch.transform(u)]
        batch_rmse = np.sqrt(np.mean((batch.predict(u)[T:] - y[T:]) ** 2))
        for forgetting in (1.0, 0.999, 0.99):
            models, numpy_w = [], []

            def ours():
                esn = ESNRegressor(n, washout=0, ridge=1e-3, forgetting=forgetting,
                                   random_state=0, **RESERVOIR)
                for a in range(0, T, PIECE):
                    esn.partial_fit(u[a:a + PIECE], y[a:a + PIECE])
                models.append(esn)

            def textbook():
                P, W = np.eye(F.shape[1]) / 1e-3, np.zeros((F.shape[1], 1))
                with np.errstate(all="ignore"):
                    numpy_rls(F[:T], y[:T, None], P, W, forgetting)
                numpy_w.append(W)

            ours()  # compile
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mine, theirs = interleaved_timings([ours, textbook], args.repeat)
            ours_rmse = np.sqrt(np.mean((models[-1].predict(u)[T:] - y[T:]) ** 2))
            with np.errstate(all="ignore"):
                numpy_rmse = np.sqrt(np.mean((F[T:] @ numpy_w[-1][:, 0] - y[T:]) ** 2))
            a, b = np.array(mine) / T * 1e6, np.array(theirs) / T * 1e6
            print(f"{n:5d} {forgetting:10g} {a.min():8.1f} / {np.median(a):7.1f} "
                  f"{b.min():8.1f} / {np.median(b):7.1f} {np.median(b) / np.median(a):8.1f} "
                  f"{ours_rmse:10.3g} {numpy_rmse:10.3g} {batch_rmse:8.3g}", flush=True)


if __name__ == "__main__":
    main()
