"""Grid search speed: experiments.search.grid_search against GridSearchCV and a reservoirpy loop.

64 configurations (spectral radius x leak rate x input scaling x ridge = 4 x 2 x 2 x 4) of a
reservoir forecasting Mackey-Glass one step ahead, TimeSeriesSplit(3), the same machine and run:
our fast path (harvests shared across ridge values, configurations batched on one sparse
pattern), plain GridSearchCV on the same estimator, and a plain loop over reservoirpy models
(Reservoir >> Ridge, fitted per configuration and fold, scored by R^2 after the washout).
Each contender runs ``--repeat`` times, interleaved; the ratios are of the best times (the
timeit convention: slower runs measure the machine's other load) and of the medians.
Run with `python benchmarks/grid_search.py [--n 300] [--steps 4000] [--solver qr|gram]
[--repeat 3]`.
"""

import argparse
import itertools
import os
import platform

import numba
import numpy as np
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from timing import interleaved_timings

from experiments.datasets import mackey_glass
from experiments.search import grid_search
from reservoir import ESNForecaster

try:
    from reservoirpy.nodes import Reservoir, Ridge
except ImportError:  # optional: the `bench` extra
    Reservoir = None

GRID = {"spectral_radius": [0.6, 0.8, 1.0, 1.2], "leak_rate": [0.5, 1.0],
        "input_scaling": [0.5, 1.0], "ridge": [1e-10, 1e-8, 1e-6, 1e-4]}


def reservoirpy_loop(series, n, washout, cv):
    """The loop a reservoirpy user writes: one model per configuration and fold."""
    X, Y = series[:-1, None], series[1:, None]
    scores = {}
    for values in itertools.product(*GRID.values()):
        p = dict(zip(GRID, values))
        fold_scores = []
        for train, test in cv.split(X):
            model = Reservoir(n, sr=p["spectral_radius"], lr=p["leak_rate"],
                              input_scaling=p["input_scaling"], rc_connectivity=0.1,
                              input_connectivity=1.0, seed=0) >> Ridge(ridge=p["ridge"])
            model.fit(X[train], Y[train], warmup=washout)
            pred = model.run(X[test])
            fold_scores.append(r2_score(Y[test][washout:], pred[washout:]))
        scores[values] = np.mean(fold_scores)
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=300, help="reservoir units")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--solver", choices=["qr", "gram"], default="qr",
                        help="readout solver of our estimator (reservoirpy's Ridge solves the "
                             "normal equations, like 'gram')")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each contender")
    args = parser.parse_args()
    series = mackey_glass(args.steps, squash=True, random_state=0)
    cv = TimeSeriesSplit(3)
    # device="parallel": configurations (and GridSearchCV's fits) on all cores
    est = ESNForecaster(args.n, washout=100, density=0.1, solver=args.solver, standardize=False,
                        device="parallel", random_state=0)
    # walk_forward=False: the per-fold scores GridSearchCV computes, so both do the same work
    grid_search(est, {"spectral_radius": [0.9, 1.0], "ridge": [1e-8]}, series[:500], cv=cv,
                refit=False, walk_forward=False)  # compile the kernels outside the timings
    contenders = {
        "numba-rnn grid_search": lambda: grid_search(est, GRID, series, cv=cv, refit=False,
                                                     walk_forward=False),
        "GridSearchCV(ESNForecaster)": lambda: GridSearchCV(est, GRID, cv=cv,
                                                            refit=False).fit(series),
    }
    if Reservoir is not None:
        contenders["reservoirpy loop"] = lambda: reservoirpy_loop(series, args.n, 100, cv)
    timings = dict(zip(contenders, interleaved_timings(list(contenders.values()), args.repeat)))
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {numba.get_num_threads()} numba "
          f"threads; 64 configurations x 3 folds, N={args.n}, {args.steps} steps, "
          f"solver={args.solver}, best and median of {args.repeat} runs")
    ours = timings["numba-rnn grid_search"]
    for name, seconds in timings.items():
        best, median = min(seconds), float(np.median(seconds))
        print(f"{name:30s} best {best:6.2f} s ({best / min(ours):5.1f}x the fast path), "
              f"median {median:6.2f} s ({median / np.median(ours):5.1f}x); runs: "
              + ", ".join(f"{t:.2f}" for t in seconds))
    fast = grid_search(est, GRID, series, cv=cv, refit=False, walk_forward=False)
    print(f"best: {fast.best_params_} (R^2 {fast.best_score_:.10f})")


if __name__ == "__main__":
    main()
