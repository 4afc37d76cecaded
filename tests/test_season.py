"""The forecasters' ``seasonal_period``: seasonal means fitted on the training series, removed
before the model, added back to every output at the right phase."""

import numpy as np
import pytest
from sklearn.model_selection import TimeSeriesSplit

from experiments.search import grid_search
from reservoir import ESNForecaster, NVARForecaster

from .naive import seasonal_means

PERIOD = 12
MODELS = [(ESNForecaster, dict(n_reservoir=60, washout=24, ridge=1e-3, random_state=0)),
          (NVARForecaster, dict(delays=3, ridge=1e-3))]


def _monthly(n, seed=0):
    """An AR(1) anomaly on a yearly cycle of 12 steps whose shape no sine fits: (n,)."""
    rng = np.random.default_rng(seed)
    cycle = np.array([0, 1, 3, 7, 9, 8, 5, 2, 1, 0, -1, -1], dtype=float)
    a = np.zeros(n)
    for t in range(1, n):
        a[t] = 0.8 * a[t - 1] + rng.normal(0, 0.5)
    return cycle[np.arange(n) % PERIOD] + a


@pytest.mark.parametrize("cls, kw", MODELS)
def test_a_season_equals_the_model_of_the_anomalies_plus_the_seasonal_means(cls, kw):
    s = _monthly(300)
    clim = seasonal_means([s[:250, None]], PERIOD)[:, 0]
    a = s - clim[np.arange(300) % PERIOD]
    seasonal = cls(seasonal_period=PERIOD, **kw).fit(s[:250])
    plain = cls(**kw).fit(a[:250])
    np.testing.assert_allclose(seasonal.season_[:, 0], clim, rtol=1e-12)
    phase = np.arange(400) % PERIOD
    np.testing.assert_allclose(seasonal.predict(s)[:-1],
                               plain.predict(a)[:-1] + clim[phase[1:300]], atol=1e-10)
    np.testing.assert_allclose(seasonal.forecast(30), plain.forecast(30) + clim[phase[250:280]],
                               atol=1e-10)
    np.testing.assert_allclose(seasonal.forecast(20, context=s[:137]),
                               plain.forecast(20, context=a[:137]) + clim[phase[137:157]],
                               atol=1e-10)
    if cls is ESNForecaster:
        origins = np.array([30, 101, 250])
        np.testing.assert_allclose(
            seasonal.forecast_origins(s, origins, 6),
            plain.forecast_origins(a, origins, 6) + clim[(origins[:, None] + np.arange(6)) % 12],
            atol=1e-10)


@pytest.mark.parametrize("cls, kw", MODELS)
def test_each_series_of_a_list_starts_at_phase_zero_and_variables_keep_their_own_season(cls, kw):
    s = [np.column_stack([_monthly(n, seed), -2 * _monthly(n, seed + 5)])
         for n, seed in ((130, 1), (97, 2))]
    model = cls(seasonal_period=PERIOD, **kw).fit(s)
    np.testing.assert_allclose(model.season_, seasonal_means(s, PERIOD), rtol=1e-12)
    assert model.forecast(5).shape == (5, 2)


def test_a_season_learns_what_the_plain_model_misses_and_keeps_float32():
    s = _monthly(196)  # eight years to learn from: too few for the cycle's shape in the states
    errors = {}
    for period in (None, PERIOD):
        model = ESNForecaster(60, washout=24, seasonal_period=period, random_state=0)
        pred = model.fit(s[:96]).predict(s)
        errors[period] = np.sqrt(np.mean((pred[95:-1] - s[96:]) ** 2))
    assert errors[PERIOD] < 0.6 < 0.75 < errors[None]  # innovations' spread: 0.5
    model = ESNForecaster(30, washout=24, seasonal_period=PERIOD, dtype="float32", random_state=0)
    model.fit(s[:300].astype(np.float32))
    assert model.forecast(7).dtype == np.float32 and model.predict(s).dtype == np.float32


@pytest.mark.parametrize("cls, kw", MODELS)
def test_a_series_shorter_than_its_season_is_refused_and_the_period_is_checked(cls, kw):
    with pytest.raises(ValueError, match="seasonal_period=40 needs a step at every phase.*"
                                         r"the series of X \(30 steps\) leave 10 of its 40 "
                                         "phases without one"):
        cls(seasonal_period=40, **{**kw, "washout": 5} if "washout" in kw else kw).fit(
            _monthly(30))
    with pytest.raises(ValueError, match="seasonal_period"):
        cls(seasonal_period=0, **kw).fit(_monthly(100))


def test_the_search_chooses_the_season_on_validation_fitting_it_on_each_fold():
    s = _monthly(360)
    base = ESNForecaster(40, washout=24, random_state=0)
    grid = {"seasonal_period": [None, PERIOD], "ridge": [1e-3, 1.0]}
    result = grid_search(base, grid, s, cv=TimeSeriesSplit(3))
    assert result.best_params_["seasonal_period"] == PERIOD
    # the scores are those of fits on each fold's own training part (season and scaling)
    train, test = list(TimeSeriesSplit(3).split(s))[0]
    model = base.set_params(seasonal_period=PERIOD, ridge=result.best_params_["ridge"])
    model.fit(s[train])
    pred = model.predict(s[:test[-1] + 1])[test[0] - 1:-1]
    r2 = 1 - np.sum((pred - s[test]) ** 2) / np.sum((s[test] - s[test].mean()) ** 2)
    best = result.dataset["split_test_score"].sel(seasonal_period=str(PERIOD)).max("ridge")
    assert float(best.isel(split=0)) == pytest.approx(r2, rel=1e-9)


@pytest.mark.parametrize("cls, kw", MODELS)
@pytest.mark.parametrize("label", ["dates", "periods", "years", "xarray"])
def test_a_labelled_series_takes_its_phase_from_its_first_label(cls, kw, label):
    import pandas as pd

    s = _monthly(300)
    clim = seasonal_means([s[:250, None]], PERIOD)[:, 0]
    a = s - clim[np.arange(300) % PERIOD]
    index = {"dates": pd.date_range("1950-01-01", periods=300, freq="MS"),
             "periods": pd.period_range("1950-01", periods=300, freq="M"),
             "years": pd.Index(1950 + np.arange(300) / 12)}.get(label)
    if label == "xarray":
        import xarray as xr

        series = xr.DataArray(s, dims="time", coords={"time": np.arange(300) * 30.0})
        part = series[37:200]
    else:
        series = pd.Series(s, index=index)
        part = series.iloc[37:200]
    seasonal = cls(seasonal_period=PERIOD, **kw).fit(series[:250])
    plain = cls(**kw).fit(a[:250])
    phase = np.arange(400) % PERIOD
    np.testing.assert_allclose(np.asarray(seasonal.forecast(10, context=part)),
                               plain.forecast(10, context=a[37:200]) + clim[phase[200:210]],
                               atol=1e-10)
    np.testing.assert_allclose(np.asarray(seasonal.predict(part))[:-1],
                               plain.predict(a[37:200])[:-1] + clim[phase[38:200]], atol=1e-10)
    if cls is ESNForecaster:
        origins = np.array([30, 101])
        np.testing.assert_allclose(
            seasonal.forecast_origins(part, origins, 4),
            plain.forecast_origins(a[37:200], origins, 4)
            + clim[(37 + origins[:, None] + np.arange(4)) % PERIOD], atol=1e-10)
    # an array has no labels: it starts at phase 0
    np.testing.assert_allclose(seasonal.forecast(10, context=np.asarray(part)),
                               plain.forecast(10, context=a[37:200] - clim[phase[:163]]
                                              + clim[phase[37:200]]) + clim[phase[163:173]],
                               atol=1e-10)


def test_a_context_off_the_training_series_grid_is_refused():
    import pandas as pd

    series = pd.Series(_monthly(200), index=pd.date_range("1950-01-01", periods=200, freq="MS"))
    model = ESNForecaster(30, washout=24, seasonal_period=PERIOD, random_state=0).fit(series)
    daily = pd.Series(_monthly(100), index=pd.date_range("1960-01-15", periods=100, freq="D"))
    with pytest.raises(ValueError, match="context starts at Timestamp.*1960-01-15.*not on the "
                                         "training series' grid.*phase of the season "
                                         r"\(seasonal_period\) is unknown"):
        model.forecast(5, context=daily)


@pytest.mark.parametrize("cls, kw", MODELS)
def test_each_labelled_series_of_a_list_takes_its_phase_from_its_first_label(cls, kw):
    import pandas as pd

    months = pd.date_range("1990-01-01", periods=400, freq="MS")
    s = _monthly(400)
    parts = [pd.Series(s[:150], index=months[:150]), pd.Series(s[205:380], index=months[205:380])]
    model = cls(seasonal_period=PERIOD, **kw).fit(parts)
    np.testing.assert_allclose(model.season_[:, 0], _calendar_means(s, [(0, 150), (205, 380)]),
                               rtol=1e-12)
    arrays = cls(seasonal_period=PERIOD, **kw).fit([p.to_numpy() for p in parts])
    assert not np.allclose(arrays.season_, model.season_)  # arrays: each from phase 0
    np.testing.assert_allclose(np.asarray(model.predict(parts)[1]),
                               np.asarray(model.predict(parts[1])), rtol=1e-12)


def _calendar_means(s, spans):
    """The mean of each phase (calendar month) of the steps of s in ``spans`` [(a, b), ...]."""
    sums, counts = np.zeros(PERIOD), np.zeros(PERIOD)
    for a, b in spans:
        for t in range(a, b):
            sums[t % PERIOD] += s[t]
            counts[t % PERIOD] += 1
    return sums / counts
