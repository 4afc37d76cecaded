"""Seasonal means of series (the forecasters' ``seasonal_period``): the mean of every variable
at each phase t mod period, fitted on the training series, removed before the model and added
back to its outputs. Step t of a series has phase t mod period: each series starts at phase 0,
except one labelled by evenly spaced times (pandas, xarray) after training on such series: its
first label's steps from the (first) training series' first label set its phase."""

import numpy as np

from .time_index import continuation, steps_between
from .validation import is_sequence_list


def _labelled_start(x):
    """(first label, step) of one series labelled by evenly spaced times, else None."""
    after = continuation(x)
    return None if after is None or after.step is None else (after.first, after.step)


def label_origin(X):
    """(first label, step) of a series labelled by evenly spaced times (the first series of a
    list), else None: where the phases of labelled series count from."""
    return _labelled_start(X[0] if is_sequence_list(X) else X)


def phases(origin, X, n, name="X"):
    """The phase (an int, not reduced) of the first step of each of the n series of X (one
    series, a list, or a 3-D array): the steps from ``origin`` (:func:`label_origin` of the
    training series) to its first label when both are labelled, else 0. Labels off the
    origin's grid are refused."""
    series = X if is_sequence_list(X) else [X] if n == 1 else [None] * n
    out = []
    for x in series:
        here = None if x is None else _labelled_start(x)
        steps = 0 if origin is None or here is None else \
            steps_between(origin[0], here[0], origin[1])
        if steps is None:
            raise ValueError(f"{name} starts at {here[0]!r}, which is not on the training "
                             f"series' grid (from {origin[0]!r}, step {origin[1]!r}), so its "
                             "phase of the season (seasonal_period) is unknown. Label it on "
                             "the same grid, or pass its values as an array (starting at "
                             "phase 0).")
        out.append(steps)
    return out


def phase_of(estimator, X, n=1, name="X"):
    """:func:`phases` of the n series of X for a fitted estimator: all 0 without a season."""
    if estimator.season_ is None:
        return [0] * n
    return phases(estimator._season_origin, X, n, name)


def fit_season(seqs, period, starts, name="X"):
    """Means (period, n_variables), float64, of each phase over the series (n_steps_i,
    n_variables), series i starting at phase ``starts[i]``; None without a period. Refuses
    series that leave a phase without a step, naming ``seasonal_period``."""
    if period is None:
        return None
    sums = np.zeros((period, seqs[0].shape[1]))
    counts = np.zeros(period)
    for s, start in zip(seqs, starts):
        at = (start + np.arange(len(s))) % period
        np.add.at(sums, at, s)
        np.add.at(counts, at, 1)
    if not counts.all():
        raise ValueError(f"seasonal_period={period} needs a step at every phase of the season, "
                         f"but the series of {name} ({sum(map(len, seqs))} steps) leave "
                         f"{int(np.sum(counts == 0))} of its {period} phases without one. Pass "
                         f"series of at least {period} steps (several seasons, for a steady "
                         "mean), or set seasonal_period=None.")
    return sums / counts[:, None]


def seasonal(season, starts, lengths):
    """The season's values over steps start .. start + length - 1 of each output:
    a list of (length, n_variables) arrays, one per (start, length)."""
    period = len(season)
    return [season[(start + np.arange(n)) % period] for start, n in zip(starts, lengths)]


def without_season(seqs, season, dtype, starts):
    """Each series less its seasonal means (series i's first step at phase ``starts[i]``), in
    ``dtype``; the series themselves without a season."""
    if season is None:
        return seqs
    return [(s - m).astype(dtype, copy=False)
            for s, m in zip(seqs, seasonal(season, starts, map(len, seqs)))]


def with_season(outs, season, starts):
    """Outputs (n_steps_i, n_variables) with the seasonal means of their steps added back, the
    first step of output i at phase ``starts[i]``; the outputs themselves without a season."""
    if season is None:
        return outs
    return [o + m for o, m in zip(outs, seasonal(season, starts, map(len, outs)))]
