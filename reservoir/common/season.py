"""Seasonal means of series (the forecasters' ``seasonal_period``): the mean of every variable
at each phase t mod period, fitted on the training series, removed before the model and added
back to its outputs. Step t of every series a model is given (training, ``context``, the series
of ``predict``) has phase t mod period: each series starts at phase 0."""

import numpy as np


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


def without_season(seqs, season, dtype):
    """Each series (starting at phase 0) less its seasonal means, in ``dtype``; the series
    themselves without a season."""
    if season is None:
        return seqs
    return [(s - m).astype(dtype, copy=False)
            for s, m in zip(seqs, seasonal(season, [0] * len(seqs), map(len, seqs)))]


def with_season(outs, season, starts):
    """Outputs (n_steps_i, n_variables) with the seasonal means of their steps added back, the
    first step of output i at phase ``starts[i]``; the outputs themselves without a season."""
    if season is None:
        return outs
    return [o + m for o, m in zip(outs, seasonal(season, starts, map(len, outs)))]
