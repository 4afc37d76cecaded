"""Labelled sequences from a user's file, for classification (a label per sequence) or
regression (a number per sequence, in the label column): a ``.ts`` file (the UEA/UCR archives'
format) or a table (``.csv``, ``.tsv``, ``.txt``) in one of two layouts.

* **Long** (a column names the sequence of each row, e.g. ``sequence`` or ``id``): one row per
  step; the label column holds the sequence's label on each of its rows; every other numeric
  column is a feature, but a column named like a time axis (``time``, ``date``, ``step``, ...:
  numbers or dates), which orders the steps of each sequence (without one, the file's order
  does).
* **Wide** (no such column): one row per univariate sequence, its label in the label column
  (the first column of a file without a header line, as in the UCR archive's tables) and its
  steps in the other columns; shorter sequences end in empty fields.
"""

import pathlib

import numpy as np

from .archives import read_ts
from .tables import (
    SUFFIXES,
    TIME_NAMES,
    check_fill,
    check_times,
    filled,
    first_named,
    is_named,
    read_table,
    text_cells,
    time_order,
    time_values,
)

#: Column names read as the sequence of each row (a long table), unless one is named.
ID_NAMES = {"sequence", "sequence_id", "id", "series", "series_id", "case", "case_id",
            "instance", "sample", "trial"}
#: Column names read as the labels, unless one is named.
LABEL_NAMES = {"label", "labels", "class", "target", "y", "category"}


def read_labelled(path, id_column=None, label_column=None, fill=None):
    """The sequences of a file and one label per sequence (see the module).

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.ts`` file or a table (``.csv``, ``.tsv`` or ``.txt``).
    id_column : str or None, default=None
        The column naming each row's sequence (a long table); None looks for one named in
        :data:`ID_NAMES`, and reads a wide table without one.
    label_column : str or None, default=None
        The column of labels; None looks for one named in :data:`LABEL_NAMES` (the first
        column of a table without a header line).
    fill : {"interpolate", "ffill"} or None, default=None
        Fill missing steps inside each sequence (empty fields before a wide row's last value, a
        long table's empty cells): by a line between the values around each gap, or by the
        last value before it (at either end of a sequence the nearest value); None refuses
        them, naming the first.

    Returns
    -------
    X : list of ndarray of shape (n_steps_i, n_features)
        The sequences, float64.
    y : ndarray of shape (n_sequences,)
        Their labels.
    """
    path = pathlib.Path(path)
    if not path.is_file():
        raise ValueError(f"There is no file {path}.")
    suffix = path.suffix.lower()
    check_fill(fill)
    if suffix == ".ts":
        X, y = read_ts(path)
        return [filled(x, fill) for x in X], y
    if suffix not in SUFFIXES:
        raise ValueError(f"{path.name}: the file must be .ts or a table (.csv, .tsv or .txt), "
                         f"got {suffix or 'none'}.")
    table = read_table(path, names=LABEL_NAMES | ID_NAMES | TIME_NAMES)
    columns = [str(c) for c in table.columns]
    table.columns = columns
    headerless = columns == [str(i) for i in range(len(columns))]
    label = label_column or first_named(columns, LABEL_NAMES) or ("0" if headerless else None)
    if label is None:
        raise ValueError(f"{path.name} has no column named like labels ({sorted(LABEL_NAMES)}); "
                         f"name it with --label-column. Its columns are {columns}.")
    ident = id_column or first_named(columns, ID_NAMES)
    for name, option in ((label, "--label-column"), (ident, "--id-column")):
        if name is not None and name not in columns:
            raise ValueError(f"{path.name} has no column {name!r} ({option}); its columns are "
                             f"{columns}.")
    if table[label].isna().any():
        row = int(np.argmax(table[label].isna().to_numpy()))
        raise ValueError(f"{path.name}: the label (or target) column {label!r} is empty at row "
                         f"{row}; every sequence needs one: fill it or drop the sequence.")
    if ident is None:
        return _wide(path, table, label, fill)
    return _long(path, table, ident, label, fill)


def _numeric(path, table, columns):
    """The columns as float64 (n_rows, n_columns), refusing text with the column named."""
    import pandas as pd

    text = [c for c in columns if not pd.api.types.is_numeric_dtype(table[c])]
    if text:
        raise ValueError(f"{path.name}: {text_cells(text[0], table[text[0]])}"
                         + (f" (and {text[1:]} hold text too)" if len(text) > 1 else "")
                         + "; fix those rows, drop the column(s) or name the label and sequence "
                         "columns (--label-column, --id-column).")
    return table[columns].to_numpy(dtype=np.float64)


def _wide(path, table, label, fill):
    """One univariate sequence per row: its steps, up to its first empty field."""
    values = _numeric(path, table, [c for c in table.columns if c != label])
    X = []
    for i, row in enumerate(values):
        n = len(row) - int(np.argmax(np.isfinite(row[::-1]))) if np.isfinite(row).any() else 0
        steps = filled(row[:n, None].copy(), fill)
        if n == 0 or not np.isfinite(steps).all():
            raise ValueError(f"{path.name}: row {i} " + ("has no values" if n == 0 else
                             "has an empty or non-finite field before its last value")
                             + "; a sequence's steps must be numbers, shorter ones ending in "
                             "empty fields" + (" (fill the gaps with --fill interpolate or "
                                               "ffill)." if fill is None and n else "."))
        X.append(steps)
    return X, table[label].to_numpy()


def _long(path, table, ident, label, fill):
    """One row per step, grouped by the sequence column in order of first appearance, each
    sequence's rows in the order of the time column when there is one (else as in the file)."""
    others = [c for c in table.columns if c not in (ident, label)]
    time = first_named(others, TIME_NAMES)
    features = [c for c in others if not is_named(c, TIME_NAMES)]
    if not features:
        raise ValueError(f"{path.name} has no feature column besides {ident!r} and {label!r}.")
    values = _numeric(path, table, features)
    bad = np.isinf(values) if fill else ~np.isfinite(values)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(f"{path.name}: {features[col]!r} is empty or non-finite at row {row}; "
                         + ("fix or drop such steps." if fill else "fill the gaps with --fill "
                            "interpolate or ffill, or fill or drop such steps in the file."))
    times = None if time is None else _times(path, table[time])
    X, y = [], []
    for key, rows in table.groupby(ident, sort=False).indices.items():
        key = key.item() if isinstance(key, np.generic) else key  # 3, not np.int64(3)
        labels = table[label].to_numpy()[rows]
        if np.any(labels != labels[0]):
            raise ValueError(f"{path.name}: sequence {key!r} has several labels "
                             f"({sorted(set(labels.tolist()))}); a sequence has one label.")
        if times is not None:
            order, repeated = time_order(times[rows])
            if repeated.size:
                raise ValueError(f"{path.name}: sequence {key!r} has two rows at the same "
                                 f"{time!r}; give each step its own time.")
            rows = rows[order]
        steps = filled(values[rows], fill)
        if np.isnan(steps).any():
            raise ValueError(f"{path.name}: sequence {key!r} has no value of "
                             f"{features[int(np.argwhere(np.isnan(steps))[0, 1])]!r} to fill "
                             "its gaps from.")
        X.append(steps)
        y.append(labels[0])
    return X, np.asarray(y)


def _times(path, column):
    """A time column as numbers or datetime64 (:func:`experiments.tables.time_values`), for
    ordering the steps of each sequence."""

    times = time_values(column)
    if times is None:
        raise ValueError(f"{path.name}: the time column {column.name!r} holds neither "
                         "numbers nor dates; rename it or give numbers.")
    check_times(path, column.name, times)
    return times
