"""The forecasters' ``box_cox``: every variable through a Box-Cox transform before the model,
every output back through its inverse; against scipy's transform and the model of the
transformed series."""

import numpy as np
import pytest
from scipy.special import boxcox, inv_boxcox
from sklearn.model_selection import TimeSeriesSplit

from experiments.search import grid_search
from reservoir import ESNForecaster, NVARForecaster
from reservoir.common.box_cox import box_cox, box_cox_inverse

MODELS = [(ESNForecaster, dict(n_reservoir=60, washout=24, ridge=1e-3, random_state=0)),
          (NVARForecaster, dict(delays=3, ridge=1e-3))]


def _back(y, lam):
    """scipy's inverse, below the transform's range 0 (not NaN)."""
    return inv_boxcox(np.maximum(y, -1 / lam) if lam else y, lam)


def _intensity(n, seed=0):
    """A positive series whose swings grow with its level: (n,)."""
    rng = np.random.default_rng(seed)
    a = np.zeros(n)
    for t in range(1, n):
        a[t] = 0.9 * a[t - 1] + rng.normal(0, 0.3)
    return np.exp(1 + a + 0.5 * np.sin(np.arange(n) / 4))


@pytest.mark.parametrize("lam", [0.0, 0.5, 1.0])
def test_the_transform_and_its_inverse_are_scipys(lam):
    x = _intensity(50)[:, None]
    (y,) = box_cox([x], lam, "X")
    np.testing.assert_allclose(y, boxcox(x, lam), rtol=1e-12)
    np.testing.assert_allclose(box_cox_inverse(y, lam), inv_boxcox(y, lam), rtol=1e-12)
    (small,) = box_cox([x.astype(np.float32)], lam, "X")
    assert small.dtype == np.float32 and box_cox_inverse(small, lam).dtype == np.float32
    if lam > 0:  # below the transform's range (x would be negative): 0, not NaN
        assert box_cox_inverse(np.array([-1 / lam - 1.0]), lam)[0] == 0.0
    back = box_cox_inverse(np.array([-np.inf, np.inf, np.nan]), lam)  # a diverged loop stays so
    assert back[0] == back[1] == np.inf and np.isnan(back[2])


@pytest.mark.parametrize("lam", [0.0, 0.5])
@pytest.mark.parametrize("cls, kw", MODELS)
def test_a_transformed_model_is_the_model_of_the_transformed_series_mapped_back(cls, kw, lam):
    s = _intensity(400)
    z = boxcox(s, lam)
    model = cls(box_cox=lam, **kw).fit(s[:300])
    plain = cls(**kw).fit(z[:300])
    np.testing.assert_allclose(model.predict(s), _back(plain.predict(z), lam), rtol=1e-10)
    np.testing.assert_allclose(model.forecast(20), _back(plain.forecast(20), lam),
                               rtol=1e-10)
    np.testing.assert_allclose(model.forecast(5, context=s[:200]),
                               _back(plain.forecast(5, context=z[:200]), lam), rtol=1e-10)
    if hasattr(model, "forecast_origins"):
        np.testing.assert_allclose(model.forecast_origins(s, [150, 320], 6),
                                   _back(plain.forecast_origins(z, [150, 320], 6), lam),
                                   rtol=1e-10)
    w = kw["washout"] if "washout" in kw else kw["delays"] - 1  # the first step scored
    truth = s[w + 1:]
    assert model.score(s) == pytest.approx(
        1 - np.sum((model.predict(s)[w:-1] - truth) ** 2) / np.sum((truth - truth.mean()) ** 2),
        rel=1e-10)


def test_covariates_and_float32_go_through_the_transform_too():
    s = np.c_[_intensity(300), _intensity(300, seed=1)]
    kw = dict(n_reservoir=50, washout=20, ridge=1e-3, random_state=0, covariates=[1])
    model = ESNForecaster(box_cox=0.5, **kw).fit(s[:250])
    plain = ESNForecaster(**kw).fit(boxcox(s[:250], 0.5))
    np.testing.assert_allclose(model.forecast(10, covariates=s[250:260, 1]),
                               _back(plain.forecast(10, covariates=boxcox(s[250:260, 1],
                                                                               0.5)), 0.5),
                               rtol=1e-10)
    small = ESNForecaster(box_cox=0.5, dtype="float32", **kw).fit(s[:250].astype(np.float32))
    assert small.forecast(10, covariates=s[250:260, 1]).dtype == np.float32
    with pytest.raises(ValueError, match=r"box_cox=0.5 needs non-negative values, but "
                                         r"covariates has -1 at step 3 \(variable 0\)"):
        model.forecast(10, covariates=np.r_[np.ones(3), -1.0, np.ones(6)])


@pytest.mark.parametrize("cls, kw", MODELS)
def test_values_outside_the_transforms_domain_are_refused_with_the_fix(cls, kw):
    s = _intensity(200)
    with pytest.raises(ValueError, match=r"box_cox=0 needs positive values, but X has 0 at "
                                         r"step 5 \(variable 0\). Shift the series"):
        cls(box_cox=0, **kw).fit(np.r_[s[:5], 0.0, s[5:]])
    model = cls(box_cox=0.5, **kw).fit(s)
    with pytest.raises(ValueError, match="box_cox=0.5 needs non-negative values, but context "
                                         "has -2 at step 1"):
        model.forecast(3, context=np.r_[s[:1], -2.0, s[1:100]])
    with pytest.raises(ValueError, match="box_cox"):
        cls(box_cox=2.0, **kw).fit(s)


def test_the_search_chooses_the_transform_on_validation_scored_in_the_series_units():
    s = _intensity(600)
    base = ESNForecaster(40, washout=24, random_state=0)
    grid = {"box_cox": [None, 0.0], "ridge": [1e-3, 1.0]}
    result = grid_search(base, grid, s, cv=TimeSeriesSplit(3))
    train, test = list(TimeSeriesSplit(3).split(s))[0]
    for lam in (None, 0.0):  # each fold's score is R^2 of a fit on its training part, in s
        model = base.set_params(box_cox=lam, ridge=1.0).fit(s[train])
        pred = model.predict(s[:test[-1] + 1])[test[0] - 1:-1]
        r2 = 1 - np.sum((pred - s[test]) ** 2) / np.sum((s[test] - s[test].mean()) ** 2)
        got = result.dataset["split_test_score"].sel(box_cox=str(lam), ridge=1.0)
        assert float(got.isel(split=0)) == pytest.approx(r2, rel=1e-9)
