"""ESNClassifier: sequence vectors against plain numpy, leave-one-out against refits, the
ensemble against its members, and the estimator's behaviour on good and bad input."""

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

import reservoir.harvest
import reservoir.sequence_model
from reservoir import ESNClassifier
from reservoir.representations import REPRESENTATIONS
from reservoir.svd_ridge import SVDRidge, temperatures
from reservoir.weights import block_diagonal, make_reservoir
from tests import naive


def _waves(n=40, seed=0, n_features=2):
    """Sequences of 8-30 steps: noisy sines, slow (class "slow") or fast ("fast")."""
    rng = np.random.default_rng(seed)
    y = np.array(["slow", "fast"])[rng.integers(0, 2, n)]
    X = []
    for label in y:
        T = int(rng.integers(8, 31))
        f = 0.25 if label == "slow" else 0.6
        t = np.arange(T)[:, None] + rng.uniform(0, 6)
        noise = 0.1 * rng.normal(size=(T, n_features))
        X.append(np.sin(f * t * np.arange(1, n_features + 1)) + noise)
    return X, y


@pytest.mark.parametrize("kind", REPRESENTATIONS)
@pytest.mark.parametrize("chunk_rows", [None, 5])  # whole sequences, or time windows
def test_vectors_equal_plain_numpy(kind, chunk_rows, monkeypatch):
    if chunk_rows:
        monkeypatch.setattr(reservoir.harvest, "CHUNK_BYTES", 2 * 30 * 8 * chunk_rows)
    X, y = _waves(12)
    model = ESNClassifier(30, representation=kind, n_components=6, washout=2, space_ridge=0.5,
                          n_estimators=2, random_state=0).fit(X, y)
    seqs = [(x - model.input_mean_) / model.input_scale_ for x in X]
    res = model.reservoir_
    W = res.recurrent_matrix().toarray()
    got = model._vectors([s.astype(np.float64) for s in seqs])
    for k in range(2):  # each member from its own block of units
        units = slice(30 * k, 30 * (k + 1))
        states = [naive.reservoir_states(W[units, units], res.W_in[units], res.bias[units],
                                         model.leak_rate, U) for U in seqs]
        mean, axes = (None, None)
        if kind == "model":
            rows = np.concatenate([S[2:] for S in states])
            vals, vecs = np.linalg.eigh(np.cov(rows.T, bias=True))
            top = vecs[:, ::-1][:, :6]
            top *= np.sign(top[np.argmax(np.abs(top), axis=0), np.arange(6)])
            mean, axes = rows.mean(axis=0), top
        want = np.array([naive.sequence_vectors(S, U, kind, 2, mean, axes, 0.5)
                         for S, U in zip(states, seqs)])
        np.testing.assert_allclose(got[:, k], want, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("chunk_rows", [None, 5])  # whole sequences, or time windows
def test_a_model_space_fit_from_kept_states_equals_one_that_harvests_twice(chunk_rows,
                                                                          monkeypatch):
    if chunk_rows:
        monkeypatch.setattr(reservoir.harvest, "CHUNK_BYTES", 30 * 8 * chunk_rows)
    X, y = _waves(12)
    kw = dict(n_reservoir=30, representation="model", n_components=6, washout=2,
              n_estimators=2, random_state=0)
    runs = []
    original = ESNClassifier._run
    monkeypatch.setattr(ESNClassifier, "_run", lambda self, *a, **k: runs.append(1) or
                        original(self, *a, **k))
    kept = ESNClassifier(**kw).fit(X, y)
    assert len(runs) == 1  # one harvest: the vectors come from the kept states
    monkeypatch.setattr(reservoir.sequence_model, "KEPT_BYTES", 0)
    twice = ESNClassifier(**kw).fit(X, y)
    assert len(runs) == 3  # the axes' harvest, then the vectors'
    for name in ("feature_mean_", "feature_scale_", "coef_", "intercept_"):
        np.testing.assert_array_equal(getattr(kept, name), getattr(twice, name))


@pytest.mark.parametrize("kind", ["last_mean", "model"])
def test_bidirectional_vectors_append_those_of_the_reversed_sequences(kind):
    X, y = _waves(12)
    kw = dict(n_reservoir=20, representation=kind, n_components=4, random_state=0)
    one = ESNClassifier(**kw).fit(X, y)
    both = ESNClassifier(bidirectional=True, **kw).fit(X, y)
    seqs = [(x - one.input_mean_) / one.input_scale_ for x in X]
    forward = one._vectors(seqs)
    backward = one._vectors([np.ascontiguousarray(s[::-1]) for s in seqs])
    np.testing.assert_allclose(both._vectors(seqs), np.concatenate([forward, backward], axis=2),
                               rtol=1e-12, atol=1e-12)
    assert both.coef_.shape[2] == 2 * one.coef_.shape[2]


@pytest.mark.parametrize("n, p", [(15, 6), (10, 16)])  # SVD; eigendecomposition of F F^T
def test_leave_one_out_outputs_equal_refits_without_each_row(n, p):
    rng = np.random.default_rng(1)
    F = rng.normal(size=(n, p))
    F -= F.mean(axis=0)
    Y = np.where(rng.integers(0, 3, n)[:, None] == np.arange(3), 1.0, -1.0)
    for lam in (0.1, 3.0):
        want = naive.leave_one_out(F, Y, lam)
        # the features were centred on all rows; a refit without row i re-centres nothing,
        # and its free intercept absorbs the shift, so the outputs are the same
        np.testing.assert_allclose(SVDRidge(F, Y).outputs(lam), want, rtol=1e-9, atol=1e-12)


def test_svd_ridge_solves_as_the_qr_readout():
    rng = np.random.default_rng(2)
    F = rng.normal(size=(12, 20))  # fewer rows than features, as with one row per sequence
    F -= F.mean(axis=0)
    Y = rng.normal(size=(12, 3))
    svd = SVDRidge(F, Y)
    for lam in (1e-3, 1.0, 50.0):
        want = naive.ridge(np.hstack([np.ones((12, 1)), F]), Y, lam)
        np.testing.assert_allclose(svd.solve(lam), want, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(svd.solve(np.array([1.0, 2.0]))[1], svd.solve(2.0))
    A = np.hstack([np.ones((12, 1)), F])
    np.testing.assert_allclose(svd.gram(), A.T @ A, atol=1e-10)
    # no penalty: the least-norm fit, with the centring's null direction left out
    np.testing.assert_allclose(svd.solve(0.0)[1:], np.linalg.pinv(F) @ (Y - Y.mean(axis=0)),
                               rtol=1e-8, atol=1e-10)
    assert svd.s.size == 11


def test_temperatures_minimise_each_members_log_loss():
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, 40)
    hot = np.eye(3)[labels]
    outputs = np.stack([a * hot + rng.normal(size=(40, 3)) for a in (0.0, 0.5, 3.0)]
                       + [2 * hot - 1])  # the last separates the classes: any large T
    T = temperatures(outputs, labels)
    for k in range(4):
        def loss(log_t):
            return -np.mean(log_softmax(np.exp(log_t) * outputs[k], axis=1)[np.arange(40), labels])

        want = minimize_scalar(loss, bounds=(np.log(1e-3), np.log(1e3)), method="bounded",
                               options={"xatol": 1e-12}).x
        assert loss(np.log(T[k])) <= loss(want) + 1e-12
        if k < 3:
            assert T[k] == pytest.approx(np.exp(want), rel=1e-6)
    assert T[3] > 10 and loss(np.log(T[3])) < 1e-12


def test_temperatures_of_separable_outputs_stop_when_the_bracket_closes(monkeypatch):
    # the minimum sits at the bracket's end, where Newton's steps stay large: the loop halved
    # the bracket all 200 times (6 ms of a BasicMotions fit)
    import reservoir.svd_ridge

    calls = []
    softmax = reservoir.svd_ridge.softmax
    monkeypatch.setattr(reservoir.svd_ridge, "softmax",
                        lambda *a, **k: calls.append(1) or softmax(*a, **k))
    labels = np.arange(30) % 3
    T = temperatures(0.01 * (2 * np.eye(3)[labels] - 1)[None], labels)
    assert T[0] == pytest.approx(1e3, rel=1e-9)
    assert len(calls) < 60


def test_svd_ridges_of_members_factorised_together_equal_each_alone():
    rng = np.random.default_rng(3)
    for p in (5, 20):  # more rows than features (SVDs), fewer (one batched eigh)
        F = rng.normal(size=(12, 3, p))
        F -= F.mean(axis=0)
        Y = rng.normal(size=(12, 2))
        for k, svd in enumerate(SVDRidge.each(F, Y)):
            alone = SVDRidge(np.ascontiguousarray(F[:, k]), Y)
            np.testing.assert_allclose(svd.solve(0.5), alone.solve(0.5), rtol=1e-10, atol=1e-12)
            np.testing.assert_allclose(svd.outputs(0.5), alone.outputs(0.5), rtol=1e-10)


def test_block_diagonal_runs_each_member_side_by_side():
    rng = np.random.RandomState(0)
    members = [make_reservoir(20, 2, 1, spectral_radius_=0.9, density=0.2, random_state=rng)
               for _ in range(3)]
    both = block_diagonal(members)
    W = both.recurrent_matrix().toarray()
    U = np.random.default_rng(0).normal(size=(15, 2))
    S = naive.reservoir_states(W, both.W_in, both.bias, 0.5, U)
    for k, m in enumerate(members):
        alone = naive.reservoir_states(m.recurrent_matrix().toarray(), m.W_in, m.bias, 0.5, U)
        np.testing.assert_allclose(S[:, 20 * k:20 * (k + 1)], alone, rtol=1e-13, atol=1e-15)


def test_defaults_learn_two_kinds_of_waves():
    X, y = _waves(60)
    X_test, y_test = _waves(60, seed=1)
    model = ESNClassifier(50, random_state=0).fit(X, y)
    assert model.score(X_test, y_test) >= 0.95
    proba = model.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X_test)) <= {"slow", "fast"}
    assert np.array_equal(model.classes_[np.argmax(proba, axis=1)], model.predict(X_test))


def test_three_d_array_and_univariate_table_read_as_sequences():
    X, y = _waves(20)
    cube = np.stack([x[:8] for x in X])
    a = ESNClassifier(30, random_state=0).fit(cube, y)
    b = ESNClassifier(30, random_state=0).fit([x for x in cube], y)
    np.testing.assert_array_equal(a.predict_proba(cube), b.predict_proba(list(cube)))
    table = cube[:, :, 0]
    c = ESNClassifier(30, random_state=0).fit(table, y)
    d = ESNClassifier(30, random_state=0).fit([row[:, None] for row in table], y)
    np.testing.assert_array_equal(c.predict_proba(table), d.predict_proba(list(table[:, :, None])))
    assert c.n_features_in_ == 8 and d.n_features_in_ == 1
    # every form after every other: the steps' features are what must match
    expected = c.predict_proba(table)
    for form in (list(table[:, :, None]), table[:, :, None]):
        np.testing.assert_array_equal(c.predict_proba(form), expected)
    np.testing.assert_array_equal(d.predict_proba(table), expected)
    with warnings.catch_warnings():  # shorter than the training rows: it may warn of that
        warnings.simplefilter("ignore", RuntimeWarning)
        assert d.predict(table[:, :5]).shape == (20,)  # rows of any length after a list fit
    with pytest.raises(ValueError, match="X has 5 features, but ESNClassifier is expecting 8"):
        c.predict(table[:, :5])  # as scikit-learn checks a table fitted on


def test_one_dimensional_sequences_are_univariate():
    X, y = _waves(20, n_features=1)
    a = ESNClassifier(30, random_state=0).fit(X, y)
    b = ESNClassifier(30, random_state=0).fit([x[:, 0] for x in X], y)
    np.testing.assert_array_equal(b.predict_proba([x[:, 0] for x in X]), a.predict_proba(X))
    np.testing.assert_array_equal(b.predict_proba(X), a.predict_proba(X))


def test_sequences_in_aeons_order_are_named():
    # aeon and sktime order a collection (n_cases, n_channels, n_timepoints): read as
    # (n_sequences, n_steps, n_features), every sequence has fewer steps than features
    X, y = _waves(20, n_features=2)
    cube = np.stack([x[:8] for x in X])
    channels_first = np.swapaxes(cube, 1, 2)
    with pytest.warns(UserWarning, match=r"X\[0\]: 2 step.s. of 8 features.*np.swapaxes"):
        ESNClassifier(20, random_state=0).fit(channels_first, y)
    model = ESNClassifier(20, random_state=0).fit(cube, y)  # no warning in the right order
    with pytest.raises(ValueError, match="fitted on sequences of 2. If its sequences are "
                                         r"\(n_channels, n_timepoints\)"):
        model.predict(channels_first)
    with pytest.raises(ValueError, match="They all have 2 rows: if each is .n_channels"):
        model.fit([x.T for x in X], y)  # unequal lengths: the widths differ


def test_a_table_is_not_taken_for_multivariate_sequences():
    # a (5, 2) table after a fit on 2-feature sequences was read as 5 univariate series and
    # broadcast against the 2 features' standardisation into garbage labels, without an error
    X, y = _waves(20, n_features=2)
    model = ESNClassifier(20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="fitted on sequences of 2.*univariate series, one per"):
        model.predict(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="X has 3 feature.s. a step, but ESNClassifier was"):
        model.predict([np.zeros((5, 3))])


def test_first_member_of_an_ensemble_is_the_single_model():
    X, y = _waves(30)
    single = ESNClassifier(30, ridge=1.0, random_state=3).fit(X, y)
    ensemble = ESNClassifier(30, ridge=1.0, n_estimators=3, random_state=3).fit(X, y)
    np.testing.assert_allclose(ensemble.coef_[0], single.coef_[0], rtol=1e-10, atol=1e-12)
    assert ensemble.coef_.shape[0] == 3 and ensemble.temperature_.shape == (3,)
    assert ensemble.predict_proba(X).shape == (30, 2)


def test_with_ridge_equals_a_fit_with_that_ridge():
    X, y = _waves(30)
    auto = ESNClassifier(30, random_state=0).fit(X, y)
    again = auto.with_ridge(7.0)
    fitted = ESNClassifier(30, ridge=7.0, random_state=0).fit(X, y)
    np.testing.assert_allclose(again.coef_, fitted.coef_, rtol=1e-9)
    np.testing.assert_allclose(again.predict_proba(X), fitted.predict_proba(X), rtol=1e-9)
    assert auto.ridge is None and again.ridge == 7.0


def test_any_classifier_reads_out_the_vectors():
    X, y = _waves(40)
    model = ESNClassifier(30, classifier=LogisticRegression(), random_state=0).fit(X, y)
    assert model.score(X, y) >= 0.95
    assert model.predict_proba(X).shape == (40, 2)
    assert not hasattr(model, "coef_")


def test_float32_and_devices_give_the_same_labels_and_reproducible_bits():
    X, y = _waves(30)
    a = ESNClassifier(30, random_state=0).fit(X, y).predict_proba(X)
    b = ESNClassifier(30, random_state=0, device="parallel", n_jobs=2).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)
    c = ESNClassifier(30, random_state=0, dtype="float32").fit(X, y)
    assert np.array_equal(c.predict(X), ESNClassifier(30, random_state=0).fit(X, y).predict(X))
    assert c.predict_proba(X).dtype == c.decision_function(X).dtype == np.float32
    assert np.all(np.isfinite(c.decision_function(X)))


def test_grid_search_cv_over_sequences_with_stratified_folds():
    X, y = _waves(40)
    search = GridSearchCV(ESNClassifier(30, random_state=0),
                          {"leak_rate": [0.3, 1.0], "ridge": [0.1, 10.0]},
                          cv=StratifiedKFold(3), scoring="neg_log_loss").fit(X, y)
    assert search.cv_results_["mean_test_score"].shape == (4,)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.mark.parametrize("change, message", [
    (lambda X, y: (X, y[:-1]), "X has 20 sequences but y has 19 labels"),
    (lambda X, y: (X, np.full(len(y), "a")), r"1 class \('a'\)"),
    (lambda X, y: ([x[:1] for x in X], y), "washout"),
    (lambda X, y: ([np.where(np.arange(len(x))[:, None] == 3, np.nan, x) for x in X], y),
     "NaN"),
])
def test_bad_input_gets_a_clear_error(change, message):
    X, y = _waves(20)
    X, y = change(X, y)
    with pytest.raises(ValueError, match=message):
        ESNClassifier(20, washout=2, random_state=0).fit(X, y)


def test_unseen_labels_in_score_are_named():
    X, y = _waves(20)
    model = ESNClassifier(20, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="'medium'"):
        model.score(X, np.where(y == "slow", "medium", y))


@pytest.mark.parametrize("representation", ["last_mean", "model"])
def test_the_bits_do_not_depend_on_blas_threads_below_the_policys_size(representation):
    # the model space's projections and the readout's solve ran on BLAS's default threads,
    # whose sums (OpenBLAS picks other kernels for other thread counts) changed the vectors
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    seqs = [rng.normal(size=(int(rng.integers(5, 30)), 3)) for _ in range(60)]
    labels = np.arange(60) % 3
    model = ESNClassifier(40, representation=representation, bidirectional=True,
                          random_state=0)
    default = model.fit(seqs, labels).predict_proba(seqs)
    with threadpool_limits(1, user_api="blas"):
        one = model.fit(seqs, labels).predict_proba(seqs)
    np.testing.assert_array_equal(one, default)
