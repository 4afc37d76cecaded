"""Tables that users bring as CSV files, in the dialects that spreadsheets and locales write."""

import numpy as np

from reservoir.common.time_index import index_step

#: Column names read as a time axis: the forecast's time labels (``experiments.forecast``), left
#: out of the features of labelled sequences (``experiments.sequence_files``).
TIME_NAMES = {"time", "date", "year", "month", "day", "hour", "t", "step", "index"}
#: File suffixes read as tables (:func:`read_table` finds the separator itself).
SUFFIXES = (".csv", ".tsv", ".txt")


def is_named(column, names):
    """Whether a column's name, stripped and in lower case, is one of ``names``.

    Parameters
    ----------
    column : object
        The column's name (any type: it is compared as a string).
    names : set of str
        Accepted names, in lower case.

    Returns
    -------
    bool
    """
    return str(column).strip().lower() in names


def first_named(columns, names):
    """The first of ``columns`` named one of ``names`` (:func:`is_named`), or None.

    Parameters
    ----------
    columns : iterable
        Column names, in order.
    names : set of str
        Accepted names, in lower case.

    Returns
    -------
    object or None
    """
    return next((c for c in columns if is_named(c, names)), None)


def read_table(path, names=None):
    """A CSV table, its separator guessed from its start (",", ";", tab or "|"), with decimal
    commas when ";" separates fields that hold commas, and without a header line when the
    first line holds numbers only (then the columns are named "0", "1", ...).

    Parameters
    ----------
    path : pathlib.Path
        The file.
    names : set of str or None, default=None
        Column names (lower case) of a labelled table: a first line whose first field is not
        one of them, and whose other fields are numbers or empty, is data too (a label, then
        values, as in the UCR archive's tables).

    Returns
    -------
    table : pandas.DataFrame
    """
    import csv

    import pandas as pd

    with open(path, newline="") as f:
        sample = f.read(1 << 14)
    if not sample.strip():
        raise ValueError(f"{path.name} is empty; give a table: a header line, then one row "
                         "per step (or per sequence).")
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:  # one column: no separator to find
        sep = ","
    lines = sample.splitlines()
    decimal = "."
    if sep == ";" and any("," in field for field in lines[min(1, len(lines) - 1)].split(sep)):
        decimal = ","  # "1,5;2,25": numbers with a decimal comma
    first = lines[0].split(sep)
    labelled = (names is not None and len(first) > 1 and not is_named(first[0], names)
                and all(_is_number(f, decimal) or not f.strip() for f in first[1:]))
    header = None if labelled or all(_is_number(f, decimal) for f in first) else "infer"
    table = pd.read_csv(path, sep=sep, decimal=decimal, header=header,
                        float_precision="round_trip")  # the values written, to the last bit
    if table.empty:
        raise ValueError(f"{path.name} has a header line but no rows; give one row per step "
                         "(or per sequence) under it.")
    if header is None:  # columns named by their position: "0", "1", ...
        table.columns = [str(c) for c in table.columns]
    return table


def _is_number(text, decimal):
    try:
        float(text.strip().replace(decimal, "."))
    except ValueError:
        return False
    return True


def text_cells(name, column):
    """Where a table's column holds text that is not a number (neither empty nor numeric), for
    an error message.

    Parameters
    ----------
    name : str
        The column's name.
    column : pandas.Series
        Its values, as read from the file.

    Returns
    -------
    text : str
        How many rows hold such text, and the first one's text and row (0 = the first after the
        header).
    """
    import pandas as pd

    text = (column.notna() & pd.to_numeric(column, errors="coerce").isna()).to_numpy()
    row = int(text.argmax())
    return (f"column {name!r} holds text that is not a number in {int(text.sum())} row(s), the "
            f"first {column.iloc[row]!r} at row {row}")


def time_values(column):
    """A time column's values: its numbers, or its text parsed as dates (datetime64, those with
    a time zone as the same instants in UTC); None when it holds neither. Text that reads as
    evenly spaced dates only day first (``31/01/2000``, ``01.02.2000``: European order) is read
    so; otherwise pandas' reading (month first, ``01/31/2000``) is kept.

    Parameters
    ----------
    column : pandas.Series
        The column.

    Returns
    -------
    times : ndarray of shape (n_rows,) or None
    """
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy()
    parsed = _dates(column, dayfirst=False)
    iso = column.astype(str).str.match(r"\s*\d{4}-").all()  # year first: never day first
    if not iso and (parsed is None or not _evenly_spaced(parsed)):
        day_first = _dates(column, dayfirst=True)
        if day_first is not None and (parsed is None or _evenly_spaced(day_first)):
            parsed = day_first
    if parsed is None:
        return None
    if parsed.dt.tz is not None:
        parsed = parsed.dt.tz_convert(None)
    return parsed.to_numpy()


def _dates(column, dayfirst):
    """``column`` parsed by pandas as dates, or None when it does not parse."""
    import warnings

    import pandas as pd

    try:
        with warnings.catch_warnings():  # "could not infer format": parsed one by one
            warnings.simplefilter("ignore", UserWarning)
            return pd.to_datetime(column, dayfirst=dayfirst)
    except (ValueError, TypeError, OverflowError):
        return None


def _evenly_spaced(dates):
    """Whether parsed dates, in time order, are evenly spaced (a frequency pandas infers)."""
    import pandas as pd

    return index_step(pd.DatetimeIndex(dates.sort_values().drop_duplicates())) is not None


def check_times(path, name, times):
    """Refuse a time column with an empty field, naming its row.

    Parameters
    ----------
    path : pathlib.Path
        The file (named in the message).
    name : str
        The time column.
    times : ndarray of shape (n_rows,)
        Its values (:func:`time_values`).
    """
    import pandas as pd

    missing = pd.isna(times)
    if missing.any():
        raise ValueError(f"{path.name}: the time column {name!r} has an empty field at row "
                         f"{int(np.argmax(missing))}; fill it in or drop the row.")


def time_order(times):
    """The order that sorts a time column, and the rows of its first repeated time.

    Parameters
    ----------
    times : ndarray of shape (n_rows,)
        datetime64 or numbers, none missing.

    Returns
    -------
    order : ndarray of int of shape (n_rows,)
        The stable order that sorts ``times``.
    repeated : ndarray of int
        The rows holding the first time (in time order) that appears more than once; empty
        when every time appears once.
    """
    order = np.argsort(times, kind="stable")
    ordered = times[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    repeated = np.flatnonzero(times == ordered[same[0]]) if same.size else np.empty(0, int)
    return order, repeated


#: How missing values of a user's file may be filled (``--fill``).
FILLS = ("interpolate", "ffill")


def check_fill(fill):
    """Refuse a ``fill`` that is not one of :data:`FILLS` or None.

    Parameters
    ----------
    fill : str or None
        How missing values are to be filled (:func:`filled`).
    """
    if fill not in (None, *FILLS):
        raise ValueError(f"fill must be 'interpolate', 'ffill' or None, got {fill!r}.")


def filled(values, fill):
    """Missing values (NaN) filled along the steps.

    Parameters
    ----------
    values : ndarray of shape (n_steps, n_columns)
        A series, or one sequence.
    fill : {"interpolate", "ffill"} or None
        "interpolate": a line between the values around each gap; "ffill": the last value
        before it (at either end, the nearest value); None leaves them.

    Returns
    -------
    values : ndarray of shape (n_steps, n_columns)
        Filled, float64 (``values`` itself when nothing is filled). A column with no value
        keeps its NaN.
    """
    import pandas as pd

    check_fill(fill)
    if fill is None or not np.isnan(values).any():
        return values
    frame = pd.DataFrame(values)
    frame = frame.interpolate(limit_direction="both") if fill == "interpolate" else \
        frame.ffill().bfill()
    return frame.to_numpy(dtype=np.float64)


#: Runs of three consecutive dates whose frequency :func:`regular_grid` asks pandas for.
FREQUENCY_SAMPLES = 200


def regular_grid(times):
    """The evenly spaced times that increasing ``times`` are part of: ``times`` themselves when
    evenly spaced (:func:`reservoir.common.time_index.index_step`), else dates on the frequency
    of the fewest steps among the three commonest that pandas infers from runs of three
    consecutive dates, or numbers a whole number of their smallest step apart.

    Parameters
    ----------
    times : ndarray of shape (n_steps,)
        datetime64 or numbers, increasing.

    Returns
    -------
    grid : ndarray of shape (n_grid,) or None
        Every step from the first time to the last (``times`` itself when none is missing);
        None when ``times`` lie on no such grid (or hold fewer than three).
    positions : ndarray of int of shape (n_steps,) or None
        Where each time lies in ``grid``.
    """
    from collections import Counter

    import pandas as pd

    if len(times) < 3:
        return None, None
    if index_step(pd.Index(times)) is not None:  # evenly spaced already
        return times, np.arange(len(times))
    if np.issubdtype(times.dtype, np.datetime64):
        index = pd.DatetimeIndex(times)
        starts = np.unique(np.linspace(0, len(index) - 3, FREQUENCY_SAMPLES).astype(int))
        counts = Counter(pd.infer_freq(index[i:i + 3]) for i in starts)
        counts.pop(None, None)
        grids = [pd.date_range(index[0], index[-1], freq=freq) for freq, _ in
                 counts.most_common(3)]  # three weekdays in a row are days, the others B
        grids = [g for g in grids if (g.get_indexer(index) >= 0).all()]
        if not grids:
            return None, None
        grid = min(grids, key=len)
        return grid.to_numpy(), grid.get_indexer(index)
    step = np.min(np.diff(times))
    ratios = (times - times[0]) / step
    positions = np.round(ratios).astype(int)
    if step <= 0 or not np.allclose(ratios, positions, rtol=0, atol=1e-6):
        return None, None
    return times[0] + step * np.arange(positions[-1] + 1), positions
