"""Memory capacity (Jaeger 2001) per reservoir size and input regime.

An ESNRegressor reads out u(t-k) for k = 1..max_delay from i.i.d. uniform input; MC is the sum
over k of the squared correlation between target and output on fresh test data, bounded by N.
"""

import numpy as np
import xarray as xr

from reservoir import ESNRegressor
from reservoir.common.progress import Progress

from ._docstrings import fill_doc
from .datasets import memory_task
from .metrics import memory_capacity
from .protocol import Option, Protocol, positive_int
from .results import finish

#: Input scaling of each regime: tanh reservoirs lose memory to their nonlinearity; with tiny
#: inputs the same reservoir is nearly linear.
REGIMES = {"tanh": 0.1, "near_linear": 1e-4}
PARAMS = dict(spectral_radius=0.9, leak_rate=1.0, bias_scaling=0.0, density=0.1, ridge=1e-12)

PUBLISHED = {"N=100, tanh, spectral radius 0.9, input scaling 0.1": 32.0,
             "N=100, linear": 36.0}


@fill_doc
def run(sizes=(25, 50, 100, 200), n_train=5000, n_test=2000, washout=200, seed=0,
        device="cpu", dtype="float64", verbose=False, **params):
    """Memory capacity of ESNs of several sizes, in a linear and a nonlinear regime.

    Parameters
    ----------
    sizes : sequence of int, default=(25, 50, 100, 200)
        Reservoir sizes.
    n_train, n_test : int, default=5000, 2000
        Training and test steps.
    washout : int, default=200
        Steps discarded at the start of training and of testing.
    {seed}
    {esn_run}

    Returns
    -------
    ds : xarray.Dataset
        ``memory_capacity`` (regime, n_reservoir) and ``r2`` (regime, n_reservoir, delay), delays
        1..2 max(sizes).
    """
    params = {**PARAMS, **params}
    max_delay = 2 * max(sizes)
    u, targets = memory_task(washout + n_train + washout + n_test, max_delay, random_state=seed)
    end = washout + n_train
    r2 = np.full((len(REGIMES), len(sizes), max_delay), np.nan)
    with Progress(len(REGIMES) * len(sizes), "reservoirs", enabled=verbose, unit="") as bar:
        for i, scaling in enumerate(REGIMES.values()):
            for j, n in enumerate(sizes):
                esn = ESNRegressor(n, input_scaling=scaling, washout=washout, device=device,
                                   dtype=dtype, random_state=seed, **params)
                esn.fit(u[:end], targets[:end])
                out = esn.predict(u[end:])[washout:]
                r2[i, j] = memory_capacity(targets[end + washout:], out)[1]
                bar.update()
    ds = xr.Dataset(
        {"memory_capacity": (("regime", "n_reservoir"), r2.sum(axis=2),
                             {"long_name": "memory capacity", "units": "steps"}),
         "r2": (("regime", "n_reservoir", "delay"), r2,
                {"long_name": "squared correlation of u(t-k) and its readout"})},
        coords={"regime": list(REGIMES), "n_reservoir": list(sizes),
                "delay": np.arange(1, max_delay + 1),
                "input_scaling": ("regime", list(REGIMES.values()))})
    return finish(ds, "Memory capacity", "memory-capacity", dict(
        n_train=n_train, n_test=n_test, washout=washout, seed=seed, dtype=dtype, **params))


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    lines = [f"Memory capacity (spectral radius {ds.attrs['spectral_radius']}, "
             f"{ds.attrs['n_train']} training steps):"]
    for regime in ds.regime.values:
        mc = ds["memory_capacity"].sel(regime=regime)
        cells = ", ".join(f"N={n}: {v:.1f}" for n, v in zip(ds.n_reservoir.values, mc.values))
        lines.append(f"  {regime:12s} {cells}")
    lines += [f"  published: {k}: {v}" for k, v in PUBLISHED.items()]
    return "\n".join(lines)


PROTOCOLS = [Protocol("memory-capacity", "memory capacity per reservoir size", run, summary,
                      options=(Option("--sizes", dict(type=positive_int, nargs="+",
                                                      help="reservoir sizes")),), dtype=True)]
