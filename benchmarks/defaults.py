"""The ESN estimators' default reservoir against the first version's, on twelve tasks: what a
user gets from ``ESNRegressor()`` and ``ESNForecaster()`` with no parameter set; and
``KalmanLSTMRegressor()`` with its default (full) Jacobian against the truncated one it had
before, on the regressions below and the input 3 steps back (test R^2 and fit time), and the
full Jacobian's cost as the network grows.

Each task runs both default sets of ``spectral_radius``, ``leak_rate`` and ``input_scaling``,
and for the forecaster ``standardize`` (300 units, ridge chosen by ``fit``), over ``--seeds``
draws, and prints the median (and range):

* regressions of an input stream (uniform in [-1, 1]; 2000 steps to train, 1000 to test, test
  R^2): the input 5 and 15 steps back, NARMA10, the moving sum of the last 20 inputs (over 5),
  the exponential average of the input (rate 0.05);
* forecasts, of the series as they come: Mackey-Glass (tau 17) in closed loop over 84 steps
  after 3000 (NRMSE), Lorenz-63 in closed loop after 5000 steps (valid prediction time in
  Lyapunov times), and one step ahead, teacher forced, on the three real series of
  :mod:`experiments.real_series` (the `series` extra; fitted on the first 80%, NRMSE over the
  last 20%'s spread).

Run with `python benchmarks/defaults.py [--seeds 5]`.
"""

import argparse
import time
import warnings

import numpy as np

from experiments.datasets import lorenz63, mackey_glass, narma
from experiments.metrics import nrmse, valid_prediction_time
from lstm import KalmanLSTMRegressor
from reservoir import ESNForecaster, ESNRegressor

#: The defaults of the first version and now: (spectral_radius, leak_rate, input_scaling), and
#: the forecaster's standardize (the regressor's stays False).
SETS = {"first version": ((1.25, 0.3, 1.0), False), "now": ((1.0, 0.9, 0.4), True)}
LORENZ_EXPONENT = 0.906


def _params(values, standardize, forecaster):
    params = dict(zip(("spectral_radius", "leak_rate", "input_scaling"), values))
    return {**params, "standardize": standardize} if forecaster else params


def exponential_average(u, rate):
    out = np.zeros_like(u)
    for t in range(1, len(u)):
        out[t] = (1 - rate) * out[t - 1] + rate * u[t]
    return out


def regressions():
    u = np.random.default_rng(0).uniform(-1, 1, size=(3000, 1))
    s = u[:, 0]
    narma_u, narma_y = narma(3000, random_state=0)
    return {"input 5 steps back, R^2": (u, np.r_[np.zeros(5), s[:-5]]),
            "input 15 steps back, R^2": (u, np.r_[np.zeros(15), s[:-15]]),
            "NARMA10, R^2": (np.asarray(narma_u).reshape(-1, 1), np.asarray(narma_y)),
            "moving sum of 20 inputs, R^2": (u, np.convolve(s, np.ones(20))[:3000] / 5),
            "exponential average (0.05), R^2": (u, exponential_average(s, 0.05))}


def regression_score(X, y, params, seed):
    model = ESNRegressor(random_state=seed, **params).fit(X[:2000], y[:2000])
    return model.score(X[2000:], y[2000:])


def mackey_glass_score(params, seed, series=mackey_glass(3084, random_state=0)):
    model = ESNForecaster(random_state=seed, **params).fit(series[:3000])
    return nrmse(series[3000:], model.forecast(84))


def lorenz_score(params, seed, data=lorenz63(6000, random_state=0)):
    model = ESNForecaster(random_state=seed, **params).fit(data[:5000])
    return valid_prediction_time(data[5000:], model.forecast(1000), dt=0.02,
                                 lyapunov_exponent=LORENZ_EXPONENT).lyapunov_times


def one_step_score(series, params, seed):
    n = int(0.8 * len(series))
    model = ESNForecaster(random_state=seed, washout=min(100, n // 10), **params).fit(
        series[:n])
    pred = model.predict(series)[n - 1:-1]
    return float(np.sqrt(np.mean((pred - series[n:]) ** 2)) / series[n:].std())


def tasks():
    """{name: (score(params, seed), whether it forecasts)} of every task."""
    out = {name: ((lambda p, s, X=X, y=y: regression_score(X, y, p, s)), False)
           for name, (X, y) in regressions().items()}
    out["Mackey-Glass closed loop 84, NRMSE"] = (mackey_glass_score, True)
    out["Lorenz-63 valid time, Lyapunov times"] = (lorenz_score, True)
    try:
        from experiments.real_series import load_series
    except ImportError:  # the `series` extra
        print("(the real series need the `series` extra: skipped)")
        return out
    for name in ("laser", "sunspots", "elnino"):
        series = np.asarray(load_series(name), dtype=float).reshape(-1, 1)
        out[f"{name} one step, NRMSE"] = ((lambda p, s, x=series: one_step_score(x, p, s)), True)
    return out


def lstm_table(seeds):
    """The Kalman LSTM regressor's default against the truncated Jacobian: R^2 and fit time."""
    print(f"\nKalmanLSTMRegressor(), median (min-max) of {seeds} draws, test R^2; median fit time")
    print("| task | jacobian='truncated' (first version) | jacobian='full' (now) |")
    print("| --- | --- | --- |")
    u = np.random.default_rng(0).uniform(-1, 1, size=(3000, 1))
    tasks = {"input 3 steps back, R^2": (u, np.r_[np.zeros(3), u[:-3, 0]]), **regressions()}
    for name, (X, y) in tasks.items():
        cells = []
        for jacobian in ("truncated", "full"):
            scores, seconds = [], []
            for seed in range(seeds):
                start = time.perf_counter()
                model = KalmanLSTMRegressor(jacobian=jacobian, random_state=seed).fit(
                    X[:2000], y[:2000])
                seconds.append(time.perf_counter() - start)
                scores.append(model.score(X[2000:], y[2000:]))
            cells.append(f"{np.median(scores):.3g} ({min(scores):.3g}-{max(scores):.3g}), "
                         f"{np.median(seconds):.2f} s")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def lstm_cost(repeats=3):
    """What the full Jacobian costs as the network grows: fit time (best of ``repeats``,
    interleaved) of 2 epochs over 2000 steps, by the number of blocks."""
    u = np.random.default_rng(0).uniform(-1, 1, size=(2001, 1))
    print("\nKalmanLSTMRegressor fit, 2 epochs of 2000 steps, best of 3: truncated, full, ratio")
    for blocks in (2, 4, 8, 16):
        best = {}
        for _ in range(repeats):
            for jacobian in ("truncated", "full"):
                model = KalmanLSTMRegressor(blocks, jacobian=jacobian, epochs=2, random_state=0)
                start = time.perf_counter()
                model.fit(u[:-1], u[1:, 0])
                best[jacobian] = min(best.get(jacobian, np.inf), time.perf_counter() - start)
        print(f"  {blocks:2d} blocks: {best['truncated']:.3f} s, {best['full']:.3f} s, "
              f"{best['full'] / best['truncated']:.1f}x", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # the closed loops' divergence warnings
    print(f"median (min-max) of {args.seeds} draws, 300 units, ridge chosen by fit\n")
    print("| task | " + " | ".join(f"{k} {v}" for k, v in SETS.items()) + " |")
    print("| --- |" + " --- |" * len(SETS))
    for name, (score, forecaster) in tasks().items():
        cells = []
        for values, standardize in SETS.values():
            params = _params(values, standardize, forecaster)
            scores = [score(params, seed) for seed in range(args.seeds)]
            cells.append(f"{np.median(scores):.3g} ({min(scores):.3g}-{max(scores):.3g})")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    lstm_table(args.seeds)
    lstm_cost()


if __name__ == "__main__":
    main()
