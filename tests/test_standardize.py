"""``standardize=True`` in every family: the inputs standardised over the training steps, as if
the user had done it, and held fixed by ``partial_fit``."""

import numpy as np
import pytest
from sklearn.base import clone

from lstm import KalmanLSTMClassifier, KalmanLSTMRegressor
from reservoir import ESNRegressor
from rtrl import RTRLRegressor

MODELS = [ESNRegressor(30, washout=10, ridge=1e-6, random_state=0),
          RTRLRegressor(4, epochs=2, random_state=0),
          KalmanLSTMRegressor(2, epochs=1, random_state=0)]


def _data(T=120):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(T, 2)) * np.array([1e3, 1e-3]) + np.array([5e3, 0.0])
    return X, np.r_[0.0, rng.uniform(-1, 1, size=T - 1)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_standardize_is_a_fit_on_standardised_inputs(model):
    X, y = _data()
    seqs, targets = [X[:50], X[50:]], [y[:50], y[50:]]
    a = clone(model).set_params(standardize=True).fit(seqs, targets)
    np.testing.assert_allclose(a.input_mean_, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(a.input_scale_, X.std(axis=0), rtol=1e-12)
    z = [(s - a.input_mean_) / a.input_scale_ for s in seqs]
    b = clone(model).fit(z, targets)
    for p, q in zip(a.predict(seqs), b.predict(z)):
        np.testing.assert_array_equal(p, q)
    assert np.array_equal(clone(model).fit(X, y).input_scale_, np.ones(2))  # off: unit scale


@pytest.mark.parametrize("model", MODELS, ids=lambda m: type(m).__name__)
def test_partial_fit_standardizes_by_its_first_piece_then_holds_it(model):
    X, y = _data()
    model = clone(model).set_params(standardize=True)
    model.partial_fit(X[:60], y[:60]).partial_fit(X[60:], y[60:])
    np.testing.assert_allclose(model.input_mean_, X[:60].mean(axis=0), rtol=1e-12)
    model.set_params(standardize=False)
    with pytest.raises(ValueError, match="standardize from True to False since the network"):
        model.partial_fit(X[:20], y[:20])


def test_kalman_classifier_standardizes_its_sequences():
    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(n, 2)) * [1e3, 1e-3] for n in (8, 12, 9, 11)]
    labels = np.array(["a", "b", "a", "b"])
    model = KalmanLSTMClassifier(2, 1, epochs=1, standardize=True, random_state=0)
    a = model.fit(seqs, labels)
    z = [(s - a.input_mean_) / a.input_scale_ for s in seqs]
    b = clone(model).set_params(standardize=False).fit(z, labels)
    np.testing.assert_array_equal(a.predict_proba(seqs), b.predict_proba(z))
    with pytest.raises(ValueError, match="first_error feeds one-hot symbols"):
        KalmanLSTMClassifier(2, 1, epochs=1, standardize=True, random_state=0).fit(
            np.eye(3)[[0, 1, 2, 0]], np.eye(3)[[1, 2, 0, 1]] > 0).first_error([0, 1],
                                                                        np.eye(3)[[1, 2]] > 0)
