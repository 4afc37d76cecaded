"""Next-generation reservoir computing on Lorenz-63 (Gauthier, Bollt, Griffith & Barbosa 2021,
Nat. Commun. 12:5564), beside an ESN trained on the same points.

The paper's set-up: dt = 0.025, 400 training points, linear features of k = 2 delays (s = 1)
and their quadratic monomials, the increment learnt by ridge regression (2.5e-6). From
``n_trials`` origins on fresh data, each model forecasts one Lyapunov time (1 / 0.906 time
units, 44 steps) in closed loop after reading the values before the origin; the error is the
NRMSE over those steps (RMS error over the three variables, divided by the RMS of their
standard deviations over the whole trajectory).
"""

import numpy as np
import xarray as xr

from reservoir import ESNForecaster, NVARForecaster

from ._docstrings import fill_doc
from .datasets import LYAPUNOV_EXPONENTS, lorenz63
from .lorenz import PARAMS as ESN_PARAMS
from .protocol import Option, Protocol, positive_int
from .results import finish
from .timing import Timer

PUBLISHED = "Gauthier et al. 2021: NRMSE of a few 1e-3 over one Lyapunov time (400 points)"


@fill_doc
def run(n_train=400, n_trials=10, context=200, dt=0.025, ridge=2.5e-6, n_reservoir=500,
        seed=0, device="cpu", verbose=False):
    """NVAR (the paper's set-up) and an ESN on the same Lorenz-63 points: NRMSE over one
    Lyapunov time from ``n_trials`` origins.

    Parameters
    ----------
    n_train : int, default=400
        Training points.
    n_trials : int, default=10
        Forecast origins on fresh data, ``context`` steps apart.
    context : int, default=200
        Steps read before each origin (the ESN's washout is half of them).
    dt : float, default=0.025
        Time between samples.
    ridge : float, default=2.5e-6
        NVAR's ridge (the paper's).
    n_reservoir : int, default=500
        Units of the ESN.
    {seed}
    device : str, default="cpu"
        ``device`` of the ESN.
    {verbose}

    {returns_dataset}
    """
    lyap = LYAPUNOV_EXPONENTS["lorenz63"]
    horizon = int(round(1.0 / lyap / dt))
    data = lorenz63(n_train + (n_trials + 1) * (context + horizon), dt=dt, random_state=seed)
    scale = float(np.sqrt(np.mean(data.var(axis=0))))
    washout = context // 2
    models = {"nvar": NVARForecaster(ridge=ridge),
              "esn": ESNForecaster(n_reservoir, washout=washout, device=device, dtype="float64",
                                   random_state=seed, **{**ESN_PARAMS, "ridge": 1e-8})}
    errors, seconds = {}, {}
    train = data[:n_train]
    for name, model in models.items():
        with Timer() as fit_time:
            model.fit(train if name == "nvar" else (train - train.mean(0)) / train.std(0))
        seconds[name] = fit_time.seconds
        errors[name] = []
        for k in range(n_trials):
            a = n_train + context + k * (context + horizon)
            ctx, truth = data[a - context:a], data[a:a + horizon]
            if name == "nvar":
                pred = model.forecast(horizon, context=ctx)
            else:
                mean, std = train.mean(0), train.std(0)
                pred = model.forecast(horizon, context=(ctx - mean) / std) * std + mean
            errors[name].append(float(np.sqrt(np.mean((pred - truth) ** 2)) / scale))
    ds = xr.Dataset({"nrmse": (("model", "trial"), np.array([errors[m] for m in models]),
                               {"long_name": "NRMSE over one Lyapunov time"})},
                    coords={"model": list(models), "trial": np.arange(n_trials)})
    return finish(ds, "NG-RC and ESN on Lorenz-63", "ngrc-lorenz", dict(
        n_train=n_train, n_trials=n_trials, context=context, horizon=horizon, dt=dt,
        nvar_ridge=ridge, n_reservoir=n_reservoir, seed=seed,
        median_nvar=float(np.median(errors["nvar"])), median_esn=float(np.median(errors["esn"])),
        fit_seconds_nvar=seconds["nvar"], fit_seconds_esn=seconds["esn"]))


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    return "\n".join([
        f"Lorenz-63, dt {a['dt']}, {a['n_train']} training points, {a['n_trials']} origins: "
        f"NRMSE over one Lyapunov time ({a['horizon']} steps), median",
        f"  NVAR (k=2, s=1, quadratic, ridge {a['nvar_ridge']:g}): {a['median_nvar']:.3g} "
        f"(fit {a['fit_seconds_nvar']:.3f} s)",
        f"  ESN ({a['n_reservoir']} units, same points):            {a['median_esn']:.3g} "
        f"(fit {a['fit_seconds_esn']:.3f} s)",
        f"  published: {PUBLISHED}"])


PROTOCOLS = [Protocol(
    "ngrc-lorenz", "next-generation RC (NVAR) on Lorenz-63 beside an ESN", run, summary,
    stem=lambda v: f"ngrc_lorenz_seed{v['seed']}",
    options=(Option("--trials", dict(type=positive_int, help="forecast origins (default 10)"),
                    key="n_trials"),
             Option("--n-reservoir", dict(type=positive_int,
                                          help="units of the ESN (default 500)"))))]
