import numpy as np
import pytest

import rtrl
from reservoir.common.device import cuda_status
from rtrl import kernels
from rtrl.gradient import ACTIVATIONS, pack, unpack

from . import naive


def _net(n=4, n_in=2, m=2, T=9, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, n_in)), rng.normal(size=(n, n)) * scale, rng.normal(size=n),
            rng.normal(size=(m, n)), rng.normal(size=m), rng.normal(size=(T, n_in)),
            rng.normal(size=(T, m)))


def _run(method, W, leak=1.0, seed=0, act="tanh"):
    """Frozen-weights pass of the kernel; returns (gradient tuple, final state dict)."""
    W_in, W_rec, b, W_out, b_out, X, Y = W
    n, n_in = W_in.shape
    m = W_out.shape[0]
    nz = n_in + n + 1
    theta = pack(W_in, W_rec, b, W_out, b_out)
    g = np.zeros_like(theta)
    code = {"rtrl": kernels.RTRL, "uoro": kernels.UORO, "snap1": kernels.SNAP1}[method]
    M = np.zeros((n, n * nz)) if method == "rtrl" else np.zeros((n, nz))
    uoro = method == "uoro"
    ht, tt = np.zeros(n if uoro else 0), np.zeros(n * nz if uoro else 0)
    empty = np.empty(0)
    signs = np.where(np.random.default_rng(seed).random((len(X), n)) < 0.5, 1.0, -1.0)
    kernels.run(kernels.Net(theta, n, n_in, m, leak, ACTIVATIONS[act]),
                kernels.Sensitivity(code, np.zeros(n), M, ht, tt, signs),
                kernels.Optimizer(False, 0.0, kernels.SGD, empty, empty, np.zeros(1, np.int64),
                                  0.0, 1, np.zeros(1, np.int64)),
                X, Y, np.ones(len(X)), g, np.empty(len(X)))
    return unpack(g, n, n_in, m), M


@pytest.mark.parametrize("leak, act", [(1.0, "tanh"), (0.3, "tanh"), (0.7, "logistic")])
def test_rtrl_equals_bptt(leak, act):
    W = _net()
    loss_r, g_r = rtrl.gradient(*W, method="rtrl", leak_rate=leak, activation=act)
    loss_b, g_b = rtrl.gradient(*W, method="bptt", leak_rate=leak, activation=act)
    assert loss_r == pytest.approx(loss_b, rel=1e-12)
    for a, b in zip(g_r, g_b):
        assert a.shape == b.shape
        assert np.max(np.abs(a - b)) <= 1e-10 * np.max(np.abs(b))


@pytest.mark.parametrize("method", ["rtrl", "bptt"])
def test_gradients_match_central_differences(method):
    W = list(_net(n=3, T=6, seed=1))
    _, grads = rtrl.gradient(*W, method=method, leak_rate=0.5)
    eps = 1e-6
    for w, gw in zip(W[:5], grads):
        for idx in np.ndindex(w.shape):
            old = w[idx]
            w[idx] = old + eps
            up = rtrl.gradient(*W, method="bptt", leak_rate=0.5)[0]
            w[idx] = old - eps
            down = rtrl.gradient(*W, method="bptt", leak_rate=0.5)[0]
            w[idx] = old
            assert gw[idx] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-7)


def test_sensitivities_match_kronecker_reference():
    W = _net(n=3, T=7, seed=2)
    _, M = _run("rtrl", W, leak=0.6)
    ref = naive.rtrl_sensitivities(W[0], W[1], W[2], W[5], leak=0.6)
    np.testing.assert_allclose(M, ref, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("T", [8, 9])
def test_online_sgd_matches_textbook_rtrl(T):
    """The kernel takes the steps in pairs (one GEMM for two); with the weights changing at
    every step it must still follow the step-by-step recursion (even and odd lengths)."""
    W_in, W_rec, b, W_out, b_out, X, Y = _net(T=T, scale=0.4)
    n, n_in = W_in.shape
    m = W_out.shape[0]
    nz = n_in + n + 1
    theta = pack(W_in, W_rec, b, W_out, b_out)
    empty = np.empty(0)
    kernels.run(kernels.Net(theta, n, n_in, m, 0.8, kernels.TANH),
                kernels.Sensitivity(kernels.RTRL, np.zeros(n), np.zeros((n, n * nz)), empty, empty,
                                    np.empty((0, 0))),
                kernels.Optimizer(True, 0.05, kernels.SGD, empty, empty, np.zeros(1, np.int64),
                                  0.0, 1, np.zeros(1, np.int64)),
                X, Y, np.ones(T), np.zeros_like(theta), np.empty(T))
    expected = naive.rtrl_online_sgd(W_in, W_rec, b, W_out, b_out, X, Y, 0.05, leak=0.8)
    for got, want in zip(unpack(theta, n, n_in, m), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
    assert not np.allclose(theta, pack(W_in, W_rec, b, W_out, b_out))


def test_snap1_is_exact_when_the_recurrence_is_diagonal():
    W = list(_net(seed=3))
    W[1] = np.diag(np.diag(W[1]))
    exact, _ = _run("rtrl", W, leak=0.8)
    snap, _ = _run("snap1", W, leak=0.8)
    for a, b in zip(snap, exact):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    W[1] = W[1] + 0.3  # with cross-unit recurrence it is an approximation
    assert not np.allclose(_run("snap1", W)[0][1], _run("rtrl", W)[0][1])


def test_uoro_is_unbiased():
    W = _net(n=3, n_in=1, m=1, T=4, seed=4, scale=0.8)
    exact = np.concatenate([a.ravel() for a in _run("rtrl", W)[0][:3]])
    draws = np.array([np.concatenate([a.ravel() for a in _run("uoro", W, seed=s)[0][:3]])
                      for s in range(3000)])
    mean, stderr = draws.mean(axis=0), draws.std(axis=0) / np.sqrt(len(draws))
    assert np.all(np.abs(mean - exact) < 5 * stderr + 1e-9)
    assert np.any(draws.std(axis=0) > 1e-3)  # a real estimate, not the exact gradient


def _task(T=600, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1, 1, size=(T, 1))
    return u, np.r_[0.0, u[:-1, 0]]


@pytest.mark.parametrize("gradient", ["rtrl", "snap1", "uoro"])
def test_online_learning_reduces_the_loss(gradient):
    u, y = _task()
    model = rtrl.RTRLRegressor(6, gradient=gradient, epochs=3, learning_rate=1e-2,
                               random_state=0).fit(u, y)
    assert model.loss_curve_[-1] < 0.5 * model.loss_curve_[0]
    if gradient == "rtrl":
        assert model.score(*_task(seed=1)) > 0.9


def test_partial_fit_continues_the_stream_exactly():
    u, y = _task(T=200)
    whole = rtrl.RTRLRegressor(5, random_state=0).partial_fit(u, y)
    halves = rtrl.RTRLRegressor(5, random_state=0).partial_fit(u[:81], y[:81])
    halves.partial_fit(u[81:], y[81:])  # odd: the steps pair differently than in one call
    np.testing.assert_allclose(halves.W_rec_, whole.W_rec_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(halves.W_out_, whole.W_out_, rtol=1e-12, atol=1e-14)


def test_partial_fit_checks_new_parameters_and_keeps_the_network():
    u, y = _task(T=40)
    model = rtrl.RTRLRegressor(5, random_state=0).partial_fit(u, y)
    with pytest.raises(ValueError, match="learning_rate"):
        model.set_params(learning_rate=-1.0).partial_fit(u, y)
    with pytest.raises(ValueError, match="n_hidden from 5 to 6 since the network was built"):
        model.set_params(learning_rate=0.01, n_hidden=6).partial_fit(u, y)
    with pytest.raises(ValueError, match="gradient from 'rtrl' to 'uoro'"):
        model.set_params(n_hidden=5, gradient="uoro").partial_fit(u, y)
    model.set_params(gradient="rtrl", reset_state=True)
    with pytest.raises(ValueError, match="y has 2 outputs but the model was fitted with 1"):
        model.partial_fit(u, np.c_[y, y])
    model.partial_fit(u, y)


def test_update_every_k_and_clipping():
    u, y = _task(T=10)
    sgd = dict(optimizer="sgd", learning_rate=1.0, epochs=1, random_state=0)
    model = rtrl.RTRLRegressor(4, update_every=10, clip=1e-3, **sgd).fit(u, y)
    start = rtrl.RTRLRegressor(4, **sgd)
    start._check_params()
    start._init(1, 1)
    change = np.linalg.norm(model._theta - start._theta)
    assert change == pytest.approx(1e-3, rel=1e-6)  # one clipped update of norm lr * clip


def test_divergence_names_the_step_and_keeps_finite_weights():
    u, y = _task(T=300)
    model = rtrl.RTRLRegressor(8, optimizer="sgd", learning_rate=1e3, random_state=0)
    with pytest.raises(rtrl.DivergenceError, match="diverged at step .* smaller learning_rate"):
        model.fit(u, 100 * y)
    assert np.all(np.isfinite(model._theta))


def test_teacher_forcing_closed_loop():
    rng = np.random.default_rng(5)
    x = rng.uniform(-1, 1, size=(800, 1))
    y = np.zeros(800)
    for t in range(1, 800):
        y[t] = 0.5 * y[t - 1] + 0.5 * x[t, 0]
    model = rtrl.RTRLRegressor(6, teacher_forcing=True, epochs=3, random_state=0).fit(x, y)
    assert model.W_in_.shape == (6, 2)
    assert model.score(x, y) > 0.9


def test_sequence_lists_and_multioutput():
    seqs = [_task(T, seed=s) for s, T in [(0, 50), (1, 70)]]
    X = [s[0] for s in seqs]
    Y = [np.column_stack([s[1], -s[1]]) for s in seqs]
    model = rtrl.RTRLRegressor(4, epochs=2, random_state=0).fit(X, Y)
    pred = model.predict(X)
    assert [p.shape for p in pred] == [(50, 2), (70, 2)]
    assert len(model.loss_curve_) == 2


@pytest.mark.parametrize("params, match", [
    (dict(gradient="bptt"), "The .gradient. parameter of RTRLRegressor must be a str among"),
    (dict(optimizer="rmsprop"), "optimizer"),
    (dict(learning_rate=0), "learning_rate"), (dict(learning_rate=float("inf")), "learning_rate"),
    (dict(leak_rate=float("nan")), "leak_rate"), (dict(n_hidden=0), "n_hidden"),
    (dict(clip=-1.0), "clip"), (dict(leak_rate=2.0), "leak_rate"), (dict(device="gpu"), "device"),
    (dict(device="cuda", gradient="uoro"), "exact RTRL only"),
])
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        rtrl.RTRLRegressor(**params).fit(*_task(T=20))


def test_bad_input_to_gradient():
    W = list(_net())
    with pytest.raises(ValueError, match="W_rec has shape"):
        rtrl.gradient(W[0], W[1][:2], *W[2:])
    W[5] = W[5].copy()
    W[5][0, 0] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        rtrl.gradient(*W)
    with pytest.raises(ValueError, match="method"):
        rtrl.gradient(*_net(), method="forward")


def test_sample_weight_zero_steps_do_not_count():
    W = _net(T=6, seed=6)
    n, n_in = W[0].shape
    m = W[3].shape[0]
    theta = pack(*W[:5])
    empty = np.empty(0)
    w = np.array([0.0, 0.0, 2.0, 0.0, 0.0, 1.0])

    def grad(weights, X, Y):
        g = np.zeros_like(theta)
        kernels.run(kernels.Net(theta, n, n_in, m, 1.0, kernels.TANH),
                    kernels.Sensitivity(kernels.RTRL, np.zeros(n),
                                        np.zeros((n, n * (n_in + n + 1))), empty, empty,
                                        np.empty((0, 0))),
                    kernels.Optimizer(False, 0.0, kernels.SGD, empty, empty,
                                      np.zeros(1, np.int64), 0.0, 1,
                                      np.zeros(1, np.int64)),
                    X, Y, weights, g, np.empty(len(X)))
        return g

    Y2 = W[6].copy()
    Y2[w == 0] = 123.0  # targets of zero-weight steps are ignored
    np.testing.assert_allclose(grad(w, W[5], W[6]), grad(w, W[5], Y2), rtol=1e-13)
    # weight 2 at step 2 is the same as counting that step twice
    np.testing.assert_allclose(grad(w, W[5], W[6]),
                               grad(np.array([0, 0, 1, 0, 0, 0.0]), W[5], W[6])
                               + grad(np.array([0, 0, 1, 0, 0, 1.0]), W[5], W[6]), rtol=1e-12)
    with pytest.raises(ValueError, match="sample_weight"):
        rtrl.RTRLRegressor(3).fit(*_task(T=20), sample_weight=-np.ones(20))


@pytest.mark.skipif(cuda_status()[0], reason="a GPU is available here")
def test_cuda_without_gpu_raises():
    with pytest.raises(ValueError, match="needs an NVIDIA GPU") as err:
        rtrl.RTRLRegressor(device="cuda").fit(*_task(T=20))
    assert "Use device='parallel' (all CPU cores) or device='cpu'" in str(err.value)


@pytest.mark.parametrize("gradient", ["rtrl", "uoro"])
def test_partial_fit_split_mid_window_equals_one_call(gradient):
    """update_every=5 over 23 steps split 11 + 12 (an odd split, inside a pair of steps): the
    window the first call ends in carries over (and UORO's signs are drawn step by step from
    the estimator's stream)."""
    u, y = _task(T=23)
    kw = dict(n_hidden=4, update_every=5, gradient=gradient, learning_rate=1e-2,
              random_state=0)
    whole = rtrl.RTRLRegressor(**kw).partial_fit(u, y)
    split = rtrl.RTRLRegressor(**kw).partial_fit(u[:11], y[:11]).partial_fit(u[11:], y[11:])
    np.testing.assert_allclose(split.W_rec_, whole.W_rec_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(split.W_out_, whole.W_out_, rtol=1e-12, atol=1e-14)


def test_defaults_learn_a_delayed_copy():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, size=(3000, 1))
    y = np.r_[0.0, 0.0, u[:-2, 0]]
    model = rtrl.RTRLRegressor(random_state=0).fit(u[:2000], y[:2000])
    error = np.sqrt(np.mean((model.predict(u[2000:]) - y[2000:]) ** 2)) / np.std(y[2000:])
    assert error < 0.1
