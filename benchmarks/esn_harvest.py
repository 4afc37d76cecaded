"""Reservoir state harvesting speed: numba-rnn against a numpy/scipy loop and reservoirpy.

Prints steps/s (sequence-steps/s for batches) for N in {100, 300, 1000, 3000}, one sequence and
64 sequences, float64 and float32, and the ratios to the references measured in the same run.
Run with `make bench` or `python benchmarks/esn_harvest.py [--sizes 100 1000] [--quick]`.
Two-thread timings are only meaningful on an otherwise idle machine; BLAS is limited to one thread
(none of the measured loops gains from it, and idle OpenBLAS threads spin on the cores that the
Numba threads need).
"""

import argparse
import os
import platform

import numba
import numpy as np
from threadpoolctl import threadpool_limits
from timing import interleaved_best

from reservoir import ESNRegressor

try:
    import reservoirpy
    from reservoirpy.nodes import Reservoir as RpyReservoir
except ImportError:  # optional: the `bench` extra
    reservoirpy = None


def numpy_loop(W, W_in, b, leak, U):
    """The reference: a scipy CSR mat-vec and np.tanh per step."""
    drive = U @ W_in.T + b
    x = np.zeros(W.shape[0], dtype=U.dtype)
    states = np.empty((U.shape[0], W.shape[0]), dtype=U.dtype)
    for t in range(U.shape[0]):
        x = (1 - leak) * x + leak * np.tanh(W @ x + drive[t])
        states[t] = x
    return states


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="fewer steps, one repeat")
    args = parser.parse_args()
    repeat = 1 if args.quick else 5
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{numba.get_num_threads()} numba threads, numba {numba.__version__}, "
          f"reservoirpy {reservoirpy.__version__ if reservoirpy else 'not installed'}")
    header = (f"{'dtype':8} {'N':>5} {'seqs':>4} {'numba-rnn':>11} {'numpy':>11} "
              f"{'reservoirpy':>11} {'x numpy':>8} {'x rpy':>6}")
    print(header)
    rng = np.random.default_rng(0)
    for dtype in ("float64", "float32"):
        for N in args.sizes:
            T = int(max(200, min(20000, 2e7 / (0.1 * N * N + 50 * N))))
            if args.quick:
                T = max(100, T // 10)
            for batch in (1, args.batch):
                # one sequence: at least 2000 steps, so a timed run (5 ms at N=1000 with 200
                # steps) measures the steady state, not the per-call set-up
                single = T if args.quick else max(T, 2000)
                steps = single if batch == 1 else max(50, T // batch * 4)
                X = [rng.uniform(-1, 1, size=(steps, 1)).astype(dtype) for _ in range(batch)]
                esn = ESNRegressor(N, spectral_radius=0.9, leak_rate=0.5, density=0.1,
                                   washout=0, device="cpu" if batch == 1 and N < 1000 else
                                   "parallel", dtype=dtype, random_state=0)
                esn.fit(X[0][:20], np.zeros(20))
                run = (lambda: esn.transform(X[0])) if batch == 1 else \
                    (lambda: esn.transform(X))
                run()  # compile
                total = steps * batch
                res = esn.reservoir_
                W = res.recurrent_matrix()
                np_steps = min(steps, 2000)
                sides = [run, lambda: numpy_loop(W, res.W_in, res.bias, 0.5, X[0][:np_steps])]
                counts = [total, np_steps]
                if reservoirpy is not None:
                    node = RpyReservoir(N, lr=0.5, sr=0.9, rc_connectivity=0.1,
                                        input_connectivity=1.0, dtype=np.dtype(dtype).type, seed=0)
                    node.initialize(X[0][:2])
                    rpy_steps = min(steps, 2000)
                    sides.append(lambda: node.run(X[0][:rpy_steps]))
                    counts.append(rpy_steps)
                rates = [n / s for n, s in zip(counts, interleaved_best(sides, repeat))]
                ours, ref = rates[0], rates[1]
                rpy = rates[2] if reservoirpy is not None else float("nan")
                print(f"{dtype:8} {N:>5} {batch:>4} {ours:>11.3g} {ref:>11.3g} {rpy:>11.3g} "
                      f"{ours / ref:>8.1f} {ours / rpy:>6.1f}", flush=True)


if __name__ == "__main__":
    with threadpool_limits(1, user_api="blas"):
        main()
