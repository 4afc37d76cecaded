"""CUDA kernels against the CPU kernels, on tiny sizes (a few hundred threads)."""

import numpy as np
import pytest
import scipy.sparse as sp

from reservoir import ESNForecaster, ESNRegressor, cuda_kernels, kernels
from reservoir.common.device import check_device
from reservoir.weights import make_reservoir


def _res(n=12, n_in=2, dtype=np.float64, **scales):
    params = dict(spectral_radius_=0.9, density=0.3, bias_scaling=0.3)
    params.update(scales)
    return make_reservoir(n, n_in, 1, random_state=np.random.RandomState(0), dtype=dtype,
                          **params)


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_run_packed_matches_cpu(dtype, tol):
    """Three sequences of 5, 3 and 2 steps in one launch, each from its own state, driven by
    inputs and fed-back outputs."""
    res = _res(dtype=dtype, feedback_scaling=0.5)
    rng = np.random.default_rng(0)
    starts = np.array([0, 5, 8, 10], np.int64)
    inputs = rng.normal(size=(10, 3)).astype(dtype)
    x0 = (0.1 * rng.normal(size=(3, 12))).astype(dtype)
    V = sp.csr_matrix(np.hstack([res.W_in, res.W_fb]))
    args = (res.indptr, res.indices, res.data, dtype(0.6), V.indptr.astype(np.uint32),
            V.indices.astype(np.uint32), V.data, res.bias, inputs, starts)
    cpu_states, cpu_x = np.empty((10, 12), dtype), x0.copy()
    kernels.run_packed(*args, cpu_x, cpu_states, 1)
    gpu_x = x0.copy()
    gpu_states = cuda_kernels.run_packed(*args, gpu_x)
    assert gpu_states.dtype == dtype
    np.testing.assert_allclose(gpu_states, cpu_states, rtol=tol, atol=tol)
    np.testing.assert_allclose(gpu_x, cpu_x, rtol=tol, atol=tol)


def test_run_configs_matches_cpu_reservoirs_of_each_configuration():
    """Two configurations over two packed sequences (6 and 3 steps)."""
    unit = _res(spectral_radius_=1.0, input_scaling=1.0, bias_scaling=0.3)
    U = np.random.default_rng(1).uniform(-1, 1, size=(9, 2))
    starts = np.array([0, 6, 9], np.int64)
    radius, scale, leak = [0.5, 1.2], [0.1, 2.0], [1.0, 0.4]
    states, x = cuda_kernels.run_configs(unit.indptr, unit.indices, unit.data, unit.W_in,
                                         unit.bias, U, starts, radius, scale, leak,
                                         np.zeros((2, 2, 12)))
    for c in range(2):
        res = _res(spectral_radius_=radius[c], input_scaling=scale[c], bias_scaling=0.3)
        for q in range(2):
            rows = slice(starts[q], starts[q + 1])
            ref = np.ascontiguousarray(U[rows] @ res.W_in.T + res.bias)
            xc = np.zeros(12)
            kernels.run_sequence(res.indptr, res.indices, res.data, leak[c], ref, xc, ref)
            np.testing.assert_allclose(states[c, rows], ref, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(x[c, q], xc, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("intercept, squares", [(True, False), (False, True)])
def test_device_gram_matches_numpy(intercept, squares):
    rng = np.random.default_rng(2)
    T, N, n_in, m = 10, 6, 2, 1
    S, U, Y = rng.normal(size=(T, N)), rng.normal(size=(T, n_in)), rng.normal(size=(T, m))
    use = np.array([0, 1, 1, 1, 1, 1, 0, 1, 1, 0], bool)
    q = intercept + n_in + N + squares * 3 + m
    gram = cuda_kernels.DeviceGram(q, intercept, squares)
    gram.add(S, U, Y, use)
    A = np.array([np.concatenate([[1.0] * intercept, U[t], S[t],
                                  S[t, ::2] ** 2 if squares else [], Y[t]])
                  for t in range(T) if use[t]])
    np.testing.assert_allclose(gram.result(), A.T @ A, rtol=1e-12, atol=1e-12)


def test_auto_picks_cuda():
    assert check_device("auto") == "cuda"


@pytest.mark.parametrize("solver", ["qr", "gram"])
def test_estimators_on_cuda_match_cpu(solver):
    rng = np.random.default_rng(3)
    X = [rng.uniform(-1, 1, size=(n, 1)) for n in (14, 9, 5, 11, 9, 6, 7, 8, 12)]
    y = [np.r_[0.0, x[:-1, 0]] for x in X]
    kw = dict(n_reservoir=10, density=0.3, washout=3, ridge=1e-6, solver=solver, random_state=0)
    cpu = ESNRegressor(device="cpu", **kw).fit(X, y)
    gpu = ESNRegressor(device="cuda", **kw).fit(X, y)
    np.testing.assert_allclose(gpu.coef_, cpu.coef_, rtol=1e-7, atol=1e-9)
    for a, b in zip(gpu.predict(X), cpu.predict(X)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)
    series = np.sin(np.arange(30) * 0.3)
    fc_cpu = ESNForecaster(device="cpu", **kw).fit(series)
    fc_gpu = ESNForecaster(device="cuda", **kw).fit(series)
    np.testing.assert_allclose(fc_gpu.forecast(4), fc_cpu.forecast(4), rtol=1e-7, atol=1e-9)


def test_configurations_fitted_in_one_launch_match_the_cpu():
    from sklearn.model_selection import TimeSeriesSplit

    from experiments.search import grid_search
    from reservoir import ESNForecaster
    from reservoir.batch import fit_configurations

    series = np.sin(np.arange(40) * 0.3) + 0.1 * np.cos(np.arange(40) * 1.7)
    configs = [{"spectral_radius": 0.5, "leak_rate": 1.0},
               {"spectral_radius": 1.1, "leak_rate": 0.4}]
    kw = dict(n_reservoir=8, washout=3, ridge=1e-6, random_state=0)
    cpu = fit_configurations(ESNForecaster(device="cpu", **kw), configs, series)
    gpu = fit_configurations(ESNForecaster(device="cuda", **kw), configs, series)
    for a, b in zip(cpu, gpu):
        np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(b.state_, a.state_, rtol=1e-12, atol=1e-14)
    grid = {"spectral_radius": [0.5, 1.1], "ridge": [1e-6, 1e-2]}
    res_cpu = grid_search(ESNForecaster(device="cpu", **kw), grid, series, cv=TimeSeriesSplit(2))
    res_gpu = grid_search(ESNForecaster(device="cuda", **kw), grid, series, cv=TimeSeriesSplit(2))
    np.testing.assert_allclose(res_gpu.dataset["mean_test_score"],
                               res_cpu.dataset["mean_test_score"], rtol=1e-9)


@pytest.mark.parametrize("representation", ["last_mean", "model"])
def test_sequence_estimators_on_cuda_match_cpu(representation):
    """All sequences in one launch a piece; the vectors, probabilities and predictions as on
    the CPU."""
    from reservoir import ESNClassifier, ESNSequenceRegressor

    rng = np.random.default_rng(0)
    X = [rng.normal(size=(int(T), 2)) for T in rng.integers(4, 9, 10)]
    y = np.arange(10) % 2
    kw = dict(n_reservoir=12, representation=representation, n_components=3, n_estimators=2,
              random_state=0)
    cpu = ESNClassifier(**kw).fit(X, y)
    gpu = ESNClassifier(device="cuda", **kw).fit(X, y)
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), rtol=1e-8, atol=1e-10)
    target = rng.normal(size=10)
    cpu = ESNSequenceRegressor(**kw).fit(X, target)
    gpu = ESNSequenceRegressor(device="cuda", **kw).fit(X, target)
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-8, atol=1e-10)
