"""Validation of time-series input: one sequence (T, n_features) or a list of them."""

import numpy as np
from sklearn.utils import check_array

DTYPES = {"float64": np.float64, "float32": np.float32}


def check_dtype(dtype):
    """Map the ``dtype`` parameter ("float64" or "float32", or the numpy types) to a numpy type."""
    key = np.dtype(dtype).name if isinstance(dtype, type) or isinstance(dtype, np.dtype) else dtype
    if key not in DTYPES:
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}.")
    return DTYPES[key]


def is_sequence_list(X):
    """True when X is a list or tuple of arrays (sequences), rather than one array-like.

    Elements must be arrays (numpy, xarray, ...) with ``ndim >= 1``; a list of Python lists or
    numbers is one array given row by row, as scikit-learn reads it.
    """
    return isinstance(X, (list, tuple)) and all(np.ndim(a) >= 1 and hasattr(a, "shape")
                                                 for a in X)


def check_sequence(a, *, name, dtype, allow_1d=False):
    """One sequence as a finite, C-contiguous (T, n) array; returns (array, was_1d)."""
    a = check_array(a, dtype=dtype, ensure_2d=not allow_1d, ensure_all_finite=True,
                    input_name=name, ensure_min_samples=1, order="C")
    if a.ndim == 1:
        return np.ascontiguousarray(a[:, None]), True
    return a, False


def check_sequences(X, *, name, dtype, allow_1d=False):
    """Validate a sequence or a list of sequences.

    Returns (list of (T_i, n) arrays, was_list, was_1d). Every sequence must be non-empty,
    finite, and have the same number of columns.
    """
    was_list = is_sequence_list(X)
    items = list(X) if was_list else [X]
    if not items:
        raise ValueError(f"{name} is an empty list; pass at least one sequence.")
    seqs, flags = [], set()
    for i, a in enumerate(items):
        label = f"{name}[{i}]" if was_list else name
        try:
            arr, was_1d = check_sequence(a, name=label, dtype=dtype, allow_1d=allow_1d)
        except ValueError as err:
            raise ValueError(f"{label}: {err}") if was_list else err
        seqs.append(arr)
        flags.add(was_1d)
    widths = {s.shape[1] for s in seqs}
    if len(widths) > 1 or len(flags) > 1:
        raise ValueError(f"All sequences of {name} must have the same number of columns; got "
                         f"{sorted(widths)}.")
    return seqs, was_list, flags.pop()


def check_paired(X_seqs, y_seqs):
    """Every input sequence must have as many steps as its target sequence."""
    if len(X_seqs) != len(y_seqs):
        raise ValueError(f"X has {len(X_seqs)} sequences but y has {len(y_seqs)}.")
    for i, (a, b) in enumerate(zip(X_seqs, y_seqs)):
        if a.shape[0] != b.shape[0]:
            where = f"sequence {i}: " if len(X_seqs) > 1 else ""
            raise ValueError(f"{where}X has {a.shape[0]} steps but y has {b.shape[0]}; inputs "
                             "and targets must be aligned step by step.")


def check_washout(seqs, washout, name="X", reserved=0):
    """Each sequence needs more than ``washout + reserved`` steps, or nothing is learnt from it.

    ``reserved`` counts steps that have no target (the last value of a forecaster's series).
    """
    if not isinstance(washout, (int, np.integer)) or isinstance(washout, bool) or washout < 0:
        raise ValueError(f"washout must be an integer >= 0, got {washout!r}.")
    need = washout + reserved
    for i, s in enumerate(seqs):
        if s.shape[0] <= need:
            where = f"{name}[{i}]" if len(seqs) > 1 else name
            plus = f" + {reserved}" if reserved else ""
            raise ValueError(
                f"{where} has {s.shape[0]} sample(s), not more than washout={washout}{plus}: "
                "nothing would be left to train on. Lower washout or pass longer sequences.")


def require_y(estimator, y):
    """Supervised estimators need targets: a clear error when y is None."""
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y "
                         "is None.")
