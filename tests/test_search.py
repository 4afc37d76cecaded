import warnings

import numpy as np
import pytest
import xarray as xr
from sklearn.base import BaseEstimator
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, TimeSeriesSplit

from experiments.datasets import lorenz63, mackey_glass
from experiments.results import save
from experiments.search import grid_search
from experiments.walk_forward import WalkForward
from reservoir import ESNForecaster, ESNRegressor

CV = TimeSeriesSplit(3)


def _task():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, size=(500, 1))
    return u, np.r_[0.0, 0.0, u[:-2, 0]]


def _compare(result, gs):
    for i, params in enumerate(gs.cv_results_["params"]):
        ours = float(result.dataset["mean_test_score"].sel(**params))
        assert ours == pytest.approx(gs.cv_results_["mean_test_score"][i], rel=1e-9, abs=1e-10)
    assert result.best_params_ == gs.best_params_


def test_regressor_search_equals_grid_search_cv():
    u, y = _task()
    est = ESNRegressor(n_reservoir=30, washout=20, random_state=0)
    grid = {"spectral_radius": [0.5, 1.1], "leak_rate": [0.4, 1.0], "input_scaling": [0.5, 1.0],
            "ridge": [1e-8, 1e-2], "bias_scaling": [0.1, 0.6]}
    result = grid_search(est, grid, u, y, cv=CV, walk_forward=False)
    _compare(result, GridSearchCV(est, grid, cv=CV).fit(u, y))
    ds = result.dataset
    assert list(ds["mean_test_score"].dims) == list(grid)
    assert ds["split_test_score"].sizes["split"] == 3
    assert result.best_estimator_.score(u, y) == pytest.approx(
        ESNRegressor(**{**est.get_params(), **result.best_params_}).fit(u, y).score(u, y))


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
@pytest.mark.parametrize("make", [
    lambda: ESNForecaster(n_reservoir=40, washout=30, standardize=False,  # batched, prefixes
                          random_state=1),
    # batched, each fold harvested alone: its scaling fitted on its own training part
    lambda: ESNForecaster(n_reservoir=40, washout=30, standardize=True, random_state=1),
    lambda: ESNRegressor(n_reservoir=30, washout=20, feedback_scaling=0.1, random_state=0),
])
def test_walk_forward_search_equals_grid_search_cv_with_walk_forward_folds(make, scoring):
    est = make()
    if isinstance(est, ESNForecaster):
        X, y = mackey_glass(900, squash=True, random_state=0), None
        grid = {"spectral_radius": [0.8, 1.0], "ridge": [1e-10, 1e-6]}
    else:
        X, y = _task()
        grid = {"leak_rate": [0.5, 1.0], "ridge": [1e-8, 1e-3]}
    folds = WalkForward(3, test_size=len(X) // 4)
    result = grid_search(est, grid, X, y, cv=TimeSeriesSplit(3, test_size=len(X) // 4),
                         scoring=scoring)
    gs = GridSearchCV(est, grid, cv=folds, scoring=folds.scorer(scoring))
    _compare(result, gs.fit(X) if y is None else gs.fit(X, y))
    assert result.dataset.attrs["walk_forward"] == 1


def test_walk_forward_scores_the_validation_steps_from_the_whole_history():
    series = mackey_glass(700, squash=True, random_state=0)
    est = ESNForecaster(n_reservoir=40, washout=300, ridge=1e-8, random_state=1)
    # each fold's 100 validation steps: from a zero state, the 300-step washout leaves nothing
    with pytest.raises(ValueError, match="washout"):
        grid_search(est, {"ridge": [1e-8]}, series, cv=TimeSeriesSplit(2, test_size=100),
                    walk_forward=False)
    result = grid_search(est, {"ridge": [1e-8]}, series, cv=TimeSeriesSplit(2, test_size=100))
    model = est.fit(series[:600])
    pred = model.predict(series[:700])
    assert float(result.dataset["split_test_score"][1, 0]) == pytest.approx(
        r2_score(series[600:700], pred[599:699]), rel=1e-9)
    with pytest.raises(ValueError, match="walk_forward=False"):
        grid_search(est, {"ridge": [1e-8]}, series, scoring="explained_variance")


def test_forecaster_search_with_scoring_equals_grid_search_cv():
    series = mackey_glass(900, squash=True, random_state=0)
    est = ESNForecaster(n_reservoir=40, washout=30, random_state=1)
    grid = {"spectral_radius": [0.8, 1.0], "ridge": [1e-10, 1e-6, 1e-2]}
    result = grid_search(est, grid, series, cv=CV, walk_forward=False)
    _compare(result, GridSearchCV(est, grid, cv=CV).fit(series))


def _small_search():
    u, y = _task()
    return grid_search(ESNRegressor(n_reservoir=20, washout=10, random_state=0),
                       {"spectral_radius": [0.5, 0.9, 1.3], "ridge": [1e-6, 1e-3]}, u, y, cv=CV,
                       verbose=False)


def test_results_save_to_netcdf(tmp_path):
    result = _small_search()
    back = xr.open_dataset(save(result.dataset, tmp_path / "grid.nc"), engine="scipy")
    xr.testing.assert_allclose(back, result.dataset)
    assert back.attrs["best_spectral_radius"] == result.best_params_["spectral_radius"]


def test_results_plot_as_heatmap(tmp_path):
    pytest.importorskip("matplotlib", reason="the heat map needs the plot extra")
    from experiments import plots

    result = _small_search()
    assert plots.heatmap(result.dataset, "spectral_radius", "ridge", tmp_path / "h.png").exists()
    flags = grid_search(ESNRegressor(n_reservoir=20, washout=10, random_state=0),
                        {"squares": [False, True], "ridge": [1e-6, 1.0], "leak_rate": [0.3, 1.0]},
                        *_task())
    assert plots.heatmap(flags.dataset, "leak_rate", "ridge", tmp_path / "f.png").exists()


def test_flags_of_a_grid_are_bool_coordinates_saved_and_selected_as_such(tmp_path):
    # they were text ("False"), so sel(squares=False) failed and the heat map could not draw
    result = grid_search(ESNRegressor(n_reservoir=20, washout=10, random_state=0),
                         {"squares": [False, True], "ridge": [1e-6, 1.0]}, *_task())
    for ds in (result.dataset, xr.open_dataset(save(result.dataset, tmp_path / "f.nc"))):
        assert ds["squares"].dtype == bool
        assert ds["mean_test_score"].sel(squares=False, ridge=1.0).size == 1


def test_bad_grids_raise():
    u, y = _task()
    est = ESNRegressor(n_reservoir=20, washout=10)
    with pytest.raises(ValueError, match="non-empty dict"):
        grid_search(est, [{"ridge": [1.0]}], u, y)
    with pytest.raises(ValueError, match="empty"):
        grid_search(est, {"ridge": []}, u, y)
    with pytest.raises(ValueError, match="walking forward only"):
        grid_search(est, {"ridge": [1.0]}, [u, u], [y, y], walk_forward=False)
    with pytest.raises(ValueError, match="as many series, each aligned"):
        grid_search(est, {"ridge": [1.0]}, [u, u], [y, y[:-1]])
    with pytest.raises(ValueError, match="different numbers of folds"):
        grid_search(est, {"ridge": [1.0]}, [u, u[:300]], [y, y[:300]], cv=_FoldPer100())
    for walk in (True, False):  # one-step folds: R^2 would be NaN everywhere
        with pytest.raises(ValueError, match="validation fold of 1 step, which R\\^2 cannot"):
            grid_search(est, {"ridge": [1.0]}, u, y, cv=len(u) // 2, walk_forward=walk)
    one_step = grid_search(est, {"ridge": [1.0]}, u, y, cv=len(u) // 2,
                           scoring="neg_mean_squared_error")
    assert np.isfinite(one_step.best_score_)
    # a training part within the washout was blamed on "X has 10 sample(s)", a slice of X
    with pytest.raises(ValueError, match="Fold 0 of TimeSeriesSplit trains on 10 steps, not "
                                         "more than washout=12: .*Set washout=9 or less"):
        grid_search(est, {"washout": [5, 12]}, u[:40], y[:40], cv=3)
    with pytest.raises(ValueError, match="washout=10 \\+ 1: .*Set washout=8 or less .*fewer folds"):
        grid_search(ESNForecaster(20, washout=10), {"ridge": [1.0]}, u[:40, 0], cv=3)


class _FoldPer100:
    """A splitter that makes one walk-forward fold per 100 steps after the first 100."""

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(X) // 100 - 1

    def split(self, X, y=None, groups=None):
        for k in range(1, len(X) // 100):
            yield np.arange(100 * k), np.arange(100 * k, 100 * k + 100)


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_several_series_are_searched_together_walking_forward(scoring):
    a = mackey_glass(700, squash=True, random_state=0)
    b = mackey_glass(900, squash=True, random_state=1)
    est = ESNForecaster(n_reservoir=30, washout=50, random_state=0)
    grid = {"spectral_radius": [0.8, 1.1], "ridge": [1e-10, 1e-4]}
    cv = TimeSeriesSplit(2, test_size=150)
    result = grid_search(est, grid, [a, b], cv=cv, scoring=scoring)
    # fold 1 of the configuration (1.1, 1e-4) by hand: trained on both prefixes, the
    # validation steps of both series pooled
    model = ESNForecaster(n_reservoir=30, washout=50, spectral_radius=1.1, ridge=1e-4,
                          random_state=0).fit([a[:550], b[:750]])
    pa, pb = model.predict([a, b])
    truth = np.r_[a[550:], b[750:]]
    pred = np.r_[pa[549:-1], pb[749:-1]]
    want = r2_score(truth, pred) if scoring is None else -np.mean((truth - pred) ** 2)
    got = float(result.dataset["split_test_score"].sel(spectral_radius=1.1, ridge=1e-4)[1])
    assert got == pytest.approx(want, rel=1e-9)
    assert result.best_estimator_.predict([a, b])[1].shape == b.shape


def test_plain_sklearn_searches_run_in_parallel():
    u, y = _task()
    est = ESNRegressor(n_reservoir=20, washout=10, random_state=0)
    search = RandomizedSearchCV(est, {"spectral_radius": [0.3, 0.6, 0.9, 1.2],
                                      "ridge": [1e-8, 1e-4, 1.0]}, n_iter=4, cv=CV, n_jobs=2,
                                random_state=0).fit(u, y)
    assert search.cv_results_["mean_test_score"].shape == (4,)
    assert np.isfinite(search.best_score_)


def test_other_folds_and_scorers_take_the_per_fold_path():
    from sklearn.model_selection import KFold

    u, y = _task()
    est = ESNRegressor(n_reservoir=20, washout=10, random_state=0)
    grid = {"spectral_radius": [0.5, 1.0], "ridge": [1e-6, 1e-2]}
    for cv, scoring in ((KFold(3), None), (CV, "neg_mean_squared_error")):
        result = grid_search(est, grid, u, y, cv=cv, scoring=scoring, walk_forward=False)
        _compare(result, GridSearchCV(est, grid, cv=cv, scoring=scoring).fit(u, y))


@pytest.mark.parametrize("scoring", [None, "neg_log_loss"])
def test_classifier_search_over_sequences_equals_grid_search_cv(scoring):
    from reservoir import ESNClassifier
    from tests.test_classifier import _waves

    X, y = _waves(36)
    est = ESNClassifier(n_reservoir=30, random_state=0)
    grid = {"leak_rate": [0.3, 1.0], "ridge": [0.1, 10.0, 1000.0]}
    result = grid_search(est, grid, X, y, cv=3, scoring=scoring)
    _compare(result, GridSearchCV(est, grid, cv=3, scoring=scoring).fit(X, y))
    assert result.best_estimator_.predict(X).shape == (36,)


def test_classifier_search_needs_one_label_per_sequence():
    from reservoir import ESNClassifier
    from tests.test_classifier import _waves

    X, y = _waves(20)
    with pytest.raises(ValueError, match="X has 20 sequences but y has 19 labels"):
        grid_search(ESNClassifier(20), {"ridge": [1.0]}, X, y[:-1])


def test_closed_loop_scores_forecasts_from_origins_of_each_fold():
    from experiments.walk_forward import ClosedLoop

    series = mackey_glass(1000, squash=True, random_state=0)
    est = ESNForecaster(n_reservoir=40, washout=50, random_state=1)
    cv = TimeSeriesSplit(2, test_size=200)
    loop = ClosedLoop([10, 30], n_origins=4)
    result = grid_search(est, {"spectral_radius": [0.8, 1.0], "ridge": [1e-10, 1e-2]}, series,
                         cv=cv, scoring=loop)
    # the same score by hand for one configuration and fold
    model = ESNForecaster(n_reservoir=40, washout=50, spectral_radius=1.0, ridge=1e-2,
                          random_state=1).fit(series[:800])
    scale = np.sqrt(np.mean(series[:800].var()))
    errors = []
    for o in np.array([800, 857, 913, 970]):
        f = model.forecast(30, context=series[:o])
        errors.append(np.mean([np.sqrt(np.mean((f[:h] - series[o:o + h]) ** 2)) / scale
                               for h in (10, 30)]))
    got = float(result.dataset["split_test_score"].sel(spectral_radius=1.0, ridge=1e-2)[1])
    assert got == pytest.approx(-np.mean(errors), rel=1e-9)
    folds = WalkForward(2, test_size=200)
    gs = GridSearchCV(est, {"spectral_radius": [0.8, 1.0], "ridge": [1e-10, 1e-2]}, cv=folds,
                      scoring=folds.scorer(loop)).fit(series)
    _compare(result, gs)
    valid = grid_search(est, {"ridge": [1e-10]}, series, cv=cv,
                        scoring=ClosedLoop(60, metric="valid_time"))
    assert 0 < valid.best_score_ <= 60
    with pytest.raises(ValueError, match="shorter than the closed-loop horizon 300"):
        grid_search(est, {"ridge": [1e-10]}, series, cv=cv, scoring=ClosedLoop(300))


class _OneByOne:
    """A forecaster without ``forecast_origins``: ClosedLoop runs one forecast per origin."""

    def __init__(self, model):
        self.model = model

    def __getattr__(self, name):
        if name == "forecast_origins":
            raise AttributeError(name)
        return getattr(self.model, name)

    def with_ridge(self, ridge):
        return _OneByOne(self.model.with_ridge(ridge))


def test_closed_loop_scores_many_ridge_values_as_each_alone():
    from experiments.walk_forward import ClosedLoop
    from reservoir import NVARForecaster

    series = mackey_glass(900, squash=True, random_state=0)
    loop, rows, ridges = ClosedLoop([5, 20], n_origins=3), np.arange(700, 900), [1e-9, 1e-3, 1.0]
    nvar = NVARForecaster(delays=2).fit(series[:700])
    np.testing.assert_array_equal(loop.score(nvar, series, rows, ridges=ridges),
                                  loop.score(_OneByOne(nvar), series, rows, ridges=ridges))
    for model in (ESNForecaster(40, washout=50, random_state=1).fit(series[:700]), nvar,
                  _OneByOne(nvar)):
        each = [loop.score(model.with_ridge(r), series, rows) for r in ridges]
        np.testing.assert_array_equal(loop.score(model, series, rows, ridges=ridges), each)
        assert len(set(each)) == 3
        several = loop.score(model, [series, series[::-1].copy()], [rows, rows], ridges=ridges)
        np.testing.assert_allclose(several, [np.mean([
            loop.score(model.with_ridge(r), s, rows) for s in (series, series[::-1].copy())])
            for r in ridges], rtol=1e-12)


class _Diverging(BaseEstimator):
    """A forecaster whose one-step predictions are perfect and whose closed loop diverges."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y=None):
        self.fitted_ = True
        return self

    def predict(self, X):
        return np.r_[np.asarray(X)[1:], 0.0]

    def forecast(self, horizon, context=None, on_divergence="warn"):
        raise FloatingPointError("The closed loop became non-finite at step 5")


def test_a_search_says_when_its_choice_diverges_in_closed_loop():
    series = np.sin(np.arange(400) * 0.3)
    with pytest.warns(RuntimeWarning, match=r"\{'alpha': 1.0\} diverges in closed loop.*"
                      "non-finite at step 5.*ClosedLoop"):
        grid_search(_Diverging(), {"alpha": [1.0]}, series, cv=TimeSeriesSplit(2))


def test_folds_whose_closed_loops_diverge_score_minus_inf_without_numpy_warnings():
    from experiments.walk_forward import ClosedLoop
    from reservoir import NVARForecaster

    xyz = lorenz63(560, dt=0.025, random_state=0)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        result = grid_search(NVARForecaster(standardize=False), {"ridge": [0.0, 1e-2]}, xyz,
                             cv=TimeSeriesSplit(2, test_size=250),
                             scoring=ClosedLoop(240, n_origins=2))
    assert not seen, [str(w.message) for w in seen]
    scores = result.dataset["split_test_score"].values
    assert np.isneginf(scores[:, 0]).all() and np.isfinite(scores[0, 1])
    assert np.isnan(result.dataset["std_test_score"].values).all()
