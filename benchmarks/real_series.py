"""Forecasting three real series with the library's default search flow, against persistence, a
ridge AR on lags, statsmodels' AutoReg and reservoirpy, in one run.

Series (experiments.real_series): Santa Fe laser, yearly sunspots, monthly El Nino SST. Each is
split in time: the first 80% for choosing and fitting, the last 20% for the test. Ours:
``grid_search`` (walk-forward ``TimeSeriesSplit(3)`` on the first 80%) over :data:`GRID` (the
reservoir's size included; and on El Nino whether to remove its year, :data:`SEASONS`, on the
laser and sunspots whether to take a square-root-like Box-Cox transform, :data:`BOX_COX`), once
scored one step ahead and once by closed-loop forecasts of the
test horizon from 50 origins of each fold (``ClosedLoop``: with the default 10 the laser's
choice is a 1000-unit model whose test closed loop scores 1.68), each best model refitted on the
first 80% (``standardize=True``). Scores on the test part,
walking forward through the whole series: the one-step NRMSE, and the closed-loop NRMSE over
``H`` steps from up to 200 test origins evenly spread (every origin of the two short series),
each continuing the whole history before it; NRMSE is the RMS error over the standard deviation
of the first 80%, and beside it over that of the test part, the normalisation of the forecasting
issue's figures and targets (its persistence on sunspots, 0.640, is 0.630 here; 0.977 over the
first 80%'s, whose cycles are 1.5 times smaller). The AR's lag count is chosen on the last
quarter of the first 80%; AutoReg's by AIC (up to 30 lags). reservoirpy 0.4.2:
``Reservoir(300, lr=0.3, sr=1.25) >> Ridge(1e-6)`` on the z-scored series, its closed loops from
the last 500 steps before each origin.

Run with `python benchmarks/real_series.py [SERIES ...]` (the `series` and `bench` extras; all
three series by default).
"""

import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import Ridge
from sklearn.model_selection import TimeSeriesSplit

from experiments.real_series import load_series
from experiments.search import grid_search
from experiments.walk_forward import ClosedLoop
from reservoir import ESNForecaster

SETS = {"laser": 50, "sunspots": 11, "elnino": 12}  # closed-loop horizon of each series
TARGETS = {"laser": (0.04, 0.55), "sunspots": (0.35, 0.60), "elnino": (0.21, 0.43)}
GRID = {"n_reservoir": [300, 1000], "spectral_radius": [0.5, 0.9, 1.2],
        "leak_rate": [0.1, 0.3, 1.0], "input_scaling": [0.1, 0.5, 1.0],
        "ridge": [1e-6, 1e-3, 1e-1, 1.0]}
#: a calendar season the searches may remove (``seasonal_period``: None or this, chosen on
#: validation): monthly El Nino's year; the sunspot cycle has no fixed length (9-14 years)
SEASONS = {"elnino": 12}
#: a Box-Cox transform the searches may apply (``box_cox``: None or this, chosen on
#: validation): the laser's intensities and the sunspot counts, whose swings grow with their
#: level (El Nino's temperatures do not)
BOX_COX = {"laser": 0.5, "sunspots": 0.5}
CLOSED_LOOP_ORIGINS = 50  # validation origins of each fold for the closed-loop score
MAX_ORIGINS = 200


def origins(n_fit, n, horizon):
    """Test origins: every one with ``horizon`` steps after it, at most MAX_ORIGINS spread."""
    every = np.arange(n_fit, n - horizon + 1)
    pick = np.unique(np.linspace(0, len(every) - 1, min(MAX_ORIGINS, len(every))).round())
    return every[pick.astype(int)]


def scores(one_step, closed_loop, series, n_fit, horizon, scale):
    """(one-step NRMSE, closed-loop NRMSE) on the test part from a one-step predictor
    (``one_step(t)`` = forecast of series[t] from series[:t], vectorised over t) and a closed-loop
    forecaster (``closed_loop(o, h)`` = h steps after series[:o])."""
    t = np.arange(n_fit, len(series))
    one = np.sqrt(np.mean((one_step(t) - series[t]) ** 2)) / scale
    errors = [closed_loop(o, horizon) - series[o:o + horizon]
              for o in origins(n_fit, len(series), horizon)]
    return float(one), float(np.sqrt(np.mean(np.square(errors))) / scale)


def lag_matrix(series, p):
    """Rows [s(t-1), ..., s(t-p)] for t = p .. n-1."""
    return np.stack([series[p - k:len(series) - k] for k in range(1, p + 1)], axis=1)


def ar_iterate(coef, intercept, history, horizon):
    """Closed loop of an AR with lag weights ``coef`` (most recent first)."""
    buf = list(history[-len(coef):])
    out = []
    for _ in range(horizon):
        y = intercept + float(np.dot(coef, buf[::-1][:len(coef)]))
        out.append(y)
        buf.append(y)
    return np.array(out)


def ridge_ar(series, n_fit):
    """Ridge on p lags, p and alpha chosen on the last quarter of the fitting part."""
    fit = series[:n_fit]
    cut = int(0.75 * n_fit)
    best = None
    for p in (1, 2, 3, 4, 6, 8, 12, 16, 24, 30):
        for alpha in (1e-3, 1e-1, 10.0):
            X = lag_matrix(fit, p)
            model = Ridge(alpha=alpha).fit(X[:cut - p], fit[p:cut])
            err = np.mean((model.predict(X[cut - p:]) - fit[cut:]) ** 2)
            if best is None or err < best[0]:
                best = (err, p, alpha)
    _, p, alpha = best
    model = Ridge(alpha=alpha).fit(lag_matrix(fit, p), fit[p:])
    full = lag_matrix(series, p)
    return (lambda t: model.predict(full[t - p]),
            lambda o, h: ar_iterate(model.coef_, model.intercept_, series[:o], h), p)


def autoreg(series, n_fit):
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    lags = ar_select_order(series[:n_fit], maxlag=30, ic="aic").ar_lags or [1]
    p = max(lags)
    res = AutoReg(series[:n_fit], lags=p).fit()
    intercept, coef = res.params[0], res.params[1:]
    full = lag_matrix(series, p)
    return (lambda t: intercept + full[t - p] @ coef,
            lambda o, h: ar_iterate(coef, intercept, series[:o], h), p)


def reservoirpy_esn(series, n_fit, mean, std):
    from reservoirpy.nodes import Reservoir
    from reservoirpy.nodes import Ridge as RpyRidge

    z = ((series - mean) / std)[:, None]
    reservoir = Reservoir(300, lr=0.3, sr=1.25, seed=0)
    readout = RpyRidge(ridge=1e-6)
    esn = reservoir >> readout
    esn.fit(z[:n_fit - 1], z[1:n_fit], warmup=100)
    reservoir.reset()
    one = np.asarray(esn.run(z[:-1])).ravel() * std + mean  # row t-1 forecasts s(t)

    def closed_loop(o, h):
        reservoir.reset()
        y = np.asarray(esn.run(z[max(0, o - 500):o]))[-1:]
        out = []
        for _ in range(h):
            out.append(float(y[0, 0]))
            y = np.asarray(esn.run(y))
        return np.array(out) * std + mean

    return (lambda t: one[t - 1]), closed_loop


def ours(series, n_fit, horizon, scoring, period=None, box_cox=None):
    start = time.perf_counter()
    base = ESNForecaster(300, washout=min(100, n_fit // 10), standardize=True, random_state=0)
    grid = GRID if period is None else {**GRID, "seasonal_period": [None, period]}
    grid = grid if box_cox is None else {**grid, "box_cox": [None, box_cox]}
    result = grid_search(base, grid, series[:n_fit], cv=TimeSeriesSplit(3), scoring=scoring)
    model = result.best_estimator_
    seconds = time.perf_counter() - start
    pred = model.predict(series)

    def closed_loop(o, h):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                return model.forecast(h, context=series[:o])
            except FloatingPointError:
                return np.full(h, np.nan)

    return (lambda t: pred[t - 1]), closed_loop, result.best_params_, seconds


def main():
    try:
        import reservoirpy  # noqa: F401
        have_rpy = True
    except ImportError:
        have_rpy = False
    for name, horizon in SETS.items():
        if len(sys.argv) > 1 and name not in sys.argv[1:]:
            continue
        series = load_series(name)
        n_fit = int(0.8 * len(series))
        mean, std = series[:n_fit].mean(), series[:n_fit].std()
        print(f"\n{name}: {len(series)} steps, test {len(series) - n_fit}, horizon {horizon}, "
              f"{len(origins(n_fit, len(series), horizon))} test origins")
        rows = {"persistence": ((lambda t: series[t - 1]),
                                (lambda o, h: np.repeat(series[o - 1], h)))}
        one, loop, p = ridge_ar(series, n_fit)
        rows[f"ridge AR ({p} lags)"] = (one, loop)
        one, loop, p = autoreg(series, n_fit)
        rows[f"statsmodels AutoReg ({p} lags, AIC)"] = (one, loop)
        if have_rpy:
            rows["reservoirpy ESN (300)"] = reservoirpy_esn(series, n_fit, mean, std)
        for label, scoring in (("one-step", None),
                               ("closed-loop", ClosedLoop(horizon, n_origins=CLOSED_LOOP_ORIGINS))):
            one, loop, params, seconds = ours(series, n_fit, horizon, scoring, SEASONS.get(name),
                                              BOX_COX.get(name))
            rows[f"numba-rnn, searched {label}"] = (one, loop)
            print(f"  search by {label} score ({seconds:.1f} s): {params}")
        target_one, target_loop = TARGETS[name]
        ratio = std / series[n_fit:].std()  # NRMSE over the test part's spread / over the fit's
        print(f"  {'NRMSE over the spread of':42s} {'the first 80%':>29s}   {'the test part':>29s}")
        print(f"  {'model':42s} {'one-step':>14s} {'closed loop':>14s}   {'one-step':>14s} "
              f"{'closed loop':>14s}")
        for label, (one, loop) in rows.items():
            a, b = scores(one, loop, series, n_fit, horizon, std)
            print(f"  {label:42s} {a:14.4f} {b:14.4f}   {a * ratio:14.4f} {b * ratio:14.4f}")
        print(f"  {'targets (the issue)':42s} {'':29s}   {target_one:14.4f} {target_loop:14.4f}")


if __name__ == "__main__":
    main()
