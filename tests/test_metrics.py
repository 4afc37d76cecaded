import numpy as np
import pytest

from experiments.metrics import (
    interval_coverage,
    interval_score,
    memory_capacity,
    normalized_errors,
    nrmse,
    valid_prediction_time,
)


def test_nrmse_by_hand():
    y = np.array([0.0, 2.0, 4.0])
    p = np.array([1.0, 2.0, 3.0])
    rmse = np.sqrt(2 / 3)
    assert nrmse(y, p) == pytest.approx(rmse / np.std(y))
    assert nrmse(y, p, normalization="range") == pytest.approx(rmse / 4)
    assert nrmse(y, p, normalization=2.0) == pytest.approx(rmse / 2)
    with pytest.raises(ValueError, match="normalization"):
        nrmse(y, p, normalization="max")
    with pytest.raises(ValueError, match="shape"):
        nrmse(y, p[:2])
    assert nrmse(y, [np.inf, 2.0, 3.0]) == np.inf  # a diverged forecast: infinitely wrong
    with pytest.raises(ValueError, match=r"y_true is constant, so normalization='std' is 0 .* "
                                         "pass normalization= a positive number"):
        nrmse(np.ones(3), p)
    assert nrmse(np.ones(3), p, normalization=2.0) == pytest.approx(np.sqrt(5 / 3) / 2)
    with pytest.raises(ValueError, match="y_pred has 1 NaN value.*, the first at index 1; the "
                                         "score would be NaN"):
        nrmse(y, [1.0, np.nan, 3.0])
    with pytest.raises(ValueError, match=r"y_true has 2 non-finite value.*index \(0, 1\)"):
        nrmse([[0.0, np.nan], [1.0, np.inf]], np.zeros((2, 2)))


def test_valid_prediction_time_by_hand():
    y = np.column_stack([np.sin(np.arange(100) * 0.3), np.cos(np.arange(100) * 0.3)])
    scale = np.sqrt(np.mean(np.sum((y - y.mean(axis=0)) ** 2, axis=1)))
    p = y.copy()
    p[40:, 0] += 0.6 * scale  # error 0.6 from step 40 on
    p[20, 1] += 0.4 * scale  # below the threshold
    np.testing.assert_allclose(normalized_errors(y, p)[[20, 40]], [0.4, 0.6])
    vt = valid_prediction_time(y, p, dt=0.02, lyapunov_exponent=0.906)
    assert vt.steps == 40
    assert vt.time == pytest.approx(0.8) and vt.lyapunov_times == pytest.approx(0.8 * 0.906)
    assert valid_prediction_time(y, y).steps == 100
    p[5] = np.nan
    assert valid_prediction_time(y, p).steps == 5


def test_memory_capacity_by_hand():
    rng = np.random.default_rng(0)
    t = rng.normal(size=(200, 3))
    out = np.column_stack([t[:, 0], 2 * t[:, 1] + 1, rng.normal(size=200)])
    mc, r2 = memory_capacity(t, out)
    assert r2[0] == pytest.approx(1) and r2[1] == pytest.approx(1)
    assert r2[2] == pytest.approx(np.corrcoef(t[:, 2], out[:, 2])[0, 1] ** 2)
    assert mc == pytest.approx(r2.sum())


def test_interval_scores_by_hand():
    y = np.array([0.0, 1.0, 5.0, -2.0])
    lower, upper = np.array([-1.0, 1.0, 2.0, -1.0]), np.array([1.0, 2.0, 3.0, 0.0])
    assert interval_coverage(y, lower, upper) == 0.5       # the first two, bounds included
    # widths 2, 1, 1, 1; misses 0, 0, 2 above, 1 below, at 2 / (1 - 0.8) = 10 each
    assert interval_score(y, lower, upper, 0.8) == pytest.approx((5 + 10 * 3) / 4)
    with pytest.raises(ValueError, match="lower is above upper"):
        interval_coverage(y, upper, lower)
    with pytest.raises(ValueError, match="coverage must be between 0 and 1"):
        interval_score(y, lower, upper, 1.0)
    with pytest.raises(ValueError, match="shape"):
        interval_score(y, lower[:2], upper, 0.9)
