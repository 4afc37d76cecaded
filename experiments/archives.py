"""Sequence classification sets of the UEA & UCR archives (Bagnall et al. 2018) and regression
sets of the time series extrinsic regression archive (Tan et al. 2021), read from the copies that
sktime ships inside its wheel: nothing is downloaded. Install them with the
``archives`` extra (``pip install numba-rnn[archives]``).

Each set comes split as published (train and test). Sequences are returned as a list of
(n_steps, n_features) float64 arrays (the layout of every estimator here; the archives' own
files hold (n_features, n_steps)), labels as strings.
"""

import functools
from pathlib import Path

import numpy as np

#: The classification sets the sktime wheel ships, by the name used here (command line and
#: :func:`load_archive`) -> the archive's name.
ARCHIVES = {
    "japanese-vowels": "JapaneseVowels",  # 270/370 speakers' vowels, 7-29 steps x 12, 9 classes
    "basic-motions": "BasicMotions",  # 40/40 smart-watch motions, 100 steps x 6, 4 classes
    "gunpoint": "GunPoint",  # 50/150 hand motions, 150 steps x 1, 2 classes
    "arrowhead": "ArrowHead",  # 36/175 outlines, 251 steps x 1, 3 classes
    "italy-power-demand": "ItalyPowerDemand",  # 67/1029 daily loads, 24 steps x 1, 2 classes
    "osuleaf": "OSULeaf",  # 200/242 leaf outlines, 427 steps x 1, 6 classes
    "acsf1": "ACSF1",  # 100/100 appliance power, 1460 steps x 1, 10 classes
    "plaid": "PLAID",  # 537/537 appliance currents, 100-1344 steps x 1, 11 classes
}

#: The extrinsic regression sets the sktime wheel ships (one number per sequence), by the name
#: used here -> the archive's name.
REGRESSION_ARCHIVES = {
    "covid-3-month": "Covid3Month",  # 140/61 countries' daily cases, 84 steps x 1 -> death rate
    "tecator": "Tecator",  # 172/43 meat samples' absorbance spectra, 100 bands x 1 -> fat %
}

EXTRA = ("the UEA/UCR sets come from the sktime wheel: install the extra with "
         "`pip install numba-rnn[archives]` (or `pip install sktime`)")


def _data_folder():
    try:
        import sktime.datasets
    except ImportError as err:
        raise ImportError(f"Loading an archive needs sktime: {EXTRA}.") from err
    return Path(sktime.datasets.__file__).parent / "data"


@functools.lru_cache(maxsize=16)
def _read(name, split):
    folder = {**ARCHIVES, **REGRESSION_ARCHIVES}[name]
    return read_ts(_data_folder() / folder / f"{folder}_{split.upper()}.ts")


def read_ts(path):
    """The labelled sequences of a ``.ts`` file (the UEA/UCR archives' format), by sktime's
    reader.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.

    Returns
    -------
    X : list of ndarray of shape (n_steps_i, n_features)
        The sequences, float64.
    y : ndarray of shape (n_sequences,)
        Their labels (str).
    """
    try:
        from sktime.datasets import load_from_tsfile
    except ImportError as err:
        raise ImportError(f"Reading a .ts file needs sktime: {EXTRA}.") from err
    try:
        frame, labels = load_from_tsfile(str(path), return_data_type="nested_univ")
    except (OSError, ValueError, TypeError, IndexError) as err:  # sktime's TsFileParseException
        raise ValueError(f"{Path(path).name} is not a .ts file sktime can read: {err}. "
                         "The format: a header of @-lines (@problemName, @timeStamps, "
                         "@univariate, @classLabel ..., @data), then one sequence a line.") from err
    X = [np.stack([np.asarray(frame.iat[i, j], dtype=np.float64)
                   for j in range(frame.shape[1])], axis=1) for i in range(frame.shape[0])]
    return X, np.asarray(labels).astype(str)


def load_archive(name, split="train"):
    """One split of a UEA/UCR classification set or of an extrinsic regression set.

    Parameters
    ----------
    name : str
        A key of :data:`ARCHIVES` (e.g. ``"japanese-vowels"``) or of
        :data:`REGRESSION_ARCHIVES` (e.g. ``"tecator"``).
    split : {"train", "test"}, default="train"
        The published split.

    Returns
    -------
    X : list of ndarray of shape (n_steps_i, n_features)
        The sequences (copies: changing them changes no later load).
    y : ndarray of shape (n_sequences,)
        Their labels (str), or for a regression set their targets (float64).

    Examples
    --------
    >>> from experiments.archives import load_archive
    >>> X, y = load_archive("japanese-vowels", "train")
    >>> len(X), X[0].shape, str(y[0])
    (270, (20, 12), '1')
    """
    if name not in ARCHIVES and name not in REGRESSION_ARCHIVES:
        raise ValueError(f"Unknown archive {name!r}; choose one of "
                         f"{sorted(ARCHIVES) + sorted(REGRESSION_ARCHIVES)}.")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}.")
    X, y = _read(name, split)
    return [x.copy() for x in X], (y.astype(np.float64) if name in REGRESSION_ARCHIVES
                                   else y.copy())
