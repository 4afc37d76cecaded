"""The LSTM's CUDA kernels against the CPU kernels (tiny sizes for the simulator)."""

import numpy as np
import pytest

from lstm import KalmanLSTMClassifier, KalmanLSTMRegressor, cuda_kernels, network
from reservoir.common import config


def _model(**kw):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(6, 2))
    y = np.c_[np.r_[0.0, X[:-1, 0]], X[:, 1] > 0]
    params = dict(n_blocks=2, n_cells=2, epochs=1, random_state=0, **kw)
    return KalmanLSTMRegressor(**params).fit(X, y), X, y


@pytest.mark.parametrize("kw", [dict(), dict(jacobian="full"),
                                dict(peepholes=False, forget_gate=False),
                                dict(shortcut=True, output="logistic"),
                                dict(cell_squashing="identity", jacobian="full"),
                                dict(cell_squashing="logistic", jacobian="full")],
                         ids=["truncated", "full", "lstm1997", "shortcut-logistic", "identity",
                              "logistic"])
def test_jacobian_kernel_matches_the_cpu_step(kw):
    from numba import cuda

    model, X, _ = _model(**kw)
    net = model._net()
    w, B, S, n_x, m = net.w, net.B, net.S, net.n_x, net.m
    full = model.jacobian == "full"
    nc, P = B * S, w.size
    state = network.State(np.zeros(nc), np.zeros(nc), np.zeros((nc, P)), np.zeros((nc, P)))
    s2, yc2, ds2, dyc2 = (a.copy() for a in state)
    H, tmp = np.zeros((m, P)), np.empty((4, P))
    rec, rec2 = network.record(B, S, n_x, m), network.record(B, S, n_x, m)
    frozen = np.zeros(P, dtype=np.bool_)
    for x in X[:3]:
        network.step(net, full, x, state, rec, H, tmp)
        network.forward_step(net, x, s2, yc2, rec2)
        u, gates, cells, _, dout = rec2
        record = np.concatenate([u, x, gates.ravel(), cells.ravel(), s2, yc2, dout])
        d_ds, d_dyc, d_H = (cuda.device_array_like(a) for a in (ds2, dyc2, H))
        cuda_kernels.jacobian_kernel[4, config.CUDA_THREADS](
            cuda.to_device(w), B, S, n_x, m, net.shortcut, net.peepholes, net.forget, full,
            cuda.to_device(record), cuda.to_device(frozen), cuda.to_device(ds2),
            cuda.to_device(dyc2), d_ds, d_dyc, d_H)
        ds2, dyc2 = d_ds.copy_to_host(), d_dyc.copy_to_host()
        s, ds, dyc = state.s, state.ds, state.dyc
        np.testing.assert_allclose(s2, s, rtol=1e-13)
        np.testing.assert_allclose(ds2, ds, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(dyc2, dyc, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(d_H.copy_to_host(), H, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("squash", ["tanh", "identity", "logistic"])
def test_forward_kernel_matches_the_cpu(squash):
    model, X, _ = _model(cell_squashing=squash)
    cpu = model.predict([X, X[:4]])
    gpu = model.set_params(device="cuda").predict([X, X[:4]])
    for a, b in zip(gpu, cpu):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("trainer", ["dekf", "ndekf", "ekf", "sgd"])
def test_training_on_cuda_matches_cpu(trainer):
    rng = np.random.default_rng(1)
    X = rng.uniform(-1, 1, size=(8, 1))
    y = np.r_[0.0, X[:-1, 0]]
    kw = dict(n_blocks=2, epochs=2, trainer=trainer, learning_rate=0.01, random_state=0)
    cpu = KalmanLSTMRegressor(device="cpu", **kw).fit(X, y)
    gpu = KalmanLSTMRegressor(device="cuda", **kw).fit(X, y)
    np.testing.assert_allclose(gpu.coef_, cpu.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gpu._cov, cpu._cov, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gpu.loss_curve_, cpu.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(gpu.predict([X, X[:5]])[1], cpu.predict(X[:5]), rtol=1e-10)


@pytest.mark.parametrize("kw, tol", [(dict(trainer="sgd", learning_rate=1e6, epochs=3), 1e-9),
                                     # H P H^T overflows at step 2 (no round-off decides the
                                     # step); a filter at p0 = 1e306 amplifies the round-off
                                     (dict(trainer="dekf", p0=1e306, epochs=3), 1e-6),
                                     (dict(trainer="ekf", p0=1e306, epochs=3), 1e-6)],
                         ids=["sgd", "dekf", "ekf"])
def test_a_divergence_leaves_the_same_weights_on_both_devices(kw, tol):
    from lstm import FilterDivergenceError

    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, size=(20, 1))
    y = 1e3 * np.r_[0.0, X[:-1, 0]]
    kw = dict(n_blocks=2, random_state=0, **kw)
    models, messages = {}, {}
    for device in ("cpu", "cuda"):
        models[device] = KalmanLSTMRegressor(device=device, **kw)
        with pytest.raises(FilterDivergenceError) as err:
            models[device].fit(X, y)
        messages[device] = str(err.value)
    cpu, gpu = models["cpu"], models["cuda"]
    assert messages["cpu"] == messages["cuda"]  # the same step
    assert np.all(np.isfinite(cpu.coef_))
    np.testing.assert_allclose(gpu.coef_, cpu.coef_, rtol=tol, atol=1e-12)
    np.testing.assert_allclose(gpu._velocity, cpu._velocity, rtol=tol, atol=1e-12)


def test_classifier_on_cuda_matches_cpu():
    from experiments.sequence_tasks import anbncn

    X, Y = anbncn(2, language="anbn")
    kw = dict(n_blocks=2, epochs=2, random_state=0)
    cpu = KalmanLSTMClassifier(device="cpu", **kw).fit(X, Y)
    gpu = KalmanLSTMClassifier(device="cuda", **kw).fit(X, Y)
    np.testing.assert_allclose(gpu.predict_proba(X), cpu.predict_proba(X), rtol=1e-9)
