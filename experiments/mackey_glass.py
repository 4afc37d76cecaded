"""Mackey-Glass tau=17 forecasting with Jaeger's NRMSE84 protocol (the main job).

Jaeger (2001, GMD report 148) and Jaeger & Haas (2004): train on a squashed MG17 series, then,
from ``n_trials`` starting points, run 1000 teacher-forced steps and 84 free-running steps; the
NRMSE84 is ``sqrt(mean over trials of e84^2 / var(series))`` with e84 the error of the 84th
forecast in original units (after undoing the squashing).
"""

import time
from dataclasses import dataclass

import numpy as np

from reservoir import ESNForecaster

from .datasets import mackey_glass, mackey_glass_unsquash

PUBLISHED = {
    "Jaeger 2001 (400 units, 3000 training steps)": 2.8e-4,
    "Jaeger & Haas 2004 (1000 units)": 10 ** -4.2,
}

#: Hyperparameters of the reproduction (chosen on a separate seed of the series).
DEFAULTS = dict(spectral_radius=0.95, leak_rate=0.5, input_scaling=1.0, bias_scaling=0.2,
                density=0.01, ridge=1e-14)


@dataclass
class NRMSE84Result:
    nrmse84: float
    errors: np.ndarray  # (n_trials,) error of the 84th step, original units
    forecasts: np.ndarray  # (n_trials, horizon) free-running forecasts, original units
    truths: np.ndarray  # (n_trials, horizon)
    fit_seconds: float
    test_seconds: float


def run(n_reservoir=1000, n_train=3000, washout=100, n_trials=20, context=1000, horizon=84,
        seed=0, device="cpu", **params):
    """Fit an ESNForecaster on MG17 and measure its NRMSE84. Returns :class:`NRMSE84Result`."""
    params = {**DEFAULTS, **params}
    block = context + horizon
    series = mackey_glass(washout + n_train + 1 + n_trials * block, squash=True,
                          random_state=seed)
    original = mackey_glass_unsquash(series)
    train_end = washout + n_train + 1
    esn = ESNForecaster(n_reservoir, washout=washout, device=device, random_state=seed, **params)
    t0 = time.perf_counter()
    esn.fit(series[:train_end])
    t1 = time.perf_counter()
    forecasts, truths = [], []
    for k in range(n_trials):
        a = train_end + k * block
        pred = esn.forecast(horizon, context=series[a:a + context])
        with np.errstate(invalid="ignore"):  # a diverged forecast leaves [-1, 1]: NaN error
            forecasts.append(mackey_glass_unsquash(pred))
        truths.append(original[a + context:a + block])
    t2 = time.perf_counter()
    forecasts, truths = np.array(forecasts), np.array(truths)
    errors = forecasts[:, -1] - truths[:, -1]
    nrmse84 = float(np.sqrt(np.mean(errors ** 2) / original.var()))
    return NRMSE84Result(nrmse84, errors, forecasts, truths, t1 - t0, t2 - t1)


def report(result, n_reservoir, n_train):
    lines = [f"Mackey-Glass tau=17, ESN with {n_reservoir} units, {n_train} training steps",
             f"  NRMSE84 = {result.nrmse84:.2e}   (fit {result.fit_seconds:.1f} s, "
             f"{len(result.errors)} trials {result.test_seconds:.1f} s)"]
    lines += [f"  published: {name}: {value:.1e}" for name, value in PUBLISHED.items()]
    return "\n".join(lines)
