import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from experiments.datasets import mackey_glass
from reservoir import ESNForecaster


def _fc(**kw):
    params = dict(n_reservoir=200, spectral_radius=0.8, leak_rate=1.0, input_scaling=1.0,
                  bias_scaling=0.2, ridge=1e-10, washout=100, standardize=False, random_state=0)
    params.update(kw)
    return ESNForecaster(**params)


#: A reservoir that learns a growing oscillation's growth and carries it on in closed loop
#: (the series fed as they are).
GROWING = dict(spectral_radius=1.25, leak_rate=0.3, input_scaling=1.0, standardize=False)


@pytest.fixture(scope="module")
def mg():
    return mackey_glass(1600, squash=True, random_state=0)


def test_closed_loop_forecast_of_mackey_glass(mg):
    fc = _fc().fit(mg[:1500])
    pred = fc.forecast(50)
    assert pred.shape == (50,)
    assert np.sqrt(np.mean((pred - mg[1500:1550]) ** 2)) / mg.std() < 1e-2
    assert fc.score(mg[1000:1600]) > 0.999


def test_forecast_from_context_equals_forecast_from_end_of_training(mg):
    fc = _fc().fit(mg[:1200])
    np.testing.assert_array_equal(fc.forecast(30), fc.forecast(30, context=mg[:1200]))


def test_one_step_predictions_are_teacher_forced(mg):
    fc = _fc().fit(mg[:1200])
    pred = fc.predict(mg[1200:1400])
    assert pred.shape == (200,)
    # One step ahead from a context equals the first forecasted value.
    assert pred[-1] == pytest.approx(fc.forecast(1, context=mg[1200:1400])[0], abs=1e-12)


def test_multivariate_and_sequence_lists():
    t = np.arange(600) * 0.1
    series = [np.column_stack([np.sin(t + p), np.cos(t + p)]) for p in (0.0, 1.0)]
    fc = _fc(n_reservoir=50, washout=20).fit(series)
    assert fc.forecast(10).shape == (10, 2)
    preds = fc.predict(series)
    assert isinstance(preds, list) and preds[1].shape == (600, 2)
    np.testing.assert_allclose(fc.forecast(10, context=series[0][:300]),
                               series[0][300:310], atol=1e-3)


def test_float32_forecast(mg):
    fc = _fc(dtype="float32", ridge=1e-6).fit(mg[:1200])
    pred = fc.forecast(20)
    assert pred.dtype == np.float32 and fc.predict(mg[:100]).dtype == np.float32
    assert np.max(np.abs(pred - mg[1200:1220])) < 0.05


def test_forecaster_errors(mg):
    with pytest.raises(NotFittedError):
        _fc().forecast(5)
    with pytest.raises(ValueError, match="washout=100"):
        _fc().fit(mg[:80])
    fc = _fc().fit(mg[:300])
    with pytest.raises(ValueError, match="horizon"):
        fc.forecast(0)
    with pytest.raises(ValueError, match="expecting 1 features"):
        fc.forecast(5, context=np.zeros((50, 2)))
    with pytest.raises(ValueError, match="NaN"):
        fc.predict(np.r_[mg[:10], np.nan])


def test_forecast_in_pieces_equals_one_piece(mg, monkeypatch):
    import reservoir.harvest

    fc = _fc(n_reservoir=100, washout=50, ridge=1e-6).fit(mg[:1200])
    whole = fc.forecast(300)
    monkeypatch.setattr(reservoir.harvest, "CHUNK_BYTES", 100 * 8 * 7)  # 7 steps a piece
    np.testing.assert_array_equal(fc.forecast(300), whole)
    assert fc.forecast(1).shape == (1,)


def test_standardize_maps_outputs_back_to_the_series_units(mg):
    scaled = 1000.0 + 50.0 * mg[:1300]
    plain = _fc(n_reservoir=100, washout=50).fit(mg[:1200])
    model = _fc(n_reservoir=100, washout=50, standardize=True).fit(scaled[:1200])
    assert model.series_scale_[0] == pytest.approx(50.0 * mg[:1200].std())
    ahead = model.forecast(20)
    assert np.max(np.abs(ahead - scaled[1200:1220])) < 50.0 * 0.05
    assert model.score(scaled[:1200]) == pytest.approx(plain.score(mg[:1200]), abs=1e-3)
    np.testing.assert_allclose(model.predict(scaled[:300]).mean(), scaled[1:301].mean(),
                               rtol=1e-2)


@pytest.mark.parametrize("device, piece_rows", [("cpu", None), ("parallel", None),
                                                ("cpu", 97)])
def test_forecasts_from_many_origins_equal_one_forecast_each(mg, device, piece_rows,
                                                             monkeypatch):
    if piece_rows:  # the harvest of the series in pieces of 97 steps
        import reservoir.harvest

        monkeypatch.setattr(reservoir.harvest, "CHUNK_BYTES", 80 * 8 * piece_rows)
    fc = _fc(n_reservoir=80, washout=50, ridge=1e-6, device=device, standardize=True).fit(
        mg[:1000])
    origins = [120, 600, 1000, 1250]
    many = fc.forecast_origins(mg[:1300], origins, 25)
    one = np.stack([fc.forecast(25, context=mg[:o]) for o in origins])
    np.testing.assert_allclose(many, one, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match=r"origins must lie in \(50, 1300\]"):
        fc.forecast_origins(mg[:1300], [40], 5)
    with pytest.raises(ValueError, match="forecast_origins takes one series, not several"):
        fc.forecast_origins([mg[:1300], mg[:1300]], [100], 5)
    growing = 1.01 ** np.arange(600) * np.sin(np.arange(600) * 0.3)  # grows on in closed loop
    wild = ESNForecaster(100, ridge=1e-8, washout=20, random_state=0, **GROWING).fit(growing[:400])
    with pytest.raises(FloatingPointError, match="from origin 600 became non-finite"):
        wild.forecast_origins(growing, [600], 12000)
    kept = wild.forecast_origins(growing, [600], 12000, non_finite="keep")
    assert not np.isfinite(kept).all()


def test_forecasts_from_many_origins_for_many_ridge_values_from_one_harvest(mg):
    fc = _fc(n_reservoir=60, washout=50, ridge=1e-6, standardize=True).fit(mg[:1000])
    origins, ridges = [120, 700, 1000], [1e-8, 1e-3, 10.0]
    many = fc.forecast_origins(mg[:1100], origins, 20, ridges=ridges)
    assert many.shape == (3, 3, 20)
    for r, got in zip(ridges, many):
        np.testing.assert_array_equal(
            got, fc.with_ridge(r).forecast_origins(mg[:1100], origins, 20))
    assert not np.allclose(many[0], many[2])  # each ridge value its own readout
    np.testing.assert_array_equal(  # the model's own readout is untouched
        fc.forecast_origins(mg[:1100], origins, 20),
        _fc(n_reservoir=60, washout=50, ridge=1e-6, standardize=True).fit(
            mg[:1000]).forecast_origins(mg[:1100], origins, 20))
    for bad in ([], [-1.0], [np.nan]):
        with pytest.raises(ValueError, match="ridges must be one or more finite values >= 0"):
            fc.forecast_origins(mg[:1100], origins, 20, ridges=bad)
    growing = 1.01 ** np.arange(600) * np.sin(np.arange(600) * 0.3)  # grows on in closed loop
    wild = ESNForecaster(100, ridge=1e-8, washout=20, random_state=0, **GROWING).fit(growing[:400])
    with pytest.raises(FloatingPointError, match=r"from origin 600 \(ridge 1e-08\) became non"):
        wild.forecast_origins(growing, [600], 12000, ridges=[1e-8])
