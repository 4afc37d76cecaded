"""Lorenz-63 closed-loop forecasting: valid prediction time in Lyapunov times.

Protocol (after Pathak et al. 2018): the series (dt = 0.02) is standardised with the training
statistics; an ESNForecaster is trained on ``n_train`` steps; from ``n_trials`` starting points on
fresh data it runs ``context`` teacher-forced steps, then forecasts ``horizon`` steps. The valid
time is the first step where ``||forecast - truth|| / scale`` exceeds 0.5, with ``scale`` the
RMS distance of the training series from its mean, in Lyapunov times (exponent 0.906).
"""

import numpy as np
import xarray as xr

from reservoir import ESNForecaster
from reservoir.common.progress import Progress

from ._docstrings import fill_doc
from .datasets import LYAPUNOV_EXPONENTS, lorenz63
from .metrics import valid_prediction_time
from .protocol import Option, Protocol, positive_int
from .results import finish
from .timing import Timer

#: Chosen on a series drawn with seed 7 (not a test seed).
PARAMS = dict(spectral_radius=0.4, leak_rate=0.5, input_scaling=0.5, bias_scaling=0.5,
              density=0.01, squares=True, ridge=1e-16, standardize=False)

PUBLISHED = {"typical ESN results in the literature (ridge 1e-4..1e-6)": "5-10 Lyapunov times"}


@fill_doc
def run(n_reservoir=1000, n_train=20000, washout=200, n_trials=10, context=500, horizon=1500,
        dt=0.02, threshold=0.5, seed=0, device="cpu", dtype="float64", verbose=False, **params):
    """Fit an ESNForecaster on Lorenz-63 and measure valid prediction times.

    Parameters
    ----------
    n_reservoir : int, default=1000
        Reservoir size.
    n_train : int, default=20000
        Training steps after the washout.
    washout : int, default=200
        Steps discarded at the start of training and of every trial's context.
    n_trials : int, default=10
        Trials on consecutive fresh stretches of the series.
    context : int, default=500
        Teacher-forced steps before each trial's forecast.
    horizon : int, default=1500
        Free-running steps per trial.
    dt : float, default=0.02
        Time between samples.
    threshold : float, default=0.5
        Normalised error that ends the valid time.
    {seed}
    {esn_run}

    Returns
    -------
    ds : xarray.Dataset
        ``forecast`` and ``truth`` (trial, step, variable), ``valid_time`` (trial) in Lyapunov
        times; the attribute ``median_valid_time``.
    """
    params = {**PARAMS, **params}
    lyap = LYAPUNOV_EXPONENTS["lorenz63"]
    block = context + horizon
    train_end = washout + n_train + 1
    data = lorenz63(train_end + n_trials * block, dt=dt, random_state=seed)
    mean, std = data[:train_end].mean(axis=0), data[:train_end].std(axis=0)
    scale = float(np.sqrt(np.mean(np.sum((data[:train_end] - mean) ** 2, axis=1))))
    z = (data - mean) / std
    esn = ESNForecaster(n_reservoir, washout=washout, device=device, dtype=dtype,
                        random_state=seed, verbose=verbose, **params)
    with Timer() as fit_time:
        esn.fit(z[:train_end])
    forecasts, truths, valid = [], [], []
    with Timer() as test_time, Progress(n_trials, "trials", enabled=verbose, unit="") as bar:
        for k in range(n_trials):
            a = train_end + k * block
            pred = esn.forecast(horizon, context=z[a:a + context]) * std + mean
            truth = data[a + context:a + block]
            vt = valid_prediction_time(truth, pred, dt=dt, threshold=threshold,
                                       lyapunov_exponent=lyap, scale=scale)
            forecasts.append(pred)
            truths.append(truth)
            valid.append(vt.lyapunov_times)
            bar.update()
    valid = np.array(valid)
    dims = ("trial", "step", "variable")
    ds = xr.Dataset(
        {"forecast": (dims, np.array(forecasts), {"long_name": "free-running forecast"}),
         "truth": (dims, np.array(truths), {"long_name": "Lorenz-63 trajectory"}),
         "valid_time": ("trial", valid, {"long_name": "valid prediction time",
                                         "units": "Lyapunov times"})},
        coords={"trial": np.arange(n_trials), "step": np.arange(1, horizon + 1),
                "variable": ["x", "y", "z"]})
    return finish(ds, "Lorenz-63, valid prediction time", "lorenz", dict(
        median_valid_time=float(np.median(valid)), n_reservoir=n_reservoir, n_train=n_train,
        washout=washout, n_trials=n_trials, context=context, horizon=horizon, dt=dt,
        time_unit="model time", threshold=threshold, lyapunov_exponent=lyap, seed=seed,
        dtype=dtype, fit_seconds=fit_time.seconds, test_seconds=test_time.seconds, **params))


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    vt = ds["valid_time"].values
    return "\n".join([
        f"Lorenz-63: ESN with {a['n_reservoir']} units ({a['dtype']}), {a['n_train']} training "
        f"steps, {a['n_trials']} trials",
        f"  valid time: median {a['median_valid_time']:.1f} Lyapunov times "
        f"(min {vt.min():.1f}, max {vt.max():.1f})   (fit {a['fit_seconds']:.1f} s)",
        *[f"  published: {k}: {v}" for k, v in PUBLISHED.items()]])


def _figure(ds, path):
    from . import plots

    best = int(np.argmax(ds["valid_time"].values))
    steps = int(round(float(ds["valid_time"][best]) / ds.attrs["lyapunov_exponent"]
                      / ds.attrs["dt"]))
    return plots.forecast_figure(ds, path, variable="x", trial=best, valid_steps=steps,
                                 ylabel="x")


PROTOCOLS = [Protocol("lorenz", "Lorenz-63 valid prediction time in Lyapunov times", run,
                      summary, options=(Option("--n-reservoir", dict(type=positive_int,
                                  help="reservoir units (default: the protocol's)")),
                                        Option("--trials", dict(type=positive_int,
                             help="forecasts from this many starting points"), key="n_trials")),
                      plot=_figure, dtype=True)]
