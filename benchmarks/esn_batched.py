"""Batched reservoirs: sequence-steps/s for batches of sequences run side by side.

For N units (default 1000, density 0.1) and batch sizes 1..256, prints the sequence-steps/s of
`ESNRegressor.transform` on a list of sequences (run side by side: a sparse x dense product per
step), of the same sequences run one by one, and of reservoirpy running them one by one.
`--device cuda` measures the GPU kernels (one thread block per sequence) at larger batches.
Run with `python benchmarks/esn_batched.py [--n 1000] [--device parallel|cpu|cuda]`.
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
    from reservoirpy.nodes import Reservoir as RpyReservoir
except ImportError:  # optional: the `bench` extra
    RpyReservoir = None


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="reservoir units")
    parser.add_argument("--device", default="parallel", choices=["cpu", "parallel", "cuda"])
    parser.add_argument("--batches", type=int, nargs="+", default=None)
    parser.add_argument("--steps", type=int, default=20000, help="sequence-steps per batch size")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    batches = args.batches or ([1, 64, 256, 1024, 4096] if args.device == "cuda"
                               else [1, 4, 16, 64, 256])
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {numba.get_num_threads()} numba "
          f"threads, N={args.n}, density 0.1, device={args.device}")
    print(f"{'dtype':8} {'batch':>6} {'side by side':>13} {'one by one':>11} {'reservoirpy':>12} "
          f"{'x one-by-one':>13} {'x rpy':>6}")
    rng = np.random.default_rng(0)
    for dtype in ("float64", "float32"):
        for B in batches:
            T = max(20, args.steps // B)
            X = [rng.uniform(-1, 1, size=(T, 1)).astype(dtype) for _ in range(B)]
            esn = ESNRegressor(args.n, spectral_radius=0.9, leak_rate=0.5, density=0.1,
                               washout=0, device=args.device, dtype=dtype, random_state=0)
            esn.fit(X[0][:20], np.zeros(20))
            esn.transform(X[:2])  # compile
            k = min(B, 8)  # one by one: a few sequences are enough to time
            esn.transform(X[0])
            sides = [lambda: esn.transform(X), lambda: [esn.transform(x) for x in X[:k]]]
            counts = [B * T, k * T]
            if RpyReservoir is not None:
                node = RpyReservoir(args.n, lr=0.5, sr=0.9, rc_connectivity=0.1,
                                    input_connectivity=1.0, dtype=np.dtype(dtype).type, seed=0)
                node.initialize(X[0][:2])
                sides.append(lambda: [node.run(x) for x in X[:k]])
                counts.append(k * T)
            rates = [n / s for n, s in zip(counts, interleaved_best(sides, args.repeat))]
            batched, single = rates[0], rates[1]
            rpy = rates[2] if RpyReservoir is not None else float("nan")
            print(f"{dtype:8} {B:>6} {batched:>13.3g} {single:>11.3g} {rpy:>12.3g} "
                  f"{batched / single:>13.1f} {batched / rpy:>6.1f}", flush=True)


if __name__ == "__main__":
    with threadpool_limits(1, user_api="blas"):
        main()
