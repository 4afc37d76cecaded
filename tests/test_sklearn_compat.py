import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from lstm import KalmanLSTMClassifier, KalmanLSTMRegressor
from reservoir import (
    ConformalForecaster,
    ESNClassifier,
    ESNForecaster,
    ESNRegressor,
    ESNSequenceRegressor,
    NVARForecaster,
)
from rtrl import GuessingRNNRegressor, RTRLRegressor

STATEFUL = ("a recurrent network is a dynamical system: each output depends on the steps before "
            "it, so predictions on a subset or permutation of the rows legitimately differ")

EXPECTED_FAILURES = {
    "check_methods_subset_invariance": STATEFUL,
    "check_methods_sample_order_invariance": STATEFUL,
}


UNIVARIATE = ("a univariate series is naturally a 1-D array, which the forecaster accepts as "
              "(n_steps, 1)")


WEIGHTED_STEPS = ("a step's weight scales its loss; repeating a step instead feeds the recurrent "
                  "network a different sequence, so the two are not equivalent")


TABLE_AS_SERIES = ("a 2-D X is read as univariate series, one per row: a 1-column table is "
                   "series of 1 step, from which the model space has no step to learn u(t+1) "
                   "from")


TABLE_TARGET = ("a 2-D X is read as univariate series, one per row: the check's target, linear "
                "in the columns, is not a function of the states a 20-unit reservoir keeps of a "
                "10-step series (training R^2 0.43; a linear regression of the columns 0.81)")


def _expected(estimator):
    if isinstance(estimator, (ESNClassifier, ESNSequenceRegressor)):  # independent sequences
        expected = {} if estimator.representation != "model" else {
            "check_fit2d_1feature": TABLE_AS_SERIES}
        if isinstance(estimator, ESNSequenceRegressor):
            expected["check_regressors_train"] = TABLE_TARGET
        return expected
    if isinstance(estimator, (ESNRegressor, RTRLRegressor, KalmanLSTMRegressor,
                              KalmanLSTMClassifier)):
        return dict(EXPECTED_FAILURES, check_sample_weight_equivalence_on_dense_data=WEIGHTED_STEPS)
    if isinstance(estimator, (ESNForecaster, NVARForecaster, ConformalForecaster)):
        return dict(EXPECTED_FAILURES, check_fit1d=UNIVARIATE, check_fit2d_predict1d=UNIVARIATE)
    return EXPECTED_FAILURES


@parametrize_with_checks(
    [ESNRegressor(n_reservoir=20, washout=0, random_state=0),
     ESNRegressor(n_reservoir=20, washout=0, feedback_scaling=0.1, device="parallel",
                  random_state=0),
     ESNForecaster(n_reservoir=20, washout=0, random_state=0),
     NVARForecaster(),
     ConformalForecaster(ESNForecaster(n_reservoir=20, washout=0, random_state=0), horizon=1,
                         coverage=0.5, calibration=0.5),
     ESNClassifier(n_reservoir=20, random_state=0),
     ESNClassifier(n_reservoir=20, representation="model", n_components=4, n_estimators=2,
                   bidirectional=True, random_state=0),
     ESNSequenceRegressor(n_reservoir=20, random_state=0),
     ESNSequenceRegressor(n_reservoir=20, representation="model", n_components=4,
                          n_estimators=2, bidirectional=True, random_state=0),
     RTRLRegressor(n_hidden=4, epochs=3, learning_rate=1e-2, random_state=0),
     GuessingRNNRegressor(weight_range=1.0, max_trials=50, random_state=0),
     KalmanLSTMRegressor(n_blocks=2, epochs=5, shortcut=True, r=(1.0, 1.0), q=(1e-4, 1e-4),
                         random_state=0),
     KalmanLSTMClassifier(n_blocks=2, epochs=5, shortcut=True, r=(1.0, 1.0), q=(1e-4, 1e-4),
                          random_state=0)],
    expected_failed_checks=_expected)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _data(T=400):
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, size=(T, 1))
    y = np.r_[0.0, u[:-1, 0]]
    return u, y


def test_clone_pipeline_and_pickle():
    u, y = _data()
    esn = ESNRegressor(n_reservoir=30, washout=20, random_state=1)
    pipe = make_pipeline(StandardScaler(), clone(esn)).fit(u, y)
    assert pipe.score(u, y) > 0.9
    fitted = esn.fit(u, y)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(fitted.predict(u), again.predict(u))
    fc = ESNForecaster(n_reservoir=30, washout=20, random_state=1).fit(u[:, 0])
    fc2 = pickle.loads(pickle.dumps(fc))
    np.testing.assert_array_equal(fc.forecast(10), fc2.forecast(10))


def test_grid_search_with_time_series_split():
    u, y = _data()
    search = GridSearchCV(ESNRegressor(n_reservoir=30, washout=20, random_state=0),
                          {"spectral_radius": [0.5, 0.9], "ridge": [1e-6, 1e-2]},
                          cv=TimeSeriesSplit(n_splits=3)).fit(u, y)
    assert set(search.best_params_) == {"spectral_radius", "ridge"}
    assert search.cv_results_["mean_test_score"].shape == (4,)
    assert search.best_estimator_.score(u, y) > 0.9


@pytest.mark.parametrize("model", [
    RTRLRegressor(3, epochs=1, random_state=0),
    GuessingRNNRegressor(2, max_trials=5, random_state=0),
    KalmanLSTMRegressor(1, epochs=1, random_state=0),
    KalmanLSTMClassifier(1, epochs=1, random_state=0),
    NVARForecaster(delays=2),
], ids=lambda m: type(m).__name__)
def test_float32_training_data_gives_float32_outputs_of_the_float64_computation(model):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int) if isinstance(model, KalmanLSTMClassifier) else X[:, 0] * X[:, 1]
    args32, args64 = ((X,), (X.astype(np.float64),)) if isinstance(model, NVARForecaster) else \
        ((X, y), (X.astype(np.float64), y.astype(np.float64) if y.dtype == np.float32 else y))
    method = "predict_proba" if isinstance(model, KalmanLSTMClassifier) else "predict"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few guesses solve nothing
        out32 = getattr(clone(model).fit(*args32), method)(args32[0])
        out64 = getattr(clone(model).fit(*args64), method)(args64[0])
    assert out32.dtype == np.float32 and out64.dtype == np.float64
    np.testing.assert_array_equal(out32, out64.astype(np.float32))
