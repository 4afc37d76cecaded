"""The forecasters' ``covariates`` (ESNForecaster, NVARForecaster): columns of X known ahead,
read as inputs and not forecast; the closed loops against plain numpy loops, forecast_origins
against forecast, the search over them, labelled columns, and the errors of bad ones."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.preprocessing import StandardScaler

from experiments.search import grid_search
from experiments.walk_forward import ClosedLoop, WalkForward, score_model
from reservoir import ConformalForecaster, ESNForecaster, ForecastPipeline, NVARForecaster
from tests import naive


def _driven(n=900, seed=0):
    """(n, 2): a series s driven by an unpredictable covariate c (second column)."""
    rng = np.random.default_rng(seed)
    c = np.sin(2 * np.pi * np.arange(n) / 37) + 0.3 * rng.normal(size=n)
    s = np.zeros(n)
    for t in range(1, n):
        s[t] = 0.7 * s[t - 1] + 0.8 * c[t - 1] + 0.05 * rng.normal()
    return np.c_[s, c]


def _model(**kw):
    return ESNForecaster(**{**dict(n_reservoir=60, washout=30, ridge=1e-4, random_state=0,
                                   covariates=[1]), **kw})


def _nvar(**kw):
    return NVARForecaster(**{**dict(delays=3, ridge=1e-4, covariates=[1]), **kw})


@pytest.mark.parametrize("squares", [False, True])
def test_the_closed_loop_feeds_back_its_forecasts_and_reads_the_given_covariates(squares):
    X = np.c_[_driven(), np.cos(np.arange(900) / 5)]  # columns: s, c, c2; forecast s and c2
    model = _model(covariates=[1], squares=squares).fit(X[:700])
    F = X[700:730, 1]
    got = model.forecast(30, covariates=F)
    res, mean, scale = model.reservoir_, model.series_mean_, model.series_scale_
    W = sp.csr_matrix((res.data, res.indices, res.indptr), shape=(res.n_reservoir,) * 2)
    x, u = model.state_.astype(float), model.last_input_.astype(float)
    want = []
    for k in range(30):  # plain numpy: readout, then the next input [forecast, covariate]
        features = np.r_[u, x, x[::2] ** 2] if squares else np.r_[u, x]
        y = model.coef_ @ features + model.intercept_
        want.append(y * scale[[0, 2]] + mean[[0, 2]])
        if k < 29:
            u = np.array([y[0], (F[k] - mean[1]) / scale[1], y[1]])
            x = (1 - model.leak_rate) * x + model.leak_rate * np.tanh(W @ x + res.W_in @ u
                                                                       + res.bias)
    np.testing.assert_allclose(got, np.array(want), rtol=1e-9, atol=1e-12)
    assert got.shape == (30, 2) and model.predict(X).shape == (900, 2)
    # one step from a context is the teacher-forced prediction of its last row
    np.testing.assert_allclose(model.forecast(1, context=X[:500], covariates=[[0.0]])[0],
                               model.predict(X[:500])[-1], rtol=1e-12)


@pytest.mark.parametrize("increment", [True, False])
def test_the_nvar_closed_loop_reads_the_given_covariates_with_its_own_forecasts(increment):
    X = np.c_[_driven(400), np.cos(np.arange(400) / 5)]  # forecast columns 0 and 2
    model = _nvar(delays=2, increment=increment, standardize=False).fit(X[:300])
    F = X[300:320, 1]
    history, want = list(X[298:300]), []
    for k in range(20):  # plain numpy: the features of all three, the readout of 0 and 2
        f = naive.nvar_features(np.array(history[-2:]), 2, 1, 2)[-1]
        y = model.intercept_ + model.coef_ @ f + (history[-1][[0, 2]] if increment else 0)
        want.append(y)
        history.append(np.array([y[0], F[k], y[1]]))
    np.testing.assert_allclose(model.forecast(20, covariates=F), np.array(want), rtol=1e-10,
                               atol=1e-12)
    assert model.predict(X).shape == (400, 2)
    np.testing.assert_allclose(model.forecast(1, context=X[:250], covariates=[[0.0]])[0],
                               model.predict(X[:250])[-1], rtol=1e-12)
    feats = naive.nvar_features(X[:300], 2, 1, 2)[1:-1]  # the readout: ridge on [1, features]
    W = naive.ridge(np.hstack([np.ones((len(feats), 1)), feats]),
                    X[2:300, [0, 2]] - (X[1:299, [0, 2]] if increment else 0), 1e-4)
    np.testing.assert_allclose(np.c_[model.intercept_, model.coef_], W.T, rtol=1e-6, atol=1e-9)


def test_forecast_origins_read_the_covariates_after_each_origin():
    X = _driven()
    model = _model().fit(X[:700])
    origins = np.array([100, 420, 880])
    runs = model.forecast_origins(X, origins, 20)
    for o, run in zip(origins, runs):
        np.testing.assert_allclose(run, model.forecast(20, context=X[:o],
                                                       covariates=X[o:o + 20, 1]), rtol=1e-12)
    both = model.forecast_origins(X, origins[:2], 20, ridges=[1e-4, 1.0])
    np.testing.assert_allclose(both[1],
                               model.with_ridge(1.0).forecast_origins(X, origins[:2], 20),
                               rtol=1e-9)
    with pytest.raises(ValueError, match="origins must leave 19 steps of X after them: the "
                                         "closed loops read the covariates there; got origin 890"):
        model.forecast_origins(X, [890], 20)


@pytest.mark.parametrize("build", [lambda **kw: _model(n_reservoir=100, **kw), _nvar],
                         ids=["esn", "nvar"])
def test_known_covariates_make_the_closed_loop_more_accurate(build):
    X = _driven()
    errors = {}
    for cov in (None, [1]):
        model = build(covariates=cov).fit(X[:700])
        f = model.forecast(50, covariates=X[700:750, 1]) if cov else model.forecast(50)
        errors[cov is None] = np.sqrt(np.mean((np.reshape(f, (50, -1))[:, 0] - X[700:750, 0])
                                              ** 2))
    assert errors[False] < 0.6 * errors[True]


@pytest.mark.parametrize("build, grid", [
    (_model, {"leak_rate": [0.5, 1.0], "ridge": [1e-6, 1e-2]}),
    (_nvar, {"delays": [1, 3], "ridge": [1e-6, 1e-2]})], ids=["esn", "nvar"])
def test_the_search_scores_the_forecast_variables_alone(build, grid):
    X = _driven()
    for scoring in (None, ClosedLoop(15, n_origins=5)):
        result = grid_search(build(), grid, X[:600], cv=TimeSeriesSplit(3), scoring=scoring)
        train, test = list(TimeSeriesSplit(3).split(X[:600]))[1]
        model = build(**result.best_params_).fit(X[train])
        want = score_model(model, X[:test[-1] + 1], None, test, scoring)
        got = result.dataset["split_test_score"].sel(**result.best_params_).isel(split=1)
        assert float(got) == pytest.approx(want, rel=1e-9)
    with pytest.raises(ValueError, match="param_grid cannot search covariates"):
        grid_search(build(), {"covariates": [None, [1]]}, X[:600], cv=TimeSeriesSplit(3))
    walk = WalkForward(3, test_size=150)  # scikit-learn's search, walking forward alike
    cv = GridSearchCV(build(), grid, cv=walk, scoring=walk.scorer()).fit(X[:600])
    train, history = list(walk.split(X[:600]))[0]
    model = build(**cv.best_params_).fit(X[train])
    assert cv.cv_results_["split0_test_score"][cv.best_index_] == pytest.approx(
        score_model(model, X[history], None, history[-150:]), rel=1e-9)
    one = build(**result.best_params_).fit(X[:600])
    preds = one.predict(X[:600])
    w = one.washout if hasattr(one, "washout") else (one.delays - 1) * one.skip  # scored from
    assert one.score(X[:600]) == pytest.approx(
        1 - np.sum((preds[w:-1, 0] - X[w + 1:600, 0]) ** 2)
        / np.sum((X[w + 1:600, 0] - X[w + 1:600, 0].mean()) ** 2), rel=1e-12)


@pytest.mark.parametrize("build, small", [(_model, {"dtype": "float32"}), (_nvar, {})],
                         ids=["esn", "nvar"])
def test_columns_by_name_and_labelled_forecasts_and_float32(build, small):
    X = _driven(300)
    frame = pd.DataFrame({"load": X[:, 0], "temperature": X[:, 1]},
                         index=pd.date_range("2020-01-01", periods=300, freq="D"))
    model = build(covariates=["temperature"]).fit(frame.iloc[:250])
    out = model.forecast(5, covariates=frame["temperature"].iloc[250:255])
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["load"]
    assert out.index[0] == pd.Timestamp("2020-09-07")
    plain = build().fit(X[:250]).forecast(5, covariates=X[250:255, 1:])
    np.testing.assert_allclose(out.to_numpy(), plain)
    small = build(**small).fit(X[:250].astype(np.float32))
    assert small.forecast(5, covariates=X[250:255, 1]).dtype == np.float32


@pytest.mark.parametrize("covariates, call, message", [
    (["nope"], "fit", r"covariates names 'nope', which is not a column of X \(its columns: "),
    ([0, 1], "fit", "covariates names all 2 variables of X: none is left to forecast"),
    ([1, -1], "fit", "covariates names a column twice"),
    ([2], "fit", r"covariates must hold positions \(0 .. 1\) or names"),
    ([1], "none", r"reads the covariates \['temperature'\] at every step: forecast needs their "
                  r"values at the 4 forecast steps, as covariates= an array of shape \(4, 1\)"),
    ([1], "shape", r"covariates has shape \(3,\); forecast needs"),
    ([1], "nan", "covariates has a NaN or infinite value at forecast step 2"),
    (None, "given", "covariates were given, but this model reads none"),
])
@pytest.mark.parametrize("build", [_model, _nvar], ids=["esn", "nvar"])
def test_bad_covariates_get_a_clear_error(covariates, call, message, build):
    X = _driven(200)
    frame = pd.DataFrame({"load": X[:, 0], "temperature": X[:, 1]})
    model = build(covariates=covariates)
    with pytest.raises(ValueError, match=message):
        model.fit(frame)
        F = {"none": None, "shape": [1.0, 2.0, 3.0], "nan": [0.0, 1.0, np.nan, 0.0],
             "given": [0.0] * 4}[call]
        model.forecast(4, covariates=F)


def test_conformal_intervals_calibrate_on_the_forecast_variables():
    X = _driven(600)
    conformal = ConformalForecaster(_model(), horizon=10, coverage=0.8).fit(X)
    origins = conformal._origins(600)
    early = _model().fit(X[:origins[0]])
    paths = early.forecast_origins(X, origins, 10)
    truth = np.stack([X[o:o + 10, :1] for o in origins])
    np.testing.assert_allclose(conformal.calibration_errors_, np.abs(paths - truth), rtol=1e-12)
    out, lower, upper = conformal.forecast(10, covariates=np.zeros(10), return_interval=True)
    assert out.shape == lower.shape == (10, 1) and np.all(lower < out) and np.all(out < upper)
    with pytest.raises(ValueError, match="forecast needs their values at the 10 forecast steps"):
        conformal.forecast(10)
    conformal = ConformalForecaster(_nvar(), horizon=10, coverage=0.8).fit(X)  # one by one
    early = _nvar().fit(X[:origins[0]])
    paths = [early.forecast(10, context=X[:o], covariates=X[o:o + 10, 1]) for o in origins]
    np.testing.assert_allclose(conformal.calibration_errors_, np.abs(paths - truth), rtol=1e-12)


def test_a_pipeline_refuses_a_forecaster_with_covariates():
    pipe = ForecastPipeline([("scale", StandardScaler()), ("esn", _model())])
    with pytest.raises(ValueError, match="ForecastPipeline does not take a forecaster with "
                                         "covariates"):
        pipe.fit(_driven(200))
