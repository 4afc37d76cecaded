"""Bad input gets a clear error (type and a message that says what to do), never a silent NaN:
the cases of the bad-input battery that are fixed so far."""

import re
import warnings

import numpy as np
import pytest
import xarray as xr
from sklearn.base import clone
from sklearn.model_selection import TimeSeriesSplit

from experiments import cli
from experiments.search import grid_search
from lstm import KalmanLSTMRegressor
from reservoir import ESNClassifier, ESNForecaster, ESNRegressor, NVARForecaster
from reservoir.common import validation
from reservoir.forecaster import check_closed_loop
from rtrl import RTRLRegressor


def _task(T=60):
    u = np.random.default_rng(0).uniform(-1, 1, size=(T, 1))
    return u, np.r_[0.0, u[:-1, 0]]


@pytest.mark.parametrize("model", [ESNRegressor(10, washout=5), RTRLRegressor(3, epochs=1),
                                   KalmanLSTMRegressor(1, epochs=1)],
                         ids=lambda m: type(m).__name__)
def test_a_missing_target_is_refused_not_learnt_as_nan(model):
    u, y = _task()
    y_obj = y.astype(object)
    y_obj[7] = None
    with pytest.raises(ValueError, match="step 7"):
        model.fit(u, y_obj)
    with pytest.raises(ValueError, match="NaN"):
        model.fit([u, u], [y, np.where(np.arange(len(y)) == 3, np.nan, y)])


def test_gaps_in_real_data_are_located_and_a_fix_named():
    import pandas as pd

    from reservoir import ESNClassifier

    days = pd.Series(np.sin(np.arange(200) * 0.1),
                     index=pd.date_range("2020-01-01", periods=200, freq="D"))
    days.iloc[[40, 41, 90]] = np.nan
    fix = r"fill the gaps \(e\.g\. pandas' interpolate\(\) or ffill\(\)\), or cut"
    with pytest.raises(ValueError, match=r"^X has 3 missing values \(NaN\), the first at step 40 "
                                         rf"\(2020-02-10 00:00:00\)\. .*{fix}"):
        ESNForecaster(washout=5).fit(days)
    frame = pd.DataFrame({"load": np.ones(50), "temp": np.r_[np.ones(9), np.inf, np.ones(40)]})
    with pytest.raises(ValueError, match=r"^X has 1 infinite value, the first at step 9, feature "
                                         r"1 \('temp'\)\. .*replace them"):
        ESNRegressor(10, washout=5).fit(frame, np.ones(50))
    table = np.ones((4, 30))
    table[2, 7] = np.nan  # rows are univariate sequences
    for X in (table, table[:, :, None]):
        with pytest.raises(ValueError, match=r"first at sequence 2, step 7\. "):
            ESNClassifier(10).fit(X, [0, 1, 0, 1])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_non_finite_value_names_its_sequence_among_many(bad, monkeypatch):
    # the sequences ready as they are get their finiteness checked in batches of values: small
    # batches here, so that the bad value is in a batch of several sequences, not the first
    monkeypatch.setattr(validation.batches, "__defaults__", (7,))
    X = [np.random.default_rng(i).normal(size=(3 + i % 4, 2)) for i in range(12)]
    Y = [x[:, :1] for x in X]
    X[9] = X[9].copy()
    X[9][1, 1] = bad
    with pytest.raises(ValueError, match=r"^X\[9\] has 1 (missing|inf).*at step 1, feature 1\."):
        ESNRegressor(10, washout=0).fit(X, Y)
    Y[5] = Y[5].copy()
    Y[5][1, 0] = bad
    with pytest.raises(ValueError, match=r"^y\[5\] has 1 (missing|infinite) value.*at step 1\."):
        ESNRegressor(10, washout=0).fit(X[:9], Y[:9])
    assert [len(b) for b in validation.batches([np.ones((3, 2)), np.ones((1, 2)), np.ones(20)],
                                               size=7)] == [8, 20]


@pytest.mark.parametrize("model", [ESNRegressor(10, washout=5), RTRLRegressor(3, epochs=1),
                                   KalmanLSTMRegressor(1, epochs=1)],
                         ids=lambda m: type(m).__name__)
def test_values_whose_squares_overflow_are_refused_before_training(model):
    # the trained networks diverged at step 0 and blamed their learning rate or filter noise
    u, y = _task()
    for fit in (model.fit, model.partial_fit):
        with pytest.raises(ValueError, match=r"y has values up to .*e\+\d+.*Scale y"):
            fit(u, y * 1e200)
        with pytest.raises(ValueError, match=r"X has values up to .*e\+\d+.*Scale X"):
            clone(model).fit([u, u * 1e200], [y, y])
        with pytest.raises(ValueError, match=r"X has values up to 1e\+200"):
            clone(model).fit([u, u, -1e200 * u ** 0, u], [y] * 4)


def test_grid_search_refuses_repeated_values():
    u, y = _task(200)
    for values in ([1e-6, 1e-6], [1, 1.0]):
        with pytest.raises(ValueError, match="repeats"):
            grid_search(ESNRegressor(10, washout=5), {"ridge": values}, u, y,
                        cv=TimeSeriesSplit(2))
    with pytest.raises(SystemExit, match="repeats"):
        cli.main(["search", "narma", "--grid", "spectral_radius=1:1:3", "--n-reservoir", "10",
                  "--n-train", "300", "--quiet", "--no-plot"])


def test_grid_search_input_errors_say_what_to_pass():
    u, y = _task(200)
    est = ESNRegressor(10, washout=5)
    with pytest.raises(ValueError, match="4-D X"):
        grid_search(est, {"ridge": [1e-6]}, np.zeros((2, 4, 50, 1)), None)
    with pytest.raises(ValueError, match="X has 200 steps but y has 150"):
        grid_search(est, {"ridge": [1e-6]}, u, y[:150])
    with pytest.raises(ValueError, match="not parameters of ESNRegressor"):
        grid_search(est, {"learning_rate": [1e-3]}, u, y)
    seqs, labels = [u[k:k + 20] for k in range(0, 120, 20)], ["a", "b", "a", "b", "a", "c"]
    with pytest.raises(ValueError, match="cv=5 stratified folds need at least 5 sequences of "
                                         "every class; class 'c' has 1. Add sequences of it"):
        grid_search(ESNClassifier(10), {"leak_rate": [1.0]}, seqs, labels)
    with pytest.raises(ValueError, match="class 'b' has 2. Pass cv=2 or fewer"):
        grid_search(ESNClassifier(10), {"leak_rate": [1.0]}, seqs[:5], labels[:5], cv=3)


def test_grid_search_takes_any_estimator():
    u, y = _task(150)
    result = grid_search(RTRLRegressor(3, epochs=1, random_state=0),
                         {"learning_rate": [1e-3, 1e-2]}, u, y, cv=TimeSeriesSplit(2),
                         refit=False)
    assert result.dataset["mean_test_score"].dims == ("learning_rate",)
    assert np.all(np.isfinite(result.dataset["mean_test_score"]))
    from sklearn.linear_model import Ridge

    plain = grid_search(Ridge(), {"alpha": [1e-3, 1.0]}, u, y, cv=TimeSeriesSplit(2))
    assert plain.best_params_["alpha"] in (1e-3, 1.0)
    forecaster = grid_search(ESNForecaster(10, washout=5, random_state=0),
                             {"spectral_radius": [0.5, 0.9]}, np.sin(np.arange(200) * 0.3),
                             cv=TimeSeriesSplit(2))
    assert forecaster.best_params_["spectral_radius"] in (0.5, 0.9)


@pytest.mark.parametrize("model", [ESNRegressor(10, washout=5), RTRLRegressor(3, epochs=1),
                                   KalmanLSTMRegressor(1, epochs=1)],
                         ids=lambda m: type(m).__name__)
def test_datetimes_are_not_features(model):
    u, y = _task()
    times = np.arange(len(u)).astype("datetime64[s]")[:, None]
    for X in (times, [times, times]):
        with pytest.raises(TypeError, match="datetimes"):
            model.fit(X, y if X is times else [y, y])


@pytest.mark.parametrize("model", [ESNRegressor(10, washout=5), RTRLRegressor(3, epochs=1),
                                   KalmanLSTMRegressor(1, epochs=1)],
                         ids=lambda m: type(m).__name__)
def test_complex_text_and_four_dimensions_get_a_fix(model):
    u, y = _task()
    for X in (u + 1j, [u + 1j, u]):
        with pytest.raises(ValueError, match=r"X(\[0\])? holds complex numbers\. Pass their real "
                                             "and imaginary parts as two features"):
            model.fit(X, [y, y] if isinstance(X, list) else y)
    labels = np.where(y > 0, "up", "down")
    for X, Y in ((u, labels), ([u, u], [labels, labels])):
        with pytest.raises(ValueError, match=r"y(\[0\])? holds text \('(up|down)'\) where numbers "
                                             "are expected. Labels .*ESNClassifier"):
            model.fit(X, Y)
    model.fit(u, y.astype(str))  # numbers written as text are numbers
    seqs = [u[:20], u[20:45], u[45:]]  # one number per sequence: ESNSequenceRegressor's task
    with pytest.raises(ValueError, match=r"y has one value per sequence of X \(3 for 3 "
                                         r"sequences\), but .* learns a target at every step: .* "
                                         "use reservoir.ESNSequenceRegressor"):
        model.fit(seqs, [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"X is a list of rows of different lengths, which is "
                                         r"not one array\. For sequences of different lengths "
                                         r"pass a list of numpy arrays"):
        model.fit([[0.1, 0.2, 0.3], [0.4]], [0.0, 1.0])
    with pytest.raises(ValueError, match="X has 4 dimensions; pass one sequence"):
        model.fit(u[None, None], y)
    with pytest.raises(ValueError, match=r"X is a single value \(0.5\), not a sequence"):
        model.fit(0.5, 1.0)
    channels_first = xr.DataArray(u.T, dims=("channel", "time"))  # steps last
    with pytest.raises(ValueError, match=r"X has the dimensions \('channel', 'time'\), its steps "
                                         r"last; .* pass X.transpose\('time', 'channel'\)"):
        model.fit(channels_first, y)
    model.fit(channels_first.T, y)


def test_forecast_arguments():
    series = np.sin(np.arange(200) * 0.3)
    model = ESNForecaster(10, washout=20, random_state=0).fit(series)
    with pytest.raises(ValueError, match="horizon"):
        model.forecast(True)
    with pytest.raises(ValueError, match="context has 5 steps; ESNForecaster needs more than 20"):
        model.forecast(5, context=series[:5])
    for other in (model, NVARForecaster().fit(series)):
        with pytest.raises(ValueError, match="context must be one series, not several"):
            other.forecast(5, context=[series, series])
        with pytest.raises(ValueError, match=r"context has 1 missing value \(NaN\), the first at "
                                             "step 50"):
            other.forecast(5, context=np.r_[series[:50], np.nan])
        with pytest.raises(ValueError, match="context has 2 features"):
            other.forecast(5, context=np.c_[series, series])
        with pytest.raises(ValueError, match=r"context is a single value \(3.0\), not a "
                                             r"sequence: pass an array of shape \(n_steps,\)"):
            other.forecast(5, context=3.0)
        with pytest.raises(ValueError, match=r"X is a single value \(3.0\), not a sequence"):
            other.predict(3.0)
    assert model.forecast(3, context=series[:50]).shape == (3,)


def test_cli_checks_its_output_folder_before_computing(tmp_path):
    taken = tmp_path / "a_file"
    taken.write_text("")
    with pytest.raises(SystemExit, match="cannot hold the results"):
        cli.main(["narma", "--n-reservoir", "10", "--n-train", "300", "--out", str(taken),
                  "--quiet", "--no-plot"])


def test_kalman_classifier_label_errors_say_what_to_pass():
    from lstm import KalmanLSTMClassifier

    X = np.random.default_rng(0).uniform(-1, 1, size=(12, 2))
    labels = np.arange(12) % 3
    model = KalmanLSTMClassifier(1, epochs=1)
    with pytest.raises(ValueError, match="0/1 indicator matrix"):
        model.fit(X, np.eye(3)[labels] * 2)
    with pytest.raises(ValueError, match="empty list"):
        model.fit([], [])
    with pytest.raises(ValueError, match="list of as many label sequences"):
        model.fit([X, X], labels)


def test_forecaster_guards():
    growing = 1.01 ** np.arange(400) * np.sin(np.arange(400) * 0.3)
    unstable = ESNForecaster(100, spectral_radius=1.25, leak_rate=0.3, input_scaling=1.0,
                             standardize=False, ridge=1e-8, washout=20, random_state=0).fit(growing)
    with pytest.warns(RuntimeWarning, match="leaves the training range .* from step"):
        unstable.forecast(1000)  # grows on by 1 % a step, as it learnt
    with pytest.raises(FloatingPointError, match=r"non-finite at step \d+"):
        unstable.forecast(12000)
    with pytest.raises(FloatingPointError, match=r"from step \d+ on.*on_divergence='raise'"):
        unstable.forecast(1000, on_divergence="raise")
    series = np.sin(np.arange(600) * 0.3)
    for level in (0.0, 1.0, -1e3):  # a constant series: rounding is no divergence
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # (-1e3 saturates: a UserWarning)
            flat = ESNForecaster(20, washout=20, random_state=0).fit(np.full(300, level))
            np.testing.assert_allclose(flat.forecast(50), level, atol=1e-6 * max(1, abs(level)))
        with pytest.warns(RuntimeWarning, match="leaves the training range"):
            check_closed_loop(np.array([[level + 11 * max(1, abs(level))]]), 0,
                              (np.array([level]), np.array([level])), "warn", False)
    with pytest.raises(ValueError, match="on_divergence must be"):
        unstable.forecast(10, on_divergence="ignore")
    huge = series.copy()
    huge[100] = 1e300
    for solver in ("qr", "gram"):
        with pytest.raises(ValueError, match="values up to 1e"):
            ESNForecaster(20, washout=20, solver=solver).fit(huge)
    # refused before the standardisation too, whose squares would overflow into NaN
    for model in (ESNForecaster(20, washout=20, standardize=True), NVARForecaster()):
        with pytest.raises(ValueError, match="values up to 1e"):
            model.fit(huge)
        with pytest.raises(ValueError, match="values up to 1e"):
            model.fit(series).predict(huge)


def test_pandas_series_and_frames_are_read_like_their_values():
    pd = pytest.importorskip("pandas")
    series = np.sin(np.arange(200) * 0.3)
    dated = pd.Series(series, index=pd.date_range("2000-01-01", periods=200, freq="D"))
    for model in (ESNForecaster(20, washout=20, random_state=0), NVARForecaster()):
        np.testing.assert_array_equal(clone(model).fit(dated).forecast(5),
                                      clone(model).fit(series).forecast(5))
    u, y = _task()
    frame, target = pd.DataFrame({"u": u[:, 0]}), pd.Series(y)
    for model in (ESNRegressor(10, washout=5, random_state=0),
                  RTRLRegressor(3, epochs=1, random_state=0),
                  KalmanLSTMRegressor(1, epochs=1, random_state=0)):
        np.testing.assert_array_equal(clone(model).fit(frame, target).predict(frame),
                                      clone(model).fit(u, y).predict(u))
    zoned = frame.assign(t=pd.date_range("2000-01-01", periods=len(frame), freq="h", tz="UTC"))
    with pytest.raises(TypeError, match="datetimes"):
        ESNRegressor(10, washout=5).fit(zoned, target)


def test_forecaster_keeps_the_column_names_of_a_data_frame():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": np.sin(np.arange(200) * 0.3), "b": np.cos(np.arange(200) * 0.3)})
    model = ESNForecaster(20, washout=20, random_state=0).fit(frame)
    with pytest.raises(ValueError, match="feature names"):
        model.predict(frame.rename(columns={"a": "c", "b": "d"}))


def test_a_saturated_kalman_classifier_says_so_instead_of_zero_probabilities():
    from lstm import KalmanLSTMClassifier

    X = np.random.default_rng(0).uniform(-1, 1, size=(30, 2))
    model = KalmanLSTMClassifier(1, epochs=2, p0=1e300, random_state=0)
    model.fit(X, np.arange(30) % 3)
    with pytest.raises(FloatingPointError, match="saturated"):
        model.predict_proba(X)


@pytest.mark.parametrize("build, match", [
    (lambda: ESNRegressor(20_000, density=1.0, washout=5),
     r"4e\+08 recurrent weights of n_reservoir="),
    (lambda: ESNRegressor(2_000_000, washout=5), "ridge readout over 2000002 features"),
    # refused before its sparse W is drawn (which took minutes)
    (lambda: ESNRegressor(300_000, density=1e-6, washout=5), "ridge readout over 300002 features"),
    (lambda: RTRLRegressor(3000), "RTRL's sensitivities of n_hidden=3000"),
    (lambda: KalmanLSTMRegressor(500, trainer="ekf"), "ekf filter's covariance"),
    (lambda: NVARForecaster(30, degree=6), "ridge readout over 1947792 features"),  # not listed
])
def test_what_cannot_fit_in_memory_is_refused_before_it_is_allocated(build, match, monkeypatch):
    # numpy allocates zeros lazily: touching them later gets the process killed without an error
    from reservoir.common import memory

    monkeypatch.setattr(memory, "physical_memory", lambda: 2**34)  # a 16 GiB machine
    u, y = _task()
    with pytest.raises(MemoryError, match=match + r".*GiB, more than this machine's 16 GiB"):
        build().fit(u, y)


@pytest.mark.parametrize("model", [ESNForecaster(20, washout=5, random_state=0),
                                   NVARForecaster()])
def test_forecasts_beyond_memory_are_refused_before_they_are_allocated(model, monkeypatch):
    from reservoir.common import memory

    monkeypatch.setattr(memory, "physical_memory", lambda: 2**34)  # a 16 GiB machine
    series = np.sin(np.arange(200) * 0.3)
    model.fit(series)
    with pytest.raises(MemoryError, match=r"Forecasting a closed loop of horizon=1000000000 "
                       r"steps of 1 variable: about 22.4 GiB, more than this machine's 16 GiB"):
        model.forecast(10**9)
    with pytest.raises(MemoryError, match=r"Forecasting 3 closed loops of horizon=400000000"):
        model.forecast_origins(series, [50, 100, 150], 4 * 10**8)
    assert model.forecast(5).shape == (5,)


@pytest.mark.parametrize("model, X_scale, y_scale, match", [
    (ESNRegressor(20, washout=5, random_state=0), 1e3, 1.0,
     r"X .* square 593 \(237 times input_scaling=0.4\), above 10: .* standardize=True"),
    (ESNRegressor(20, washout=5, input_scaling=0.001, random_state=0), 1e3, 1.0, None),  # 0.593
    (ESNForecaster(20, washout=5, standardize=False, random_state=0), 1e3, None,
     r"X .* square 593 \(237 times input_scaling=0.4\), above 10: .* standardize="),
    (RTRLRegressor(3, epochs=1), 1e3, 1.0, "X .* square 593, above 100: .* standardize="),
    (RTRLRegressor(3, epochs=1), 1.0, 1e3, "y .* square 582, above 10: .* Scale y, e.g. "
                                           "sklearn.compose.TransformedTargetRegressor"),
    (KalmanLSTMRegressor(1, epochs=1), 1.0, 1e2, "y .* square 58.2, above 3: .* Scale y"),
], ids=lambda v: type(v).__name__ if hasattr(v, "fit") else str(v))
def test_values_far_above_the_networks_scale_are_named(model, X_scale, y_scale, match):
    # the defaults learn next to nothing from such values (test R^2 0.0-0.4 at 1000 times the
    # unit scale), silently before; input_scaling counts for an ESN; standardize=True is quiet
    u, y = _task()
    args = (u * X_scale,) + (() if y_scale is None else (y * y_scale,))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clone(model).fit(*args)
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if match is None:
        assert messages == []
    else:
        assert len(messages) == 1 and re.search(match, messages[0]), messages
    if X_scale != 1.0:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            clone(model).set_params(standardize=True).fit(*args)


def test_a_forecasters_test_part_too_short_for_the_washout_points_to_the_walk_forward_score():
    from experiments.walk_forward import score_model

    series = np.sin(np.arange(400) * 0.3)
    model = ESNForecaster(50, washout=100, random_state=0).fit(series[:300])
    with pytest.raises(ValueError, match=r"washout=100 \+ 1.*walk_forward.score_model\(model, "
                                         "series, None, test_rows"):
        model.score(series[300:])
    assert score_model(model, series, None, np.arange(300, 400), "r2") > 0.99
