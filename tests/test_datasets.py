import numpy as np
import pytest

from experiments import datasets


def test_mackey_glass_statistics_and_reproducibility():
    y = datasets.mackey_glass(3000, random_state=0)
    assert 0.85 < y.mean() < 0.95 and 0.2 < y.std() < 0.25  # the MG17 attractor
    assert 0.2 < y.min() and y.max() < 1.45
    np.testing.assert_array_equal(y, datasets.mackey_glass(3000, random_state=0))
    z = datasets.mackey_glass(3000, random_state=0, squash=True)
    np.testing.assert_allclose(datasets.mackey_glass_unsquash(z), y, rtol=1e-12)
    da = datasets.mackey_glass(100, random_state=0, as_xarray=True)
    assert da.dims == ("time",) and da.attrs["tau"] == 17 and float(da.time[1]) == 1.0


def _largest_lyapunov(system, dt, n_steps, d0=1e-8, **kw):
    """Benettin's two-trajectory estimate with renormalisation every step."""
    x = getattr(datasets, system)(1, dt=dt, random_state=0, **kw)[-1]
    y = x + d0 / np.sqrt(x.size)
    total = 0.0
    for _ in range(n_steps):
        x2 = datasets._integrate(_CODES[system], x, _PARAMS[system], 1, dt, 0.01, 0.0)[-1]
        y2 = datasets._integrate(_CODES[system], y, _PARAMS[system], 1, dt, 0.01, 0.0)[-1]
        d = np.linalg.norm(y2 - x2)
        total += np.log(d / d0)
        x, y = x2, x2 + (y2 - x2) * d0 / d
    return total / (n_steps * dt)


_CODES = {"lorenz63": datasets.LORENZ63, "rossler": datasets.ROSSLER}
_PARAMS = {"lorenz63": [10.0, 28.0, 8 / 3], "rossler": [0.2, 0.2, 5.7]}


def test_lorenz63_largest_lyapunov_exponent():
    assert _largest_lyapunov("lorenz63", 0.02, 5000) == pytest.approx(0.906, abs=0.1)


def test_chaotic_systems_shapes_and_attractors():
    L = datasets.lorenz63(2000, random_state=1)
    assert L.shape == (2000, 3) and 20 < L[:, 2].mean() < 27
    R = datasets.rossler(500, random_state=1)
    assert R.shape == (500, 3) and np.abs(R).max() < 30
    F = datasets.lorenz96(300, n_variables=10, random_state=1)
    assert F.shape == (300, 10) and F.std() > 1.0
    da = datasets.lorenz63(10, dt=0.05, as_xarray=True)
    assert list(da.coords["variable"].values) == ["x", "y", "z"]
    assert da.attrs["rho"] == 28.0 and float(da.time[1]) == pytest.approx(0.05)


def test_narma10_recursion():
    u, y = datasets.narma(500, random_state=3, transient=0)
    for t in range(20, 499):
        expected = (0.3 * y[t - 1] + 0.05 * y[t - 1] * np.sum(y[t - 10:t])
                    + 1.5 * u[t - 9] * u[t] + 0.1)
        assert y[t] == pytest.approx(expected, rel=1e-12)
    assert u.min() >= 0 and u.max() <= 0.5


def test_memory_task_targets_are_delayed_inputs():
    u, T = datasets.memory_task(50, 5, random_state=0)
    assert u.shape == (50, 1) and T.shape == (50, 5)
    np.testing.assert_array_equal(T[3:, 2], u[:-3, 0])
    assert np.all(T[:3, 2] == 0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_samples"):
        datasets.lorenz63(0)
    with pytest.raises(ValueError, match="dt"):
        datasets.rossler(10, dt=-1.0)
    with pytest.raises(ValueError, match="order"):
        datasets.narma(10, order=0)
