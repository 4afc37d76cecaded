"""ESNSequenceRegressor: predictions against ridge on the vectors in plain numpy, the
leave-one-out choice of ridge against refits, and the estimator on good and bad input (the
vectors themselves are tested against plain numpy in test_classifier.py: the same code)."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold

from experiments.search import grid_search
from reservoir import ESNClassifier, ESNSequenceRegressor
from reservoir.svd_ridge import REGRESSION_RIDGES
from tests import naive


def _frequencies(n=40, seed=0):
    """Noisy two-feature sines of 8-30 steps; the target of each is its frequency."""
    rng = np.random.default_rng(seed)
    f = rng.uniform(0.1, 0.6, n)
    X = []
    for w in f:
        t = np.arange(int(rng.integers(8, 31)))[:, None] + rng.uniform(0, 6)
        X.append(np.sin(w * t * np.arange(1, 3)) + 0.05 * rng.normal(size=(len(t), 2)))
    return X, f


def _standardised_vectors(model, X):
    """The standardised vectors of X's sequences (n, n_estimators, n_dimensions)."""
    seqs = [(x - model.input_mean_) / model.input_scale_ for x in X]
    return (model._vectors(seqs) - model.feature_mean_) / model.feature_scale_


@pytest.mark.parametrize("kind", ["last_mean", "model"])
def test_predictions_equal_ridge_on_the_standardised_vectors(kind):
    X, f = _frequencies(16)
    Y = np.c_[f, 10 * f ** 2]
    model = ESNSequenceRegressor(20, representation=kind, n_components=4, washout=2, ridge=0.3,
                                 n_estimators=2, random_state=0).fit(X[:12], Y[:12])
    F, F_new = _standardised_vectors(model, X[:12]), _standardised_vectors(model, X[12:])
    mean, scale = Y[:12].mean(axis=0), Y[:12].std(axis=0)
    want = np.zeros((4, 2))
    for k in range(2):  # each member's ridge on its vectors, the predictions averaged
        w = naive.ridge(np.hstack([np.ones((12, 1)), F[:, k]]), (Y[:12] - mean) / scale, 0.3)
        want += (np.hstack([np.ones((4, 1)), F_new[:, k]]) @ w * scale + mean) / 2
    np.testing.assert_allclose(model.predict(X[12:]), want, rtol=1e-9, atol=1e-12)
    assert model.coef_.shape == (2, 2, F.shape[2]) and model.intercept_.shape == (2, 2)


def test_ridge_none_is_the_value_of_least_leave_one_out_error():
    X, f = _frequencies(14)
    model = ESNSequenceRegressor(15, n_estimators=2, random_state=1).fit(X, f)
    F = _standardised_vectors(model, X)
    z = ((f - f.mean()) / f.std())[:, None]
    for k in range(2):
        errors = [np.mean((naive.leave_one_out(F[:, k], z, lam) - z) ** 2)
                  for lam in REGRESSION_RIDGES]
        assert model.ridge_[k] == REGRESSION_RIDGES[int(np.argmin(errors))]


def test_defaults_learn_the_frequency_of_unseen_sequences():
    X, f = _frequencies(80)
    model = ESNSequenceRegressor(random_state=0).fit(X[:60], f[:60])
    assert model.score(X[60:], f[60:]) > 0.95
    assert model.score(X[60:], f[60:]) == pytest.approx(r2_score(f[60:], model.predict(X[60:])),
                                                        rel=1e-12)
    assert model.predict(X[60:]).shape == (20,)
    with pytest.raises(ValueError, match="y holds 1 NaN or infinite value among the scored"):
        model.score(X[60:], np.r_[f[60:-1], np.nan])


def test_sequences_whose_vectors_extrapolate_are_named_where_predict_is_called():
    rng = np.random.default_rng(0)
    T = rng.normal(size=(30, 50))
    y = T[:, :10].mean(axis=1)
    model = ESNSequenceRegressor(50, random_state=0).fit(T, y)
    classifier = ESNClassifier(50, random_state=0).fit(T, y > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # held-out sequences like the training ones: no word
        model.predict(rng.normal(size=(30, 50)))
        classifier.predict(rng.normal(size=(30, 50)))
    short = [t[:20] for t in T[:3]]
    for method in (model.predict, classifier.predict, classifier.predict_proba):
        with pytest.warns(RuntimeWarning, match=r"the vectors of 3 of 3 sequences lie far outside "
                          r".*the first sequence 0\), so their predictions extrapolate\. These "
                          r"have 20-20 steps, the training sequences 50-50") as caught:
            method(short)
        assert caught[0].filename == __file__


def test_with_ridge_and_any_regressor_read_out_the_vectors():
    X, f = _frequencies(20)
    model = ESNSequenceRegressor(20, random_state=0).fit(X, f)
    again = ESNSequenceRegressor(20, ridge=2.0, random_state=0).fit(X, f)
    np.testing.assert_allclose(model.with_ridge(2.0).predict(X), again.predict(X), rtol=1e-12)
    other = ESNSequenceRegressor(20, regressor=Ridge(alpha=2.0), random_state=0).fit(X, f)
    F = _standardised_vectors(model, X)[:, 0]
    np.testing.assert_allclose(other.predict(X), Ridge(alpha=2.0).fit(F, f).predict(F),
                               rtol=1e-10)
    assert not hasattr(other, "readouts_")


def test_float32_and_devices_give_reproducible_predictions():
    X, f = _frequencies(30)
    a = ESNSequenceRegressor(30, random_state=0).fit(X, f).predict(X)
    b = ESNSequenceRegressor(30, random_state=0, device="parallel", n_jobs=2).fit(X, f)
    np.testing.assert_array_equal(a, b.predict(X))
    c = ESNSequenceRegressor(30, random_state=0, dtype="float32").fit(X, f).predict(X)
    assert c.dtype == np.float32
    np.testing.assert_allclose(c, a, atol=1e-3)


def test_grid_search_and_grid_search_cv_over_sequences():
    X, f = _frequencies(30)
    grid = {"leak_rate": [0.3, 1.0], "ridge": [0.1, 10.0]}
    result = grid_search(ESNSequenceRegressor(20, random_state=0), grid, X, f, cv=3,
                         scoring="neg_mean_squared_error")
    search = GridSearchCV(ESNSequenceRegressor(20, random_state=0), grid, cv=KFold(3),
                          scoring="neg_mean_squared_error").fit(X, f)
    assert result.best_params_ == search.best_params_
    np.testing.assert_allclose(result.best_score_, search.best_score_, rtol=1e-10)
    with pytest.raises(ValueError, match="X has 30 sequences but y has 29 targets"):
        grid_search(ESNSequenceRegressor(20), grid, X, f[:-1])


@pytest.mark.parametrize("change, message", [
    (lambda X, y: (X, y[:-1]), "X has 20 sequences but y has 19 targets"),
    (lambda X, y: (X, None), "requires y to be passed"),
    (lambda X, y: (X, np.where(np.arange(20) == 3, np.nan, y)),
     r"NaN or infinite targets for 1 sequence\(s\), the first sequence 3"),
    (lambda X, y: (X[:1], y[:1]), "at least 2 sequences"),
    (lambda X, y: (X, y[:, None, None]), "y must be"),
    (lambda X, y: ([x[:1] for x in X], y), "washout"),
    (lambda X, y: ([np.where(np.arange(len(x))[:, None] == 3, np.nan, x) for x in X], y),
     "NaN"),
])
def test_bad_input_gets_a_clear_error(change, message):
    X, f = _frequencies(20)
    X, y = change(X, f)
    with pytest.raises(ValueError, match=message):
        ESNSequenceRegressor(10, washout=1, random_state=0).fit(X, y)


def test_leave_one_out_residuals_against_refits_without_each_sequence():
    X, f = _frequencies(14)
    Y = np.c_[f, np.cos(5 * f)]
    model = ESNSequenceRegressor(15, n_estimators=2, random_state=1).fit(X, Y)
    F = _standardised_vectors(model, X)
    mean, scale = Y.mean(axis=0), Y.std(axis=0)
    loo = np.mean([naive.leave_one_out(F[:, k], (Y - mean) / scale, model.ridge_[k])
                   for k in range(2)], axis=0)  # the members' refits, averaged
    np.testing.assert_allclose(model.loo_residuals_, Y - (loo * scale + mean), rtol=1e-8,
                               atol=1e-12)
    again = model.with_ridge(5.0)
    loo = np.mean([naive.leave_one_out(F[:, k], (Y - mean) / scale, 5.0) for k in range(2)],
                  axis=0)
    np.testing.assert_allclose(again.loo_residuals_, Y - (loo * scale + mean), rtol=1e-8,
                               atol=1e-12)


def test_jackknife_intervals_hold_about_their_coverage_of_new_targets():
    X, f = _frequencies(400, seed=3)
    f = f + np.random.default_rng(4).normal(0, 0.03, len(f))  # noise no model can learn
    model = ESNSequenceRegressor(40, random_state=0).fit(X[:100], f[:100])
    prediction = model.predict(X[100:])
    for coverage in (0.5, 0.8, 0.95):
        lower, upper = model.predict_interval(X[100:], coverage)
        rank = int(np.ceil(101 * coverage))
        half = np.sort(np.abs(model.loo_residuals_[:, 0]))[rank - 1]
        np.testing.assert_allclose(upper - prediction, half, rtol=1e-12)
        np.testing.assert_allclose(prediction - lower, half, rtol=1e-12)
        held = np.mean((lower <= f[100:]) & (f[100:] <= upper))
        assert abs(held - coverage) < 0.07, (coverage, held)
    two = ESNSequenceRegressor(20, dtype="float32", random_state=0).fit(X[:30], np.c_[f, f][:30])
    lower, upper = two.predict_interval(X[30:40])
    assert lower.shape == upper.shape == (10, 2) and lower.dtype == np.float32


@pytest.mark.parametrize("setting, message", [
    (dict(coverage=1.0), r"coverage must be a number in \(0, 1\), got 1.0"),
    (dict(coverage=0.96), "coverage=0.96 needs at least 24 training sequences for a finite "
                          "interval, and the model has 20"),
    (dict(regressor=Ridge()), "which a model fitted with regressor= does not have")])
def test_intervals_that_cannot_be_given_are_refused_with_the_reason(setting, message):
    X, f = _frequencies(20)
    model = ESNSequenceRegressor(10, regressor=setting.get("regressor"), random_state=0)
    with pytest.raises(ValueError, match=message):
        model.fit(X, f).predict_interval(X, setting.get("coverage", 0.9))
