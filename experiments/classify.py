"""The ``classify`` sub-command: sequence classification on a UEA/UCR set (Japanese Vowels,
BasicMotions, GunPoint, ...) with ``ESNClassifier``, trained on the published training split
(hyperparameters, when searched, chosen there by stratified cross-validation) and scored on the
published test split; the results as a Dataset with the confusion matrix, and its figure."""

import time

import numpy as np
import xarray as xr
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.model_selection import ParameterGrid

from reservoir import ESNClassifier

from ._docstrings import fill_doc
from .archives import ARCHIVES, load_archive
from .grid import grid_item
from .protocol import Option, Protocol, positive_int
from .results import finish
from .search import grid_search

#: Published errors on the test split (Jaeger et al. 2007 for Japanese Vowels' ensemble of
#: leaky ESNs; MiniRocket as measured in the classification issue: 4-7 on Japanese Vowels).
PUBLISHED = {"japanese-vowels": "0/370 (Jaeger et al. 2007, ensemble of leaky ESNs)"}


@fill_doc
def run(archive, grid=None, n_reservoir=300, representation="last_mean", n_estimators=1,
        bidirectional=False, splits=5, vote=False, n_train=None, seed=0, device="cpu",
        verbose=False):
    """Fit ``ESNClassifier`` on a set's training split, score it on its test split.

    Parameters
    ----------
    archive : str
        A set of :data:`experiments.archives.ARCHIVES`.
    grid : list of (str, list) or None, default=None
        Parameters to search with stratified ``splits``-fold cross-validation on the training
        split (accuracy); None fits the defaults.
    n_reservoir : int, default=300
        Units of each reservoir.
    representation : str, default="last_mean"
        The sequence vector (see ``ESNClassifier``).
    n_estimators : int, default=1
        Reservoirs in the ensemble.
    bidirectional : bool, default=False
        Append the vectors of the reversed sequences.
    splits : int, default=5
        Folds of the search.
    vote : bool, default=False
        Instead of searching ``grid``, fit every configuration of it and average their
        probabilities (scikit-learn's soft ``VotingClassifier``): nothing is chosen.
    n_train : int or None, default=None
        Train on the first ``n_train`` training sequences only (None: all).
    {seed}
    device : str, default="cpu"
        ``device`` of the classifier (see docs/devices.md).
    {verbose}

    {returns_dataset}
    """
    X, y = load_archive(archive, "train")
    X_test, y_test = load_archive(archive, "test")
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    estimator = ESNClassifier(n_reservoir, representation=representation,
                              n_estimators=n_estimators, bidirectional=bidirectional,
                              device=device, random_state=seed)
    if vote and not grid:
        raise ValueError("vote averages the configurations of a grid: give one with --grid.")
    start = time.perf_counter()
    if vote:
        ds, chosen = xr.Dataset(), {}
        model = soft_vote(estimator, dict(grid)).fit(X, y)
    elif grid:
        result = grid_search(estimator, dict(grid), X, y, cv=splits, verbose=verbose)
        ds, model, chosen = result.dataset, result.best_estimator_, result.best_params_
    else:
        ds, model, chosen = xr.Dataset(), estimator.fit(X, y), {}
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(X_test)
    predict_seconds = time.perf_counter() - start
    classes = model.classes_
    members = model.estimators_ if vote else [model]
    index = {c: i for i, c in enumerate(classes)}
    counts = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(y_test, predicted):
        counts[index[t], index[p]] += 1
    ds["confusion"] = xr.DataArray(counts, dims=("true_class", "predicted_class"),
                                   coords={"true_class": classes, "predicted_class": classes})
    return finish(ds, f"ESNClassifier on {ARCHIVES[archive]}", "classify", dict(
        archive=archive, n_train=len(X), n_test=len(X_test),
        errors=int(np.sum(predicted != y_test)), accuracy=float(np.mean(predicted == y_test)),
        fit_seconds=fit_seconds, predict_seconds=predict_seconds, seed=seed,
        n_reservoir=n_reservoir, representation=representation, n_estimators=n_estimators,
        bidirectional=int(bidirectional), vote=len(members) if vote else 0,
        ridge=float(np.mean([m.ridge_ for m in members])),
        **{f"chosen_{k}": v for k, v in chosen.items()}))


def soft_vote(estimator, grid):
    """Every configuration of ``grid`` as a copy of ``estimator``, their probabilities averaged.

    Parameters
    ----------
    estimator : ESNClassifier
        The configurations' other parameters.
    grid : dict
        Parameter name -> list of values.

    Returns
    -------
    vote : sklearn.ensemble.VotingClassifier
        Unfitted, ``voting="soft"``: nothing is chosen among the configurations.
    """
    return VotingClassifier([(f"esn{i}", clone(estimator).set_params(**params))
                             for i, params in enumerate(ParameterGrid(grid))], voting="soft")


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    chosen = {k[7:]: v for k, v in a.items() if k.startswith("chosen_")}
    lines = [f"Classification, {ARCHIVES[a['archive']]}: {a['n_train']} training, "
             f"{a['n_test']} test sequences",
             f"  test errors {a['errors']}/{a['n_test']} (accuracy {a['accuracy']:.4f}); fit "
             f"{a['fit_seconds']:.2f} s, predict {a['predict_seconds']:.2f} s"]
    if chosen:
        lines.append(f"  chosen by {len(ds['mean_test_score'].values.ravel())}-configuration "
                     f"search on the training split: {chosen}")
    if a.get("vote"):
        lines.append(f"  the soft vote of all {a['vote']} configurations of the grid "
                     "(probabilities averaged)")
    if a["archive"] in PUBLISHED:
        lines.append(f"  published: {PUBLISHED[a['archive']]}")
    return "\n".join(lines)


def _figure(ds, path):
    from . import plots

    return plots.confusion_figure(ds, path)


PROTOCOLS = [Protocol(
    "classify", "sequence classification on a UEA/UCR set (ESNClassifier)", run, summary,
    plot=_figure, stem=lambda v: f"classify_{v['archive'].replace('-', '_')}_seed{v['seed']}",
    options=(
        Option("archive", dict(choices=sorted(ARCHIVES), help="the set (from the archives "
                               "extra: the sktime wheel's copies)")),
        Option("--grid", dict(type=grid_item, nargs="+",
                              help="search on the training split, e.g. leak_rate=0.1,0.3,1 "
                              "ridge=0.1:1000:5:log representation=last_mean,model")),
        Option("--n-reservoir", dict(type=positive_int, help="reservoir units (default 300)")),
        Option("--representation", dict(choices=["last", "mean", "last_mean", "model"],
                                        help="the sequence vector (default last_mean)")),
        Option("--n-estimators", dict(type=positive_int,
                                      help="reservoirs in the ensemble (default 1)")),
        Option("--bidirectional", dict(action="store_true",
                                       help="append the vectors of the reversed sequences")),
        Option("--splits", dict(type=positive_int, help="folds of the search (default 5)")),
        Option("--vote", dict(action="store_true", help="average the probabilities of every "
                              "configuration of --grid instead of searching it"))))]
