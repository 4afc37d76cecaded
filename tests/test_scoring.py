import numpy as np
import pytest
from sklearn.metrics import r2_score

from reservoir.common.scoring import r2


@pytest.mark.parametrize("shape", [(50,), (50, 1), (50, 3)])
def test_r2_equals_scikit_learn(shape):
    rng = np.random.default_rng(0)
    y = rng.normal(size=shape)
    pred = y + 0.3 * rng.normal(size=shape)
    assert r2(y, pred) == pytest.approx(r2_score(y, pred), rel=1e-13)


def test_r2_constant_targets_follow_scikit_learn():
    y = np.ones((20, 3))
    pred = y.copy()
    pred[:, 1] += 0.1  # den == 0: 1.0 where exact, 0.0 where not
    pred[:, 2] = np.linspace(0, 1, 20)
    y[:, 2] = np.linspace(0, 2, 20)  # an ordinary column beside them
    assert r2(y, pred) == pytest.approx(r2_score(y, pred), rel=1e-13)


def test_r2_hands_weights_and_bad_input_to_scikit_learn():
    y, pred = np.arange(5.0), np.arange(5.0)[::-1]
    w = np.array([1, 2, 3, 4, 5.0])
    assert r2(y, pred, sample_weight=w) == r2_score(y, pred, sample_weight=w)
    with pytest.raises(ValueError, match="The predictions hold 1 NaN or infinite value among "
                                         "the scored steps; the model's outputs overflowed"):
        r2(y, np.array([0, 1, np.nan, 3, 4]))
    with pytest.raises(ValueError, match="y holds 2 NaN or infinite values among the scored "
                                         "steps; R.2 needs finite targets"):
        r2(np.array([0, np.inf, np.nan, 3, 4]), y)
