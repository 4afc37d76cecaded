"""The ``forecast`` sub-command: a user's own series, from a CSV or netCDF file, forecast by an
``ESNForecaster`` (standardised series, washout fitted to the length) or an
``NVARForecaster``.

The last ``horizon`` steps are held out: hyperparameters are searched on the rest (walk-forward
``TimeSeriesSplit`` folds, scored by the one-step R^2 or, with ``--closed-loop``, by closed-loop
forecasts of ``horizon`` steps), the best model is refitted there and forecasts the held-out
steps in closed loop (scored by NRMSE beside persistence, the last value repeated); then the
model is refitted on the whole series and forecasts the ``horizon`` steps after its end. With
``interval``, both forecasts come with prediction intervals
(:class:`reservoir.ConformalForecaster`), and the summary says how many held-out values the
first one held.
"""

import argparse
import pathlib
import warnings

import numpy as np
import xarray as xr
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit

from reservoir import ConformalForecaster, ESNForecaster, NVARForecaster
from reservoir.common.time_index import future_index, index_step
from reservoir.covariates import covariates_ahead

from ._docstrings import fill_doc
from .grid import grid_item
from .metrics import interval_score, nrmse
from .protocol import Option, Protocol, fraction, positive_int, unit_interval
from .results import chosen_params, finish
from .search import grid_search
from .tables import (
    FILLS,
    SUFFIXES,
    TIME_NAMES,
    check_times,
    filled,
    first_named,
    is_named,
    read_table,
    regular_grid,
    text_cells,
    time_order,
    time_values,
)
from .walk_forward import ClosedLoop

#: The search of each model when ``--grid`` is not given.
DEFAULT_GRIDS = {"esn": {"spectral_radius": [0.5, 0.9, 1.2], "leak_rate": [0.1, 0.3, 1.0],
                         "ridge": [1e-6, 1e-3, 1.0]},
                 "nvar": {"delays": [1, 2, 3, 4], "skip": [1, 2], "ridge": [1e-6, 1e-3, 1.0]}}


def read_series(path, columns=None, fill=None):
    """A series from a CSV file (columns of a table) or a netCDF file (1-D variables).

    Parameters
    ----------
    path : str or pathlib.Path
        A table (``.csv``, ``.tsv`` or ``.txt``, see :func:`experiments.tables.read_table`) or
        a ``.nc`` file.
    columns : list of str or None, default=None
        The columns (variables) to read; None reads every numeric one but those named like a
        time axis (:data:`~experiments.tables.TIME_NAMES`).
    fill : {"interpolate", "ffill"} or None, default=None
        Fill missing values (see :func:`run`), and insert the steps missing from the even
        spacing of the file's times (:func:`read_times`), filled alike; None refuses missing
        values, naming the first, and warns of missing steps.

    Returns
    -------
    values : ndarray of shape (n_steps, n_variables)
        The series, float64, its rows in the order of the file's times (:func:`read_times`)
        when it has them.
    names : list of str
        The names of the variables.
    """
    path = pathlib.Path(path)
    values, names, *_ = _series(path, _open(path), columns, fill)
    return values, names


def _open(path):
    """The table of a ``.csv``, ``.tsv`` or ``.txt`` file (a DataFrame) or of a ``.nc`` file (a
    Dataset, loaded)."""
    if not path.is_file():
        raise ValueError(f"There is no file {path}.")
    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        return read_table(path)
    if suffix in (".nc", ".nc4", ".cdf"):
        try:
            return xr.load_dataset(path)
        except (ValueError, OSError) as err:
            raise ValueError(f"{path.name} could not be read as netCDF ({err}); a netCDF-4 file "
                             "needs the netCDF4 or h5netcdf package.") from err
    raise ValueError(f"{path.name}: the file must be a table (.csv, .tsv or .txt) or .nc, got "
                     f"{suffix or 'none'}.")


def _series(path, table, columns, fill=None, ahead=()):
    """:func:`read_series` of the file ``path`` whose table :func:`_open` read: (values, names,
    the count of missing values that ``fill`` ("interpolate", "ffill" or None) filled, the
    times (None without them), the count of missing steps inserted, how the rows were
    reordered (:func:`_in_time_order`), the covariates' future rows (:func:`_future_rows`)).
    The columns ``ahead`` (covariates known ahead) are read too, after the others."""
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix in SUFFIXES:
        available = list(table.columns)
        numeric = [c for c in available if pd.api.types.is_numeric_dtype(table[c])]
    else:
        available = [str(v) for v in table.data_vars]
        numeric = [v for v in available if table[v].ndim == 1 and table[v].dtype.kind in "iuf"]
    names = list(columns) if columns else [c for c in numeric if not is_named(c, TIME_NAMES)]
    both = [c for c in ahead if c in (columns or ())]
    if both:
        raise ValueError(f"{both[0]!r} is both a column to forecast and a covariate; a covariate "
                         "is known ahead, not forecast: name it in one of the two.")
    names = [c for c in names if c not in ahead] + list(ahead)
    if ahead and len(names) == len(ahead):
        raise ValueError(f"{path.name}: the covariates {list(ahead)} leave no column to "
                         f"forecast (its numeric columns are {numeric}); name the columns to "
                         "forecast with --column.")
    missing = [c for c in names if c not in available]
    if missing:
        raise ValueError(f"{path.name} has no column {missing}; its columns are {available}.")
    if not names:
        kind = "column" if suffix in SUFFIXES else "1-D variable"
        raise ValueError(f"{path.name} has no numeric {kind} to forecast (it has {available}); "
                         "give one with a number per step.")
    other = [c for c in names if c not in numeric]
    if other and suffix in SUFFIXES:
        raise ValueError(f"{path.name}: {text_cells(other[0], table[other[0]])}; fix or drop "
                         "those rows"
                         + (f", or choose among {numeric} with --column." if numeric else "."))
    if other:
        raise ValueError(f"{path.name}: {other} is not a numeric series (1-D)"
                         + (f"; choose among {numeric} with --column." if numeric else "."))
    values = np.stack([np.asarray(table[c], dtype=np.float64) for c in names], axis=1)
    times = _times(path, table)
    if times is not None and len(times) != len(values):
        times = None
    order = ""
    if times is not None:
        values, times, order = _in_time_order(path, values, times)
    values, times, n_inserted = _missing_steps(path, values, times, fill)
    values, times, future = _future_rows(path, values, times, names, ahead)
    missing = np.isnan(values)
    values = filled(values, fill)
    gaps = ~np.isfinite(values)
    if gaps.any():
        row, col = np.argwhere(gaps)[0]
        n = int(gaps[:, col].sum())
        if np.isnan(values[row, col]) and fill is not None:
            raise ValueError(f"{path.name}: {names[col]!r} has no value to fill its gaps from.")
        if np.isnan(values[row, col]):
            raise ValueError(f"{path.name}: {names[col]!r} has {n} missing value{'s' * (n > 1)} "
                             f"(the first at row {row}); fill them with --fill (fill= in "
                             "Python) interpolate (a line between the values around each gap) "
                             "or ffill (the last value before it), or fill or drop them in the "
                             "file.")
        raise ValueError(f"{path.name}: {names[col]!r} has {n} infinite value{'s' * (n > 1)} "
                         f"(the first at row {row}); fix or drop them in the file.")
    return values, [str(n) for n in names], int(missing.sum()), times, n_inserted, order, future


def _future_rows(path, values, times, names, ahead):
    """(values, times, future): the rows after the last value of the forecast columns (all but
    the covariates ``ahead``, which come last), whose covariates are known, split off as
    ``future`` (n_future, n_covariates); a gap in them is refused. Without covariates, no
    rows."""
    if not ahead:
        return values, times, np.empty((0, 0))
    own = values[:, :len(names) - len(ahead)]
    known = np.flatnonzero(~np.isnan(own).all(axis=1))
    end = known[-1] + 1 if known.size else 0
    future = values[end:, len(names) - len(ahead):]
    if np.isnan(future).any():
        row, col = np.argwhere(np.isnan(future))[0]
        raise ValueError(f"{path.name}: the covariate {ahead[col]!r} has no value at row "
                         f"{end + row}, after the last value of the forecast columns: give the "
                         "covariates at every step ahead.")
    return values[:end], None if times is None else times[:end], future


def _missing_steps(path, values, times, fill):
    """(values, times, n_inserted): the series on the even grid of its ``times``
    (:func:`~experiments.tables.regular_grid`), the steps missing from the file inserted as NaN
    rows when ``fill`` is given; without ``fill`` they are left out, with a warning (the rows
    are read as consecutive steps)."""
    grid, positions = (None, None) if times is None else regular_grid(times)
    if grid is None or len(grid) == len(times):
        return values, times, 0
    n = len(grid) - len(times)
    first = _label(times[int(np.argmax(np.diff(positions) > 1))])
    if fill is None:
        warnings.warn(f"{path.name}: {n} step{'s' * (n > 1)} of the times' even spacing "
                      f"{'are' if n > 1 else 'is'} missing (the first after {first}), so the "
                      "rows are read as consecutive steps. --fill interpolate or ffill (fill= "
                      "in Python) inserts them and fills their values.", UserWarning,
                      stacklevel=3)
        return values, times, 0
    full = np.full((len(grid), values.shape[1]), np.nan)
    full[positions] = values
    return full, grid, n


def read_times(path):
    """The time axis of a file's series, for labelling it and its forecasts.

    Parameters
    ----------
    path : str or pathlib.Path
        A table (its first column named like a time axis,
        :data:`~experiments.tables.TIME_NAMES`: dates when its text parses as dates, else its
        numbers; without one, its first column of text that all parses as dates) or a ``.nc``
        file (its first 1-D dimension coordinate).

    Returns
    -------
    times : ndarray of shape (n_steps,) or None
        datetime64 or numbers, in increasing order (the order :func:`read_series` puts the
        rows in); None without such a column. A missing time, or one that appears twice, is
        refused.
    """
    path = pathlib.Path(path)
    times = _times(path, _open(path))
    return None if times is None else _in_time_order(path, np.empty((len(times), 0)), times)[1]


def _in_time_order(path, values, times):
    """(values, times, how): the rows of ``values`` (n_steps, n_variables) and their
    ``times`` in increasing time order, and how they were reordered ("" when they were in
    order, "reversed" for a file that runs backwards, else "sorted"); a time that appears
    twice is refused, naming it and its rows."""
    order, rows = time_order(times)
    if rows.size:
        raise ValueError(f"{path.name}: the time {_label(times[rows[0]])} appears "
                         f"{len(rows)} times (rows {', '.join(map(str, rows[:3]))}); a series "
                         "needs one row per time: aggregate or drop the repeats.")
    if np.array_equal(order, np.arange(len(times))):
        return values, times, ""
    how = "reversed" if np.array_equal(order, np.arange(len(times))[::-1]) else "sorted"
    return values[order], times[order], how


def _times(path, table):
    """The times of the file ``path`` whose table :func:`_open` read, in the file's order (see
    :func:`read_times`); None without them. A missing time is refused, naming its row."""
    if path.suffix.lower() in SUFFIXES:
        name = first_named(table.columns, TIME_NAMES)
        times = None if name is None else time_values(table[name])
        if name is None:  # else the first column of text that all reads as dates
            name, times = next(((c, t) for c in table.columns if table[c].dtype.kind in "OSU"
                                for t in [time_values(table[c])]
                                if t is not None and t.dtype.kind == "M"), (None, None))
        if times is None:
            return None
    else:
        names = [c for c in table.coords if table[c].ndim == 1 and c in table.dims]
        if not names:
            return None
        name, times = names[0], table[names[0]].to_numpy()
    check_times(path, name, times)
    return times


def calendar_season(times):
    """The steps of one calendar cycle of evenly spaced dates: a year of months (12) or
    quarters (4), a week of days (7) or business days (5), a day of hours (24).

    Parameters
    ----------
    times : ndarray or None
        A series' times, in order (as :func:`read_times` gives them).

    Returns
    -------
    steps : int or None
        The cycle's steps; None for numbers, no times, or any other spacing.
    """
    import pandas as pd

    if times is None or np.asarray(times).dtype.kind != "M":
        return None
    freq = index_step(pd.DatetimeIndex(times))  # evenly spaced dates' frequency, or None
    if freq is None:
        return None
    offset = pd.tseries.frequencies.to_offset(freq)
    cycles = ((pd.offsets.BusinessDay, 5), (pd.offsets.Day, 7), (pd.offsets.Hour, 24),
              ((pd.offsets.MonthBegin, pd.offsets.MonthEnd, pd.offsets.BusinessMonthBegin,
                pd.offsets.BusinessMonthEnd), 12),
              ((pd.offsets.QuarterBegin, pd.offsets.QuarterEnd, pd.offsets.BQuarterBegin,
                pd.offsets.BQuarterEnd), 4))
    return next((steps for kind, steps in cycles if isinstance(offset, kind) and offset.n == 1),
                None)


def season_option(text):
    """``argparse`` type of ``--seasonal-period``.

    Parameters
    ----------
    text : str
        ``auto``, ``none`` or a number of steps (>= 2).

    Returns
    -------
    value : str or int
        ``"auto"``, ``"none"``, or the number.
    """
    word = text.strip().lower()
    if word in ("auto", "none"):
        return word
    if word.isdigit() and int(word) >= 2:
        return int(word)
    raise argparse.ArgumentTypeError(f"expected auto, none or a number of steps >= 2, got "
                                     f"{text!r}")


@fill_doc
def run(file, column=None, horizon=12, grid=None, model="esn", closed_loop=False, splits=3,
        n_reservoir=300, n_train=None, fill=None, interval=None, seasonal_period="auto",
        box_cox=None, covariates=None, seed=0, device="cpu", verbose=False):
    """Search, refit and forecast a user's series (see the module).

    Parameters
    ----------
    file : str or pathlib.Path
        A table (``.csv``, ``.tsv`` or ``.txt``) or a ``.nc`` file (see :func:`read_series`).
    column : list of str or None, default=None
        Its columns to forecast together (None: every numeric one).
    horizon : int, default=12
        Steps held out for the test, and steps forecast after the end.
    grid : list of (str, list) or None, default=None
        The search (None: the model's :data:`DEFAULT_GRIDS`).
    model : {"esn", "nvar"}, default="esn"
        ``ESNForecaster`` or ``NVARForecaster`` (next-generation RC).
    closed_loop : bool, default=False
        Search by closed-loop forecasts of ``horizon`` steps from 5 origins of each fold
        (:class:`experiments.walk_forward.ClosedLoop`) instead of the one-step R^2.
    splits : int, default=3
        Folds of the ``TimeSeriesSplit``.
    n_reservoir : int, default=300
        Reservoir units.
    n_train : int or None, default=None
        Use only the last ``n_train`` steps before the held-out ones (None: all).
    fill : {"interpolate", "ffill"} or None, default=None
        Fill missing values (empty cells, NaN): linearly between the values around each gap
        (the first and last values beyond the ends), or with the last value before it (the
        first value before the start); None refuses them, naming the first. Steps missing from
        the even spacing of the file's times (a date with no row) are inserted and filled
        alike; without ``fill`` they get a warning.
    interval : float in (0, 1) or None, default=None
        Coverage of prediction intervals for both forecasts (``test_lower``, ``test_upper``,
        ``future_lower``, ``future_upper``), calibrated on the last quarter of the series
        before each (:class:`reservoir.ConformalForecaster`); the held-out values they hold
        (``n_held``) and their interval score over the history's spread
        (``interval_score_test``, :func:`experiments.metrics.interval_score`) are recorded;
        None: no intervals.
    seasonal_period : int, "auto", "none" or None, default="auto"
        A season of this many steps (12 for monthly data with a yearly cycle): the search
        chooses between removing its seasonal means (the forecaster's ``seasonal_period``,
        phases counted from the file's first step) and not. "auto": the calendar cycle of the
        file's dates (:func:`calendar_season`) when the history before the held-out steps
        spans at least three of them, else none; "none" or None: no season.
    box_cox : float in [0, 1] or None, default=None
        A Box-Cox transform's lambda (the forecaster's ``box_cox``; 0.5 for counts and
        intensities): the search chooses between applying it and not. None: no transform.
    covariates : list of str or None, default=None
        Columns known ahead (a calendar, a weather forecast), read as inputs and not forecast
        (the forecaster's ``covariates``). The file gives them for at least ``horizon`` rows
        after the last value of the forecast columns (those rows' forecast columns empty): the
        forecast after the end reads them.
    {seed}
    device : str, default="cpu"
        ``device`` of the forecaster (see docs/devices.md).
    {verbose}

    {returns_dataset}
    """
    path = pathlib.Path(file)
    ahead = list(covariates or [])
    table = _open(path)
    values, names, n_filled, times, n_inserted, order, future_covariates = _series(
        path, table, column, fill, ahead)
    if ahead and len(future_covariates) < horizon:
        raise ValueError(f"{path.name} gives the covariates {ahead} for {len(future_covariates)} "
                         f"steps after the last value of the forecast columns; the forecast "
                         f"after the end needs {horizon} (--horizon): add rows for the steps "
                         "ahead, with the covariates and the forecast columns left empty.")
    cov = np.arange(len(names) - len(ahead), len(names))  # the covariates come last
    own = np.arange(len(names) - len(ahead))
    if horizon >= len(values) // 2:
        raise ValueError(f"horizon={horizon} leaves too little of the {len(values)} steps to "
                         "train on; use a horizon below half the series.")
    history, test = values[:-horizon], values[-horizon:]
    if n_train is not None:
        history = history[-n_train:]
    if not np.any(history[:, own].std(axis=0) > 0):
        forecast_names = [names[i] for i in own]
        raise ValueError(f"{path.name}: {', '.join(map(repr, forecast_names))} "
                         f"{'is' if len(forecast_names) == 1 else 'are'} constant over the "
                         f"{len(history)} steps before the held-out ones: there is nothing to "
                         "learn, and no spread to measure the forecast's error by.")
    washout = min(100, len(history) // 10)
    known = cov.tolist() if ahead else None
    if model == "nvar":
        base = NVARForecaster(covariates=known)
    else:
        base = ESNForecaster(n_reservoir, washout=washout, standardize=True, device=device,
                             random_state=seed, covariates=known)
    grid = _with_season(dict(grid) if grid else DEFAULT_GRIDS[model], seasonal_period, times,
                        len(history))
    if box_cox is not None and "box_cox" not in grid:
        grid["box_cox"] = [None, box_cox]
    _check_folds(len(history), splits, horizon if closed_loop else 2)
    result = grid_search(base, grid, history,
                         cv=TimeSeriesSplit(splits),
                         scoring=ClosedLoop(horizon, n_origins=5) if closed_loop else None,
                         verbose=verbose)
    best = result.best_estimator_
    ahead_of_test = covariates_ahead(best, values, len(values) - horizon, horizon)
    predicted = best.forecast(horizon, **ahead_of_test).reshape(horizon, -1)
    refit = (clone(best) if interval is None else
             ConformalForecaster(clone(best), horizon=horizon, coverage=interval)).fit(values)
    future = refit.forecast(horizon, **({"covariates": future_covariates[:horizon]} if ahead
                                        else {})).reshape(horizon, -1)
    width = None if interval is None else ConformalForecaster(
        clone(best), horizon=horizon, coverage=interval).fit(history).half_width_
    history, test = history[:, own], test[:, own]  # the forecast variables
    scale = history.std(axis=0)
    ds = result.dataset
    steps = np.arange(len(values)) if times is None else times
    ds["series"] = xr.DataArray(values[:, own], dims=("time", "variable"), coords={
        "time": steps, "variable": [names[i] for i in own]})
    if ahead:
        ds["covariates"] = xr.DataArray(values[:, cov], dims=("time", "covariate"),
                                        coords={"covariate": ahead})
        ds["future_covariates"] = xr.DataArray(future_covariates[:horizon],
                                               dims=("lead", "covariate"))
    ds["test_forecast"] = xr.DataArray(predicted, dims=("lead", "variable"),
                                       coords={"lead": np.arange(1, horizon + 1)})
    ds["future_forecast"] = xr.DataArray(future, dims=("lead", "variable"))
    intervals = {}
    if interval is not None:
        width = width.reshape(horizon, -1)
        for part, forecast, half in (("test", predicted, width),
                                     ("future", future, refit.half_width_.reshape(horizon, -1))):
            ds[f"{part}_lower"] = ds[f"{part}_forecast"].copy(data=forecast - half)
            ds[f"{part}_upper"] = ds[f"{part}_forecast"].copy(data=forecast + half)
        held = int(np.sum((predicted - width <= test) & (test <= predicted + width)))
        score = interval_score(test, predicted - width, predicted + width, interval)
        intervals = dict(interval=interval, n_held=held,
                         interval_score_test=score / float(np.mean(scale)))
    if times is not None:  # the file's own times, and those after its end when evenly spaced
        import pandas as pd

        ds.coords["test_time"] = ("lead", times[-horizon:])
        after = future_index(pd.Index(times), horizon)
        if after is not None:
            ds.coords["future_time"] = ("lead", after.to_numpy())
    return finish(ds, f"{type(base).__name__} on {pathlib.Path(file).name}", "forecast", dict(
        file=str(file), model=model, horizon=horizon, n_history=len(history), washout=washout,
        nrmse_test=nrmse(test, predicted, normalization=float(np.mean(scale))),
        nrmse_persistence=nrmse(test, np.repeat(history[-1:], horizon, axis=0),
                                normalization=float(np.mean(scale))),
        fill=fill or "none", n_filled=n_filled, n_inserted=n_inserted, row_order=order or "file",
        season=grid.get("seasonal_period", [None])[-1] or 0, covariates=", ".join(ahead),
        box_cox=str(grid.get("box_cox", [None])[-1]).lower(),
        seed=seed,
        **intervals,
        **{f"chosen_{k}": v for k, v in result.best_params_.items()}))


def _check_folds(n_steps, splits, needed):
    """Refuse ``--splits`` whose validation folds of the ``n_steps`` searched would be shorter
    than ``needed`` (2 for the one-step R^2, the horizon in closed loop), in the command's
    words."""
    fold = n_steps // (splits + 1)
    if fold < needed:
        raise ValueError(f"--splits {splits} leaves validation folds of {fold} step"
                         f"{'s' * (fold != 1)} of the {n_steps} steps searched, and the search "
                         f"scores folds of at least {needed}: use fewer --splits, or more "
                         "steps (--n-train).")


def _with_season(grid, seasonal_period, times, n_history):
    """The search's ``grid`` with ``seasonal_period`` None or the season of :func:`run`'s
    ``seasonal_period`` (unless the grid names it), for a history of ``n_history`` steps."""
    if seasonal_period == "auto":
        seasonal_period = calendar_season(times)
        if seasonal_period is not None and n_history < 3 * seasonal_period:
            return grid
    if seasonal_period in (None, "none") or "seasonal_period" in grid:
        return grid
    if seasonal_period > n_history // 2:
        raise ValueError(f"seasonal_period={seasonal_period} is more than half of the "
                         f"{n_history} steps before the held-out ones: each phase of the "
                         "season needs several steps to average. Use a shorter season or a "
                         "longer series.")
    return {**grid, "seasonal_period": [None, seasonal_period]}


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    chosen = chosen_params(a)
    return "\n".join([
        f"Forecast of {a['file']} ({', '.join(map(str, ds['variable'].values))}) by "
        f"{a['model']}"
        + (f" with {a['covariates']} known ahead" if a.get("covariates") else "") + ": "
        f"{ds.sizes['time']} steps, the last {a['horizon']} held out"
        + {"reversed": "; the file runs backwards: read in time order",
           "sorted": "; the rows sorted by time"}.get(a.get("row_order"), "")
        + (f"; {a['n_inserted']} missing step{'s' * (a['n_inserted'] > 1)} inserted"
           if a.get("n_inserted") else "")
        + (f"; {a['n_filled']} missing value{'s' * (a['n_filled'] > 1)} filled ({a['fill']})"
           if a.get("n_filled") else ""),
        f"  chosen by a {ds['mean_test_score'].size}-configuration search: {chosen}",
        *([f"  a season of {a['season']} steps: "
           + ("removed" if chosen.get("seasonal_period") == a["season"] else "not removed")
           + " (chosen by the search; --seasonal-period none leaves it out)"]
          if a.get("season") else []),
        *([f"  a Box-Cox transform (lambda {a['box_cox']}): "
           + ("applied" if str(chosen.get("box_cox")) == a["box_cox"] else "not applied")
           + " (chosen by the search)"] if a.get("box_cox", "none") != "none" else []),
        f"  held-out NRMSE over {a['horizon']} steps: {a['nrmse_test']:.4g} (persistence "
        f"{a['nrmse_persistence']:.4g})",
        *([f"  {a['interval']:.0%} prediction interval: held {a['n_held']} of "
           f"{ds['test_forecast'].size} held-out values"] if "interval" in a else []),
        f"  forecast after the end: future_forecast ({a['horizon']} steps"
        + (f", {_label(ds['future_time'].values[0])} to {_label(ds['future_time'].values[-1])}"
           if "future_time" in ds.coords else "") + ")"])


def _label(t):
    """A time as people read it: a date without a midnight, or a number."""
    if isinstance(t, np.datetime64):
        text = np.datetime_as_string(t, unit="s")
        return text[:10] if text.endswith("T00:00:00") else text.replace("T", " ")
    return f"{t:g}"


def _figure(ds, path):
    from . import plots

    return plots.series_forecast_figure(ds, path)


PROTOCOLS = [Protocol(
    "forecast", "forecast your own series from a .csv or .nc file (ESNForecaster)", run,
    summary, plot=_figure,
    stem=lambda v: f"forecast_{pathlib.Path(v['file']).stem}_seed{v['seed']}",
    options=(
        Option("file", dict(help="a table (.csv, .tsv, .txt) or a .nc file holding the "
                            "series")),
        Option("--column", dict(nargs="+", help="columns (netCDF variables) to forecast "
                                "together (default: every numeric one but a time column)")),
        Option("--horizon", dict(type=positive_int, help="steps held out and forecast after "
                                 "the end (default 12)")),
        Option("--grid", dict(type=grid_item, nargs="+", help="the search (esn default: "
                              "spectral_radius=0.5,0.9,1.2 leak_rate=0.1,0.3,1 "
                              "ridge=1e-6,1e-3,1; nvar: delays=1:4:4 skip=1,2 ridge=...)")),
        Option("--closed-loop", dict(action="store_true", help="search by closed-loop "
                                     "forecasts of --horizon steps (default: one step)")),
        Option("--model", dict(choices=sorted(DEFAULT_GRIDS), help="esn (ESNForecaster, "
                               "default) or nvar (NVARForecaster, next-generation RC)")),
        Option("--splits", dict(type=positive_int, help="TimeSeriesSplit folds (default 3)")),
        Option("--n-reservoir", dict(type=positive_int, help="reservoir units (default 300)")),
        Option("--interval", dict(type=fraction, metavar="COVERAGE", help="prediction "
                                  "intervals of this coverage, e.g. 0.9 (conformal, calibrated "
                                  "on the last quarter of the series)")),
        Option("--seasonal-period", dict(type=season_option, metavar="STEPS", help="a season "
                                         "of this many steps, e.g. 12 for monthly data: the "
                                         "search chooses whether to remove its seasonal "
                                         "means (default auto: the calendar cycle of the "
                                         "file's dates, if any; none: no season)")),
        Option("--box-cox", dict(type=unit_interval, metavar="LAMBDA", help="a Box-Cox "
                                 "transform, e.g. 0.5 for counts (about the square root) or 0 "
                                 "(the log): the search chooses whether to apply it")),
        Option("--covariates", dict(nargs="+", metavar="COLUMN", help="columns known ahead "
                                    "(a calendar, a weather forecast): read as inputs, not "
                                    "forecast; the file gives them for --horizon rows after "
                                    "the last value of the forecast columns")),
        Option("--fill", dict(choices=FILLS, help="fill missing values: "
                              "linearly between the values around each gap, or with the last "
                              "value before it (default: refuse them)"))))]
