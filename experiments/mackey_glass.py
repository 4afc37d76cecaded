"""Mackey-Glass tau=17 forecasting with Jaeger's NRMSE84 protocol (the main job).

Jaeger (2001, GMD report 148) and Jaeger & Haas (2004): train on a squashed MG17 series, then,
from ``n_trials`` starting points on fresh data, run 1000 teacher-forced steps and 84
free-running steps; ``NRMSE84 = sqrt(mean over trials of e84^2 / var(series))`` with e84 the error
of the 84th forecast in original units (after undoing the squashing).
"""

import numpy as np
import xarray as xr

from reservoir import ESNForecaster
from reservoir.common.progress import Progress

from ._docstrings import fill_doc
from .datasets import mackey_glass, mackey_glass_unsquash
from .protocol import Option, Protocol, positive_int
from .results import finish
from .timing import Timer

PUBLISHED = {
    "Jaeger 2001 (400 units, 3000 training steps)": 2.8e-4,
    "Jaeger & Haas 2004 (1000 units)": 10 ** -4.2,
}

#: Hyperparameters of the reproduction, chosen on a series drawn with seed 42 (not a test seed).
PARAMS = dict(spectral_radius=0.95, leak_rate=0.5, input_scaling=1.0, bias_scaling=0.2,
              density=0.01, ridge=1e-14, standardize=False)


@fill_doc
def run(n_reservoir=1000, n_train=3000, washout=100, n_trials=20, context=1000, horizon=84,
        seed=0, device="cpu", dtype="float64", verbose=False, **params):
    """Fit an ESNForecaster on MG17 and measure NRMSE84 (Jaeger 2001 protocol).

    Parameters
    ----------
    n_reservoir : int, default=1000
        Reservoir size.
    n_train : int, default=3000
        Training steps after the washout.
    washout : int, default=100
        Steps discarded at the start of training and of every trial's context.
    n_trials : int, default=20
        Trials on consecutive fresh blocks of the series.
    context : int, default=1000
        Teacher-forced steps before each trial's forecast.
    horizon : int, default=84
        Free-running steps; the error of the last one is scored.
    {seed}
    {esn_run}

    Returns
    -------
    ds : xarray.Dataset
        ``forecast`` and ``truth`` (trial, step) in original units, ``error84`` (trial); the
        attributes ``nrmse84`` (NaN when a trial diverged) and ``n_diverged``, the trials whose
        forecast left the squashed series' range (-1, 1), where it has no original value.
    """
    params = {**PARAMS, **params}
    block = context + horizon
    series = mackey_glass(washout + n_train + 1 + n_trials * block, squash=True,
                          random_state=seed)
    original = mackey_glass_unsquash(series)
    train_end = washout + n_train + 1
    esn = ESNForecaster(n_reservoir, washout=washout, device=device, dtype=dtype,
                        random_state=seed, verbose=verbose, **params)
    with Timer() as fit_time:
        esn.fit(series[:train_end])
    forecasts, truths = [], []
    with Timer() as test_time, Progress(n_trials, "trials", enabled=verbose, unit="") as bar:
        for k in range(n_trials):
            a = train_end + k * block
            pred = esn.forecast(horizon, context=series[a:a + context])
            with np.errstate(invalid="ignore"):  # a diverged forecast leaves (-1, 1): NaN
                forecasts.append(mackey_glass_unsquash(pred))
            truths.append(original[a + context:a + block])
            bar.update()
    forecasts, truths = np.array(forecasts), np.array(truths)
    error84 = forecasts[:, -1] - truths[:, -1]
    nrmse84 = float(np.sqrt(np.mean(error84 ** 2) / original.var()))
    n_diverged = int((~np.isfinite(forecasts).all(axis=1)).sum())
    ds = xr.Dataset(
        {"forecast": (("trial", "step"), forecasts, {"long_name": "free-running forecast"}),
         "truth": (("trial", "step"), truths, {"long_name": "Mackey-Glass series"}),
         "error84": ("trial", error84, {"long_name": "error of the 84th forecast"})},
        coords={"trial": np.arange(n_trials), "step": np.arange(1, horizon + 1)})
    return finish(ds, "Mackey-Glass tau=17, NRMSE84", "mackey-glass", dict(
        nrmse84=nrmse84, n_diverged=n_diverged, n_reservoir=n_reservoir, n_train=n_train,
        washout=washout, n_trials=n_trials, context=context, horizon=horizon, seed=seed,
        dtype=dtype, dt=1.0, time_unit="time units", fit_seconds=fit_time.seconds,
        test_seconds=test_time.seconds, **params))


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    lines = [f"Mackey-Glass tau=17: ESN with {a['n_reservoir']} units ({a['dtype']}), "
             f"{a['n_train']} training steps, {a['n_trials']} trials",
             f"  NRMSE84 = {a['nrmse84']:.2e}   (fit {a['fit_seconds']:.1f} s, "
             f"trials {a['test_seconds']:.1f} s)"]
    if a["n_diverged"]:
        lines.append(f"  {a['n_diverged']} of {a['n_trials']} trials diverged (the forecast left "
                     "the squashed series' range (-1, 1)), so NRMSE84 is undefined: train on "
                     "more steps (--n-train).")
    lines += [f"  published: {name}: {value:.1e}" for name, value in PUBLISHED.items()]
    return "\n".join(lines)


def _figure(ds, path):
    from . import plots

    return plots.forecast_figure(ds, path, ylabel="y")


PROTOCOLS = [Protocol("mackey-glass", "Mackey-Glass tau=17 NRMSE84 (Jaeger 2001 protocol)", run,
                      summary, options=(Option("--n-reservoir", dict(type=positive_int,
                                  help="reservoir units (default: the protocol's)")),
                                        Option("--trials", dict(type=positive_int,
                             help="forecasts from this many starting points"), key="n_trials")),
                      plot=_figure, dtype=True)]
