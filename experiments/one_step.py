"""One-step-ahead forecasting of Mackey-Glass by a trained recurrent network beside an ESN."""

import numpy as np
import xarray as xr

from reservoir import ESNForecaster

from ._docstrings import fill_doc
from .datasets import mackey_glass
from .metrics import nrmse
from .results import finish
from .timing import Timer


@fill_doc
def compare_with_esn(model, name, title, command, *, n_reservoir=100, n_train=3000, n_test=1000,
                     washout=100, seed=0, **attrs):
    """Fit ``model`` and a 100-unit ESN forecaster on the same steps of squashed MG17.

    Both are tested on the ``n_test`` steps that follow, after a warm-up of ``washout`` steps.

    Parameters
    ----------
    model : estimator
        A regressor from s(t) to s(t+1).
    name : str
        Name of the model's variables and attributes.
    title : str
        Title of the Dataset.
    command : str
        CLI sub-command that reproduces it.
    {esn_comparison}
    seed : int, default=0
        Seed of the series and of the ESN.
    **attrs
        Further attributes of the Dataset (the model's parameters).

    Returns
    -------
    ds : xarray.Dataset
        ``truth``, ``<name>`` and ``esn`` over time; attributes ``<name>_nrmse``, ``esn_nrmse`` and
        the fit times.
    """
    s = mackey_glass(washout + n_train + washout + n_test + 1, squash=True, random_state=seed)
    end = washout + n_train
    X, y = s[:-1, None], s[1:]
    with Timer() as model_time:
        model.fit(X[:end], y[:end])
    pred = model.predict(X[end:])[washout:]
    esn = ESNForecaster(n_reservoir, spectral_radius=0.95, leak_rate=0.5, density=0.1,
                        bias_scaling=0.2, ridge=1e-10, washout=washout, random_state=seed)
    with Timer() as esn_time:
        esn.fit(s[:end + 1])
    esn_pred = esn.predict(s[end:-1])[washout:]
    truth = y[end + washout:]
    ds = xr.Dataset({"truth": ("time", truth), name: ("time", pred), "esn": ("time", esn_pred)},
                    coords={"time": np.arange(len(truth))})
    return finish(ds, title, command, {
        f"{name}_nrmse": float(nrmse(truth, pred)), "esn_nrmse": float(nrmse(truth, esn_pred)),
        "n_reservoir": n_reservoir, "n_train": n_train, "n_test": n_test, "seed": seed,
        f"{name}_fit_seconds": model_time.seconds, "esn_fit_seconds": esn_time.seconds,
        **attrs})


def summary(ds, name, model_description):
    """Lines for the command line: the model's and the ESN's test NRMSE and fit times.

    Parameters
    ----------
    ds : xarray.Dataset
        What :func:`compare_with_esn` returned.
    name : str
        The model's name given to it.
    model_description : str
        How to describe the model.

    Returns
    -------
    text : str
        The report.
    """
    a = ds.attrs
    return "\n".join([
        f"Mackey-Glass one-step forecasting, {a['n_train']} training steps:",
        f"  {model_description}: NRMSE {a[name + '_nrmse']:.2e}"
        f"   (fit {a[name + '_fit_seconds']:.1f} s)",
        f"  ESN, {a['n_reservoir']} units, ridge readout: NRMSE {a['esn_nrmse']:.2e}"
        f"   (fit {a['esn_fit_seconds']:.1f} s)"])
