import os
import subprocess
import sys

import numpy as np
import pytest

from lstm import FilterDivergenceError, KalmanLSTMClassifier, KalmanLSTMRegressor, filters, network
from lstm.estimator import SQUASHINGS
from reservoir.common.device import cuda_status

from . import naive


def _setup(B=2, S=2, n_x=2, m=2, shortcut=True, seed=0, T=7):
    rng = np.random.default_rng(seed)
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    P = B * PB + m * (nc + (n_x if shortcut else 0) + 1)
    return rng.normal(size=P) * 0.5, rng.normal(size=(T, n_x))


def _net(w, B, S, n_x, m, **kw):
    opts = dict(shortcut=True, logistic_out=False, peepholes=True, forget=True, squash="tanh")
    opts.update(kw)
    return network.Net(w, B, S, n_x, m, opts["shortcut"], opts["logistic_out"],
                       opts["peepholes"], opts["forget"], SQUASHINGS[opts["squash"]])


def _state(B, S, P):
    nc = B * S
    return network.State(np.zeros(nc), np.zeros(nc), np.zeros((nc, P)), np.zeros((nc, P)))


def _steps(net, full, X, state=None):
    """Steps with their Jacobian over X; returns the outputs (T, m), the last H and the state."""
    P = net.w.shape[0]
    state = _state(net.B, net.S, P) if state is None else state
    rec = network.record(net.B, net.S, net.n_x, net.m)
    H, tmp = np.empty((net.m, P)), np.empty((4, P))
    outs = []
    for x in X:
        network.step(net, full, x, state, rec, H, tmp)
        outs.append(rec.out.copy())
    return np.array(outs), H, state


def _run(w, B, S, n_x, m, X, full, **kw):
    outs, H, _ = _steps(_net(w, B, S, n_x, m, **kw), full, X)
    return outs, H


@pytest.mark.parametrize("kw", [{}, dict(logistic_out=True, peepholes=False),
                                dict(forget=False, shortcut=False), dict(squash="identity"),
                                dict(squash="logistic")])
def test_forward_kernels_match_naive(kw):
    w, X = _setup(shortcut=kw.get("shortcut", True))
    opts = dict(shortcut=True, logistic_out=False, peepholes=True, forget=True, squash="tanh")
    opts.update(kw)
    outs, _ = _run(w, 2, 2, 2, 2, X, True, **kw)
    ref, _ = naive.lstm_outputs(w, 2, 2, 2, 2, X, shortcut=opts["shortcut"],
                                logistic_out=opts["logistic_out"], peepholes=opts["peepholes"],
                                forget=opts["forget"], squash=opts["squash"])
    np.testing.assert_allclose(outs, ref, rtol=1e-12, atol=1e-13)
    fast = np.empty_like(outs)
    network.forward(_net(w, 2, 2, 2, 2, **kw), X, np.zeros(4), np.zeros(4), fast)
    np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=1e-13)


def _fd(w, X, fixed=None, eps=1e-6, squash="tanh"):
    J = np.empty((2, w.size))
    for p in range(w.size):
        wp, wm = w.copy(), w.copy()
        wp[p] += eps
        wm[p] -= eps
        up = naive.lstm_outputs(wp, 2, 2, 2, 2, X, shortcut=True, yc_fixed=fixed,
                                squash=squash)[0][-1]
        down = naive.lstm_outputs(wm, 2, 2, 2, 2, X, shortcut=True, yc_fixed=fixed,
                                  squash=squash)[0][-1]
        J[:, p] = (up - down) / (2 * eps)
    return J


@pytest.mark.parametrize("squash", ["tanh", "identity", "logistic"])
def test_full_jacobian_equals_finite_differences(squash):
    w, X = _setup()
    _, H = _run(w, 2, 2, 2, 2, X, True, squash=squash)
    np.testing.assert_allclose(H, _fd(w, X, squash=squash), rtol=1e-5, atol=1e-8)


def test_truncated_jacobian_equals_finite_differences_with_recurrent_inputs_fixed():
    w, X = _setup(seed=1)
    _, H = _run(w, 2, 2, 2, 2, X, False)
    _, ycs = naive.lstm_outputs(w, 2, 2, 2, 2, X, shortcut=True)
    fixed = np.vstack([np.zeros((1, 4)), ycs[:-1]])  # y_c(t-1) of the unperturbed run
    np.testing.assert_allclose(H, _fd(w, X, fixed), rtol=1e-5, atol=1e-8)
    _, H_full = _run(w, 2, 2, 2, 2, X, True)
    assert not np.allclose(H, H_full)  # truncation drops real terms


def test_ekf_on_a_linear_model_is_recursive_least_squares():
    rng = np.random.default_rng(2)
    P, T, r = 4, 30, 0.5
    F, y = rng.normal(size=(T, P)), rng.normal(size=T)
    w = np.zeros(P)
    cov = np.eye(P).ravel() * 10.0
    for f, target in zip(F, y):
        H = f[None, :].copy()
        filters.ekf_update(w, H, np.array([target - f @ w]), cov, np.array([0]), np.array([0]),
                           np.array([P]), r, 0.0, np.zeros(P, dtype=np.bool_))
    # RLS with P0 = 10 I and measurement noise r minimises
    # sum (y - F w)^2 / r + w^T (10 I)^-1 w
    expected = np.linalg.solve(F.T @ F / r + np.eye(P) / 10.0, F.T @ y / r)
    np.testing.assert_allclose(w, expected, rtol=1e-10)
    Pm = cov.reshape(P, P)
    np.testing.assert_allclose(Pm, np.linalg.inv(F.T @ F / r + np.eye(P) / 10.0), rtol=1e-9)


def test_decoupled_groups_equal_global_when_h_is_block_diagonal():
    rng = np.random.default_rng(3)
    w1, w2 = np.zeros(4), np.zeros(4)
    cov1 = np.eye(4).ravel() * 5.0
    cov2 = np.concatenate([np.eye(2).ravel() * 5.0, np.eye(2).ravel() * 5.0])
    for _ in range(5):
        H = np.zeros((1, 4))
        H[0, :2] = rng.normal(size=2)  # only the first group sees this output
        e = rng.normal(size=1)
        frozen = np.zeros(4, dtype=np.bool_)
        filters.ekf_update(w1, H.copy(), e, cov1, np.array([0]), np.array([0]), np.array([4]),
                           1.0, 0.0, frozen)
        filters.ekf_update(w2, H.copy(), e, cov2, np.array([0, 4]), np.array([0, 2]),
                           np.array([2, 2]), 1.0, 0.0, frozen)
    np.testing.assert_allclose(w1, w2, rtol=1e-12)


@pytest.mark.parametrize("S, logistic, trainer", [(1, True, "dekf"), (2, False, "dekf"),
                                                  (1, False, "dekf"), (1, True, "ndekf"),
                                                  (2, False, "ndekf")])
def test_low_rank_dekf_equals_the_generic_filter(S, logistic, trainer):
    """The structured decoupled step (H_g = C_j D_g) against ekf_update on the multiplied-out H,
    for the groups of the block- and the node-decoupled filter."""
    model = KalmanLSTMRegressor(n_blocks=3, n_cells=S, shortcut=True, peepholes=False,
                                output="logistic" if logistic else "linear", trainer=trainer,
                                epochs=1, random_state=0)
    rng = np.random.default_rng(5)
    X, Y = rng.uniform(-1, 1, (6, 2)), rng.uniform(0, 1, (6, 3))
    model.fit(X, Y)  # draws the weights, groups and a covariance that is no longer diagonal
    net = model._net()
    B, n_x, m = net.B, net.n_x, net.m
    n_z = B * S + n_x + 1
    w = model._w
    outs, H, state = _steps(net, False, X[:3])
    out, dyc = outs[-1], state.dyc
    e = Y[3] - out
    dout = out * (1 - out) if logistic else np.ones(m)
    w1, cov1, w2, cov2 = w.copy(), model._cov.copy(), w.copy(), model._cov.copy()
    starts, sizes = model._groups
    assert filters.ekf_update(w1, H.copy(), e, cov1, model._cov_off, starts, sizes, 2.0, 1e-3,
                              model._frozen)
    assert filters.dekf_update_lowrank(w2, H.copy(), e, dyc, B, S, m, n_z, dout, cov2,
                                       model._cov_off, starts, sizes, 2.0, 1e-3, model._frozen)
    np.testing.assert_allclose(w2, w1, rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(cov2, cov1, rtol=1e-9, atol=1e-12)
    assert np.array_equal(w2[model._frozen], w[model._frozen])


@pytest.mark.parametrize("jacobian", ["truncated", "full"])
def test_node_decoupled_filter_equals_a_naive_one(jacobian):
    """trainer="ndekf": the step's Jacobian filtered by plain numpy over the groups named from
    the naive network's layout (one per gate, cell input, peephole set and output unit)."""
    rng = np.random.default_rng(7)
    X, Y = rng.uniform(-1, 1, (12, 2)), rng.uniform(-1, 1, (12, 3))
    kw = dict(n_blocks=2, n_cells=2, shortcut=True, jacobian=jacobian, p0=10.0, r=(1.0, 1.0),
              q=(1e-3, 1e-3), epochs=1, random_state=0)
    start = KalmanLSTMRegressor(trainer="sgd", learning_rate=0.0, momentum=0.0, **kw).fit(X, Y)
    model = KalmanLSTMRegressor(trainer="ndekf", **kw).fit(X, Y)
    net = model._net()
    B, S, n_x, m = net.B, net.S, net.n_x, net.m
    groups = naive.lstm_node_groups(B, S, n_x, m, shortcut=True)
    assert np.array_equal(np.concatenate(groups), np.arange(model.n_weights_))
    assert [g.size for g in groups] == list(model._groups[1])
    w, P = start._w.copy(), start._w.size
    net = net._replace(w=w)
    Ps = [10.0 * np.eye(g.size) for g in groups]
    state = _state(B, S, P)
    for x, y in zip(X, Y):
        outs, H, _ = _steps(net, jacobian == "full", [x], state)
        naive.decoupled_ekf(w, H, y - outs[-1], Ps, groups, 1.0, 1e-3, model._frozen)
    np.testing.assert_allclose(model._w, w, rtol=1e-9, atol=1e-12)
    blockwise = KalmanLSTMRegressor(trainer="dekf", **kw).fit(X, Y)
    assert not np.allclose(blockwise._w, w, rtol=1e-6)  # a different filter


def test_structured_filter_takes_only_groups_within_a_block_or_an_output_unit():
    X, Y = np.zeros((2, 2)), np.zeros((2, 3))
    B, m, n_z = 2, 3, 2 * 1 + 1
    for trainer, structured in (("dekf", True), ("ndekf", True), ("ekf", False)):
        model = KalmanLSTMRegressor(B, 1, trainer=trainer, epochs=1, random_state=0).fit(X, Y)
        assert filters.groups_within_units(*model._groups, model.n_weights_, B, m,
                                            n_z) == structured
    P = model.n_weights_
    PB = (P - m * n_z) // B
    split = np.array([0, PB - 1]), np.array([PB - 1, 1])  # block 0 in two groups
    straddling = np.array([0, PB - 1]), np.array([PB - 1, 2])  # the 2nd reaches into block 1
    assert filters.groups_within_units(*split, P, B, m, n_z)
    assert not filters.groups_within_units(*straddling, P, B, m, n_z)


def test_threaded_filter_gives_the_serial_bits():
    sizes = np.array([5, 3, 4, 2])
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    offs = np.r_[0, np.cumsum(sizes ** 2)[:-1]]
    P, m = sizes.sum(), 3
    cov = np.concatenate([(np.eye(n) * 4.0).ravel() for n in sizes])
    frozen = np.zeros(P, dtype=np.bool_)
    frozen[2] = True
    results = []
    for update in (filters.ekf_update, filters.ekf_update_parallel):
        w, c = np.zeros(P), cov.copy()
        for step in range(4):
            H = np.random.default_rng(step).normal(size=(m, P))
            assert update(w, H, np.ones(m), c, offs, starts, sizes, 2.0, 1e-3,
                          frozen)
        results.append((w, c))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    assert results[0][0][2] == 0.0  # frozen


def _recall(T=600, seed=0):
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1, 1, size=(T, 1))
    return u, np.r_[0.0, u[:-1, 0]]


@pytest.mark.parametrize("trainer", ["dekf", "ndekf", "ekf", "sgd"])
def test_training_reduces_the_error(trainer):
    u, y = _recall()
    kw = dict(learning_rate=0.01) if trainer == "sgd" else dict(r=(1.0, 1.0), q=(1e-4, 1e-6))
    model = KalmanLSTMRegressor(2, 1, trainer=trainer, epochs=3, random_state=0, **kw).fit(u, y)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    if trainer == "dekf":  # the filter learns this in a few hundred steps, SGD does not
        assert model.score(*_recall(seed=1)) > 0.95
    if trainer == "ndekf":  # without the correlations within a block: slower (R^2 0.84 here)
        assert model.score(*_recall(seed=1)) > 0.7


def test_partial_fit_continues_exactly():
    u, y = _recall(T=100)
    kw = dict(r=(1.0, 1.0), q=(1e-4, 1e-4), reset_state=False, random_state=0)
    whole = KalmanLSTMRegressor(2, 1, **kw).partial_fit(u, y)
    halves = KalmanLSTMRegressor(2, 1, **kw).partial_fit(u[:40], y[:40])
    halves.partial_fit(u[40:], y[40:])
    np.testing.assert_allclose(halves.coef_, whole.coef_, rtol=1e-10, atol=1e-12)


def test_partial_fit_uses_new_filter_settings_and_keeps_the_network():
    u, y = _recall(T=60)
    kw = dict(r=(1.0, 1.0), q=(1e-4, 1e-4), random_state=0)
    same = KalmanLSTMRegressor(2, 1, **kw).partial_fit(u[:30], y[:30])
    other = KalmanLSTMRegressor(2, 1, **kw).partial_fit(u[:30], y[:30])
    same.partial_fit(u[30:], y[30:])
    other.set_params(r=(1e-3, 1e-3)).partial_fit(u[30:], y[30:])  # the new R is used
    assert np.abs(other.coef_ - same.coef_).max() > 1e-6
    with pytest.raises(ValueError, match="The .r. parameter"):
        other.set_params(r=-1.0).partial_fit(u, y)
    with pytest.raises(ValueError, match="n_blocks from 2 to 3 since the network was built"):
        other.set_params(r=1.0, n_blocks=3).partial_fit(u, y)
    with pytest.raises(ValueError, match="y has 2 outputs but the model was fitted with 1"):
        same.partial_fit(u, np.c_[y, y])
    fitted = KalmanLSTMRegressor(2, 1, epochs=1, **kw).fit(u, y)
    with pytest.raises(ValueError, match="trainer from 'dekf' to 'ekf'"):
        fitted.set_params(trainer="ekf").partial_fit(u, y)


def test_input_gate_bias_sets_the_initial_input_gates():
    u, y = _recall(T=20)
    kw = dict(trainer="sgd", learning_rate=0.0, momentum=0.0, epochs=1, random_state=0)
    default = KalmanLSTMRegressor(3, 1, **kw).fit(u, y).coef_
    closed = KalmanLSTMRegressor(3, 1, input_gate_bias=-2.0, **kw).fit(u, y).coef_
    n_u = u.shape[1] + 3 + 1  # inputs, the 3 cell outputs, the bias
    block = n_u * 4 + 3  # W_in, W_phi, W_out, W_c (n_u each) and 3 peepholes
    biases = [j * block + n_u - 1 for j in range(3)]
    np.testing.assert_array_equal(default[biases], [-0.5, -1.0, -1.5])
    np.testing.assert_array_equal(closed[biases], [-2.0, -4.0, -6.0])
    others = np.setdiff1d(np.arange(default.size), biases)
    np.testing.assert_array_equal(closed[others], default[others])


def test_init_scale_sets_the_range_of_the_blocks_initial_weights():
    u, y = _recall(T=20)
    kw = dict(trainer="sgd", learning_rate=0.0, momentum=0.0, epochs=1, random_state=0)
    default = KalmanLSTMRegressor(3, 1, **kw).fit(u, y).coef_
    block = (u.shape[1] + 3 + 1) * 4 + 3
    for scale in (0.0, 1e-3, 2.0):
        w = KalmanLSTMRegressor(3, 1, init_scale=scale, **kw).fit(u, y).coef_
        np.testing.assert_array_equal(w[3 * block:], default[3 * block:])  # the output layer
        changed = w[:3 * block] != default[:3 * block]  # all but the gate biases and peepholes
        np.testing.assert_allclose(w[:3 * block][changed],
                                   default[:3 * block][changed] * scale / 0.1)
        assert changed.sum() == 3 * (block - 3 - 3)
    with pytest.raises(ValueError, match="init_scale"):
        KalmanLSTMRegressor(init_scale=-1.0).fit(u, y)


def test_divergence_and_bad_parameters():
    u, y = _recall(T=50)
    with pytest.raises(ValueError, match="trainer"):
        KalmanLSTMRegressor(trainer="ukf").fit(u, y)
    with pytest.raises(ValueError, match="The .r. parameter of KalmanLSTMRegressor must be"):
        KalmanLSTMRegressor(r=0.0).fit(u, y)
    with pytest.raises(ValueError, match="The .q. parameter"):
        KalmanLSTMRegressor(q=(1, 2, 3)).fit(u, y)
    with pytest.raises(ValueError, match="cell_squashing"):
        KalmanLSTMRegressor(cell_squashing="relu").fit(u, y)
    with pytest.raises(ValueError, match="input_gate_bias"):
        KalmanLSTMRegressor(input_gate_bias=np.nan).fit(u, y)
    for kw in (dict(trainer="sgd", learning_rate=1e6),  # both keep the last finite weights
               dict(trainer="dekf", r=1e-12, p0=1e12, q=0.0, epochs=1)):
        model = KalmanLSTMRegressor(random_state=0, **kw)
        with pytest.raises(FilterDivergenceError, match="stopped at step \\d+ of the sequence"):
            model.fit(u, 1e3 * y)
        assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model._velocity))
        assert np.all(np.isfinite(model.predict(u)))


@pytest.mark.parametrize("trainer", ["dekf", "ekf"])
def test_an_overflowing_innovation_names_its_step(trainer):
    # p0 = 1e306: H P H^T overflows at step 2; the fit stops there, as on CUDA, instead of
    # failing to invert a matrix of infinities without naming the step
    rng = np.random.default_rng(2)
    X = rng.uniform(-1, 1, size=(20, 1))
    model = KalmanLSTMRegressor(2, trainer=trainer, p0=1e306, epochs=3, random_state=0)
    with pytest.raises(FilterDivergenceError, match="stopped at step 2 of the sequence"):
        model.fit(X, 1e3 * np.r_[0.0, X[:-1, 0]])
    assert np.all(np.isfinite(model.coef_))


@pytest.mark.skipif(cuda_status()[0], reason="a GPU is available here")
@pytest.mark.parametrize("cls", [KalmanLSTMRegressor, KalmanLSTMClassifier])
def test_cuda_without_gpu_raises(cls):
    X = np.zeros((10, 1))
    with pytest.raises(ValueError, match="needs an NVIDIA GPU") as err:
        cls(device="cuda").fit(X, np.r_[np.zeros(5), np.ones(5)].astype(int))
    assert "Use device='parallel' (all CPU cores) or device='cpu'" in str(err.value)
    with pytest.raises(ValueError, match="The .device. parameter"):
        cls(device="gpu").fit(X, np.zeros(10, dtype=int))


THREADS_USED = """
import numba
import numpy as np
from lstm import filters
n, m = 3, 2
getattr(filters, "{name}")(np.zeros(n), np.ones((m, n)), np.ones(m), np.eye(n).ravel(),
                           np.array([0]), np.array([0]), np.array([n]), 1.0, 0.0,
                           np.zeros(n, dtype=np.bool_))
try:
    numba.threading_layer()
    print("threads")
except ValueError:  # no parallel region ran
    print("serial")
"""


def test_serial_filter_does_not_load_the_threaded_one_from_the_cache(tmp_path):
    # Numba's on-disk cache is not keyed by parallel=True: compiled from one function, the
    # serial filter loaded the threaded one cached before it and ran a parallel region a step
    # (1.0 instead of 0.6 ms a training string; 6 ms with two trainings on two cores).
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))

    def run(name):
        done = subprocess.run([sys.executable, "-c", THREADS_USED.format(name=name)], env=env,
                              capture_output=True, text=True, check=True)
        return done.stdout.split()[-1]

    assert run("ekf_update_parallel") == "threads"
    assert run("ekf_update") == "serial"
