"""KalmanLSTMClassifier: the regressor's network and filter behind a label encoding."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from experiments.sequence_tasks import anbncn
from lstm import KalmanLSTMClassifier, KalmanLSTMRegressor

# (the regressor and the classifier differ in their default jacobian: these compare them on one)
PARAMS = dict(n_blocks=2, n_cells=1, anneal_steps="auto", epochs=3, shortcut=True,
              jacobian="truncated", random_state=0)


def _labelled(T=120, seed=0):
    """Inputs and the label of the symbol one step back: a task that needs memory."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(np.array(["a", "b", "c"]), size=T)
    X = (labels[:, None] == np.array(["a", "b", "c"])).astype(float)
    return X, np.r_[["a"], labels[:-1]]


def test_labels_train_like_the_logistic_regressor_on_one_hot_targets():
    X, y = _labelled()
    clf = KalmanLSTMClassifier(**PARAMS).fit(X, y)
    one_hot = (y[:, None] == clf.classes_).astype(float)
    reg = KalmanLSTMRegressor(output="logistic", **PARAMS).fit(X, one_hot)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    outputs = reg.predict(X)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, outputs / outputs.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[outputs.argmax(axis=1)])
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)
    with pytest.raises(ValueError, match=r"labels \['d'\] the model was not fitted with"):
        clf.score([X, X], [y, np.where(y == "a", "d", y)])  # per-step labels of two sequences


def test_indicator_targets_are_multilabel_next_symbol_sets():
    strings = [anbncn(n, language="anbn") for n in (1, 2, 3)]
    X, Y = [s[0] for s in strings], [s[1] for s in strings]
    clf = KalmanLSTMClassifier(**PARAMS).fit(X, Y)
    reg = KalmanLSTMRegressor(output="logistic", **PARAMS).fit(X, Y)
    np.testing.assert_array_equal(clf.classes_, np.arange(5))
    for x, out, pred in zip(X, reg.predict(X), clf.predict(X)):
        np.testing.assert_array_equal(pred, (out > 0.5).astype(int))
        np.testing.assert_allclose(clf.predict_proba(x), out, rtol=1e-12)
    steps = np.concatenate(Y)
    assert clf.score(X, Y) == np.mean(np.all(np.concatenate(clf.predict(X)) == steps, axis=1))


def test_learns_anbn_online_one_string_at_a_time():
    rng = np.random.default_rng(0)
    clf = KalmanLSTMClassifier(p0=100.0, q=(1e-2, 1e-6), r=(100.0, 1.0), anneal_steps=15000,
                               random_state=0)
    for _ in range(1500):
        clf.partial_fit(*anbncn(int(rng.integers(1, 11)), language="anbn"))
    accepted = [np.array_equal(clf.predict(X), Y) for X, Y in
                (anbncn(n, language="anbn") for n in range(1, 11))]
    assert all(accepted)


def test_partial_fit_takes_the_classes_on_the_first_call():
    X, y = _labelled(40)
    clf = KalmanLSTMClassifier(**PARAMS).partial_fit(X[:20], y[:20], classes=["a", "b", "c", "d"])
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c", "d"])
    clf.partial_fit(X[20:], y[20:])
    assert clf.predict_proba(X).shape == (40, 4)
    with pytest.raises(ValueError, match="not among the classes"):
        clf.partial_fit(X[:3], ["a", "b", "z"])


def test_bad_targets_say_what_to_do():
    X, y = _labelled(30)
    with pytest.raises(ValueError, match="Unknown label type"):
        KalmanLSTMClassifier(**PARAMS).fit(X, np.linspace(0, 1, 30))
    with pytest.raises(ValueError, match="indicator"):
        KalmanLSTMClassifier(**PARAMS).fit(X, np.full((30, 3), 0.5))
    clf = KalmanLSTMClassifier(**PARAMS).fit(X, y)
    with pytest.raises(ValueError, match="indicator targets"):
        clf.partial_fit(X, np.eye(3)[np.zeros(30, int)])


def test_first_error_finds_the_first_wrong_step_without_building_inputs():
    from experiments.sequence_tasks import anbncn_symbols

    strings = [anbncn(n) for n in (1, 2, 3)]
    clf = KalmanLSTMClassifier(**PARAMS).fit([s[0] for s in strings], [s[1] for s in strings])
    for n in (1, 4, 12):
        symbols, allowed = anbncn_symbols(n)
        X, Y = anbncn(n)
        wrong = np.flatnonzero(np.any(clf.predict(X) != Y, axis=1))
        assert clf.first_error(symbols, allowed) == (wrong[0] if wrong.size else -1)
        own = clf.predict(X).astype(bool)  # the model's own sets: accepted
        assert clf.first_error(symbols, own) == -1
    with pytest.raises(ValueError, match="allowed"):
        clf.first_error(symbols, allowed[:-1])
    with pytest.raises(ValueError, match="indices"):
        clf.first_error(symbols + 5, allowed)
    X, y = _labelled(30)
    with pytest.raises(ValueError, match="indicator targets"):
        KalmanLSTMClassifier(**PARAMS).fit(X, y).first_error(np.zeros(3, int), np.zeros((3, 3)))


def test_a_label_far_from_its_evidence_needs_forget_gates_that_start_open():
    # the class is the sign of step 5 of 30 (noise elsewhere), labelled at the last step: with
    # forget gates at sigmoid(1) = 0.73 a step the cells forget it, and the network learns the
    # classes' frequencies only (seeds 0-5 all), with a warning; at sigmoid(5) it learns them
    rng = np.random.default_rng(0)

    def task(n):
        X, y = rng.normal(0.0, 0.1, size=(n, 30, 1)), rng.integers(0, 2, n)
        X[:, 5, 0] += 2 * y - 1
        return list(X), y

    (X, y), (X_test, y_test) = task(100), task(200)
    kw = dict(n_blocks=2, epochs=20, standardize=True, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"class 0: .*forget_gate_bias \(now 1.0"):
        assert KalmanLSTMClassifier(**kw).fit(X, y).score(X_test, y_test) < 0.6
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = KalmanLSTMClassifier(forget_gate_bias=5.0, **kw).fit(X, y)
    assert model.score(X_test, y_test) >= 0.95


def test_one_label_per_sequence_is_learnt_at_the_last_step():
    from tests.test_classifier import _waves

    X, y = _waves(40, n_features=1)
    X_test, y_test = _waves(40, seed=1, n_features=1)
    models = [KalmanLSTMClassifier(epochs=30, random_state=seed).fit(X, y) for seed in range(8)]
    model = models[0]
    assert model.predict_proba(X_test).shape == (40, 2)
    assert model.predict(X_test).shape == (40,)
    # the filter stalls on this small set for one or two seeds in eight (0.45-0.6 right; which
    # ones depends on the round-off of the build): most seeds learn it
    assert sum(m.score(X_test, y_test) >= 0.9 for m in models) >= 6
    cube = np.stack([x[:8] for x in X])
    assert KalmanLSTMClassifier(epochs=1, random_state=0).fit(cube, y).predict(cube).shape == (40,)
    with pytest.raises(ValueError, match="list of sequences"):
        model.predict(X[0])
    with pytest.raises(ValueError, match="40 sequences but y has 39 labels"):
        KalmanLSTMClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match=r"y has 1 class \('slow'\); a classifier needs"):
        KalmanLSTMClassifier().fit(X, np.full(len(X), "slow"))
    with pytest.raises(ValueError, match=r"labels \['medium'\] the model was not fitted with"):
        model.score(X_test, np.where(y_test == "slow", "medium", y_test))


def test_one_dimensional_sequences_are_univariate_and_aeons_order_is_named():
    from tests.test_classifier import _waves

    X, y = _waves(20, n_features=1)
    a = KalmanLSTMClassifier(epochs=1, random_state=0).fit(X, y)
    b = KalmanLSTMClassifier(epochs=1, random_state=0).fit([x[:, 0] for x in X], y)
    np.testing.assert_array_equal(b.predict_proba([x[:, 0] for x in X]), a.predict_proba(X))
    cube = np.stack([x[:8] for x in _waves(20, n_features=3)[0]])
    with pytest.warns(UserWarning, match=r"3 step.s. of 8 features.*np.swapaxes"):
        KalmanLSTMClassifier(epochs=1, random_state=0).fit(np.swapaxes(cube, 1, 2), y)
