"""The ridge chosen by blocked cross-validation (``ridge=None``): the blocks' errors against
plain numpy, and the estimators' default on a short series."""

import numpy as np
import pytest

from experiments.search import SEARCH_RIDGES, grid_search
from reservoir import ESNForecaster, ESNRegressor
from reservoir.readout import SOLVERS, Readout, design_matrix
from reservoir.ridge_cv import RIDGES, BlockedRidge, choose_ridge
from tests import naive


@pytest.mark.parametrize("solver", ["qr", "gram"])
@pytest.mark.parametrize("chunks", [[103], [7, 40, 56]])  # chunks across the blocks' edges
def test_block_errors_equal_refits_without_each_block(solver, chunks):
    rng = np.random.default_rng(0)
    T = sum(chunks)
    U, S, Y = rng.normal(size=(T, 2)), np.tanh(rng.normal(size=(T, 12))), rng.normal(size=(T, 2))
    F = design_matrix(U, S, False, True)
    blocked = BlockedRidge(solver, F.shape[1], 2, True, T)
    start = 0
    for n in chunks:
        blocked.update_blocks([U[start:start + n], S[start:start + n]], Y[start:start + n])
        start += n
    ridges = [1e-4, 1e-1, 10.0]
    np.testing.assert_allclose(blocked.errors(ridges),
                               naive.blocked_ridge_errors(F, Y, ridges, 5), rtol=1e-8)
    single = SOLVERS[solver](F.shape[1], 2, True)
    single.update(F, Y)
    np.testing.assert_allclose(blocked.solve(1e-3), single.solve(1e-3), rtol=1e-8, atol=1e-12)
    ridge, readout = choose_ridge(Readout(blocked))
    assert ridge == RIDGES[np.argmin(naive.blocked_ridge_errors(F, Y, RIDGES, 5))]
    assert readout.n_samples == T


def _recall(T, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(T, 1))
    return u, np.r_[0.0, u[:-1, 0]]


def test_the_default_ridge_learns_a_short_series_that_a_tiny_one_interpolates():
    # 300 units on 300 rows of noisy targets: ridge 1e-8 interpolates them, noise included
    # (test R^2 -9.4); the choice (3.2, 0.994) is the best half-decade's
    u, y = _recall(1300)
    noisy = y + 0.2 * np.random.default_rng(1).normal(size=y.size)
    model = ESNRegressor(random_state=0).fit(u[:400], noisy[:400])
    tiny = ESNRegressor(ridge=1e-8, random_state=0).fit(u[:400], noisy[:400])
    assert tiny.score(u[400:], y[400:]) < 0
    assert model.ridge is None and 1e-2 <= model.ridge_ <= 100
    assert model.score(u[400:], y[400:]) > 0.9
    assert tiny.ridge_ == 1e-8 and model.with_ridge(1e-2).ridge_ == 1e-2
    with pytest.raises(ValueError, match="with_ridge takes a ridge value"):
        model.with_ridge(None)
    gram = ESNRegressor(solver="gram", random_state=0).fit(u[:400], noisy[:400])
    assert gram.ridge_ == model.ridge_


def test_partial_fit_continues_the_chosen_ridge_or_starts_from_its_own():
    u, y = _recall(600)
    fitted = ESNRegressor(100, washout=20, random_state=0).fit(u[:300], y[:300])
    chosen = fitted.ridge_
    fitted.partial_fit(u[300:], y[300:])
    assert fitted.ridge_ == chosen
    scratch = ESNRegressor(100, washout=20, random_state=0).partial_fit(u, y)
    assert scratch.ridge_ == 0.1 and scratch.score(u, y) > 0.9


def test_the_search_sweeps_ridges_for_an_estimator_that_leaves_it_to_be_chosen():
    series = np.sin(np.arange(600) * 0.3) + 0.05 * np.random.default_rng(0).normal(size=600)
    result = grid_search(ESNForecaster(50, washout=20, random_state=0),
                         {"leak_rate": [0.5, 1.0]}, series, cv=2)
    assert list(result.dataset["ridge"].values) == list(SEARCH_RIDGES)
    assert result.best_params_["ridge"] in SEARCH_RIDGES
    assert result.best_estimator_.ridge_ == result.best_params_["ridge"]
