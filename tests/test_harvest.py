"""The harvest engine's layout: packs and their pieces."""

import numpy as np
import pytest

from reservoir.harvest import MIN_SIDE, Pack


@pytest.mark.parametrize("lengths, max_rows", [
    ([5, 30, 7, 7, 1, 12], 1000),                # one piece of whole sequences
    ([5, 30, 7, 7, 1, 12], 10),                  # a group in time windows
    ([3] * (MIN_SIDE + 10) + [40, 2], 50),       # windows over a group of MIN_SIDE, then more
    ([3] * 300, 200),                            # whole-sequence pieces of MIN_SIDE and more
    ([1000], 64),                                # one long sequence cut in time
])
def test_pieces_cover_every_row_once_in_time_order(lengths, max_rows):
    pack = Pack(lengths)
    seen = np.zeros(pack.n_rows, dtype=int)
    last = {}  # packed sequence -> last step seen
    for piece in pack.pieces(max_rows):
        rows = np.arange(pack.n_rows)[piece.rows]
        assert len(rows) == piece.n_rows <= max_rows
        seen[rows] += 1
        spans = np.diff(piece.starts)
        assert np.all(spans[:-1] >= spans[1:])  # longest first: the running ones are a prefix
        for b, k in enumerate(range(piece.seqs.start, piece.seqs.stop)):
            steps = pack.steps[rows[piece.starts[b]:piece.starts[b + 1]]]
            assert steps[0] == last.get(k, -1) + 1 == piece.t0 or piece.t0 == 0 == steps[0]
            assert np.array_equal(steps, np.arange(steps[0], steps[0] + len(steps)))
            last[k] = steps[-1]
    assert np.all(seen == 1)
    assert [last[k] + 1 for k in range(len(lengths))] == list(pack.lengths)


def test_cuts_end_windows_and_need_one_sequence():
    pack = Pack([100])
    ends = [p.rows.stop for p in pack.pieces(30, cuts=[10, 45, 100])]
    assert ends == [10, 40, 45, 75, 100]
    with pytest.raises(ValueError, match="one sequence"):
        list(Pack([5, 5]).pieces(30, cuts=[3]))


def test_pack_rows_split_and_order():
    seqs = [np.full((n, 2), i, float) for i, n in enumerate([2, 5, 3])]
    pack = Pack.of(seqs)
    assert list(pack.order) == [1, 2, 0] and list(pack.starts) == [0, 5, 8, 10]
    rows = pack.rows(seqs)
    for s, back in zip(seqs, pack.split(rows)):
        np.testing.assert_array_equal(s, back)
    assert pack.position(0) == 2
    np.testing.assert_array_equal(pack.per_row([10, 11, 12]), [11] * 5 + [12] * 3 + [10] * 2)


def test_drives_in_parts_match_the_naive_sum_with_the_same_bits_on_every_device(monkeypatch):
    from reservoir import harvest
    from reservoir.harvest import DRIVE_ROWS, Harvester, backend
    from reservoir.weights import Reservoir

    monkeypatch.setattr(harvest, "THREADED_DRIVE", 0)  # the parts on threads at this small size
    rng = np.random.default_rng(0)
    N, n_in, m, T = 7, 3, 2, 2 * DRIVE_ROWS + 5  # two whole parts and a short one
    res = Reservoir(np.zeros(N + 1, np.uint32), np.zeros(0, np.uint32), np.zeros(0),
                    rng.normal(size=(N, n_in)), rng.normal(size=N), rng.normal(size=(N, m)))
    U, Y_prev = rng.normal(size=(T, n_in)), rng.normal(size=(T, m))
    drives = [Harvester(res, 1.0, np.float64, backend(device, 2)).drive(U, Y_prev)
              for device in ("cpu", "parallel")]
    np.testing.assert_array_equal(drives[0], drives[1])
    naive = np.array([res.W_in @ u + res.W_fb @ y + res.bias for u, y in zip(U, Y_prev)])
    np.testing.assert_allclose(drives[0], naive, rtol=1e-12, atol=1e-12)
    out = np.empty((T, N), np.float32)
    single = Harvester(res, 1.0, np.float32, backend("parallel", 2)).drive(U, None, out=out)
    assert single is out
    np.testing.assert_allclose(out, naive - Y_prev @ res.W_fb.T, rtol=1e-5, atol=1e-5)
