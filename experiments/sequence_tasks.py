"""Sequence-learning benchmarks from the lectures: adding problem, temporal order, parity,
binary addition, embedded Reber grammar. Each returns lists of sequences (inputs, targets,
per-step loss weights)."""

import numpy as np
from sklearn.utils import check_random_state

from reservoir.common.docstrings import filler

#: The parameters of an a^n b^n c^n string, shared by its two forms.
fill_doc = filler({"anbncn_string": """\
Parameters
----------
n : int
    n >= 1.
language : {"anbncn", "anbn"}, default="anbncn"
    Which language."""})


def adding_problem(n_sequences, length, *, random_state=None):
    """Adding problem (Hochreiter & Schmidhuber 1997, experiment 4).

    Inputs (length, 2): a value ~ U[-1, 1] and a marker, 1 at two positions (the first among the
    first 10 steps, the second in the first half) and 0 elsewhere. The target, at the last step only
    (weight 1, other steps weight 0), is 0.5 + (X1 + X2) / 4 for the marked values X1, X2.

    Parameters
    ----------
    n_sequences : int
        Number of sequences.
    length : int
        Steps per sequence.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X, Y, W : lists of ndarrays of shapes (length, 2), (length, 1), (length,)
        Inputs, targets and per-step weights.
    """
    if length < 4:
        raise ValueError(f"length must be at least 4, got {length}.")
    rng = check_random_state(random_state)
    X, Y, W = [], [], []
    for _ in range(n_sequences):
        x = np.zeros((length, 2))
        x[:, 0] = rng.uniform(-1, 1, size=length)
        first = rng.randint(min(10, length // 2))
        second = first
        while second == first:
            second = rng.randint(max(length // 2, 2))
        x[[first, second], 1] = 1.0
        y = np.zeros((length, 1))
        y[-1, 0] = 0.5 + (x[first, 0] + x[second, 0]) / 4
        w = np.zeros(length)
        w[-1] = 1.0
        X.append(x)
        Y.append(y)
        W.append(w)
    return X, Y, W



#: The symbols of the temporal order problem, in the order of the one-hot inputs.
TEMPORAL_ORDER_SYMBOLS = "abcdBEXY"
#: Windows of the relevant symbols X/Y at T=100 (inclusive steps from 0, the start symbol E at
#: step 0): experiment 6a has two events, 6b three.
TEMPORAL_ORDER_WINDOWS = {2: ((10, 20), (50, 60)), 3: ((10, 20), (33, 43), (66, 76))}


def temporal_order(n_sequences, events=2, *, length=100, random_state=None):
    """Noisy temporal order (Hochreiter & Schmidhuber 1997, experiments 6a and 6b).

    Each sequence has between ``length`` and ``1.1 length`` steps (uniform), starts with E, ends
    with the trigger symbol B, and is otherwise random distractors from {a, b, c, d}, except for
    ``events`` relevant symbols, each X or Y, one in each window: at T=100 steps 10-20 and 50-60
    (6a, ``events=2``) or 10-20, 33-43 and 66-76 (6b, ``events=3``); other lengths scale the
    windows. The class is the temporal order of X and Y read as bits (X=0, Y=1, first event most
    significant): 6a's X,X -> Q (0), X,Y -> R (1), Y,X -> S (2), Y,Y -> U (3); 6b has 8 classes.
    Inputs are one-hot over "abcdBEXY"; the target, at the last step only (weight 1, other
    steps 0), is the class one-hot. A sequence counts as right when the absolute error of every
    output at its last step is below 0.3.

    Parameters
    ----------
    n_sequences : int
        Number of sequences.
    events : {2, 3}, default=2
        Relevant symbols per sequence (2 ** events classes).
    length : int, default=100
        The shortest sequence T (at least 20).
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X, Y, W : lists of ndarrays of shapes (L, 8), (L, 2 ** events), (L,)
        Inputs, targets and per-step weights (L from T to 1.1 T).
    labels : ndarray of shape (n_sequences,), int
        The classes.
    """
    if events not in TEMPORAL_ORDER_WINDOWS:
        raise ValueError(f"events must be 2 or 3, got {events!r}.")
    if length < 20:
        raise ValueError(f"length must be at least 20, got {length}.")
    rng = check_random_state(random_state)
    windows = [(round(a * length / 100), round(b * length / 100))
               for a, b in TEMPORAL_ORDER_WINDOWS[events]]
    n_classes = 2 ** events
    X, Y, W = [], [], []
    labels = np.empty(n_sequences, dtype=np.int64)
    for i in range(n_sequences):
        steps = length + rng.randint(length // 10 + 1)
        codes = rng.randint(4, size=steps)  # distractors a-d
        codes[0], codes[-1] = 5, 4  # E, B
        bits = rng.randint(2, size=events)
        for (a, b), bit in zip(windows, bits):
            codes[a + rng.randint(b - a + 1)] = 6 + bit  # X or Y
        labels[i] = int(bits @ (1 << np.arange(events)[::-1]))
        y = np.zeros((steps, n_classes))
        y[-1, labels[i]] = 1.0
        w = np.zeros(steps)
        w[-1] = 1.0
        X.append(np.eye(8)[codes])
        Y.append(y)
        W.append(w)
    return X, Y, W, labels


def parity(n_sequences, n_bits, *, random_state=None):
    """n-bit parity as a sequence task (Bengio, Simard & Frasconi 1994; solved by random weight
    guessing in Hochreiter & Schmidhuber 1997).

    Inputs are n random bits coded -1 / +1, one per step; the target, at the last step only
    (weight 1, other steps 0), is 1 when the number of +1 is odd and 0 when it is even.

    Parameters
    ----------
    n_sequences : int
        Number of strings.
    n_bits : int or (int, int)
        Steps per string, or the (shortest, longest) of uniformly drawn lengths.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X, Y, W : lists of ndarrays of shapes (n, 1), (n, 1), (n,)
        Inputs, targets and per-step weights.
    """
    low, high = (n_bits, n_bits) if np.ndim(n_bits) == 0 else n_bits
    if not 1 <= low <= high:
        raise ValueError(f"n_bits must be >= 1 (or a pair low <= high of them), got {n_bits!r}.")
    rng = check_random_state(random_state)
    X, Y, W = [], [], []
    for _ in range(n_sequences):
        n = low + rng.randint(high - low + 1)
        bits = rng.randint(2, size=n)
        y = np.zeros((n, 1))
        y[-1, 0] = bits.sum() % 2
        w = np.zeros(n)
        w[-1] = 1.0
        X.append(2.0 * bits[:, None] - 1.0)
        Y.append(y)
        W.append(w)
    return X, Y, W

def binary_addition(n_sequences, n_bits=8, *, delay=1, random_state=None):
    """Binary addition (Hinton's lecture).

    The bits of a and b enter least significant first, two inputs per step; the network outputs the
    sum's bit of column t - delay at step t. Sequences have n_bits + 1 + delay steps (the sum has
    n_bits + 1 bits); the first ``delay`` steps have no target (weight 0).

    Parameters
    ----------
    n_sequences : int
        Number of sequences.
    n_bits : int, default=8
        Bits of each summand.
    delay : int, default=1
        Steps between a column's input and its output.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X, Y, W : lists of ndarrays
        Inputs (steps, 2), targets (steps, 1), per-step weights (steps,).
    pairs : ndarray of shape (n_sequences, 2)
        The added integers.
    """
    rng = check_random_state(random_state)
    length = n_bits + 1 + delay
    pairs = rng.randint(0, 2 ** n_bits, size=(n_sequences, 2))
    columns = np.arange(n_bits + 1)
    X, Y, W = [], [], []
    for a, b in pairs:
        x = np.zeros((length, 2))
        x[:n_bits + 1, 0] = (a >> columns) & 1
        x[:n_bits + 1, 1] = (b >> columns) & 1
        y = np.zeros((length, 1))
        y[delay:, 0] = ((a + b) >> columns) & 1
        w = np.ones(length)
        w[:delay] = 0.0
        X.append(x)
        Y.append(y)
        W.append(w)
    return X, Y, W, pairs


REBER_SYMBOLS = "BTPSXVE"
#: Reber grammar: state -> [(symbol, next state)]; state 6 emits E and ends.
_REBER = {0: [("B", 1)], 1: [("T", 2), ("P", 3)], 2: [("S", 2), ("X", 4)],
          3: [("T", 3), ("V", 5)], 4: [("X", 3), ("S", 6)], 5: [("P", 4), ("V", 6)],
          6: [("E", None)]}


def _reber_string(rng):
    """A Reber string and, for each position, the set of symbols that may follow it."""
    state, symbols, nexts = 0, [], []
    while state is not None:
        options = _REBER[state]
        symbol, state = options[rng.randint(len(options))]
        symbols.append(symbol)
        nexts.append({s for s, _ in _REBER[state]} if state is not None else set())
    return symbols, nexts


def embedded_reber(n_sequences, *, random_state=None):
    """Embedded Reber grammar (Hochreiter & Schmidhuber 1997).

    B, T or P, a Reber string, the same T or P again, E. Inputs are one-hot symbols (7), targets the
    multi-hot set of symbols that may come next; the penultimate prediction needs the second
    symbol, remembered across the inner string.

    Parameters
    ----------
    n_sequences : int
        Number of strings.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X, Y : lists of ndarrays of shape (L-1, 7)
        One-hot inputs and multi-hot targets.
    strings : list of str
        The strings.
    """
    rng = check_random_state(random_state)
    index = {s: i for i, s in enumerate(REBER_SYMBOLS)}
    X, Y, strings = [], [], []
    for _ in range(n_sequences):
        branch = "TP"[rng.randint(2)]
        inner, inner_next = _reber_string(rng)
        symbols = ["B", branch] + inner + [branch, "E"]
        nexts = [{"T", "P"}, {"B"}] + inner_next[:-1] + [{branch}, {"E"}]
        x = np.zeros((len(symbols) - 1, 7))
        y = np.zeros((len(symbols) - 1, 7))
        for t, (s, allowed) in enumerate(zip(symbols[:-1], nexts)):
            x[t, index[s]] = 1.0
            y[t, [index[a] for a in allowed]] = 1.0
        X.append(x)
        Y.append(y)
        strings.append("".join(symbols))
    return X, Y, strings


ANBNCN_SYMBOLS = "SabcT"


@fill_doc
def anbncn_symbols(n, *, language="anbncn"):
    """The string S a^n b^n c^n T (or S a^n b^n T) as symbol indices and next-symbol sets.

    The compact form of :func:`anbncn` for long strings (3 n + 1 steps take 6 bytes each instead
    of 80): what :meth:`lstm.KalmanLSTMClassifier.first_error` reads.

    {anbncn_string}

    Returns
    -------
    symbols : ndarray of shape (L,), int8
        Index in "SabcT" of every symbol but the last.
    allowed : ndarray of shape (L, 5), bool
        The symbols that may come next: after S, a; after an a, a or b; then b's until n of
        them, c's (or T), and T after the last.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}.")
    index = {s: i for i, s in enumerate(ANBNCN_SYMBOLS)}
    parts = "abc" if language == "anbncn" else "ab"
    codes = np.concatenate([[index["S"]], np.repeat([index[ch] for ch in parts], n),
                            [index["T"]]]).astype(np.int8)
    allowed = np.zeros((codes.size - 1, 5), dtype=bool)
    allowed[np.arange(codes.size - 1), codes[1:]] = True  # b, c, T forced once a's are counted
    after_a = codes[:-1] == index["a"]
    allowed[after_a, index["a"]] = True  # after an a: another a or the first b
    allowed[after_a, index["b"]] = True
    return codes[:-1], allowed


@fill_doc
def anbncn(n, *, language="anbncn"):
    """The string S a^n b^n c^n T (or S a^n b^n T) as next-symbol prediction.

    Gers & Schmidhuber (2001): inputs one-hot over S, a, b, c, T for every symbol but the last;
    targets the set of symbols that may come next (see :func:`anbncn_symbols`).

    {anbncn_string}

    Returns
    -------
    X, Y : ndarray of shape (L, 5)
        Inputs and multi-hot targets.
    """
    symbols, allowed = anbncn_symbols(n, language=language)
    return np.eye(5)[symbols], allowed.astype(np.float64)
