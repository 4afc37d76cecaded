"""Sequence classification on Japanese Vowels, BasicMotions and GunPoint: test errors and
fit + predict time of ESNClassifier against the references, in one run.

Contenders on each set (the published train/test splits, from the `archives` extra):

* ``ESNClassifier()``: the defaults, no search;
* ``ESNClassifier`` searched: hyperparameters chosen on the training split only, by stratified
  5-fold cross-validation (log-loss) over :data:`GRID` (48 configurations; the search's time is
  printed apart);
  then the same configuration as an ensemble of 10 reservoirs;
* ``ESNClassifier`` as many small reservoirs (Jaeger et al. 2007's recipe: :data:`SMALL`, 50
  bidirectional reservoirs of 20 dense units), searched the same way over :data:`SMALL_GRID`
  (12 configurations); its errors for ``random_state`` 0-4 are printed too;
* the same with 5 members (:data:`FEW`: of 5, 10, 20 and 50, the most whose fit + predict
  stays within MiniRocket's time on these sets), searched over the same grid; its errors for
  ``random_state`` 0-4 too;
* every configuration of :data:`GRID` at once: their probabilities averaged (scikit-learn's
  soft ``VotingClassifier``), nothing chosen; its errors for ``random_state`` 0-4 are printed
  too; and likewise every configuration of :data:`SMALL_GRID` with :data:`FEW` (12 x 5 small
  reservoirs);
* reservoirpy's documented recipe (its "Classification with Reservoir Computing" tutorial,
  sequence-to-vector: ``Reservoir(500, sr=0.9, lr=0.1)``, the last state of each sequence,
  ``Ridge(ridge=1e-6)``, the class of the largest output; from the `bench` extra);
* MiniRocket (Dempster et al. 2021; sktime's ``MiniRocketMultivariate`` and
  ``RidgeClassifierCV(alphas=logspace(-3, 3, 10))`` on standardised features, as in the
  paper), the sequences zero-padded to the longest (it needs equal lengths);
* ``KalmanLSTMClassifier`` with one label per sequence (inputs standardised by hand);
* PyRCN's ``ESNClassifier`` when ``PYRCN_PYTHON`` names a Python with pyrcn (it pins torch, so
  it lives in its own environment; see ``benchmarks/pyrcn_recipe.py``).

Times interleave the contenders (one fit + predict of each, ``--repeat`` times, each 0.2 s after
the one before so that no side shares the cores with the still-spinning BLAS threads of the side
before it) after one warm-up each (Numba compilation excluded for every side), and print best
and median. Run with
`python benchmarks/classification.py [--quick]`.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

import numba
import numpy as np
from sklearn.model_selection import ParameterGrid
from timing import interleaved_timings

from experiments.archives import load_archive
from experiments.classify import soft_vote
from experiments.search import grid_search
from lstm import KalmanLSTMClassifier
from reservoir import ESNClassifier

SETS = ("japanese-vowels", "basic-motions", "gunpoint")
#: The search on each training split (a 5-fold stratified cross-validation, log-loss).
GRID = {"representation": ["last_mean", "model"], "bidirectional": [False, True],
        "leak_rate": [0.1, 0.3, 1.0], "input_scaling": [0.1, 0.5], "spectral_radius": [0.5, 0.9]}
#: Many small reservoirs side by side (an ensemble), and the grid they are searched over.
SMALL = {"n_reservoir": 20, "density": 1.0, "n_estimators": 50, "bidirectional": True,
         "n_components": 20}
#: The fewest of them: an ensemble within MiniRocket's time.
FEW = {**SMALL, "n_estimators": 5}
SMALL_GRID = {"representation": ["last_mean", "model"], "leak_rate": [0.1, 0.3, 1.0],
              "input_scaling": [0.2, 0.5]}
#: Test errors published or measured by the classification issue, for the printout.
REFERENCE = {"japanese-vowels": "Jaeger et al. 2007 ensemble 0/370; MiniRocket 4-7 (issue)",
             "basic-motions": "MiniRocket 0/40 (issue)", "gunpoint": "MiniRocket 1/150 (issue)"}

try:
    from reservoirpy.nodes import Reservoir as RpyReservoir
    from reservoirpy.nodes import Ridge as RpyRidge
except ImportError:  # optional: the `bench` extra
    RpyReservoir = None

try:
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.preprocessing import StandardScaler
    from sktime.transformations.panel.rocket import MiniRocketMultivariate
except ImportError:  # MiniRocket needs sktime's numba extras
    MiniRocketMultivariate = None


def esn(params):
    def run(X, y, X_test):
        return ESNClassifier(random_state=0, **params).fit(X, y).predict(X_test)
    return run


def grid_ensemble(grid, seed=0, **params):
    """Every configuration of ``grid`` (over ``ESNClassifier(**params)``), their probabilities
    averaged (a soft vote)."""
    def run(X, y, X_test):
        return soft_vote(ESNClassifier(random_state=seed, **params), grid).fit(X, y).predict(
            X_test)

    return run


def reservoirpy_recipe(X, y, X_test):
    """reservoirpy's tutorial, sequence-to-vector: last states, one Ridge fit."""
    classes = np.unique(y)
    reservoir = RpyReservoir(500, sr=0.9, lr=0.1, seed=0)
    reservoir.initialize(X[0])
    readout = RpyRidge(ridge=1e-6)

    def last_states(seqs):
        out = []
        for x in seqs:
            reservoir.reset()
            out.append(reservoir.run(x)[-1])
        return np.array(out)

    readout.fit(last_states(X), (y[:, None] == classes).astype(float))
    return classes[np.argmax(readout.run(last_states(X_test)), axis=1)]


def padded(seqs, length):
    """(n, n_features, length) zero-padded, as MiniRocket takes them."""
    out = np.zeros((len(seqs), seqs[0].shape[1], length))
    for i, x in enumerate(seqs):
        out[i, :, :len(x)] = x.T
    return out


def minirocket(X, y, X_test):
    length = max(9, max(len(x) for x in X + X_test))
    rocket = MiniRocketMultivariate(random_state=0).fit(padded(X, length))
    scaler = StandardScaler()  # (by hand: sktime's transformers break sklearn 1.9's Pipeline)
    F = scaler.fit_transform(np.asarray(rocket.transform(padded(X, length))))
    F_test = scaler.transform(np.asarray(rocket.transform(padded(X_test, length))))
    return RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)).fit(F, y).predict(F_test)


#: The Kalman LSTM's distinct warnings so far.
LSTM_WARNINGS = set()


def lstm(X, y, X_test):
    rows = np.concatenate(X)
    mean, scale = rows.mean(axis=0), rows.std(axis=0) + 1e-12
    model = KalmanLSTMClassifier(n_blocks=4, n_cells=1, anneal_steps=20000, epochs=30,
                                 random_state=0)  # the run of docs/benchmarks.md
    with warnings.catch_warnings(record=True) as caught:  # printed once, not once a timed run
        warnings.simplefilter("always")
        model.fit([(x - mean) / scale for x in X], y)
    for warning in caught:
        if str(warning.message) not in LSTM_WARNINGS:
            LSTM_WARNINGS.add(str(warning.message))
            print(f"  KalmanLSTMClassifier warned: {warning.message}")
    return model.predict([(x - mean) / scale for x in X_test])


def objects(seqs):
    """The sequences as a 1-D object array (PyRCN's layout), even when of equal lengths."""
    out = np.empty(len(seqs), dtype=object)
    for i, x in enumerate(seqs):
        out[i] = x
    return out


def pyrcn(name):
    """PyRCN in its own environment: errors and fit + predict seconds (best, median)."""
    python = os.environ.get("PYRCN_PYTHON")
    if not python:
        return None
    script = os.path.join(os.path.dirname(__file__), "pyrcn_recipe.py")
    with tempfile.TemporaryDirectory() as folder:
        data = os.path.join(folder, "data.npz")
        X, y = load_archive(name)
        X_test, y_test = load_archive(name, "test")
        np.savez(data, X=objects(X), y=y, X_test=objects(X_test), y_test=y_test,
                 allow_pickle=True)
        out = subprocess.run([python, script, data], capture_output=True, text=True)
    if out.returncode:
        return f"failed: {out.stderr.strip().splitlines()[-1]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(name, errors, n_test, times):
    return (f"  {name:34s} {errors:4d}/{n_test} errors   fit + predict best {min(times):7.3f} s,"
            f" median {np.median(times):7.3f} s")


def timed_search(estimator, grid, X, y):
    """Stratified 5-fold cross-validation (log-loss) on the training split, its time printed."""
    start = time.perf_counter()
    search = grid_search(estimator, grid, X, y, cv=5, scoring="neg_log_loss", refit=False)
    print(f"  search: {search.dataset['mean_test_score'].size} configurations x 5 folds in "
          f"{time.perf_counter() - start:.1f} s on the training split, chose "
          f"{search.best_params_}")
    return search


def benchmark(name, repeat, quick):
    X, y = load_archive(name)
    X_test, y_test = load_archive(name, "test")
    print(f"\n{name}: {len(X)} train / {len(X_test)} test sequences, "
          f"{min(len(x) for x in X)}-{max(len(x) for x in X)} steps x {X[0].shape[1]} "
          f"features, {len(np.unique(y))} classes   [{REFERENCE[name]}]")
    grid = {k: v[:2] for k, v in GRID.items()} if quick else GRID
    search = timed_search(ESNClassifier(random_state=0), grid, X, y)
    small_grid = {k: v[:2] for k, v in SMALL_GRID.items()} if quick else SMALL_GRID
    small = timed_search(ESNClassifier(random_state=0, **SMALL), small_grid, X, y)
    small_params = {**SMALL, **small.best_params_}
    few = timed_search(ESNClassifier(random_state=0, **FEW), small_grid, X, y)
    few_params = {**FEW, **few.best_params_}
    sides = {"ESNClassifier() defaults": esn({}),
             "ESNClassifier searched": esn(search.best_params_),
             "ESNClassifier searched, 10 members": esn({**search.best_params_,
                                                        "n_estimators": 10}),
             "50 small reservoirs, searched": esn(small_params),
             "5 small reservoirs, searched": esn(few_params),
             f"soft vote of the {len(ParameterGrid(grid))} configurations": grid_ensemble(grid),
             f"soft vote of the {len(ParameterGrid(small_grid))} x 5 small":
                 grid_ensemble(small_grid, **FEW)}
    if RpyReservoir is not None:
        sides["reservoirpy recipe (N=500)"] = reservoirpy_recipe
    if MiniRocketMultivariate is not None:
        sides["MiniRocket + RidgeClassifierCV"] = minirocket
    sides["KalmanLSTMClassifier (4 blocks)"] = lstm
    predictions = {k: fn(X, y, X_test) for k, fn in sides.items()}  # warm-up: compilation
    times = interleaved_timings([lambda fn=fn: fn(X, y, X_test) for fn in sides.values()],
                                repeat, pause=0.2)
    for (k, pred), t in zip(predictions.items(), times):
        print(line(k, int(np.sum(pred != y_test)), len(y_test), t))
    if MiniRocketMultivariate is not None:
        rocket = np.median(times[list(sides).index("MiniRocket + RidgeClassifierCV")])
        for side in ("ESNClassifier searched", "50 small reservoirs, searched",
                     "5 small reservoirs, searched"):
            print(f"  MiniRocket / {side} (median fit + predict): "
                  f"{rocket / np.median(times[list(sides).index(side)]):.1f}x (target >= 1)")
    for label, vote_grid, params in (("", grid, {}), (" x 5 small", small_grid, FEW)):
        seeds = [int(np.sum(grid_ensemble(vote_grid, seed, **params)(X, y, X_test) != y_test))
                 for seed in range(5)]
        print(f"  soft vote of the {len(ParameterGrid(vote_grid))} configurations{label}, "
              f"errors for random_state 0-4: {seeds}")
    for label, params in (("50", small_params), ("5", few_params)):
        seeds = [int(np.sum(ESNClassifier(random_state=seed, **params).fit(X, y)
                            .predict(X_test) != y_test)) for seed in range(5)]
        print(f"  {label} small reservoirs, searched, errors for random_state 0-4: {seeds}")
    result = pyrcn(name)
    if isinstance(result, dict):
        print(line("PyRCN ESNClassifier (own env)", result["errors"], len(y_test),
                   result["times"]))
    elif result:
        print(f"  PyRCN: {result}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a smaller search, fewer repeats")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs of each side")
    args = parser.parse_args()
    repeat = args.repeat or (2 if args.quick else 5)
    print(f"# {platform.machine()}, {os.cpu_count()} cores, {numba.get_num_threads()} numba "
          f"threads, numba {numba.__version__}, python {sys.version.split()[0]}")
    for name in SETS:
        benchmark(name, repeat, args.quick)


if __name__ == "__main__":
    main()
