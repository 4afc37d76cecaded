import numpy as np
import pytest
import scipy.sparse as sp

from reservoir import kernels
from reservoir.activations import tanh_inplace
from reservoir.weights import make_reservoir

from . import naive


def _res(n=30, n_in=2, n_out=1, dtype=np.float64, **kw):
    return make_reservoir(n, n_in, n_out, spectral_radius_=0.9, density=0.2, bias_scaling=0.3,
                          feedback_scaling=0.5, random_state=np.random.RandomState(0),
                          dtype=dtype, **kw)


def _drive(res, U):
    return np.ascontiguousarray(U @ res.W_in.T + res.bias)


def test_tanh_is_float64_accurate():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 3, 20000), rng.normal(0, 1e-4, 1000),
                        np.linspace(-30, 30, 1001), [0.0, -0.0, 1e-300, -5e-324, np.inf, -np.inf]])
    y = x.copy()
    tanh_inplace(y, np.empty(len(x)), np.empty(len(x), np.int64))
    ref = np.tanh(x)
    ulps = np.abs(y - ref) / np.spacing(np.abs(ref))
    assert ulps.max() <= 4
    assert np.array_equal(np.signbit(y[np.abs(x) > 0]), np.signbit(ref[np.abs(x) > 0]))


def test_tanh_float32_is_float32_accurate():
    """float32 arrays take a float32 path (16 lanes a vector), accurate to 2 ulp of float32."""
    rng = np.random.default_rng(2)
    x = np.concatenate([np.linspace(-12, 12, 40001), rng.normal(0, 3, 20000),
                        np.logspace(-30, 1.5, 2000), -np.logspace(-30, 1.5, 2000),
                        [0.0, -0.0, 25.0, np.inf, -np.inf]]).astype(np.float32)
    y = x.copy()
    tanh_inplace(y, np.empty(len(x)), np.empty(len(x), np.int64))
    assert y.dtype == np.float32
    ref = np.tanh(x.astype(np.float64)).astype(np.float32)
    ulps = np.abs(y.astype(np.float64) - ref) / np.spacing(np.abs(ref)).astype(np.float64)
    assert ulps.max() <= 2
    assert np.array_equal(np.signbit(y[x != 0]), np.signbit(ref[x != 0]))


@pytest.mark.parametrize("leak", [1.0, 0.3])
def test_run_sequence_matches_naive(leak):
    res = _res()
    U = np.random.default_rng(2).normal(size=(50, 2))
    x = np.zeros(30)
    states = np.empty((50, 30))
    kernels.run_sequence(res.indptr, res.indices, res.data, leak, _drive(res, U), x, states)
    ref = naive.reservoir_states(res.recurrent_matrix().toarray(), res.W_in, res.bias, leak, U)
    np.testing.assert_allclose(states, ref, rtol=1e-13, atol=1e-14)
    np.testing.assert_array_equal(x, states[-1])


def test_states_may_overwrite_drive_and_rows_kernel_is_identical():
    res = _res(n=40)
    U = np.random.default_rng(3).normal(size=(60, 2))
    args = (res.indptr, res.indices, res.data, 0.5)
    separate = np.empty((60, 40))
    kernels.run_sequence(*args, _drive(res, U), np.zeros(40), separate)
    inplace = _drive(res, U)
    kernels.run_sequence(*args, inplace, np.zeros(40), inplace)
    rows = _drive(res, U)
    x = np.zeros(40)
    kernels.run_sequence_rows(*args, rows, x, rows, 3)
    np.testing.assert_array_equal(separate, inplace)
    np.testing.assert_array_equal(separate, rows)
    np.testing.assert_array_equal(x, rows[-1])


@pytest.mark.parametrize("feedback", [False, True])
@pytest.mark.parametrize("lengths", [[17], [17, 17, 17, 17, 17], [17, 12, 12, 5, 1, 1]])
def test_packed_kernels_serial_and_parallel_identical_and_match_naive(lengths, feedback):
    """Sequences of different lengths side by side, longest first: each ends at its own step,
    leaving its final state, while the others go on; their drives computed in the kernel from
    the packed inputs (with the fed-back outputs as more inputs)."""
    res = _res()
    rng = np.random.default_rng(4)
    Us = [rng.normal(size=(T, 3 if feedback else 2)) for T in lengths]
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    x0 = rng.normal(size=(len(lengths), 30)) * 0.1
    V = sp.csr_matrix(np.hstack([res.W_in, res.W_fb]) if feedback else res.W_in)
    args = (res.indptr, res.indices, res.data, 0.7, V.indptr.astype(np.uint32),
            V.indices.astype(np.uint32), V.data, res.bias, np.concatenate(Us), starts)
    out = {}
    for name, extra in (("run_packed", (1,)), ("run_packed_parallel", (3,))):
        states = np.empty((starts[-1], 30))
        xs = x0.copy()
        getattr(kernels, name)(*args, xs, states, *extra)
        out[name] = (states, xs)
    np.testing.assert_array_equal(out["run_packed"][0], out["run_packed_parallel"][0])
    np.testing.assert_array_equal(out["run_packed"][1], out["run_packed_parallel"][1])
    W = res.recurrent_matrix().toarray()
    for b, U in enumerate(Us):
        fb = dict(W_fb=res.W_fb, Y_prev=U[:, 2:]) if feedback else {}
        ref = naive.reservoir_states(W, res.W_in, res.bias, 0.7, U[:, :2], x0=x0[b], **fb)
        rows = slice(starts[b], starts[b + 1])
        np.testing.assert_allclose(out["run_packed"][0][rows], ref, rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(out["run_packed"][1][b], ref[-1], rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("n_sq", [0, 15])
def test_generate_matches_naive(n_sq):
    res = _res(n=30, n_in=2, n_out=2)
    rng = np.random.default_rng(5)
    T, m = 25, 2
    drive = _drive(res, rng.normal(size=(T, 2)))
    W_x = rng.normal(size=(m, 30)) * 0.1
    W_sq = rng.normal(size=(m, n_sq)) * 0.1
    out_drive = rng.normal(size=(T, m)) * 0.1
    W_out_loop = rng.normal(size=(m, m)) * 0.1
    x0, y0 = rng.normal(size=30) * 0.1, rng.normal(size=m)
    x, y = x0.copy(), y0.copy()
    states, outputs = np.empty((T, 30)), np.empty((T, m))
    kernels.generate(res.indptr, res.indices, res.data, 0.6, drive, res.W_fb[:, :m].copy(), W_x,
                     W_sq, out_drive, W_out_loop, x, y, states, outputs)
    ref_x, ref_y = naive.closed_loop(res.recurrent_matrix().toarray(), 0.6, drive,
                                     res.W_fb[:, :m], W_x, W_sq, out_drive, W_out_loop, x0, y0)
    np.testing.assert_allclose(states, ref_x, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(outputs, ref_y, rtol=1e-12, atol=1e-13)
    np.testing.assert_array_equal(y, outputs[-1])


def test_float32_kernel_close_to_float64_reference():
    res = _res(dtype=np.float32)
    U = np.random.default_rng(6).normal(size=(40, 2))
    drive = _drive(res, U.astype(np.float32)).astype(np.float32)
    x = np.zeros(30, np.float32)
    kernels.run_sequence(res.indptr, res.indices, res.data, np.float32(0.5), drive, x, drive)
    assert drive.dtype == np.float32
    ref = naive.reservoir_states(res.recurrent_matrix().toarray().astype(float),
                                 res.W_in.astype(float), res.bias.astype(float), 0.5, U)
    np.testing.assert_allclose(drive, ref, atol=2e-5)


@pytest.mark.parametrize("n_groups", [1, 2, 3])
def test_run_configs_matches_each_scaled_reservoir(n_groups):
    """Three configurations over two packed sequences (15 and 6 steps), each from its state."""
    unit = _res(n=20)
    unit_data = unit.data / 0.9  # _res draws at spectral radius 0.9
    rng = np.random.default_rng(7)
    Us = [rng.normal(size=(15, 2)), rng.normal(size=(6, 2))]
    starts = np.array([0, 15, 21], np.int64)
    drive = np.ascontiguousarray(np.concatenate(Us) @ unit.W_in.T)
    radius, scale = np.array([0.5, 1.1, 0.9]), np.array([0.2, 1.0, 3.0])
    leak = np.array([1, .3, .6])
    x0 = rng.normal(size=(3, 2, 20)) * 0.1
    x = x0.copy()
    states = np.empty((3, 21, 20))
    kernels.run_configs(unit.indptr, unit.indices, unit_data, drive, starts, unit.bias, radius,
                        scale, leak, x, states, n_groups)
    W = unit.recurrent_matrix().toarray() / 0.9
    for c in range(3):
        for q, U in enumerate(Us):
            ref = naive.reservoir_states(radius[c] * W, scale[c] * unit.W_in, unit.bias, leak[c],
                                         U, x0=x0[c, q])
            np.testing.assert_allclose(states[c, starts[q]:starts[q + 1]], ref, rtol=1e-12,
                                       atol=1e-13)
            np.testing.assert_array_equal(x[c, q], states[c, starts[q + 1] - 1])
