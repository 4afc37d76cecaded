"""ForecastPipeline: transformers in front of a forecaster, forecasts mapped back."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from reservoir import ESNForecaster, ForecastPipeline, NVARForecaster


def _series():
    t = np.arange(700)
    return np.stack([20 + 5 * np.sin(0.2 * t), 100 + 30 * np.cos(0.13 * t)], axis=1)


@pytest.mark.parametrize("make", [lambda: ESNForecaster(60, washout=50, random_state=0),
                                  lambda: NVARForecaster(standardize=False)])
def test_forecasts_equal_the_steps_done_by_hand(make):
    series = _series()
    pipe = ForecastPipeline([("z", StandardScaler()), ("mm", MinMaxScaler((-1, 1))),
                             ("model", make())]).fit(series[:600])
    z = StandardScaler().fit(series[:600])
    mm = MinMaxScaler((-1, 1)).fit(z.transform(series[:600]))
    model = make().fit(mm.transform(z.transform(series[:600])))

    def back(values):
        return z.inverse_transform(mm.inverse_transform(values))

    np.testing.assert_allclose(pipe.forecast(20), back(model.forecast(20)), rtol=1e-12)
    context = mm.transform(z.transform(series[:300]))
    np.testing.assert_allclose(pipe.forecast(5, context=series[:300]),
                               back(model.forecast(5, context=context)), rtol=1e-12)
    np.testing.assert_allclose(pipe.predict(series[:200]),
                               back(model.predict(mm.transform(z.transform(series[:200])))),
                               rtol=1e-12)
    assert np.max(np.abs(pipe.forecast(10) - series[600:610])) < 0.05 * 30


def test_a_1d_series_goes_through_as_one_column_and_comes_back_1d():
    pd = pytest.importorskip("pandas")
    series = _series()[:, 1]
    column = ForecastPipeline([("z", StandardScaler()),
                               ("model", ESNForecaster(60, washout=50, random_state=0))])
    two_d = column.fit(series[:600, None])
    expected = (two_d.forecast(10)[:, 0], two_d.forecast(5, context=series[:300, None])[:, 0],
                two_d.predict(series[:200, None])[:, 0])
    for given in (series, pd.Series(series, name="level")):
        pipe = column.fit(given[:600])
        got = (pipe.forecast(10), pipe.forecast(5, context=given[:300]), pipe.predict(given[:200]))
        for a, b in zip(got, expected):
            assert a.ndim == 1
            np.testing.assert_array_equal(np.asarray(a), b)
        assert pipe.score(given[:300]) == two_d.score(series[:300, None])
    search = GridSearchCV(column, {"model__spectral_radius": [0.5, 0.9]}, cv=TimeSeriesSplit(2))
    assert search.fit(series).best_estimator_.forecast(4).shape == (4,)


class _NoInverse(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X) * 2.0


def test_a_step_without_inverse_is_named_and_the_search_works():
    series = _series()
    pipe = ForecastPipeline([("double", _NoInverse()),
                             ("esn", ESNForecaster(40, washout=50, random_state=0))])
    with pytest.raises(TypeError, match="_NoInverse has no inverse_transform"):
        pipe.fit(series).forecast(3)
    search = GridSearchCV(ForecastPipeline([("z", StandardScaler()),
                                            ("esn", ESNForecaster(40, washout=50,
                                                                  random_state=0))]),
                          {"esn__spectral_radius": [0.5, 0.9]}, cv=TimeSeriesSplit(2))
    assert search.fit(series).best_estimator_.forecast(4).shape == (4, 2)
