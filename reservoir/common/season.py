"""Seasonal means of series (the forecasters' ``seasonal_period``): the mean of every variable
at each phase t mod period, fitted on the training series, removed before the model and added
back to its outputs. Step t of a series has phase t mod period: each series starts at phase 0,
except one labelled by evenly spaced times (pandas, xarray) after training on one: its first
label's steps from the training series' first label set its phase."""

import numpy as np

from .time_index import continuation, steps_between


def label_origin(X):
    """(first label, step) of one series labelled by evenly spaced times, else None."""
    after = None if isinstance(X, (list, tuple)) else continuation(X)
    return None if after is None or after.step is None else (after.first, after.step)


def phase_of(estimator, X, name="X"):
    """The phase (an int, not reduced) of the first step of X for a fitted estimator with a
    season: the steps from its training series' first label to X's when both are labelled
    (:func:`label_origin`), else 0. Labels off the training series' grid are refused."""
    origin = estimator._season_origin
    here = label_origin(X)
    if estimator.season_ is None or origin is None or here is None:
        return 0
    steps = steps_between(origin[0], here[0], origin[1])
    if steps is None:
        raise ValueError(f"{name} starts at {here[0]!r}, which is not on the training series' "
                         f"grid (from {origin[0]!r}, step {origin[1]!r}), so its phase of "
                         f"seasonal_period={estimator.seasonal_period} is unknown. Label {name} "
                         "on the same grid, or pass its values as an array (starting at phase "
                         "0).")
    return steps


def fit_season(seqs, period, name="X"):
    """Means (period, n_variables), float64, of each phase over the series (n_steps_i,
    n_variables), each starting at phase 0; None without a period. Refuses series that leave a
    phase without a step, naming ``seasonal_period``."""
    if period is None:
        return None
    longest = max(len(s) for s in seqs)
    if longest < period:
        raise ValueError(f"seasonal_period={period} needs a step at every phase of the season, "
                         f"but the longest series of {name} has {longest} steps. Pass a series "
                         f"of at least {period} steps (several seasons, for a steady mean), or "
                         "set seasonal_period=None.")
    sums = np.zeros((period, seqs[0].shape[1]))
    counts = np.zeros(period)
    for s in seqs:
        phases = np.arange(len(s)) % period
        np.add.at(sums, phases, s)
        np.add.at(counts, phases, 1)
    return sums / counts[:, None]


def seasonal(season, starts, lengths):
    """The season's values over steps start .. start + length - 1 of each output:
    a list of (length, n_variables) arrays, one per (start, length)."""
    period = len(season)
    return [season[(start + np.arange(n)) % period] for start, n in zip(starts, lengths)]


def without_season(seqs, season, dtype, start=0):
    """Each series less its seasonal means (its first step at phase ``start``), in ``dtype``;
    the series themselves without a season."""
    if season is None:
        return seqs
    return [(s - m).astype(dtype, copy=False)
            for s, m in zip(seqs, seasonal(season, [start] * len(seqs), map(len, seqs)))]


def with_season(outs, season, starts):
    """Outputs (n_steps_i, n_variables) with the seasonal means of their steps added back, the
    first step of output i at phase ``starts[i]``; the outputs themselves without a season."""
    if season is None:
        return outs
    return [o + m for o, m in zip(outs, seasonal(season, starts, map(len, outs)))]
