"""The ``regress`` sub-command: one number per sequence (time series extrinsic regression) on a
set of that archive (Tecator, Covid3Month) or on a user's own file with
``ESNSequenceRegressor``, trained on the training split (hyperparameters, when searched, chosen
there by shuffled cross-validation of the RMSE) and scored on the test split; the results as a
Dataset with every test sequence's target and prediction, and their figure.

A set comes split as published. A file (``.ts``, or a ``.csv``, ``.tsv`` or ``.txt`` table,
read by :func:`experiments.sequence_files.read_labelled`, the label column holding numbers) is
the training split when a test file is given, else split in two, ``test_size`` of its sequences
held out."""

import pathlib
import time

import numpy as np
import xarray as xr
from sklearn.model_selection import KFold

from reservoir import ESNSequenceRegressor

from ._docstrings import fill_doc
from .archives import REGRESSION_ARCHIVES
from .classify import (
    SEQUENCE_OPTIONS,
    search_lines,
    sequence_estimator,
    split_sequences,
    title,
)
from .protocol import Option, Protocol, fraction
from .results import finish
from .search import grid_search


@fill_doc
def run(data, test=None, test_size=None, target_column=None, id_column=None, grid=None,
        n_reservoir=300, representation="last_mean", n_estimators=1, bidirectional=False,
        spectral_radius=None, leak_rate=None, input_scaling=None, density=None,
        n_components=None, splits=5, n_train=None, fill=None, interval=None, seed=0,
        device="cpu", verbose=False):
    """Fit ``ESNSequenceRegressor`` on a training split, score it on the test split.

    Parameters
    ----------
    data : str or pathlib.Path
        A set of :data:`experiments.archives.REGRESSION_ARCHIVES`, or a ``.ts`` file or a table
        (``.csv``, ``.tsv``, ``.txt``) of sequences with a number each (see
        :mod:`experiments.sequence_files`).
    test : str or pathlib.Path or None, default=None
        A file of test sequences, read like ``data`` (only with a file).
    test_size : float or None, default=None
        Without ``test``, the fraction of a file's sequences held out for the test (drawn with
        ``seed``; None: 0.25).
    target_column, id_column : str or None, default=None
        A CSV file's columns of targets and of sequences (the label and sequence columns of
        :func:`experiments.sequence_files.read_labelled`).
    grid : list of (str, list) or None, default=None
        Parameters to search with shuffled ``splits``-fold cross-validation on the training
        split (by the RMSE); None fits the defaults.
    {sequence_model}
    splits : int, default=5
        Folds of the search.
    interval : float in (0, 1) or None, default=None
        Coverage of jackknife prediction intervals of the test targets (``lower``, ``upper``:
        :meth:`reservoir.ESNSequenceRegressor.predict_interval`); the test targets they hold
        (``n_held``) and their half-width are recorded. None: no intervals.
    {sequence_run}

    {returns_dataset}
    """
    X, y, X_test, y_test = split_sequences(str(data), REGRESSION_ARCHIVES, test, test_size,
                                           target_column, id_column, fill, seed, stratify=False)
    y, y_test = numbers(y, str(data)), numbers(y_test, str(test or data))
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    estimator = sequence_estimator(ESNSequenceRegressor, n_reservoir, representation,
                                   n_estimators, bidirectional, spectral_radius, leak_rate,
                                   input_scaling, density, n_components, seed, device)
    start = time.perf_counter()
    if grid:
        result = grid_search(estimator, dict(grid), X, y,
                             cv=KFold(splits, shuffle=True, random_state=seed),
                             scoring="neg_root_mean_squared_error", verbose=verbose)
        ds, model, chosen = result.dataset, result.best_estimator_, result.best_params_
    else:
        ds, model, chosen = xr.Dataset(), estimator.fit(X, y), {}
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(X_test)
    predict_seconds = time.perf_counter() - start
    ds["target"] = xr.DataArray(y_test, dims=("sequence",))
    ds["prediction"] = xr.DataArray(predicted, dims=("sequence",))
    intervals = {}
    if interval is not None:
        lower, upper = model.predict_interval(X_test, interval)
        ds["lower"] = ds["prediction"].copy(data=lower)
        ds["upper"] = ds["prediction"].copy(data=upper)
        intervals = dict(interval=interval,
                         n_held=int(np.sum((lower <= y_test) & (y_test <= upper))),
                         half_width=float(np.mean(upper - lower) / 2))
    errors = predicted - y_test
    return finish(ds, f"ESNSequenceRegressor on {title(str(data), REGRESSION_ARCHIVES)}",
                  "regress", dict(
        data=str(data), test=str(test or ""), n_train=len(X), n_test=len(X_test),
        rmse=float(np.sqrt(np.mean(errors ** 2))), mae=float(np.mean(np.abs(errors))),
        rmse_mean=float(np.sqrt(np.mean((y.mean() - y_test) ** 2))),
        fit_seconds=fit_seconds, predict_seconds=predict_seconds, seed=seed,
        n_reservoir=n_reservoir, representation=representation, n_estimators=n_estimators,
        bidirectional=int(bidirectional),
        **{k: getattr(estimator, k) for k in ("spectral_radius", "leak_rate", "input_scaling",
                                              "density", "n_components")},
        ridge=float(np.mean(model.ridge_)), **intervals,
        **{f"chosen_{k}": v for k, v in chosen.items()}))


def numbers(values, source):
    """The targets of a file or set as float64, refusing one that is not a number.

    Parameters
    ----------
    values : ndarray of shape (n_sequences,)
        The label column's values (numbers, or text as read from a ``.ts`` file).
    source : str
        The file or set, for the message.

    Returns
    -------
    y : ndarray of shape (n_sequences,)
        float64.
    """
    y = np.empty(len(values))
    for i, v in enumerate(values):
        try:
            y[i] = float(v)
        except (TypeError, ValueError):
            v = v.item() if isinstance(v, np.generic) else v  # 'x', not np.str_('x')
            raise ValueError(f"{pathlib.Path(source).name}: a sequence's target is {v!r}, not "
                             "a number; regress needs a number per sequence (numba-rnn "
                             "classify takes labels).") from None
    return y


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    lines = [f"Regression, {title(a['data'], REGRESSION_ARCHIVES)}: {a['n_train']} training, "
             f"{a['n_test']} test sequences",
             f"  test RMSE {a['rmse']:.4g} (predicting the training mean: {a['rmse_mean']:.4g}),"
             f" MAE {a['mae']:.4g}; fit {a['fit_seconds']:.2f} s, predict "
             f"{a['predict_seconds']:.2f} s",
             *([f"  {a['interval']:.0%} prediction intervals (jackknife, half-width "
                f"{a['half_width']:.4g}) hold {a['n_held']} of the {a['n_test']} test targets"]
               if "interval" in a else []),
             *search_lines(ds, "RMSE")]
    return "\n".join(lines)


def _figure(ds, path):
    from . import plots

    return plots.prediction_figure(ds, path)


PROTOCOLS = [Protocol(
    "regress", "one number per sequence, on a regression set or your own file "
    "(ESNSequenceRegressor)",
    run, summary,
    plot=_figure,
    stem=lambda v: f"regress_{pathlib.Path(v['data']).stem.replace('-', '_')}_seed{v['seed']}",
    options=(
        Option("data", dict(metavar="SET_OR_FILE", help="a set (from the archives extra: "
                            f"{', '.join(sorted(REGRESSION_ARCHIVES))}) or a .ts file or a "
                            ".csv, .tsv or .txt table of sequences with a number each "
                            "(docs/classification.md)")),
        Option("--target-column", dict(help="a CSV file's column of targets (default: one "
                                       "named label, target, y, ...; a headerless file's "
                                       "first)")),
        Option("--interval", dict(type=fraction, metavar="COVERAGE", help="jackknife "
                                  "prediction intervals of this coverage, e.g. 0.9, from the "
                                  "training sequences' leave-one-out errors")),
        *SEQUENCE_OPTIONS))]
