"""ConformalForecaster: prediction intervals from the errors of closed loops on the series' end."""

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.preprocessing import StandardScaler

from experiments.search import grid_search
from reservoir import ConformalForecaster, ESNForecaster, ForecastPipeline, NVARForecaster


def _noisy(n, seed=0):
    rng = np.random.default_rng(seed)
    return np.sin(np.arange(n) * 0.2) + 0.2 * rng.standard_normal(n)


def _esn():
    return ESNForecaster(50, washout=30, random_state=0)


@pytest.mark.parametrize("make", [_esn, lambda: NVARForecaster(delays=4, ridge=1e-3),
                                  lambda: ForecastPipeline([("z", StandardScaler()),
                                                            ("nvar", NVARForecaster(delays=4))])])
def test_half_widths_are_the_conformal_quantiles_of_forecasts_done_one_by_one(make):
    series = _noisy(600) * np.r_[np.ones(300), np.linspace(1, 3, 300)]  # swings that grow
    start, last = 600 - 180, 600 - 6
    origins = np.unique(np.linspace(start, last, 40).round().astype(int))
    early = make().fit(series[:start])
    errors = np.abs(np.stack([early.forecast(6, context=series[:o]) - series[o:o + 6]
                              for o in origins]))
    rank = math.ceil((len(origins) + 1) * 0.8)  # 33rd smallest of 40

    def scale(history, window):  # the spread of the last values, at least 1% of the series'
        return 1.0 if window is None else max(history[-window:].std(), 0.01 * series.std())

    for window in (None, "horizon", 20):
        model = ConformalForecaster(make(), horizon=6, coverage=0.8, calibration=0.3,
                                    n_origins=40, scale_window=window).fit(series)
        w = 6 if window == "horizon" else window
        scaled = errors / np.array([scale(series[:o], w) for o in origins])[:, None]
        assert model.n_origins_ == len(origins) == 40
        np.testing.assert_allclose(model.calibration_errors_, errors, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(model.quantile_, np.sort(scaled, axis=0)[rank - 1],
                                   rtol=1e-9)
        point, lower, upper = model.forecast(4, return_interval=True)
        np.testing.assert_array_equal(point, make().fit(series).forecast(4))
        np.testing.assert_allclose(upper - point, model.quantile_[:4] * scale(series, w))
        np.testing.assert_allclose(point - lower, model.half_width_[:4])
        point, lower, _ = model.forecast(4, context=series[:500], return_interval=True)
        np.testing.assert_allclose(point - lower, model.quantile_[:4] * scale(series[:500], w))


def test_intervals_hold_about_their_coverage_on_later_data():
    series = _noisy(2400)
    model = ConformalForecaster(_esn(), horizon=8, coverage=0.9).fit(series[:1600])
    held = []
    for o in range(1600, 2390, 10):
        _, lower, upper = model.forecast(8, context=series[:o], return_interval=True)
        held.append((lower <= series[o:o + 8]) & (series[o:o + 8] <= upper))
    assert 0.85 <= np.mean(held) <= 0.97
    wider = ConformalForecaster(_esn(), horizon=8, coverage=0.98).fit(series[:1600])
    assert np.all(wider.half_width_ >= model.half_width_)


def test_searches_choose_the_wrapped_forecasters_parameters():
    series = _noisy(900)
    model = ConformalForecaster(_esn(), horizon=5)
    grid = {"forecaster__spectral_radius": [0.5, 0.9]}
    found = grid_search(model, grid, series, cv=TimeSeriesSplit(3))
    assert found.best_params_["forecaster__spectral_radius"] in (0.5, 0.9)
    assert found.best_estimator_.half_width_.shape == (5,)
    searched = GridSearchCV(model, grid, cv=TimeSeriesSplit(3)).fit(series)
    assert searched.best_estimator_.forecaster_.spectral_radius in (0.5, 0.9)


def test_pandas_float32_and_several_variables_keep_their_form():
    days = pd.date_range("2020-01-01", periods=500, freq="D")
    frame = pd.DataFrame({"a": _noisy(500), "b": _noisy(500, seed=1)}, index=days)
    model = ConformalForecaster(_esn(), horizon=5).fit(frame)
    point, lower, upper = model.forecast(3, return_interval=True)
    assert model.half_width_.shape == (5, 2)
    for bound in (point, lower, upper):
        assert isinstance(bound, pd.DataFrame) and list(bound.columns) == ["a", "b"]
        assert bound.index[0] == pd.Timestamp("2021-05-15")
    assert np.all(lower.to_numpy() < upper.to_numpy())
    single = ESNForecaster(50, washout=30, dtype="float32", random_state=0)
    forecast, lower, _ = ConformalForecaster(single, horizon=5).fit(_noisy(500)).forecast(
        return_interval=True)
    assert forecast.dtype == lower.dtype == np.float32 and forecast.shape == (5,)


def test_bad_settings_say_what_to_change():
    series = _noisy(200)
    with pytest.raises(ValueError, match=r"coverage=0.95 needs at least 19 calibration origins, "
                                         r"and the last calibration=0.1 of the 200 steps holds "
                                         r"11 forecasts of horizon=10 steps\. Raise calibration "
                                         r"\(to 0.14 or more\)"):
        ConformalForecaster(_esn(), calibration=0.1, coverage=0.95).fit(series)
    with pytest.raises(ValueError, match=r"holds 0 forecasts of horizon=195 steps\. Lower "
                                         "horizon or coverage, or pass a longer series"):
        ConformalForecaster(_esn(), horizon=195).fit(series)
    with pytest.raises(ValueError, match="n_origins=5 allows fewer"):
        ConformalForecaster(_esn(), n_origins=5).fit(series)
    with pytest.raises(ValueError, match=r"fitted on the first 50 of the 200 steps .* failed: "
                                         r".*washout.* Or lower calibration=0.75"):
        ConformalForecaster(ESNForecaster(50, washout=60), calibration=0.75).fit(series)
    with pytest.raises(ValueError, match="one series, not several"):
        ConformalForecaster(_esn()).fit([series, series])
    with pytest.raises(ValueError, match="coverage"):
        ConformalForecaster(_esn(), coverage=1.0).fit(series)
    model = ConformalForecaster(_esn(), horizon=4).fit(series)
    with pytest.raises(ValueError, match=r"horizon=6 is beyond the 4 steps .* horizon=6\)"):
        model.forecast(6, return_interval=True)
    assert model.forecast(6).shape == (6,)  # a point forecast goes any distance
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        model.forecast(0)


class _Wild(BaseEstimator):
    """Persistence (the last value repeated), but 1000 times it from every tenth origin."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def forecast(self, horizon, context=None, on_divergence="warn"):
        return np.full(horizon, context[-1] * (1000.0 if len(context) % 10 == 0 else 1.0))


def test_calibration_loops_that_run_away_are_reported():
    series = 2.0 + np.sin(np.arange(400) * 0.3)
    with pytest.warns(RuntimeWarning, match=r"training range by more than ten times its width "
                                            r"from 10 of the 91 calibration origins \(the first "
                                            r"at step 300\).*ClosedLoop"):
        model = ConformalForecaster(_Wild(), horizon=10, coverage=0.8).fit(series)
    assert model.half_width_.max() < 3  # the 74th smallest of 91 errors: persistence's
