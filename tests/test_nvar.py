"""NVARForecaster: features, readout and closed loop against plain numpy; the search."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from experiments.datasets import lorenz63
from experiments.search import grid_search
from reservoir import NVARForecaster
from reservoir.covariates import covariates_ahead
from reservoir.nvar import features, generate_many, monomials
from tests import naive


@pytest.fixture(scope="module")
def xyz():
    return lorenz63(900, dt=0.025, random_state=0)


@pytest.mark.parametrize("delays, skip, degree", [(2, 1, 2), (3, 2, 3), (1, 1, 1)])
def test_features_equal_plain_numpy(delays, skip, degree):
    S = np.random.default_rng(0).normal(size=(12, 2))
    terms = monomials(2 * delays, degree)
    out = np.empty((12, 2 * delays + len(terms)))
    features(S, delays, skip, terms, out)
    np.testing.assert_allclose(out, naive.nvar_features(S, delays, skip, degree), rtol=1e-14)


@pytest.mark.parametrize("increment", [True, False])
def test_readout_and_closed_loop_equal_plain_numpy(xyz, increment):
    S = xyz[:300]
    model = NVARForecaster(ridge=1e-3, increment=increment, standardize=False).fit(S)
    F = naive.nvar_features(S, 2, 1, 2)[1:-1]
    W = naive.ridge(np.hstack([np.ones((len(F), 1)), F]), S[2:] - (S[1:-1] if increment else 0),
                    1e-3)
    np.testing.assert_allclose(model.intercept_, W[0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.coef_, W[1:].T, rtol=1e-6, atol=1e-9)
    want = naive.nvar_closed_loop(S, W, 2, 1, 2, 20, increment)
    np.testing.assert_allclose(model.forecast(20), want, rtol=1e-9, atol=1e-9)


def test_closed_loops_side_by_side_equal_plain_numpy(xyz):
    S = xyz[:300]
    model = NVARForecaster(delays=3, skip=2, ridge=1e-3, standardize=False).fit(S)
    W = np.vstack([model.intercept_, model.coef_.T])
    histories = np.stack([S[o - 5:o] for o in (5, 120, 300)])
    known, out = np.empty((3, 15, 0)), np.empty((3, 15, 3))
    generate_many(histories, model.coef_, model.intercept_, 3, 2, monomials(9, 2), True,
                  np.arange(3), np.empty(0, dtype=np.int64), known, out)
    for h, got in zip(histories, out):
        np.testing.assert_allclose(got, naive.nvar_closed_loop(h, W, 3, 2, 2, 15), rtol=1e-9,
                                   atol=1e-9)


@pytest.mark.parametrize("params", [{}, {"seasonal_period": 7, "delays": 3, "skip": 2},
                                    {"covariates": [2]}])
def test_forecasts_from_many_origins_equal_one_forecast_each(xyz, params):
    model = NVARForecaster(**params).fit(xyz[:400])
    origins = [model._warmup + 1, 250, 400, 790]
    runs = model.forecast_origins(xyz[:800], origins, 10)
    ahead = [covariates_ahead(model, xyz, o, 10) for o in origins]
    np.testing.assert_array_equal(runs, np.stack(
        [model.forecast(10, context=xyz[:o], **a) for o, a in zip(origins, ahead)]))
    both = model.forecast_origins(xyz[:800], origins, 10, ridges=[1e-6, 1e-2])
    np.testing.assert_array_equal(both[1], np.stack(
        [model.with_ridge(1e-2).forecast(10, context=xyz[:o], **a)
         for o, a in zip(origins, ahead)]))
    assert model.forecast_origins(xyz[:800], [], 10).shape == (0,) + runs.shape[1:]
    with pytest.raises(ValueError, match=rf"origins must lie in \({model._warmup}, 800\]"):
        model.forecast_origins(xyz[:800], [model._warmup], 10)
    with pytest.raises(ValueError, match="forecast_origins takes one series, not several"):
        model.forecast_origins([xyz[:800], xyz[:800]], [300], 10)
    for bad in ([300.5], ["300"], [np.nan], [True]):
        with pytest.raises(ValueError, match="origins must be whole step numbers; got"):
            model.forecast_origins(xyz[:800], bad, 10)
    np.testing.assert_array_equal(model.forecast_origins(xyz[:800], np.array([250.0]), 10),
                                  runs[1:2])


def test_forecasts_from_many_origins_of_a_diverging_model(xyz):
    wild = NVARForecaster(ridge=0.0, standardize=False).fit(xyz[:60])
    with pytest.raises(FloatingPointError, match="from origin 100 became non-finite"):
        wild.forecast_origins(xyz, [100, 200], 5000)
    kept = wild.forecast_origins(xyz, [100, 200], 5000, non_finite="keep")
    assert not np.isfinite(kept).all()


def test_lorenz_forecast_of_one_lyapunov_time(xyz):
    model = NVARForecaster().fit(xyz[:400])
    truth = xyz[400:444]  # one Lyapunov time (1 / 0.906) at dt = 0.025
    error = np.sqrt(np.mean((model.forecast(44) - truth) ** 2)) / np.sqrt(np.mean(xyz.var(0)))
    assert error < 0.02  # Gauthier et al. 2021 report a few 1e-3
    assert model.score(xyz[400:]) > 0.9999


def test_with_ridge_and_the_search_share_one_factorization(xyz):
    model = NVARForecaster(ridge=1e-4).fit(xyz[:400])
    again = model.with_ridge(1e-2)
    np.testing.assert_allclose(again.coef_, NVARForecaster(ridge=1e-2).fit(xyz[:400]).coef_,
                               rtol=1e-9, atol=1e-12)
    assert model.ridge == 1e-4
    grid = {"ridge": [1e-6, 1e-2], "delays": [2, 3]}
    ours = grid_search(NVARForecaster(), grid, xyz[:600], cv=TimeSeriesSplit(3),
                       walk_forward=False)
    theirs = GridSearchCV(NVARForecaster(), grid, cv=TimeSeriesSplit(3)).fit(xyz[:600])
    for i, params in enumerate(theirs.cv_results_["params"]):
        assert float(ours.dataset["mean_test_score"].sel(**params)) == pytest.approx(
            theirs.cv_results_["mean_test_score"][i], rel=1e-9)


def test_guards_and_bad_input(xyz):
    model = NVARForecaster(delays=3, skip=2).fit(xyz[:300])
    with pytest.raises(ValueError, match="context has 3 steps; NVARForecaster needs more than 4"):
        model.forecast(5, context=xyz[:3])
    with pytest.raises(ValueError, match="horizon must be a positive integer"):
        model.forecast(0)
    wild = NVARForecaster(ridge=0.0, standardize=False).fit(xyz[:60])
    with pytest.raises(FloatingPointError, match="step"):
        wild.forecast(5000, on_divergence="raise")
    with pytest.raises(ValueError, match="n_samples=10 steps: delays=4 and skip=3 need"):
        NVARForecaster(delays=4, skip=3).fit(xyz[:10])


def test_float32_series_come_back_float32_computed_in_float64(xyz):
    single = xyz[:300].astype(np.float32)
    a, b = NVARForecaster().fit(single), NVARForecaster().fit(single.astype(np.float64))
    for got, want in ((a.forecast(5), b.forecast(5)), (a.predict(single), b.predict(single)),
                      (a.forecast(3, context=xyz[:50]), b.forecast(3, context=xyz[:50]))):
        assert got.dtype == np.float32 and want.dtype == np.float64
        np.testing.assert_array_equal(got, want.astype(np.float32))
    assert NVARForecaster().fit([single[:150], single[150:]]).predict(single).dtype == np.float32
