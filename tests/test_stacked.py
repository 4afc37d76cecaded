"""Equal-length sequences as one 3-D array (n_sequences, n_steps, n_features), as reservoirpy
and Keras take batches: every sequence model reads it as the list of its sequences and answers
with its outputs stacked the same way."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, KFold

from experiments.search import grid_search
from lstm import KalmanLSTMClassifier, KalmanLSTMRegressor
from reservoir import ESNForecaster, ESNRegressor, NVARForecaster
from rtrl import GuessingRNNRegressor, RTRLRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(5, 40, 2))
Y = np.cumsum(X[..., 0], axis=1) * 0.1  # (n_sequences, n_steps)

REGRESSORS = [
    ESNRegressor(30, washout=5, random_state=0),
    RTRLRegressor(4, epochs=2, random_state=0),
    KalmanLSTMRegressor(epochs=2, random_state=0),
    GuessingRNNRegressor(2, max_trials=64, batch_size=64, random_state=0),
]


@pytest.mark.filterwarnings("ignore:None of 64 draws")  # the guessing's few draws
@pytest.mark.parametrize("est", REGRESSORS, ids=lambda e: type(e).__name__)
def test_regressors_read_a_3d_array_as_its_sequences(est):
    stacked = est.fit(X, Y).predict(X)
    listed = type(est)(**est.get_params()).fit(list(X), list(Y)).predict(list(X))
    assert isinstance(stacked, np.ndarray) and stacked.shape == Y.shape
    np.testing.assert_array_equal(stacked, np.stack(listed))
    assert est.score(X, Y) == pytest.approx(est.score(list(X), list(Y)), abs=1e-12)
    three = type(est)(**est.get_params()).fit(X, Y[..., None]).predict(X)
    assert three.shape == Y.shape + (1,)
    with pytest.raises(ValueError, match=r"shape \(5, n_steps\) or \(5, n_steps, n_outputs\)"):
        type(est)(**est.get_params()).fit(X, Y[:, 0])


def test_states_and_float32_keep_the_stacked_form():
    model = ESNRegressor(30, washout=5, dtype="float32", random_state=0).fit(X, Y)
    states = model.transform(X.astype(np.float32))
    assert states.shape == (5, 40, 30) and states.dtype == np.float32
    assert model.predict(X).dtype == np.float32
    with pytest.raises(ValueError, match="partial_fit takes one array"):
        ESNRegressor(30).partial_fit(X, Y)


@pytest.mark.parametrize("est", [ESNForecaster(30, washout=5, random_state=0),
                                 NVARForecaster(delays=2)], ids=lambda e: type(e).__name__)
def test_forecasters_take_equal_length_series_stacked(est):
    series = np.cumsum(X, axis=1)
    stacked = est.fit(series).predict(series)
    listed = type(est)(**est.get_params()).fit(list(series)).predict(list(series))
    assert stacked.shape == series.shape
    np.testing.assert_array_equal(stacked, np.stack(listed))
    with pytest.raises(ValueError, match="context must be one series"):
        est.forecast(3, context=series)


def test_lstm_classifier_takes_label_sequences_stacked():
    labels = (X[..., 0] > 0).astype(int)
    model = KalmanLSTMClassifier(epochs=2, random_state=0).fit(X, labels)
    listed = KalmanLSTMClassifier(epochs=2, random_state=0).fit(list(X), list(labels))
    assert model.predict(X).shape == labels.shape
    assert model.predict_proba(X).shape == labels.shape + (2,)
    np.testing.assert_array_equal(model.predict(X), np.stack(listed.predict(list(X))))
    assert model.score(X, labels) == listed.score(list(X), list(labels))


def test_searches_split_a_3d_array_by_sequences():
    est = ESNRegressor(20, washout=5, ridge=1e-6, random_state=0)
    grid = {"spectral_radius": [0.5, 0.9]}
    search = GridSearchCV(est, grid, cv=KFold(5)).fit(X, Y)  # folds of whole sequences
    assert search.best_estimator_.predict(X).shape == Y.shape
    stacked = grid_search(est, grid, X, Y, cv=2, walk_forward=True, refit=False)
    listed = grid_search(est, grid, list(X), list(Y), cv=2, walk_forward=True, refit=False)
    np.testing.assert_array_equal(stacked.dataset["mean_test_score"].values,
                                  listed.dataset["mean_test_score"].values)


def test_step_weights_of_stacked_sequences():
    weights = RNG.uniform(0, 1, size=Y.shape)
    stacked = ESNRegressor(30, washout=5, random_state=0).fit(X, Y, sample_weight=weights)
    listed = ESNRegressor(30, washout=5, random_state=0).fit(list(X), list(Y),
                                                            sample_weight=list(weights))
    np.testing.assert_array_equal(stacked.coef_, listed.coef_)
