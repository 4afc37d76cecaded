"""Forecasts of a labelled series (pandas, xarray) as such objects, labelled by the series'
index continued."""

import copy

import numpy as np


def is_labelled(a):
    """True for a pandas Series or DataFrame, or an xarray DataArray of one or two
    dimensions (steps first)."""
    module = type(a).__module__
    if module.startswith("xarray"):
        return hasattr(a, "dims") and len(a.dims) in (1, 2)
    return module.startswith("pandas") and hasattr(a, "index")


def index_step(index):
    """The step of an evenly spaced, increasing pandas ``index``: the frequency of dates and
    durations (known or inferred from at least three labels), the periods' own, the constant
    difference of numbers; None for any other index."""
    import pandas as pd

    if not index.is_monotonic_increasing:
        return None
    if isinstance(index, pd.PeriodIndex):
        return index.freq
    if isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        return index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
    if len(index) < 2 or not pd.api.types.is_numeric_dtype(index.dtype) \
            or pd.api.types.is_bool_dtype(index.dtype):
        return None
    step = np.diff(index.to_numpy())
    return step[0] if step[0] > 0 and np.allclose(step, step[0]) else None


def labels_after(last, step, horizon, name=None):
    """The ``horizon`` labels after ``last``, ``step`` apart (as :func:`index_step` gives it),
    as a pandas Index named ``name``."""
    import pandas as pd

    if isinstance(last, pd.Period):
        return pd.period_range(last + 1, periods=horizon, freq=step, name=name)
    if isinstance(last, (pd.Timestamp, pd.Timedelta)):
        make = pd.date_range if isinstance(last, pd.Timestamp) else pd.timedelta_range
        return make(last, periods=horizon + 1, freq=step, name=name)[1:]
    return pd.Index(last + step * np.arange(1, horizon + 1), name=name)


def steps_between(first, label, step):
    """How many ``step`` (as :func:`index_step` gives it) lead from the label ``first`` to
    ``label`` (negative before it); None when ``label`` is not on that grid."""
    import pandas as pd

    if isinstance(first, pd.Period):
        same = isinstance(label, pd.Period) and label.freq == first.freq
        return (label - first).n if same else None
    if isinstance(first, (pd.Timestamp, pd.Timedelta)):
        if type(label) is not type(first):
            return None
        make = pd.date_range if isinstance(first, pd.Timestamp) else pd.timedelta_range
        a, b, sign = (first, label, 1) if label >= first else (label, first, -1)
        grid = make(a, b, freq=step)
        return sign * (len(grid) - 1) if len(grid) and grid[0] == a and grid[-1] == b else None
    if isinstance(label, (pd.Timestamp, pd.Timedelta, pd.Period)):
        return None
    k = (label - first) / step
    return int(round(k)) if np.isclose(k, round(k)) else None


def future_index(index, horizon):
    """The ``horizon`` labels after a pandas ``index`` when it is evenly spaced
    (:func:`index_step`), else None."""
    step = index_step(index)
    return None if step is None else labels_after(index[-1], step, horizon, index.name)


class Continuation:
    """How a forecast after a labelled series comes back: as the same kind of object (pandas
    Series or DataFrame, xarray DataArray), with its name and its columns (the variables'
    coordinate), labelled by the series' index (the steps' coordinate) continued when it is
    evenly spaced (:func:`index_step`); else by the steps ahead 1 .. horizon for pandas (an
    index named ``steps_ahead``), and with no coordinate on the steps for xarray."""

    def __init__(self, series):
        self.xarray = hasattr(series, "dims")
        if self.xarray:
            self.dims, self.name = series.dims, series.name
            index = series.indexes.get(self.dims[0])  # None without a coordinate
            variables = self.dims[1:]
            self.labels = (series[variables[0]].to_numpy()
                           if variables and variables[0] in series.coords else None)
        else:
            index, self.name = series.index, getattr(series, "name", None)
            self.labels = series.columns if series.ndim == 2 else None
        self.two_d = series.ndim == 2
        self.step = None if index is None or len(index) == 0 else index_step(index)
        self.first, self.last, self.index_name = (None, None, None) if self.step is None else \
            (index[0], index[-1], index.name)

    def columns(self, positions):
        """This continuation for the variables at ``positions`` alone (a copy)."""
        out = copy.copy(self)
        if self.labels is not None:
            out.labels = self.labels[np.asarray(positions)]
        return out

    def __call__(self, values):
        """``values`` (horizon,) or (horizon, n_variables) as the series' kind of object."""
        horizon = len(values)
        values = np.reshape(values, (horizon, -1) if self.two_d else horizon)
        after = (None if self.step is None else
                 labels_after(self.last, self.step, horizon, self.index_name))
        if self.xarray:
            import xarray as xr

            coords = {} if after is None else {self.dims[0]: after.to_numpy()}
            if self.labels is not None:
                coords[self.dims[1]] = self.labels
            return xr.DataArray(values, dims=self.dims, coords=coords, name=self.name)
        import pandas as pd

        index = pd.RangeIndex(1, horizon + 1, name="steps_ahead") if after is None else after
        if self.two_d:
            return pd.DataFrame(values, index=index, columns=self.labels)
        return pd.Series(values, index=index, name=self.name)


def continuation(series):
    """A :class:`Continuation` for a labelled series (:func:`is_labelled`; the last one of a
    list), None for any other series."""
    if isinstance(series, (list, tuple)) and series:
        series = series[-1]
    return Continuation(series) if is_labelled(series) else None
