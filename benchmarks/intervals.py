"""Prediction intervals on three real series: ``ConformalForecaster`` around an
``ESNForecaster`` against statsmodels' AutoReg and its Gaussian forecast intervals, in one run.

Series (experiments.real_series): Santa Fe laser (horizon 50), yearly sunspots (11), monthly
El Nino SST (12), the first 80% to fit, the last 20% to test. Ours: ``ConformalForecaster(
esn, horizon=H, coverage=C)``, the intervals calibrated on the last quarter of the first 80%,
around two ESNs: the defaults (``ESNForecaster(300, washout=min(100, n_fit // 10),
random_state=0)``: standardised series, ridge chosen by cross-validation), and the one that
``real_series.py``'s closed-loop search chooses on the first 80% (its grid, walk-forward folds,
closed-loop NRMSE of H steps from 50 origins of each fold), the latter also with
``scale_window=None`` (errors in the series' units instead of the local spread's). AutoReg:
lags by AIC (up to 30) on the first 80%, its intervals from ``get_prediction`` (the AR's
forecast variance, Gaussian errors), its parameters kept and applied to the history before
each origin. Both forecast H
steps from up to 200 test origins evenly spread (every origin of the short series), each
continuing the whole history before it. Printed for each: the share of test values inside
the interval (the target is C), the mean width and the mean interval score (Winkler's: the
width plus 2 / (1 - C) times the distance of a value outside the interval to it; lower is
better), both over the standard deviation of the test part; and the fit time.

Run with `python benchmarks/intervals.py` (the `series` extra).
"""

import time
import warnings

import numpy as np
from real_series import CLOSED_LOOP_ORIGINS, GRID, origins
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit

from experiments.metrics import interval_coverage, interval_score
from experiments.real_series import load_series
from experiments.search import grid_search
from experiments.walk_forward import ClosedLoop
from reservoir import ConformalForecaster, ESNForecaster

SETS = {"laser": 50, "sunspots": 11, "elnino": 12}
COVERAGES = (0.8, 0.9)


def judged(lower, upper, truth, coverage, scale):
    """(share inside, mean width / scale, mean interval score / scale) of intervals
    (n_origins, horizon) against the truth there."""
    return (interval_coverage(truth, lower, upper), float((upper - lower).mean() / scale),
            interval_score(truth, lower, upper, coverage) / scale)


def default_esn(series, n_fit, horizon):
    return ESNForecaster(300, washout=min(100, n_fit // 10), random_state=0)


def searched_esn(series, n_fit, horizon):
    base = ESNForecaster(300, washout=min(100, n_fit // 10), random_state=0)
    scoring = ClosedLoop(horizon, n_origins=CLOSED_LOOP_ORIGINS)
    found = grid_search(base, GRID, series[:n_fit], cv=TimeSeriesSplit(3), scoring=scoring)
    return clone(found.best_estimator_)


def conformal(esn, series, n_fit, horizon, coverage, starts, scale_window="horizon"):
    start = time.perf_counter()
    model = ConformalForecaster(esn, horizon=horizon, coverage=coverage,
                                scale_window=scale_window).fit(series[:n_fit])
    seconds = time.perf_counter() - start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        bounds = np.stack([model.forecast(horizon, context=series[:o], return_interval=True)[1:]
                           for o in starts])
    return bounds[:, 0], bounds[:, 1], seconds


def autoreg(series, n_fit, horizon, coverage, starts):
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    start = time.perf_counter()
    lags = ar_select_order(series[:n_fit], maxlag=30, ic="aic").ar_lags or [1]
    res = AutoReg(series[:n_fit], lags=max(lags)).fit()
    seconds = time.perf_counter() - start
    bounds = np.stack([res.apply(series[:o]).get_prediction(start=o, end=o + horizon - 1)
                       .conf_int(alpha=1 - coverage) for o in starts])
    return bounds[..., 0], bounds[..., 1], seconds


def main():
    for name, horizon in SETS.items():
        series = load_series(name)
        n_fit = int(0.8 * len(series))
        starts = origins(n_fit, len(series), horizon)
        truth = np.stack([series[o:o + horizon] for o in starts])
        scale = series[n_fit:].std()
        print(f"\n{name}: {len(series)} steps, fit on {n_fit}, horizon {horizon}, "
              f"{len(starts)} test origins")
        esns = {"defaults": default_esn(series, n_fit, horizon),
                "closed-loop search": searched_esn(series, n_fit, horizon)}
        print(f"  {'model':<40} {'coverage':>8} {'inside':>7} {'width':>9} {'score':>9} "
              f"{'fit s':>6}")
        for coverage in COVERAGES:
            rows = {f"conformal ESN, {label}": (lambda *a, esn=esn: conformal(esn, *a))
                    for label, esn in esns.items()}
            rows["  the same, scale_window=None"] = lambda *a: conformal(
                esns["closed-loop search"], *a, scale_window=None)
            rows["statsmodels AutoReg (AIC lags)"] = autoreg
            for label, method in rows.items():
                lower, upper, seconds = method(series, n_fit, horizon, coverage, starts)
                inside, width, score = judged(lower, upper, truth, coverage, scale)
                print(f"  {label:<40} {coverage:>8.2f} {inside:>7.3f} {width:>9.3g} "
                      f"{score:>9.3g} {seconds:>6.2f}")


if __name__ == "__main__":
    main()
