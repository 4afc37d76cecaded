"""Forecasts of a pandas series as pandas objects, labelled by the series' index continued."""

import numpy as np


def is_pandas(a):
    """True for a pandas Series or DataFrame."""
    return type(a).__module__.startswith("pandas") and hasattr(a, "index")


def index_step(index):
    """The step of an evenly spaced pandas ``index``: the frequency of dates and durations
    (known or inferred from at least three labels), the periods' own, the constant difference
    of numbers; None for any other index."""
    import pandas as pd

    if isinstance(index, pd.PeriodIndex):
        return index.freq
    if isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        return index.freq or (pd.infer_freq(index) if len(index) >= 3 else None)
    if len(index) < 2 or not pd.api.types.is_numeric_dtype(index.dtype) \
            or pd.api.types.is_bool_dtype(index.dtype):
        return None
    step = np.diff(index.to_numpy())
    return step[0] if step[0] != 0 and np.allclose(step, step[0]) else None


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


def future_index(index, horizon):
    """The ``horizon`` labels after a pandas ``index`` when it is evenly spaced
    (:func:`index_step`), else None."""
    step = index_step(index)
    return None if step is None else labels_after(index[-1], step, horizon, index.name)


class Continuation:
    """How a forecast after a pandas Series or DataFrame comes back: as the same kind of
    object, with its name or columns, indexed by the series' index continued (when it is
    evenly spaced: :func:`index_step`), else by the steps ahead 1 .. horizon (an index named
    ``steps_ahead``)."""

    def __init__(self, series):
        self.frame = series.ndim == 2
        self.labels = series.columns if self.frame else series.name
        self.last, self.step, self.name = series.index[-1], index_step(series.index), \
            series.index.name

    def __call__(self, values):
        """``values`` (horizon,) or (horizon, n_variables) as the series' kind of object."""
        import pandas as pd

        horizon = len(values)
        index = (pd.RangeIndex(1, horizon + 1, name="steps_ahead") if self.step is None else
                 labels_after(self.last, self.step, horizon, self.name))
        if self.frame:
            return pd.DataFrame(np.reshape(values, (horizon, -1)), index=index,
                                columns=self.labels)
        return pd.Series(np.reshape(values, horizon), index=index, name=self.labels)


def continuation(series):
    """A :class:`Continuation` for a pandas Series or DataFrame (the last one of a list), None
    for any other series."""
    if isinstance(series, (list, tuple)) and series:
        series = series[-1]
    return Continuation(series) if is_pandas(series) else None
