"""The ``search`` sub-command: a grid search of reservoir hyperparameters with walk-forward
time-series cross-validation, on Mackey-Glass (``ESNForecaster`` one step ahead) or NARMA10
(``ESNRegressor``); the results as a Dataset with one dimension per parameter, and a heat map."""

import argparse

import numpy as np

from reservoir import ESNForecaster, ESNRegressor

from ._docstrings import fill_doc
from .datasets import mackey_glass, narma
from .protocol import Option, Protocol, positive_int
from .search import grid_search
from .walk_forward import ClosedLoop

TASKS = ("mackey-glass", "narma")
#: Parameters whose grid values are integers, and those whose values are words.
INTEGERS = ("n_reservoir", "washout", "n_components", "n_estimators", "delays", "skip",
            "degree", "seasonal_period")
WORDS = ("representation",)


def grid_item(text):
    """``argparse`` type of ``--grid``.

    Parameters
    ----------
    text : str
        ``name=v1,v2,...``, ``name=start:stop:num`` (linear) or ``name=start:stop:num:log``
        (numbers, those of the parameters of :data:`INTEGERS` whole, a range's rounded to the
        nearest; words for the parameters of :data:`WORDS`; ``true`` and ``false`` for flags
        such as ``bidirectional``).

    Returns
    -------
    item : tuple of (str, list)
        The parameter's name and values.
    """
    name, sep, spec = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected name=values, got {text!r}")
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "log"):
                raise ValueError
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            if num < 1:
                raise argparse.ArgumentTypeError(
                    f"{text!r} asks for {num} values: the third number counts them (>= 1)")
            values = (np.geomspace if len(parts) == 4 else np.linspace)(start, stop, num)
            values = [float(v) for v in values]
        elif name in WORDS:
            values = spec.split(",")
        elif all(v.strip().lower() in ("true", "false") for v in spec.split(",")):
            values = [v.strip().lower() == "true" for v in spec.split(",")]  # flags
        else:
            values = [float(v) for v in spec.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"cannot read {text!r}: use name=v1,v2, name=start:stop:num or "
            "name=start:stop:num:log") from None
    if name in INTEGERS:
        if ":" not in spec and any(v != round(v) for v in values):  # a range is rounded
            raise argparse.ArgumentTypeError(f"{name} takes whole numbers; got {text!r}")
        values = [int(round(v)) for v in values]
    return name, values


@fill_doc
def run(task, grid, n_reservoir=300, n_train=3000, splits=3, closed_loop=None, seed=0,
        device="cpu", verbose=False):
    """Grid search with ``TimeSeriesSplit(splits)`` on one task (scores: R^2).

    Parameters
    ----------
    task : {"mackey-glass", "narma"}
        ``ESNForecaster`` one step ahead on squashed MG17, or ``ESNRegressor`` on NARMA10.
    grid : list of (str, list)
        Parameter names and their values.
    n_reservoir : int, default=300
        Reservoir units.
    n_train : int, default=3000
        Steps of the series.
    splits : int, default=3
        Folds of the ``TimeSeriesSplit``.
    closed_loop : int or None, default=None
        Score closed-loop forecasts of this many steps from origins in each fold (NRMSE,
        :class:`experiments.walk_forward.ClosedLoop`; a forecaster's task) instead of the
        one-step R^2.
    {seed}
    device : str, default="cpu"
        ``device`` of the estimator (``"parallel"``: configurations side by side on threads).
    {verbose}

    {returns_dataset}
    """
    from sklearn.model_selection import TimeSeriesSplit

    grid = dict(grid)
    if task == "mackey-glass":
        X, y = mackey_glass(n_train, squash=True, random_state=seed), None
        estimator = ESNForecaster(n_reservoir, washout=100, device=device, random_state=seed)
    else:
        u, y = narma(n_train, random_state=seed)
        X = u[:, None]
        estimator = ESNRegressor(n_reservoir, washout=100, device=device, random_state=seed)
    if closed_loop and task != "mackey-glass":
        raise ValueError("--closed-loop scores forecasts: it needs a forecaster's task "
                         "(mackey-glass).")
    scoring = ClosedLoop(closed_loop) if closed_loop else None
    result = grid_search(estimator, grid, X, y, cv=TimeSeriesSplit(splits), scoring=scoring,
                         verbose=verbose)
    ds = result.dataset
    ds.attrs.update(task=task, n_splits=splits, seed=seed)
    return ds


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    best = {k[5:]: v for k, v in a.items() if k.startswith("best_") and k != "best_score"}
    return "\n".join([
        f"Grid search, {a['task']}: {ds['mean_test_score'].size} configurations x "
        f"{a['n_splits']} folds",
        f"  best score {a['best_score']:.10g} at {best}"])


def _figure(ds, path):
    from . import plots

    names = [k for k in ds["mean_test_score"].dims if ds.sizes[k] > 1]
    if len(names) < 2:
        return None
    return plots.heatmap(ds, names[0], names[1], path, r2=True)


PROTOCOLS = [Protocol(
    "search", "fast grid search of reservoir hyperparameters", run, summary, plot=_figure,
    stem=lambda v: f"search_{v['task'].replace('-', '_')}_seed{v['seed']}",
    options=(
        Option("task", dict(choices=TASKS, help="mackey-glass: ESNForecaster one step ahead on "
                            "MG17; narma: ESNRegressor on NARMA10 (scores: R^2)")),
        Option("--grid", dict(type=grid_item, nargs="+", required=True,
                              help="e.g. spectral_radius=0.5:1.5:5 leak_rate=0.2,0.5,1 "
                              "ridge=1e-12:1e-6:4:log")),
        Option("--n-reservoir", dict(type=positive_int, help="reservoir units (default 300)")),
        Option("--splits", dict(type=positive_int, help="TimeSeriesSplit folds (default 3)")),
        Option("--closed-loop", dict(type=positive_int, help="score closed-loop forecasts of "
                                     "this many steps (minus NRMSE) instead of one step"))))]
