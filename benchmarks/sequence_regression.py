"""One number per sequence (time series extrinsic regression, Tan et al. 2021): test RMSE and
fit + predict time of ESNSequenceRegressor against references, in one run, on the two sets of
that archive that the sktime wheel ships (the `archives` extra): Tecator (fat content of meat
from 100-band absorbance spectra, 172/43 sequences) and Covid3Month (a country's death rate from
its daily cases over 84 days, 140/61).

Contenders, each fitted on the published training split and scored on the test split:

* the training targets' mean (what an RMSE is to be read against);
* a ridge regression of the raw values (the sequences are of equal length), standardised, its
  penalty by scikit-learn's ``RidgeCV`` (leave-one-out);
* MiniRocket (sktime's ``MiniRocketMultivariate``) with a standardisation and ``RidgeCV``, the
  strong, fast non-reservoir baseline of the archive's paper;
* ``ESNSequenceRegressor()``: the defaults, no search;
* ``ESNSequenceRegressor`` searched: hyperparameters chosen on the training split only, by
  ``grid_search`` (5 shuffled folds of sequences, RMSE) over :data:`GRID`.

For both of ours, the share of the test targets that 90% jackknife intervals
(``predict_interval``, from the training sequences' leave-one-out residuals) hold, and their
half-width. Times interleave the contenders (one fit + predict of each, ``--repeat`` times,
0.2 s apart), after one warm-up each (Numba compilation excluded), and print best and median.
Run with `python benchmarks/sequence_regression.py`.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler
from timing import interleaved_timings

from experiments.archives import load_archive
from experiments.search import grid_search
from reservoir import ESNSequenceRegressor

SETS = ("tecator", "covid-3-month")
GRID = {"representation": ["last_mean", "model"], "bidirectional": [False, True],
        "leak_rate": [0.1, 0.3, 1.0], "input_scaling": [0.05, 0.2, 1.0]}
ALPHAS = np.logspace(-3, 3, 13)
COVERAGE = 0.9

try:
    from sktime.transformations.panel.rocket import MiniRocketMultivariate
except ImportError:  # MiniRocket needs sktime's numba extras
    MiniRocketMultivariate = None


def mean(X, y, X_test):
    return np.full(len(X_test), y.mean())


def ridge_raw(X, y, X_test):
    scaler = StandardScaler()
    A = scaler.fit_transform(np.stack([x.ravel() for x in X]))
    model = RidgeCV(alphas=ALPHAS).fit(A, y)
    return model.predict(scaler.transform(np.stack([x.ravel() for x in X_test])))


def minirocket(X, y, X_test):
    panel = np.stack([x.T for x in X])  # (n, n_channels, n_steps): equal lengths here
    rocket = MiniRocketMultivariate(random_state=0).fit(panel)
    scaler = StandardScaler()  # (by hand: sktime's transformers break sklearn 1.9's Pipeline)
    F = scaler.fit_transform(np.asarray(rocket.transform(panel)))
    F_test = scaler.transform(np.asarray(rocket.transform(np.stack([x.T for x in X_test]))))
    return RidgeCV(alphas=ALPHAS).fit(F, y).predict(F_test)


def esn(params):
    def run(X, y, X_test):
        return ESNSequenceRegressor(random_state=0, **params).fit(X, y).predict(X_test)
    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for name in SETS:
        X, y = load_archive(name, "train")
        X_test, y_test = load_archive(name, "test")
        start = time.perf_counter()
        search = grid_search(ESNSequenceRegressor(random_state=0), GRID, X, y,
                             cv=KFold(5, shuffle=True, random_state=0),
                             scoring="neg_root_mean_squared_error")
        seconds = time.perf_counter() - start
        print(f"\n{name}: {len(X)} train / {len(X_test)} test sequences of "
              f"{len(X[0])} steps; search {seconds:.1f} s, chose {search.best_params_}")
        sides = {"training mean": mean, "ridge on the raw values": ridge_raw,
                 "ESNSequenceRegressor()": esn({}),
                 "ESNSequenceRegressor searched": esn(search.best_params_)}
        if MiniRocketMultivariate is not None:
            sides["MiniRocket + RidgeCV"] = minirocket
        errors = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for label, fn in sides.items():  # warm-up (compilation), and the test error
                errors[label] = np.sqrt(np.mean((fn(X, y, X_test) - y_test) ** 2))
            times = interleaved_timings([lambda fn=fn: fn(X, y, X_test)
                                         for fn in sides.values()], args.repeat, pause=0.2)
        print(f"  {'contender':32s} {'test RMSE':>10s} {'fit + predict, best / median':>30s}")
        for (label, rmse), t in zip(errors.items(), times):
            print(f"  {label:32s} {rmse:10.4f} {min(t):14.3f} / {np.median(t):.3f} s")
        for label, params in (("ESNSequenceRegressor()", {}),
                              ("ESNSequenceRegressor searched", search.best_params_)):
            model = ESNSequenceRegressor(random_state=0, **params).fit(X, y)
            lower, upper = model.predict_interval(X_test, COVERAGE)
            held = np.mean((lower <= y_test) & (y_test <= upper))
            print(f"  {label:32s} {COVERAGE:.0%} intervals hold {held:.1%} of the test targets, "
                  f"half-width {np.mean(upper - lower) / 2:.4g}")


if __name__ == "__main__":
    main()
