import numpy as np
import pytest

from experiments.sequence_tasks import (
    _REBER,
    REBER_SYMBOLS,
    adding_problem,
    binary_addition,
    embedded_reber,
    parity,
    temporal_order,
)


def test_adding_problem_targets():
    X, Y, W = adding_problem(20, 30, random_state=0)
    for x, y, w in zip(X, Y, W):
        marked = np.flatnonzero(x[:, 1])
        assert len(marked) == 2 and marked[0] < 15
        assert y[-1, 0] == pytest.approx(0.5 + x[marked, 0].sum() / 4)
        assert w.sum() == 1 and w[-1] == 1
    with pytest.raises(ValueError, match="length"):
        adding_problem(1, 2)


@pytest.mark.parametrize("events, windows", [(2, [(10, 20), (50, 60)]),
                                             (3, [(10, 20), (33, 43), (66, 76)])])
def test_temporal_order_follows_the_paper(events, windows):
    X, Y, W, labels = temporal_order(400, events, random_state=0)
    names = {"X": 0, "Y": 1}
    for x, y, w, label in zip(X, Y, W, labels):
        text = "".join("abcdBEXY"[i] for i in x.argmax(axis=1))
        assert np.all(x.sum(axis=1) == 1) and 100 <= len(text) <= 110
        assert text[0] == "E" and text[-1] == "B" and set(text[1:-1]) <= set("abcdXY")
        where = [i for i, ch in enumerate(text) if ch in "XY"]
        assert len(where) == events
        assert all(a <= i <= b for i, (a, b) in zip(where, windows))
        order = [names[text[i]] for i in where]
        assert label == int("".join(map(str, order)), 2)  # X,X -> Q = 0, ..., Y,Y(,Y) -> last
        assert np.all(y[:-1] == 0) and np.all(y[-1] == np.eye(2 ** events)[label])
        assert np.all(w[:-1] == 0) and w[-1] == 1
    assert np.bincount(labels, minlength=2 ** events).min() > 20  # every class drawn
    short = temporal_order(5, events, length=20, random_state=1)[0]
    assert all(20 <= len(x) <= 22 for x in short)
    with pytest.raises(ValueError, match="events must be 2 or 3"):
        temporal_order(1, 4)


def test_parity_targets_count_the_ones():
    X, Y, W = parity(200, (3, 9), random_state=0)
    assert {len(x) for x in X} == set(range(3, 10))
    for x, y, w in zip(X, Y, W):
        assert set(np.unique(x)) <= {-1.0, 1.0}
        assert y[-1, 0] == np.sum(x > 0) % 2 and np.all(y[:-1] == 0)
        assert w[-1] == 1 and w.sum() == 1
    with pytest.raises(ValueError, match="n_bits"):
        parity(1, 0)


def test_binary_addition_encodes_the_sum():
    X, Y, W, pairs = binary_addition(50, 6, delay=2, random_state=1)
    for x, y, w, (a, b) in zip(X, Y, W, pairs):
        bits = lambda v: int(sum(int(v_) << i for i, v_ in enumerate(v)))  # noqa: E731
        assert bits(x[:, 0]) == a and bits(x[:, 1]) == b
        assert bits(y[2:, 0]) == a + b and np.all(w[:2] == 0)


def _accepts(inner):
    state = 0
    for s in inner:
        moves = dict(_REBER[state])
        if s not in moves:
            return False
        state = moves[s]
    return state is None


def test_embedded_reber_strings_and_next_symbol_sets():
    X, Y, strings = embedded_reber(100, random_state=2)
    for x, y, s in zip(X, Y, strings):
        assert s[0] == "B" and s[-1] == "E" and s[1] == s[-2] and s[1] in "TP"
        assert _accepts(s[2:-2])
        assert "".join(REBER_SYMBOLS[i] for i in x.argmax(axis=1)) == s[:-1]
        for t in range(len(s) - 1):
            assert y[t, REBER_SYMBOLS.index(s[t + 1])] == 1  # the actual next symbol is allowed
        assert y[-2].sum() == 1 and y[-2, REBER_SYMBOLS.index(s[1])] == 1


def test_anbncn_next_symbol_sets():
    from experiments.sequence_tasks import ANBNCN_SYMBOLS, anbncn

    X, Y = anbncn(3)
    inputs = "".join(ANBNCN_SYMBOLS[i] for i in X.argmax(axis=1))
    assert inputs == "Saaabbbccc"
    allowed = ["".join(ANBNCN_SYMBOLS[i] for i in np.flatnonzero(row)) for row in Y]
    assert allowed == ["a", "ab", "ab", "ab", "b", "b", "c", "c", "c", "T"]
    X, Y = anbncn(2, language="anbn")
    assert "".join(ANBNCN_SYMBOLS[i] for i in np.flatnonzero(Y[-1])) == "T" and len(X) == 5
    with pytest.raises(ValueError, match="n must be"):
        anbncn(0)


def test_anbncn_symbols_are_the_compact_form():
    from experiments.sequence_tasks import anbncn, anbncn_symbols

    for language in ("anbncn", "anbn"):
        for n in (1, 3, 7):
            symbols, allowed = anbncn_symbols(n, language=language)
            X, Y = anbncn(n, language=language)
            np.testing.assert_array_equal(X.argmax(axis=1), symbols)
            np.testing.assert_array_equal(Y.astype(bool), allowed)
    with pytest.raises(ValueError, match="n must be"):
        anbncn_symbols(0)
