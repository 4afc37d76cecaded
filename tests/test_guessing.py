"""Random weight guessing: the batch kernel against the naive network, the same draw whatever
the batch and threads, and parity solved for every length."""

import itertools

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from experiments.sequence_tasks import parity
from rtrl import GuessingRNNRegressor
from rtrl.guessing import outputs, solved_prefix, solved_prefix_parallel

from . import naive


@pytest.mark.parametrize("act", ["logistic", "tanh"])
def test_kernels_match_the_naive_network(act):
    rng = np.random.default_rng(0)
    n, n_in, m = 3, 2, 2
    X_seqs = [rng.uniform(-1, 1, size=(T, n_in)) for T in (5, 9, 4, 7)]
    thetas = rng.uniform(-3, 3, size=(64, (n + m) * (n_in + n + m + 1)))
    code = 0 if act == "tanh" else 1
    outs = []
    for theta in thetas:
        rows = theta.reshape(n + m, -1)
        outs.append([naive.guessed_outputs(rows[:n], rows[n:], x, act) for x in X_seqs])
        out = np.empty((len(X_seqs[1]), m))
        outputs(theta, n, n_in, m, code, X_seqs[1], out)
        np.testing.assert_allclose(out, outs[-1][1], rtol=1e-12, atol=1e-14)
    # targets: candidate 0's outputs, so it solves everything; the others get a prefix
    Y_seqs = outs[0]
    W_seqs = [(np.arange(len(x)) % 2 == 1).astype(float) for x in X_seqs]
    starts = np.r_[0, np.cumsum([len(x) for x in X_seqs])]
    X, Y, W = np.concatenate(X_seqs), np.concatenate(Y_seqs), np.concatenate(W_seqs)
    tol = 0.3
    expected = []
    for out in outs:
        right = [np.all(np.abs(o - y)[w > 0] < tol) for o, y, w in zip(out, Y_seqs, W_seqs)]
        expected.append(next((i for i, r in enumerate(right) if not r), len(right)))
    for kernel in (solved_prefix, solved_prefix_parallel):
        prefix = np.empty(len(thetas), dtype=np.int64)
        kernel(thetas, n, n_in, m, code, X, starts, Y, W, tol, prefix)
        np.testing.assert_array_equal(prefix, expected)
    assert prefix[0] == len(X_seqs) and len(set(expected)) > 1


def _parity_training():
    return parity(100, (25, 50), random_state=0)


def test_the_kept_draw_is_the_same_whatever_the_batch_and_threads():
    X, Y, W = _parity_training()
    fits = [GuessingRNNRegressor(random_state=0, batch_size=b, device=d).fit(X, Y,
                                                                           sample_weight=W)
            for b, d in [(1024, "cpu"), (100, "parallel"), (7, "cpu")]]
    assert all(f.solved_ for f in fits)
    assert len({f.n_trials_ for f in fits}) == 1
    for f in fits[1:]:
        np.testing.assert_array_equal(f.W_hidden_, fits[0].W_hidden_)
        np.testing.assert_array_equal(f.W_output_, fits[0].W_output_)


def test_a_guessed_parity_net_is_right_on_every_string():
    X, Y, W = _parity_training()
    net = GuessingRNNRegressor(random_state=7).fit(X, Y, sample_weight=W)
    assert net.solved_ and net.n_trials_ < 100
    for n in range(1, 11):  # every string of up to 10 bits
        strings = [np.array(bits, dtype=float)[:, None] * 2 - 1
                   for bits in itertools.product([0, 1], repeat=n)]
        last = np.array([p[-1, 0] for p in net.predict(strings)])
        truth = np.array([np.sum(s > 0) % 2 for s in strings])
        assert np.all(np.abs(last - truth) < 0.1)
    Xt, Yt, _ = parity(200, (500, 1000), random_state=1)
    assert all(abs(p[-1, 0] - y[-1, 0]) < 0.1 for p, y in zip(net.predict(Xt), Yt))


def test_no_solution_warns_and_keeps_the_longest_prefix():
    X, Y, W = _parity_training()
    with pytest.warns(ConvergenceWarning, match="None of 20 draws solved"):
        net = GuessingRNNRegressor(max_trials=20, random_state=0).fit(X, Y, sample_weight=W)
    assert not net.solved_ and 1 <= net.n_trials_ <= 20
    with pytest.raises(ValueError, match="max_trials"):
        GuessingRNNRegressor(max_trials=0).fit(X, Y)
