"""The CUDA sensitivity update against the CPU recursion (tiny sizes for the simulator)."""

import numpy as np

from rtrl.cuda_kernels import sensitivity_step

from .. import naive


def test_sensitivity_step_matches_the_recursion():
    rng = np.random.default_rng(0)
    n, n_in, leak = 3, 2, 0.7
    W_in, W_rec, b = rng.normal(size=(n, n_in)), rng.normal(size=(n, n)) * 0.5, rng.normal(size=n)
    X = rng.normal(size=(4, n_in))
    nz = n_in + n + 1
    M, h = np.zeros((n, n * nz)), np.zeros(n)
    for x in X:
        z = np.concatenate([x, h, [1.0]])
        v = np.tanh(W_in @ x + W_rec @ h + b)
        D = 1 - v ** 2
        A = (1 - leak) * np.eye(n) + leak * D[:, None] * W_rec
        M = sensitivity_step(A, M, z, D, leak)
        h = (1 - leak) * h + leak * v
    ref = naive.rtrl_sensitivities(W_in, W_rec, b, X, leak=leak)
    np.testing.assert_allclose(M, ref, rtol=1e-12, atol=1e-13)


def test_rtrl_regressor_on_cuda_matches_cpu():
    from rtrl import RTRLRegressor

    rng = np.random.default_rng(1)
    u = rng.uniform(-1, 1, size=(6, 1))
    y = np.r_[0.0, u[:-1, 0]]
    kw = dict(n_hidden=3, epochs=2, learning_rate=1e-2, random_state=0)
    cpu = RTRLRegressor(device="cpu", **kw).fit(u, y)
    gpu = RTRLRegressor(device="cuda", **kw).fit(u, y)
    np.testing.assert_allclose(gpu.W_rec_, cpu.W_rec_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gpu.W_out_, cpu.W_out_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gpu.predict(u), cpu.predict(u), rtol=1e-10, atol=1e-12)


def test_a_divergence_stops_at_the_same_step_with_the_same_weights_on_both_devices():
    import pytest

    from rtrl import DivergenceError, RTRLRegressor

    rng = np.random.default_rng(2)
    u = rng.uniform(-1, 1, size=(8, 1))
    y = 1e100 * np.r_[0.0, u[:-1, 0]]  # (values above 1e150 are refused before training)
    models, messages = {}, {}
    for device in ("cpu", "cuda"):
        models[device] = RTRLRegressor(3, epochs=1, optimizer="sgd", learning_rate=1e30,
                                       device=device, random_state=0)
        with pytest.raises(DivergenceError) as err:
            models[device].fit(u, y)
        messages[device] = str(err.value)
    assert messages["cpu"] == messages["cuda"]
    assert np.all(np.isfinite(models["cpu"].W_rec_))
    np.testing.assert_allclose(models["cuda"].W_rec_, models["cpu"].W_rec_, rtol=1e-10)
    np.testing.assert_allclose(models["cuda"].W_out_, models["cpu"].W_out_, rtol=1e-10)


def test_guessing_kernel_matches_the_cpu_kernel():
    from rtrl.cuda_kernels import solved_prefix as on_gpu
    from rtrl.guessing import outputs
    from rtrl.guessing import solved_prefix as on_cpu

    rng = np.random.default_rng(2)
    n, n_in, m = 2, 1, 1
    starts = np.array([0, 4, 7, 12])
    X = np.where(rng.random((12, n_in)) < 0.5, 1.0, -1.0)
    W = np.ones(12)
    thetas = rng.uniform(-5, 5, size=(24, (n + m) * (n_in + n + m + 1)))
    for act in (0, 1):
        Y = np.empty((12, m))  # candidate 0's outputs: it solves every sequence
        for a, b in zip(starts[:-1], starts[1:]):
            outputs(thetas[0], n, n_in, m, act, X[a:b], Y[a:b])
        cpu, gpu = np.empty(24, np.int64), np.empty(24, np.int64)
        on_cpu(thetas, n, n_in, m, act, X, starts, Y, W, 0.2, cpu)
        on_gpu(thetas, n, n_in, m, act, X, starts, Y, W, 0.2, gpu)
        np.testing.assert_array_equal(gpu, cpu)
        assert cpu[0] == 3 and len(set(cpu)) > 1  # some candidates get further than others


def test_guessing_regressor_on_cuda_keeps_the_cpu_draw():
    from experiments.sequence_tasks import parity
    from rtrl import GuessingRNNRegressor

    X, Y, W = parity(6, (3, 5), random_state=0)
    kw = dict(max_trials=200, batch_size=50, random_state=0)
    cpu = GuessingRNNRegressor(device="cpu", **kw).fit(X, Y, sample_weight=W)
    gpu = GuessingRNNRegressor(device="cuda", **kw).fit(X, Y, sample_weight=W)
    assert gpu.n_trials_ == cpu.n_trials_ and gpu.solved_ == cpu.solved_
    np.testing.assert_array_equal(gpu.W_hidden_, cpu.W_hidden_)
