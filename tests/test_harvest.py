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
