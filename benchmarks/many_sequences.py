"""Many short sequences: ESNRegressor.fit against reservoirpy and against itself on one sequence;
the spread of repeated fits; the cold start.

1. Sequences shaped like Japanese Vowels (270 sequences of 7-29 steps, 12 inputs, a one-hot
   target of 9 classes at every step), N=500: our fit (the default QR readout, and
   ``solver="gram"``, the normal equations reservoirpy solves too, on one thread and with
   ``device="parallel"``) against reservoirpy run
   sequence by sequence (state reset before each) plus its Ridge readout, and against our own
   fit of the same rows as one concatenated sequence.
2. 10,000 sequences of 20-100 steps (12 inputs), N=300, against reservoirpy the same way.
   Beside both, the floors of any fit of these rows, timed in the same run: the harvest alone
   plus BLAS's F^T F of a design matrix of their shape (the Gram solver's), or plus twice that
   (the QR solver's: twice the flops), against reservoirpy's time / 5.
3. Stability: 10 repeated fits in this process with default thread settings, for
   ``solver="qr"`` and ``"gram"`` at N = 300, 500, 1000: max / median; the first fit of the
   data before them timed apart, with its page faults (a process's first fit of a size gets
   memory new to the process, which the OS zeroes page by page on first touch: in a fresh
   process at N=500 about 12,000 page faults and 1.5-2 times a later fit's time here).
4. Cold start: import + first fit (the measure of the many-sequences issue) of ESNRegressor(100) on
   1000 steps in a fresh process, with an empty ``NUMBA_CACHE_DIR``, then in 7 fresh processes
   with the cache it filled (run first, while this process is idle); interleaved with them, the
   floor: fresh processes importing only numba and scikit-learn's base module and calling one
   cached kernel (the warm start's floor while the estimators derive from scikit-learn's). The
   wall time of each process ("in all") adds the interpreter's start and exit.
5. Back to back: fits on ``device="parallel"`` at N=500 started right after the one before,
   against fits spaced by 0.2 s (threads left spinning by a fit would slow the next).

Timings interleave the contenders, each run 0.2 s after the one before (so that no side shares
the cores with the still-spinning BLAS threads of the side before it), and print best and median.
Run with
`python benchmarks/many_sequences.py [--quick]` (reservoirpy from the `bench` extra).
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np
from timing import interleaved_timings

from reservoir import ESNRegressor
from reservoir.harvest import Harvester, Pack, backend

try:
    import reservoirpy
    from reservoirpy.nodes import Reservoir as RpyReservoir
    from reservoirpy.nodes import Ridge as RpyRidge
except ImportError:  # optional: the `bench` extra
    reservoirpy = None

COLD = """
import time
t0 = time.perf_counter()
import numpy as np
from reservoir import ESNRegressor
t1 = time.perf_counter()
u = np.random.default_rng(0).uniform(-1, 1, size=(1000, 1))
ESNRegressor(100, ridge=1e-8, random_state=0).fit(u[:-1], u[1:, 0])
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""

# the floor of the warm start: a process that imports the two libraries the estimators cannot
# do without and calls one trivial kernel from the filled cache (Numba's first call initialises
# its typing and target contexts, and scans the installed packages' entry points, whatever the
# kernel); run as a module file, so that the kernel can be cached
DEPENDENCIES = """
import time
t0 = time.perf_counter()
import numba, sklearn.base
t1 = time.perf_counter()


@numba.njit(cache=True)
def one_more(x):
    return x + 1


one_more(1.0)
print(t1 - t0, time.perf_counter() - t1)
"""


def sequences(n, lo, hi, seed=0):
    """n sequences of lo..hi steps with 12 inputs and a one-hot class (of 9) at every step."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(lo, hi + 1, size=n)
    X = [rng.normal(size=(T, 12)) for T in lengths]
    Y = [np.repeat(np.eye(9)[[i % 9]], T, axis=0) for i, T in enumerate(lengths)]
    return X, Y


#: Our reservoir's parameters, reservoirpy's beside them (its input scaling is 1 by default).
SAME = dict(spectral_radius=1.25, leak_rate=0.3, input_scaling=1.0)


def reservoirpy_fit(N, X, Y):
    """reservoirpy's recipe: each sequence run from a reset state, then one Ridge fit."""
    reservoir = RpyReservoir(N, lr=SAME["leak_rate"], sr=SAME["spectral_radius"],
                             rc_connectivity=0.1, seed=0)
    reservoir.initialize(X[0])
    readout = RpyRidge(ridge=1e-8)
    states = []
    for x in X:
        reservoir.reset()
        states.append(reservoir.run(x))
    readout.fit(states, Y)
    return readout


def summary(name, times):
    return f"{name} best {min(times):.3f} s, median {np.median(times):.3f} s"


def harvest(esn, X):
    """The states of the sequences X harvested as ``esn.fit`` does (the same engine and pieces),
    dropped piece by piece."""
    engine = Harvester(esn.reservoir_, esn.leak_rate, np.float64, backend(esn.device, esn.n_jobs))
    pack = Pack.of(X)
    for _ in engine.run(pack, pack.rows(X)):
        pass


def compare(title, N, X, Y, repeat, concatenated=True):
    models = {"numba-rnn": ESNRegressor(N, washout=0, ridge=1e-8, random_state=0, **SAME),
              "numba-rnn, solver='gram'": ESNRegressor(N, washout=0, solver="gram", ridge=1e-8,
                                                       random_state=0, **SAME),
              "numba-rnn, solver='gram', device='parallel'": ESNRegressor(
                  N, washout=0, solver="gram", device="parallel", ridge=1e-8, random_state=0,
                  **SAME)}
    for model in models.values():
        model.fit(X[:20], Y[:20])  # compile outside the timings
    esn = models["numba-rnn"]
    sides = {name: (lambda model=model: model.fit(X, Y)) for name, model in models.items()}
    if concatenated:
        Xc, Yc = np.concatenate(X), np.concatenate(Y)
        sides["numba-rnn, one sequence"] = lambda: esn.fit(Xc, Yc)
    if reservoirpy is not None:
        reservoirpy_fit(N, X[:5], Y[:5])
        sides["reservoirpy"] = lambda: reservoirpy_fit(N, X, Y)
    # each run 0.2 s after the one before: right after another side's BLAS calls (reservoirpy's,
    # or our QR readout's), whose threads still spin, a Gram fit at N=500 took 64-71 ms instead
    # of 48-51 ms, and a QR fit 111-117 ms instead of 78-81 ms
    times = dict(zip(sides, interleaved_timings(list(sides.values()), repeat, pause=0.2)))
    # what no fit of these rows can beat: the harvest alone, plus BLAS's F^T F of a design
    # matrix of their shape for the Gram solver, or twice that for the QR solver (Householder
    # QR takes 2 m p^2 - 2 p^3 / 3 flops, F^T F m p^2, and runs no faster a flop);
    # each timed on its own after the comparison (interleaved with the fits, the product took
    # up to 1.6 times as long)
    F = np.random.default_rng(0).normal(size=(sum(len(x) for x in X), 1 + X[0].shape[1] + N))
    for name, floor in (("floor: the harvest alone", lambda: harvest(esn, X)),
                        ("floor: BLAS F^T F", lambda: F.T @ F)):
        (times[name],) = interleaved_timings([floor], repeat)
    print(f"\n{title}: {len(X)} sequences, {sum(len(x) for x in X)} steps, N={N}")
    for name, t in times.items():
        print("  " + summary(name, t))
    ours = np.median(times["numba-rnn"])
    if concatenated:
        one = np.median(times["numba-rnn, one sequence"])
        print(f"  many sequences / one sequence: {ours / one:.2f} (median; target <= 1.5)")
    if reservoirpy is not None:
        for side in models:
            print(f"  reservoirpy / {side}: "
                  f"{np.median(times['reservoirpy']) / np.median(times[side]):.1f}x "
                  "(median; target >= 5)")
        best = {name: min(t) for name, t in times.items()}
        states, products = best["floor: the harvest alone"], best["floor: BLAS F^T F"]
        print(f"  reservoirpy / 5 = {best['reservoirpy'] / 5:.3f} s (best) against the floors "
              f"(best): Gram {states + products:.3f} s (the harvest + F^T F), QR "
              f"{states + 2 * products:.3f} s (the harvest + 2 F^T F)")


def stability(X, Y, sizes, repeat):
    print(f"\nRepeated fits ({repeat} each, default thread settings): max / median, after a "
          "first fit of the same data (timed apart: it gets memory new to the process, zeroed "
          "by the OS on first touch)")
    for solver in ("qr", "gram"):
        for N in sizes:
            esn = ESNRegressor(N, washout=0, solver=solver, ridge=1e-8, random_state=0, **SAME)
            esn.fit(X[:20], Y[:20])
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            (first,) = interleaved_timings([lambda: esn.fit(X, Y)], 1)
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
            (times,) = interleaved_timings([lambda: esn.fit(X, Y)], repeat)
            ratio = max(times) / np.median(times)
            print(f"  solver={solver:4s} N={N:5d}: median {np.median(times):.3f} s, max "
                  f"{max(times):.3f} s, max/median {ratio:.2f} (target <= 1.5); the first fit "
                  f"{first[0]:.3f} s ({first[0] / np.median(times):.2f} x the median, "
                  f"{faults} page faults)")


def back_to_back(X, Y, N, repeat):
    """Fits on ``device="parallel"`` started right after the one before (as a search or a
    cross-validation runs them) against fits spaced by 0.2 s: threads left spinning by one fit
    (OpenBLAS's busy-wait about 0.1 s after a threaded call) would share the cores with the
    next."""
    print(f"\nBack-to-back against spaced fits, device='parallel', N={N} ({repeat} each): "
          "medians")
    for solver in ("qr", "gram"):
        esn = ESNRegressor(N, washout=0, solver=solver, device="parallel", ridge=1e-8,
                           random_state=0, **SAME)
        esn.fit(X, Y)
        (close,) = interleaved_timings([lambda: esn.fit(X, Y)], repeat)
        (spaced,) = interleaved_timings([lambda: esn.fit(X, Y)], repeat, pause=0.2)
        print(f"  solver={solver:4s}: back to back {np.median(close):.3f} s, spaced "
              f"{np.median(spaced):.3f} s ({np.median(close) / np.median(spaced):.2f} x)")


def _process(args, env):
    """(import, first call, wall) seconds of a fresh process printing its import and first-call
    times; wall also holds the interpreter's start and exit (its modules' teardown: 0.3 s after
    importing scikit-learn)."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1]), time.perf_counter() - start


def cold_start(repeat):
    """Import + first fit in fresh processes: once with an empty cache, then ``repeat`` times
    with the cache it filled, interleaved with the floor's processes."""
    print("\nCold start: import + first ESNRegressor(100).fit on 1000 steps, fresh processes")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        imported, fitted, wall = _process(["-c", COLD], env)
        print(f"  empty cache: import + first fit {imported + fitted:.2f} s (import "
              f"{imported:.2f} s, fit {fitted:.2f} s; target <= 4 s), {wall:.2f} s in all")
        floor = os.path.join(cache, "floor.py")
        with open(floor, "w") as f:
            f.write(DEPENDENCIES)
        _process([floor], env)  # fills the floor's kernel cache
        runs = {"warm cache": [], "floor": []}
        for _ in range(repeat):
            runs["warm cache"].append(_process(["-c", COLD], env))
            runs["floor"].append(_process([floor], env))
        for label, rows in runs.items():
            imported, fitted, wall = np.median(rows, axis=0)
            totals = [a + b for a, b, _ in rows]
            what = ("a process importing only numba and sklearn.base, then calling one trivial "
                    "cached kernel: import + first call" if label == "floor"
                    else "import + first fit")
            target = "" if label == "floor" else "; target <= 1.2 s"
            print(f"  {label}, {repeat} processes, {what} best {min(totals):.2f} s, median "
                  f"{np.median(totals):.2f} s (medians: import {imported:.2f} s, "
                  f"{'call' if label == 'floor' else 'fit'} {fitted:.2f} s{target}), "
                  f"{wall:.2f} s in all")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sequences and repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {numba.get_num_threads()} numba "
          f"threads, numba {numba.__version__}, reservoirpy "
          f"{reservoirpy.__version__ if reservoirpy else 'not installed'}")
    cold_start(3 if args.quick else 7)  # first, while this process is idle (threads asleep)
    X, Y = sequences(270, 7, 29)
    compare("Japanese-Vowels-shaped", 500, X, Y, repeat)
    Xl, Yl = sequences(1000 if args.quick else 10_000, 20, 100, seed=1)
    compare("Many sequences", 300, Xl, Yl, 1 if args.quick else 3, concatenated=False)
    stability(X, Y, (300, 500, 1000), 5 if args.quick else 10)
    back_to_back(X, Y, 500, 5 if args.quick else 10)


if __name__ == "__main__":
    main()
