"""Experiment results as ``xarray.Dataset`` with plain attributes, saved as netCDF3 (scipy)."""

import datetime
import pathlib
import sys

import numpy as np
import xarray as xr


def versions():
    """Package versions as plain string attributes.

    Returns
    -------
    versions : dict
        ``{"version_numpy": ..., ...}`` for numba-rnn and its dependencies.
    """
    from importlib.metadata import version

    import numba
    import scipy
    import sklearn

    return {"numba_rnn_version": version("numba-rnn"), "numba_version": numba.__version__,
            "numpy_version": np.__version__, "scipy_version": scipy.__version__,
            "sklearn_version": sklearn.__version__, "xarray_version": xr.__version__,
            "python_version": sys.version.split()[0]}


def plain_attrs(params):
    """Attributes netCDF3 can hold: numbers and strings (bools as 0/1, None as 'none').

    Parameters
    ----------
    params : dict
        Parameter names and values.

    Returns
    -------
    attrs : dict
        The same with every value converted.
    """
    out = {}
    for key, value in params.items():
        if isinstance(value, bool):
            value = int(value)
        elif value is None:
            value = "none"
        elif isinstance(value, (np.integer, np.floating)):
            value = value.item()
        elif not isinstance(value, (int, float, str)):
            value = str(value)
        out[key] = value
    return out


def chosen_params(attrs):
    """The parameters a search chose, from the ``chosen_*`` attributes that :func:`finish`
    wrote (``"none"`` read back as None).

    Parameters
    ----------
    attrs : dict
        A Dataset's attributes.

    Returns
    -------
    params : dict
        Parameter names and values.
    """
    return {k[7:]: None if v == "none" else v for k, v in attrs.items()
            if k.startswith("chosen_")}


def finish(ds, title, command, params):
    """Add the global attributes (title, history, parameters, versions) and return ``ds``.

    Parameters
    ----------
    ds : xarray.Dataset
        The results.
    title : str
        What the Dataset holds.
    command : str
        The CLI sub-command that reproduces it (recorded in ``history``).
    params : dict
        Parameters of the run, stored as attributes.

    Returns
    -------
    ds : xarray.Dataset
        The same Dataset.
    """
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    ds.attrs.update(title=title, source="numba-rnn", history=f"{stamp}: {command}",
                    **plain_attrs(params), **versions())
    return ds


def save(ds, path):
    """Write ``ds`` to netCDF with ``engine="scipy"`` (no C library needed).

    Parameters
    ----------
    ds : xarray.Dataset
        The results.
    path : str or pathlib.Path
        Target file (folders are created).

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine="scipy")
    return path
