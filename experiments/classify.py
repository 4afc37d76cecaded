"""The ``classify`` sub-command: sequence classification on a UEA/UCR set (Japanese Vowels,
BasicMotions, GunPoint, ...) or on a user's own file with ``ESNClassifier``, trained on the
training split (hyperparameters, when searched, chosen there by stratified cross-validation) and
scored on the test split; the results as a Dataset with the confusion matrix, and its figure.

A set comes split as published. A file (``.ts``, or a ``.csv``, ``.tsv`` or ``.txt`` table,
read by :func:`experiments.sequence_files.read_labelled`) is the training split when a test
file is given, else split in two, stratified by class, ``test_size`` of its sequences held
out."""

import pathlib
import time

import numpy as np
import xarray as xr
from sklearn.base import clone
from sklearn.ensemble import VotingClassifier
from sklearn.model_selection import ParameterGrid, train_test_split

from reservoir import ESNClassifier

from ._docstrings import fill_doc
from .archives import ARCHIVES, load_archive
from .grid import grid_item
from .protocol import Option, Protocol, positive_int
from .results import chosen_params, finish
from .search import grid_search
from .sequence_files import read_labelled
from .tables import FILLS

#: Published errors on the test split (Jaeger et al. 2007 for Japanese Vowels' ensemble of
#: leaky ESNs; MiniRocket as measured in the classification issue: 4-7 on Japanese Vowels).
PUBLISHED = {"japanese-vowels": "0/370 (Jaeger et al. 2007, ensemble of leaky ESNs)"}


@fill_doc
def run(archive, test=None, test_size=None, label_column=None, id_column=None, grid=None,
        n_reservoir=300, representation="last_mean", n_estimators=1, bidirectional=False,
        spectral_radius=None, leak_rate=None, input_scaling=None, density=None,
        n_components=None, splits=5, scoring=None, vote=False, n_train=None, fill=None, seed=0,
        device="cpu", verbose=False):
    """Fit ``ESNClassifier`` on a training split, score it on the test split.

    Parameters
    ----------
    archive : str or pathlib.Path
        A set of :data:`experiments.archives.ARCHIVES`, or a ``.ts`` file or a table (``.csv``,
        ``.tsv``, ``.txt``) of labelled sequences (see :mod:`experiments.sequence_files`).
    test : str or pathlib.Path or None, default=None
        A file of test sequences, read like ``archive`` (only with a file).
    test_size : float or None, default=None
        Without ``test``, the fraction of a file's sequences held out for the test (stratified
        by class, drawn with ``seed``; None: 0.25).
    label_column, id_column : str or None, default=None
        A CSV file's columns of labels and of sequences (see
        :func:`experiments.sequence_files.read_labelled`).
    grid : list of (str, list) or None, default=None
        Parameters to search with stratified ``splits``-fold cross-validation on the training
        split (by ``scoring``); None fits the defaults.
    {sequence_model}
    splits : int, default=5
        Folds of the search.
    scoring : {"accuracy", "neg_log_loss"} or None, default=None
        What the search of ``grid`` maximises over the folds (None: accuracy).
    vote : bool, default=False
        Instead of searching ``grid``, fit every configuration of it and average their
        probabilities (scikit-learn's soft ``VotingClassifier``): nothing is chosen.
    {sequence_run}

    {returns_dataset}
    """
    X, y, X_test, y_test = split_sequences(str(archive), ARCHIVES, test, test_size, label_column,
                                           id_column, fill, seed, stratify=True)
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    estimator = sequence_estimator(ESNClassifier, n_reservoir, representation, n_estimators,
                                   bidirectional, spectral_radius, leak_rate, input_scaling,
                                   density, n_components, seed, device)
    if vote and not grid:
        raise ValueError("vote averages the configurations of a grid: give one with --grid.")
    if scoring is not None and (vote or not grid):
        raise ValueError("scoring chooses among the configurations of a search: give --grid, "
                         "without --vote.")
    scoring = scoring or "accuracy"
    start = time.perf_counter()
    if vote:
        ds, chosen = xr.Dataset(), {}
        model = soft_vote(estimator, dict(grid)).fit(X, y)
    elif grid:
        result = grid_search(estimator, dict(grid), X, y, cv=splits, scoring=scoring,
                             verbose=verbose)
        ds, model, chosen = result.dataset, result.best_estimator_, result.best_params_
    else:
        ds, model, chosen = xr.Dataset(), estimator.fit(X, y), {}
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(X_test)
    predict_seconds = time.perf_counter() - start
    classes = model.classes_
    unseen = np.setdiff1d(np.unique(y_test), classes)
    if unseen.size:
        raise ValueError(f"The test sequences have labels {unseen.tolist()} that no training "
                         f"sequence has (the training labels are {classes.tolist()}).")
    members = model.estimators_ if vote else [model]
    index = {c: i for i, c in enumerate(classes)}
    counts = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for t, p in zip(y_test, predicted):
        counts[index[t], index[p]] += 1
    ds["confusion"] = xr.DataArray(counts, dims=("true_class", "predicted_class"),
                                   coords={"true_class": classes, "predicted_class": classes})
    return finish(ds, f"ESNClassifier on {title(str(archive), ARCHIVES)}", "classify", dict(
        archive=str(archive), test=str(test or ""), n_train=len(X), n_test=len(X_test),
        errors=int(np.sum(predicted != y_test)), accuracy=float(np.mean(predicted == y_test)),
        fit_seconds=fit_seconds, predict_seconds=predict_seconds, seed=seed,
        n_reservoir=n_reservoir, representation=representation, n_estimators=n_estimators,
        bidirectional=int(bidirectional),
        **{k: getattr(estimator, k) for k in ("spectral_radius", "leak_rate", "input_scaling",
                                              "density", "n_components")},
        scoring=scoring if grid and not vote else "", vote=len(members) if vote else 0,
        ridge=float(np.mean([m.ridge_ for m in members])),
        **{f"chosen_{k}": v for k, v in chosen.items()}))


def sequence_estimator(estimator_class, n_reservoir, representation, n_estimators, bidirectional,
                       spectral_radius, leak_rate, input_scaling, density, n_components, seed,
                       device):
    """The estimator of the sub-commands of one target per sequence.

    Parameters
    ----------
    estimator_class : type
        ``ESNClassifier`` or ``ESNSequenceRegressor``.
    n_reservoir, representation, n_estimators, bidirectional : object
        Its parameters.
    spectral_radius, leak_rate, input_scaling, density, n_components : float, int or None
        Its parameters; None keeps its default.
    seed : int
        Its ``random_state``.
    device : str
        Its ``device``.

    Returns
    -------
    estimator : ESNClassifier or ESNSequenceRegressor
        Unfitted.
    """
    given = {k: v for k, v in dict(spectral_radius=spectral_radius, leak_rate=leak_rate,
                                   input_scaling=input_scaling, density=density,
                                   n_components=n_components).items() if v is not None}
    return estimator_class(n_reservoir, representation=representation,
                           n_estimators=n_estimators, bidirectional=bidirectional,
                           device=device, random_state=seed, **given)


def split_sequences(source, sets, test, test_size, label_column, id_column, fill, seed,
                    stratify):
    """The training and test splits of a set (as published) or of a user's file.

    Parameters
    ----------
    source : str
        A key of ``sets``, or a ``.ts`` file or a table (see
        :func:`experiments.sequence_files.read_labelled`).
    sets : dict
        The sets by name (:data:`experiments.archives.ARCHIVES` or
        :data:`~experiments.archives.REGRESSION_ARCHIVES`).
    test : str or None
        A file of test sequences; None holds out ``test_size`` of the file.
    test_size : float or None
        The fraction held out (None: 0.25).
    label_column, id_column, fill : str or None
        As in :func:`~experiments.sequence_files.read_labelled`.
    seed : int
        The hold-out's random draw.
    stratify : bool
        Hold out the same fraction of every class (classification).

    Returns
    -------
    X, y, X_test, y_test : list, ndarray, list, ndarray
        The sequences and their labels or targets.
    """
    if source in sets:
        if any(v is not None for v in (test, test_size, label_column, id_column, fill)):
            raise ValueError(f"{source} comes split as published: --test, --test-size, "
                             f"--{'label' if stratify else 'target'}-column, --id-column and "
                             "--fill are for a file of your own.")
        return (*load_archive(source, "train"), *load_archive(source, "test"))
    if not pathlib.Path(source).suffix:
        raise ValueError(f"{source!r} is neither a set ({', '.join(sorted(sets))}) nor a .ts "
                         "file or a table (.csv, .tsv, .txt).")
    X, y = read_labelled(source, id_column, label_column, fill)
    if test is not None:
        if test_size is not None:
            raise ValueError("Give either a test file (--test) or --test-size, not both.")
        X_test, y_test = read_labelled(test, id_column, label_column, fill)
        n, m = X[0].shape[1], X_test[0].shape[1]
        if n != m:
            raise ValueError(f"{pathlib.Path(test).name} has {m} feature(s) a step, "
                             f"{pathlib.Path(source).name} {n}: give the test file the training "
                             "file's feature columns.")
        return X, y, X_test, y_test
    test_size = 0.25 if test_size is None else test_size
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size}.")
    n_held = round(test_size * len(y))
    counts = np.unique(y, return_counts=True)[1] if stratify else np.array([len(y)])
    if counts.min() < 2 or n_held < len(counts) or len(y) - n_held < 2:
        raise ValueError(f"{pathlib.Path(source).name} has {len(y)} sequences"
                         + (f" of {len(counts)} classes (the rarest {counts.min()} times)"
                            if stratify else "")
                         + f": too few to hold out test_size={test_size} of them"
                         + (" with every class on both sides" if stratify else
                            " and train on at least 2")
                         + "; give a test file (--test) or a larger --test-size.")
    train, held = train_test_split(np.arange(len(y)), test_size=test_size,
                                   stratify=y if stratify else None, random_state=seed)
    return ([X[i] for i in train], y[train], [X[i] for i in held], y[held])


def title(source, sets):
    """A set's archive name, or a file's name.

    Parameters
    ----------
    source : str
        A key of ``sets`` or a file.
    sets : dict
        The sets by name.

    Returns
    -------
    title : str
        For headings.
    """
    return sets.get(source, pathlib.Path(source).name)


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
    lines = [f"Classification, {title(a['archive'], ARCHIVES)}: {a['n_train']} training, "
             f"{a['n_test']} test sequences",
             f"  test errors {a['errors']}/{a['n_test']} (accuracy {a['accuracy']:.4f}); fit "
             f"{a['fit_seconds']:.2f} s, predict {a['predict_seconds']:.2f} s",
             *search_lines(ds, a.get("scoring") or "accuracy")]
    if a.get("vote"):
        lines.append(f"  the soft vote of all {a['vote']} configurations of the grid "
                     "(probabilities averaged)")
    if a["archive"] in PUBLISHED:
        lines.append(f"  published: {PUBLISHED[a['archive']]}")
    return "\n".join(lines)


def search_lines(ds, scoring):
    """The summary's line on the configuration a search chose (none without a search).

    Parameters
    ----------
    ds : xarray.Dataset
        A run's results: ``chosen_*`` attributes and ``mean_test_score`` after a search.
    scoring : str
        What the search maximised, for the line.

    Returns
    -------
    lines : list of str
        One line, or none.
    """
    chosen = chosen_params(ds.attrs)
    if not chosen:
        return []
    return [f"  chosen by {ds['mean_test_score'].size}-configuration search ({scoring}) on the "
            f"training split: {chosen}"]


def _figure(ds, path):
    from . import plots

    return plots.confusion_figure(ds, path)


#: The options of both sub-commands of one target per sequence (classify, regress).
SEQUENCE_OPTIONS = (
    Option("--test", dict(metavar="FILE", help="a file of test sequences (default: hold out "
                          "--test-size of the file; for classify, of every class)")),
    Option("--test-size", dict(type=float, help="fraction of the file held out for the test "
                               "without --test (default 0.25)")),
    Option("--id-column", dict(help="a CSV file's column naming each row's sequence, one row "
                               "per step (default: one named sequence, id, ...; without one, a "
                               "row per univariate sequence)")),
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
    Option("--spectral-radius", dict(type=float, help="of each reservoir (default 0.9)")),
    Option("--leak-rate", dict(type=float, help="of each reservoir (default 0.3)")),
    Option("--input-scaling", dict(type=float, help="of each reservoir (default 0.2)")),
    Option("--density", dict(type=float, help="fraction of nonzero recurrent weights "
                             "(default 0.1; 1 for reservoirs of a few tens of units)")),
    Option("--n-components", dict(type=positive_int, help="principal components of the "
                                  "states in the model space (default 30)")),
    Option("--splits", dict(type=positive_int, help="folds of the search (default 5)")),
    Option("--fill", dict(choices=FILLS, help="fill missing steps inside a file's sequences: "
                          "linearly between the values around each gap, or with the last value "
                          "before it (default: refuse them)")))

PROTOCOLS = [Protocol(
    "classify", "sequence classification on a UEA/UCR set or your own file (ESNClassifier)",
    run, summary,
    plot=_figure,
    stem=lambda v: f"classify_{pathlib.Path(v['archive']).stem.replace('-', '_')}_seed{v['seed']}",
    options=(
        Option("archive", dict(metavar="SET_OR_FILE", help="a set (from the archives extra: "
                               f"{', '.join(sorted(ARCHIVES))}) or a .ts file or a .csv, .tsv "
                               "or .txt table of labelled sequences (docs/classification.md)")),
        Option("--label-column", dict(help="a CSV file's column of labels (default: one named "
                                      "label, class, target, ...; a headerless file's first)")),
        *SEQUENCE_OPTIONS,
        Option("--scoring", dict(choices=["accuracy", "neg_log_loss"],
                                 help="what the search maximises (default accuracy)")),
        Option("--vote", dict(action="store_true", help="average the probabilities of every "
                              "configuration of --grid instead of searching it"))))]
