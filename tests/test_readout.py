import numpy as np
import pytest
import scipy.linalg as sla
from threadpoolctl import threadpool_limits

from reservoir.common.device import SMALL_BLAS
from reservoir.readout import (
    DIRECT_SOLVES,
    PART_ROWS,
    QR_TALL,
    TILE_COLUMNS,
    GramRidge,
    QRRidge,
    design_matrix,
    feature_blocks,
    rls_update,
)

from . import naive


def _problem(T=200, p=12, m=2, seed=0, intercept=True):
    rng = np.random.default_rng(seed)
    F = rng.normal(size=(T, p))
    if intercept:
        F[:, 0] = 1.0
    Y = F @ rng.normal(size=(p, m)) + 0.1 * rng.normal(size=(T, m))
    return F, Y


def _streamed(cls, F, Y, intercept, chunks=(50, 1, 3, 146)):
    acc = cls(F.shape[1], Y.shape[1], intercept)
    a = 0
    for n in chunks:
        acc.update(F[a:a + n], Y[a:a + n])
        a += n
    assert acc.n_samples == F.shape[0]
    return acc


@pytest.mark.parametrize("cls", [QRRidge, GramRidge])
@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("lam", [0.0, 1e-6, 3.0])
def test_streamed_ridge_matches_naive(cls, intercept, lam):
    F, Y = _problem(intercept=intercept)
    acc = _streamed(cls, F, Y, intercept)
    np.testing.assert_allclose(acc.solve(lam), naive.ridge(F, Y, lam, intercept), rtol=1e-9,
                               atol=1e-11)


@pytest.mark.parametrize("cls", [QRRidge, GramRidge])
@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("squares", [True, False])
def test_rows_added_by_blocks_equal_the_design_matrix(cls, intercept, squares):
    rng = np.random.default_rng(4)
    U, S, Y = rng.normal(size=(60, 3)), np.tanh(rng.normal(size=(60, 7))), rng.normal(size=(60, 2))
    F = design_matrix(U, S, squares, intercept)
    by_rows, by_blocks = cls(F.shape[1], 2, intercept), cls(F.shape[1], 2, intercept)
    for a, b in ((0, 25), (25, 60)):
        by_rows.update(F[a:b], Y[a:b])
        by_blocks.update_blocks(feature_blocks(U[a:b], S[a:b], squares), Y[a:b])
    assert by_blocks.n_samples == 60
    np.testing.assert_allclose(by_blocks.gram(), F.T @ F, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(by_blocks.solve(1e-3), by_rows.solve(1e-3), rtol=1e-10,
                               atol=1e-12)


def _same_bits_on_any_threads(make, update):
    """Accumulators ``make()`` updated by ``update(acc, workers)`` on one worker (as many
    threads as BLAS takes), two, all cores, and one worker under a BLAS limit of one thread:
    the same bits. Returns the first."""
    accs = [make() for _ in range(4)]
    for acc, workers in zip(accs, (1, 2, None)):
        update(acc, workers)
    with threadpool_limits(1, user_api="blas"):
        update(accs[3], 1)
    for acc in accs[1:]:
        np.testing.assert_array_equal(acc.gram(), accs[0].gram())
        np.testing.assert_array_equal(acc.solve(1e-3), accs[0].solve(1e-3))
    return accs[0]


@pytest.mark.parametrize("T, N, squares", [
    (2 * PART_ROWS + PART_ROWS // 2, 30, False),  # 2.5 parts of PART_ROWS rows
    (300, SMALL_BLAS + TILE_COLUMNS // 2, True),  # products of 6 column tiles
])
def test_gram_sums_give_the_same_bits_on_any_threads(T, N, squares):
    rng = np.random.default_rng(5)
    U, Y = rng.normal(size=(T, 3)), rng.normal(size=(T, 2))
    S = np.tanh(rng.normal(size=(T, N)))
    F = design_matrix(U, S, squares, True)
    acc = _same_bits_on_any_threads(
        lambda: GramRidge(F.shape[1], 2, True),
        lambda acc, workers: acc.update_blocks(feature_blocks(U, S, squares), Y, workers))
    assert acc.n_samples == T
    np.testing.assert_allclose(acc.gram(), F.T @ F, rtol=1e-12, atol=1e-9)
    # normal equations are as accurate as their condition number allows (1.5e7 in the second
    # case: 964 features, 300 rows), so the error is bounded by it, whatever the BLAS's order
    W = naive.ridge(F, Y, 1e-3, True)
    kappa = np.linalg.cond(F.T @ F + 1e-3 * np.eye(F.shape[1]))
    np.testing.assert_allclose(acc.solve(1e-3), W, rtol=1e-8,
                               atol=10 * kappa * np.finfo(float).eps * np.abs(W).max())


def test_tall_skinny_qr_gives_the_same_bits_on_any_threads():
    # from SMALL_BLAS features a QR update of QR_TALL times its triangle's size factorises
    # parts of its rows (three here, the first stacked under the triangle of the rows before)
    # and merges their triangles; the readout of all the rows
    rng = np.random.default_rng(7)
    p = SMALL_BLAS + 8
    first = rng.normal(size=(50, p))
    T = 3 * QR_TALL * (p + 2)
    F, Y = rng.normal(size=(T, p)), rng.normal(size=(T, 2))

    def make():  # rows before, fewer than QR_TALL times the size: one LAPACK call
        acc = QRRidge(p, 2, False)
        acc.update(first, first[:, :2])
        return acc

    acc = _same_bits_on_any_threads(make, lambda acc, workers: acc.update(F, Y, workers))
    all_F, all_Y = np.vstack([first, F]), np.vstack([first[:, :2], Y])
    np.testing.assert_allclose(acc.gram(), all_F.T @ all_F, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(acc.solve(1e-3), naive.ridge(all_F, all_Y, 1e-3, False),
                               rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("cls", [QRRidge, GramRidge])
def test_ridge_sweep_equals_single_solves(cls):
    F, Y = _problem()
    acc = _streamed(cls, F, Y, True)
    lams = np.array([0.0, 1e-3, 1.0, 100.0])
    sweep = acc.solve(lams)
    assert sweep.shape == (4, 12, 2)
    for lam, w in zip(lams, sweep):
        np.testing.assert_allclose(w, acc.solve(lam), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cls", [QRRidge, GramRidge])
def test_decomposition_is_reused_until_the_next_update(cls):
    F, Y = _problem()
    acc = _streamed(cls, F[:150], Y[:150], True, chunks=(150,))
    decomposition = "_svd" if cls is QRRidge else "_eig"
    # a few ridge values are solved one by one, then one decomposition serves all
    first = acc.solve(1e-3)
    for lam in np.logspace(-2, 1, DIRECT_SOLVES - 1):
        acc.solve(lam)
    assert acc.solve(1e-3) is not first and getattr(acc, decomposition) is None  # kept values
    tol = dict(rtol=1e-9, atol=1e-11) if cls is QRRidge else dict(rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(acc.solve(2e-3), naive.ridge(F[:150], Y[:150], 2e-3, True),
                               **tol)  # one value too many: the decomposition
    np.testing.assert_allclose(acc.solve(1e-3), first, **tol)
    cached = getattr(acc, decomposition)
    assert cached is not None
    acc.solve(1.0)
    assert getattr(acc, decomposition) is cached  # one decomposition per sweep
    acc.update(F[150:], Y[150:])
    np.testing.assert_allclose(acc.solve(1e-3), naive.ridge(F, Y, 1e-3, True), **tol)
    assert not np.allclose(acc.solve(1e-3), first)


@pytest.mark.parametrize("intercept", [True, False])
def test_gram_cholesky_solves_equal_the_eigendecomposition(intercept):
    """Ridge values above the rank cutoff by Cholesky, the same weights as the eigenvalue sweep;
    a ridge of 0 on a rank-deficient problem goes to the sweep (which drops the null space)."""
    F, Y = _problem()
    acc = _streamed(GramRidge, F, Y, intercept)
    direct = acc.solve(np.array([1e-6, 1e-2, 10.0]))
    assert acc._eig is None and len(acc._direct) == 3
    acc._direct = {}
    acc.solve(np.arange(DIRECT_SOLVES + 1.0) + 1)  # too many values: the sweep
    assert acc._eig is not None
    np.testing.assert_allclose(direct, acc.solve(np.array([1e-6, 1e-2, 10.0])), rtol=1e-10,
                               atol=1e-12)
    # below the cutoff's bound too (a ridge of 0 included), once the smallest eigenvalue is
    # shown to be far above the cutoff
    fresh = _streamed(GramRidge, F, Y, intercept)
    tiny = np.array([0.0, 1e-14])
    direct = fresh.solve(tiny)
    assert fresh._eig is None and len(fresh._direct) == 2
    fresh._direct = {}
    fresh.solve(np.r_[tiny, np.arange(DIRECT_SOLVES) + 1.0])  # too many values: the sweep
    assert fresh._eig is not None
    np.testing.assert_allclose(direct, fresh.solve(tiny), rtol=1e-9, atol=1e-11)
    F[:, -1] = F[:, -2]  # rank deficient
    fresh = _streamed(GramRidge, F, Y, intercept)
    w0 = fresh.solve(0.0)
    assert fresh._eig is not None and np.all(np.isfinite(w0))
    np.testing.assert_allclose(w0[-1], w0[-2], rtol=1e-6)  # the minimum-norm split


def test_a_cholesky_stands_in_for_the_eigendecomposition_only_far_above_its_cutoff():
    from reservoir.readout import _cutoff, _full_rank_cholesky

    Q = np.linalg.qr(np.random.default_rng(0).normal(size=(6, 6)))[0]
    for smallest, full in [(1e-3, True), (1e-14, False), (0.0, False), (-1e-9, False)]:
        s = np.array([1.0, 0.5, 0.2, 0.1, 0.05, smallest])
        G = (Q * s) @ Q.T
        factor = _full_rank_cholesky(G, 0.0)
        assert (factor is not None) == full
        if full:  # the eigendecomposition keeps every direction, and the solves agree
            assert np.all(s > _cutoff(s))
            b = np.arange(6.0)
            np.testing.assert_allclose(sla.cho_solve(factor, b), np.linalg.solve(G, b),
                                       rtol=1e-10)
    # a ridge above the cutoff's bound keeps every direction whatever the matrix
    assert _full_rank_cholesky(np.zeros((3, 3)), 1e-10) is not None


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("lam", [1e-14, 1e-6, 10.0])
def test_direct_qr_solve_equals_the_svd_sweep(intercept, lam):
    """One ridge value by the QR of [R; sqrt(lam) I] against the SVD of R, down to the tiny
    values of chaotic forecasting, on an ill-conditioned problem."""
    F, Y = _problem()
    F[:, 3:] *= np.logspace(0, -7, F.shape[1] - 3)
    acc = _streamed(QRRidge, F, Y, intercept)
    direct = acc.solve(lam)
    assert acc._svd is None
    sweep = acc.solve(lam * np.arange(1, DIRECT_SOLVES + 2))[0]  # too many values: the SVD
    assert acc._svd is not None
    np.testing.assert_allclose(direct, sweep, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(direct, naive.ridge(F, Y, lam, intercept), rtol=1e-6, atol=1e-8)


def test_qr_factor_memory_does_not_grow():
    F, Y = _problem(T=1000)
    acc = _streamed(QRRidge, F, Y, True, chunks=[10] * 100)
    assert acc._RQ.shape[0] <= F.shape[1] + Y.shape[1]
    np.testing.assert_allclose(acc.gram(), F.T @ F, rtol=1e-10, atol=1e-9)


def test_qr_beats_normal_equations_when_ill_conditioned():
    # Features with condition number ~1e9: the normal equations square it past 1/eps.
    rng = np.random.default_rng(7)
    T, p = 400, 8
    Q, _ = np.linalg.qr(rng.normal(size=(T, p)))
    V, _ = np.linalg.qr(rng.normal(size=(p, p)))
    F = Q @ np.diag(np.logspace(0, -9, p)) @ V.T
    w_true = rng.normal(size=(p, 1))
    Y = F @ w_true
    lam = 1e-24
    errors = {}
    for cls in (QRRidge, GramRidge):
        w = _streamed(cls, F, Y, False, chunks=[100] * 4).solve(lam)
        errors[cls.__name__] = np.linalg.norm(w - w_true) / np.linalg.norm(w_true)
    assert errors["QRRidge"] < 1e-5
    assert errors["GramRidge"] > 100 * errors["QRRidge"]


def test_negative_or_nan_ridge_rejected():
    acc = _streamed(QRRidge, *_problem(), True)
    for bad in (-1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="ridge"):
            acc.solve(bad)


@pytest.mark.parametrize("forgetting, ridge, first, t0", [(1.0, 0.1, 0, 0), (0.98, 0.0, 0, 0),
                                                          (0.98, 0.1, 0, 0), (0.9, 0.5, 1, 7)])
def test_rls_matches_naive(forgetting, ridge, first, t0):
    F, Y = _problem(T=60, p=6, intercept=False)
    P0, W0 = np.eye(6) * 10.0, np.random.default_rng(1).standard_normal((6, 2))
    P, W = P0.copy(), W0.copy()
    assert rls_update(P, W, F, Y, forgetting, ridge, first, t0) == -1
    P_ref, W_ref = naive.rls(F, Y, P0, W0, forgetting, ridge, first, t0)
    np.testing.assert_allclose(W, W_ref, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(P, P_ref, rtol=1e-9, atol=1e-11)


def test_rls_without_forgetting_is_ridge():
    F, Y = _problem(T=80, p=6, intercept=False)
    lam = 0.5
    P, W = np.eye(6) / lam, np.zeros((6, 2))
    rls_update(P, W, F, Y, 1.0, lam, 0, 0)
    np.testing.assert_allclose(W, naive.ridge(F, Y, lam, intercept=False), rtol=1e-9, atol=1e-11)


def test_rls_stops_at_the_row_where_p_is_no_longer_positive_definite():
    F, Y = _problem(T=10, p=4, intercept=False)
    P, W = -100 * np.eye(4), np.zeros((4, 2))
    assert rls_update(P, W, F, Y, 1.0, 0.0, 0, 0) == 0
    np.testing.assert_array_equal(P, -100 * np.eye(4))  # nothing done at that row
