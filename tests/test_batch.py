import numpy as np
import pytest

from reservoir import ESNForecaster, ESNRegressor
from reservoir.batch import fit_configurations, predict_configurations

CONFIGS = [dict(spectral_radius=r, input_scaling=s, leak_rate=a)
           for r, s, a in [(0.5, 0.3, 1.0), (1.1, 1.0, 0.4), (0.9, 2.0, 0.7)]]


def _data():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, size=(300, 1))
    return u, np.r_[0.0, 0.0, u[:-2, 0]]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_batched_fit_equals_individual_fits(dtype):
    u, y = _data()
    est = ESNRegressor(n_reservoir=30, washout=20, ridge=1e-6, dtype=dtype, random_state=3)
    batched = fit_configurations(est, CONFIGS, [u[:200], u[200:]], [y[:200], y[200:]])
    tol = 1e-8 if dtype == "float64" else 1e-3
    for cfg, model in zip(CONFIGS, batched):
        single = ESNRegressor(**{**est.get_params(), **cfg}).fit([u[:200], u[200:]],
                                                                  [y[:200], y[200:]])
        np.testing.assert_allclose(model.coef_, single.coef_, rtol=tol, atol=tol)
        np.testing.assert_allclose(model.predict(u), single.predict(u), rtol=tol, atol=tol)
        np.testing.assert_allclose(model.state_, single.state_, rtol=tol, atol=tol)
        assert model.get_params()["spectral_radius"] == cfg["spectral_radius"]


def test_batched_forecasters_and_ridge_path():
    series = np.sin(np.arange(400) * 0.2) + 0.1 * np.sin(np.arange(400) * 0.05)
    est = ESNForecaster(n_reservoir=25, washout=20, random_state=1)
    models = fit_configurations(est, CONFIGS[:2], series)
    single = ESNForecaster(**{**est.get_params(), **CONFIGS[1]}).fit(series)
    np.testing.assert_allclose(models[1].forecast(10), single.forecast(10), rtol=1e-7, atol=1e-9)
    for ridge in (1e-3, 1.0):
        swept = models[1].with_ridge(ridge)
        refit = ESNForecaster(**{**est.get_params(), **CONFIGS[1], "ridge": ridge}).fit(series)
        np.testing.assert_allclose(swept.coef_, refit.coef_, rtol=1e-8, atol=1e-10)
        assert swept.ridge == ridge and models[1].ridge == est.ridge


def test_feedback_models_fall_back_to_single_fits_and_bad_configs_raise():
    u, y = _data()
    est = ESNRegressor(n_reservoir=20, washout=10, feedback_scaling=0.2, random_state=0)
    models = fit_configurations(est, CONFIGS[:2], u, y)
    single = ESNRegressor(**{**est.get_params(), **CONFIGS[0]}).fit(u, y)
    np.testing.assert_array_equal(models[0].coef_, single.coef_)
    with pytest.raises(ValueError, match="may only set"):
        fit_configurations(est, [dict(n_reservoir=10)], u, y)


def test_prefix_checkpoints_refuse_a_model_that_standardises():
    # a fit on each prefix fits its own scaling, which one harvest cannot give them all
    u, y = _data()
    est = ESNRegressor(n_reservoir=20, washout=10, standardize=True, random_state=0)
    with pytest.raises(ValueError, match="does not standardise its inputs"):
        fit_configurations(est, CONFIGS[:2], u, y, checkpoints=[100, 200])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_predictions_side_by_side_equal_each_models_predict(dtype):
    u, y = _data()
    Y = np.c_[y, np.roll(y, 1)]  # two outputs
    est = ESNRegressor(n_reservoir=30, washout=20, ridge=1e-6, squares=True, dtype=dtype,
                       random_state=3)
    models = fit_configurations(est, CONFIGS, u[:200], Y[:200])
    ridges = [1e-6, 1e-2, 1.0]
    weights = [m.readout_.coef_for(ridges) for m in models]
    X = [u[200:260], u[260:]]  # a list: one prediction per sequence
    preds = predict_configurations(models, X, weights)
    tol = 1e-10 if dtype == "float64" else 1e-4
    for model, model_preds in zip(models, preds):
        assert len(model_preds) == len(ridges)
        for ridge, pred in zip(ridges, model_preds):
            expected = model.with_ridge(ridge).predict(X)
            for p, e in zip(pred, expected):
                np.testing.assert_allclose(p, e, rtol=tol, atol=tol)


def test_forecaster_predictions_side_by_side_keep_the_series_shape():
    series = np.sin(np.arange(300) * 0.2)
    models = fit_configurations(ESNForecaster(n_reservoir=20, washout=10, ridge=1e-8,
                                              random_state=0),
                                CONFIGS[:2], series[:200])
    weights = [m.readout_.coef_for([1e-8]) for m in models]
    for model, (pred,) in zip(models, predict_configurations(models, series[200:], weights)):
        assert pred.shape == (100,)
        np.testing.assert_allclose(pred, model.predict(series[200:]), rtol=1e-10, atol=1e-12)


def test_batched_models_continue_online_like_individual_fits():
    u, y = _data()
    est = ESNRegressor(n_reservoir=30, washout=20, ridge=1e-6, random_state=3)
    (model,) = fit_configurations(est, CONFIGS[:1], u[:200], y[:200])
    single = ESNRegressor(**{**est.get_params(), **CONFIGS[0]}).fit(u[:200], y[:200])
    model.partial_fit(u[200:], y[200:])
    single.partial_fit(u[200:], y[200:])
    # the two harvests agree to round-off, which inv(F^T F + ridge I') at ridge 1e-6 (the
    # intercept unpenalised) amplifies to about 1e-7
    np.testing.assert_allclose(model.coef_, single.coef_, rtol=1e-6, atol=1e-7)


def test_batched_drives_in_parts_give_the_same_bits_on_every_device(monkeypatch):
    from reservoir import harvest

    monkeypatch.setattr(harvest, "THREADED_DRIVE", 0)  # the parts on threads at this small size
    rng = np.random.default_rng(1)
    u = rng.uniform(-1, 1, size=(2 * harvest.DRIVE_ROWS + 5, 3))
    y = np.r_[0.0, u[:-1, 0] * u[:-1, 1]]
    coefs = [[m.coef_ for m in fit_configurations(
        ESNRegressor(20, washout=10, device=device, n_jobs=2, random_state=0), CONFIGS, u, y)]
        for device in ("cpu", "parallel")]
    np.testing.assert_array_equal(coefs[0], coefs[1])
