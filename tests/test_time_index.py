"""Forecasts after a pandas series come back as pandas objects, indexed by the series' index
continued (reservoir.common.time_index)."""

import pickle

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from reservoir import ESNForecaster, ForecastPipeline, NVARForecaster
from reservoir.common.time_index import future_index

pd = pytest.importorskip("pandas")

N = 120


@pytest.mark.parametrize("index, expected", [
    (pd.date_range("2020-01-01", periods=N, freq="D"),
     ["2020-04-30 00:00:00", "2020-05-01 00:00:00"]),
    (pd.bdate_range("2020-01-06", periods=N),  # ends on Friday 2020-06-19
     ["2020-06-22 00:00:00", "2020-06-23 00:00:00"]),
    (pd.DatetimeIndex(pd.date_range("2020-01-31", periods=N, freq="ME").to_numpy()),  # inferred
     ["2030-01-31 00:00:00", "2030-02-28 00:00:00"]),
    (pd.date_range("2020-01-01", periods=N, freq="h", tz="Europe/Paris"),
     ["2020-01-06 00:00:00+01:00", "2020-01-06 01:00:00+01:00"]),
    (pd.period_range("1900", periods=N, freq="Y"), ["2020", "2021"]),
    (pd.timedelta_range("0s", periods=N, freq="30s"), ["0 days 01:00:00", "0 days 01:00:30"]),
    (pd.RangeIndex(5, 5 + 2 * N, 2), [245, 247]),
    (pd.Index(0.5 * np.arange(N) - 3), [57.0, 57.5]),
])
def test_an_evenly_spaced_index_is_continued(index, expected):
    after = future_index(index, 2)
    assert [str(a) for a in after] == [str(e) for e in expected]


@pytest.mark.parametrize("index", [
    pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-05"]),  # no frequency
    pd.DatetimeIndex(["2020-01-01", "2020-01-02"]),  # too few dates to infer one
    pd.Index([0, 1, 3, 4]),
    pd.Index(["a", "b", "c"]),
    pd.Index([2, 2, 2]),
    pd.Index([3.0, 2.0, 1.0]),  # going back
    pd.DatetimeIndex(["2020-01-03", "2020-01-02", "2020-01-01"]),
])
def test_an_uneven_index_has_no_continuation(index):
    assert future_index(index, 3) is None


def _series(index=None):
    t = np.arange(N)
    index = pd.date_range("2001-01", periods=N, freq="MS") if index is None else index
    return pd.DataFrame({"a": np.sin(t * np.pi / 6), "b": np.cos(t * np.pi / 6)}, index=index)


@pytest.mark.parametrize("make", [
    lambda: ESNForecaster(30, washout=12, random_state=0),
    lambda: NVARForecaster(delays=3),
    lambda: ForecastPipeline([("scale", StandardScaler()),
                              ("esn", ESNForecaster(30, washout=12, random_state=0))]),
], ids=["ESNForecaster", "NVARForecaster", "ForecastPipeline"])
def test_forecasts_after_pandas_are_pandas_with_the_same_values(make):
    frame = _series()
    future = pd.date_range("2011-01", periods=4, freq="MS")
    got = make().fit(frame).forecast(4)
    expected = make().fit(frame.to_numpy()).forecast(4)
    pd.testing.assert_frame_equal(got, pd.DataFrame(expected, index=future, columns=["a", "b"]))
    column = make().fit(frame["a"]).forecast(4)
    pd.testing.assert_series_equal(column, pd.Series(make().fit(frame["a"].to_numpy()).forecast(4),
                                                     index=future, name="a"))
    model = make().fit(frame.to_numpy())  # a context after an array fit, and the reverse
    with pytest.warns(UserWarning, match="X has feature names, but"):
        after = model.forecast(2, context=frame.iloc[:60])
    pd.testing.assert_index_equal(after.index, pd.date_range("2006-01", periods=2, freq="MS"))
    model = make().fit(frame)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        assert isinstance(model.forecast(2, context=frame.iloc[:60].to_numpy()), np.ndarray)
    restored = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(restored.forecast(4), got)


def test_an_uneven_index_labels_the_steps_ahead_and_a_list_continues_its_last_series():
    frame = _series(pd.Index(np.r_[0, np.arange(2, N + 1)]))
    got = ESNForecaster(30, washout=12, random_state=0).fit(frame).forecast(3)
    pd.testing.assert_index_equal(got.index, pd.RangeIndex(1, 4, name="steps_ahead"))
    first, last = _series().iloc[:60], _series().iloc[60:]
    model = ESNForecaster(30, washout=12, random_state=0).fit([first, last.to_numpy()])
    assert isinstance(model.forecast(2), np.ndarray)
    model = ESNForecaster(30, washout=12, random_state=0).fit([first.to_numpy(), last])
    assert model.forecast(2).index[0] == pd.Timestamp("2011-01-01")


def test_forecasts_after_an_xarray_series_are_data_arrays_with_its_coordinates():
    xr = pytest.importorskip("xarray")
    frame = _series()
    two = xr.DataArray(frame.to_numpy(), dims=("time", "variable"), name="x",
                       coords={"time": frame.index, "variable": ["a", "b"]})
    future = pd.date_range("2011-01", periods=3, freq="MS")
    for make in (lambda: ESNForecaster(30, washout=12, random_state=0),
                 lambda: NVARForecaster(delays=3)):
        got = make().fit(two).forecast(3)
        expected = xr.DataArray(make().fit(frame.to_numpy()).forecast(3), name="x",
                                dims=("time", "variable"),
                                coords={"time": future, "variable": ["a", "b"]})
        xr.testing.assert_identical(got, expected)
        one = make().fit(two.sel(variable="a", drop=True)).forecast(3)
        assert one.dims == ("time",) and one.name == "x"
        np.testing.assert_array_equal(one["time"], future)
    bare = xr.DataArray(frame["a"].to_numpy(), dims="step")  # no coordinate: none after it
    got = ESNForecaster(30, washout=12, random_state=0).fit(bare).forecast(2)
    assert got.dims == ("step",) and "step" not in got.coords
