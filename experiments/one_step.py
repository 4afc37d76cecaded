"""One-step-ahead forecasting of Mackey-Glass: a trained recurrent network (RTRL, or a
DEKF-trained LSTM) beside an ESN, the results over a ``model`` dimension."""

import numpy as np
import xarray as xr

from lstm import KalmanLSTMRegressor
from reservoir import ESNForecaster

from .datasets import mackey_glass
from .metrics import nrmse
from .protocol import Option, Protocol, positive_int
from .results import finish
from .timing import Timer
from .training import fill_doc, rtrl_model


@fill_doc
def compare_with_esn(model, name, title, command, *, n_reservoir=100, n_train=3000, n_test=1000,
                     washout=100, seed=0, device="cpu", **attrs):
    """Fit ``model`` and a 100-unit ESN forecaster on the same steps of squashed MG17.

    Both are tested on the ``n_test`` steps that follow, after a warm-up of ``washout`` steps.

    Parameters
    ----------
    model : estimator
        A regressor from s(t) to s(t+1).
    name : str
        Its name along the ``model`` dimension.
    title : str
        Title of the Dataset.
    command : str
        CLI sub-command that reproduces it.
    {esn_comparison}
    seed : int, default=0
        Seed of the series and of the ESN.
    device : str, default="cpu"
        ``device`` of the ESN.
    **attrs
        Further attributes of the Dataset (the model's parameters).

    Returns
    -------
    ds : xarray.Dataset
        ``truth`` over time; ``prediction`` over (model, time), ``nrmse`` and ``fit_seconds``
        over ``model`` = [name, "esn"].
    """
    s = mackey_glass(washout + n_train + washout + n_test + 1, squash=True, random_state=seed)
    end = washout + n_train
    X, y = s[:-1, None], s[1:]
    with Timer() as model_time:
        model.fit(X[:end], y[:end])
    pred = model.predict(X[end:])[washout:]
    esn = ESNForecaster(n_reservoir, spectral_radius=0.95, leak_rate=0.5, density=0.1,
                        bias_scaling=0.2, ridge=1e-10, washout=washout, standardize=False,
                        device=device, random_state=seed)
    with Timer() as esn_time:
        esn.fit(s[:end + 1])
    esn_pred = esn.predict(s[end:-1])[washout:]
    truth = y[end + washout:]
    preds = np.stack([pred, esn_pred])
    ds = xr.Dataset({"truth": ("time", truth),
                     "prediction": (("model", "time"), preds),
                     "nrmse": ("model", [float(nrmse(truth, p)) for p in preds],
                               {"long_name": "test NRMSE"}),
                     "fit_seconds": ("model", [model_time.seconds, esn_time.seconds],
                                     {"units": "s"})},
                    coords={"model": [name, "esn"], "time": np.arange(len(truth))})
    return finish(ds, title, command, {
        "n_reservoir": n_reservoir, "n_train": n_train, "n_test": n_test, "seed": seed,
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
    err, secs = ds["nrmse"], ds["fit_seconds"]
    return "\n".join([
        f"Mackey-Glass one-step forecasting, {a['n_train']} training steps:",
        f"  {model_description}: NRMSE {float(err.sel(model=name)):.2e}"
        f"   (fit {float(secs.sel(model=name)):.1f} s)",
        f"  ESN, {a['n_reservoir']} units, ridge readout: NRMSE {float(err.sel(model='esn')):.2e}"
        f"   (fit {float(secs.sel(model='esn')):.1f} s)"])


@fill_doc
def run_rtrl(n_hidden=16, n_reservoir=100, n_train=3000, n_test=1000, washout=100, epochs=20,
             learning_rate=3e-4, seed=0, device="cpu", verbose=False):
    """One-step forecasting of squashed Mackey-Glass: online RTRL network beside an ESN.

    Both train on the same steps; test NRMSE of the one-step predictions after a warm-up. The RTRL
    learning rate and epochs were chosen on seed 5.

    Parameters
    ----------
    n_hidden : int, default=16
        Recurrent units of the RTRL network.
    {esn_comparison}
    epochs : int, default=20
        Passes of the RTRL network over the training steps.
    learning_rate : float, default=0.0003
        Adam step size.
    {seed}
    {device}
    {verbose}

    {returns_dataset}
    """
    return compare_with_esn(
        rtrl_model(n_hidden, learning_rate, epochs, "rtrl", seed, verbose, device), "rtrl",
        "Mackey-Glass one-step forecasting: RTRL vs ESN", "rtrl-vs-esn",
        n_reservoir=n_reservoir, n_train=n_train, n_test=n_test, washout=washout, seed=seed,
        device=device, n_hidden=n_hidden, epochs=epochs, learning_rate=learning_rate)


@fill_doc
def summary_rtrl(ds):
    """Text report of :func:`run_rtrl`.

    {summary}
    """
    a = ds.attrs
    return summary(ds, "rtrl", f"RTRL, {a['n_hidden']} units, {a['epochs']} online epochs")



@fill_doc
def run_lstm(n_blocks=4, n_train=3000, n_test=1000, washout=100, epochs=10, n_reservoir=100,
             seed=0, device="cpu", verbose=False):
    """Squashed Mackey-Glass one step ahead: a DEKF-trained LSTM beside an ESN.

    Both train on the same steps; test NRMSE after a warm-up of ``washout`` steps. The LSTM's
    filter (full Jacobian, P0 = 3, R 1 -> 1e-3, Q 1e-3 -> 1e-7 annealed over all epochs) was
    chosen on seeds 0-5 among 72 settings and checked on seeds 6-15 (docs/results.md).

    Parameters
    ----------
    n_blocks : int, default=4
        Memory blocks of the LSTM (one cell each).
    n_train, n_test : int, default=3000, 1000
        Training and test steps.
    washout : int, default=100
        Warm-up steps before scoring.
    epochs : int, default=10
        Passes of the LSTM over the training steps.
    n_reservoir : int, default=100
        Units of the ESN.
    {seed}
    {device}
    {verbose}

    {returns_dataset}
    """
    net = KalmanLSTMRegressor(n_blocks, 1, shortcut=True, jacobian="full", p0=3.0,
                              r=(1.0, 1e-3), q=(1e-3, 1e-7), anneal_steps=epochs * n_train,
                              epochs=epochs, reset_state=False, device=device,
                              random_state=seed, verbose=verbose)
    return compare_with_esn(net, "lstm", "Mackey-Glass one-step forecasting: DEKF-LSTM vs ESN",
                            "lstm-vs-esn", n_reservoir=n_reservoir, n_train=n_train,
                            n_test=n_test, washout=washout, seed=seed, device=device,
                            n_blocks=n_blocks, epochs=epochs)


@fill_doc
def summary_lstm(ds):
    """Text report of :func:`run_lstm`.

    {summary}
    """
    a = ds.attrs
    return summary(ds, "lstm", f"LSTM, {a['n_blocks']} blocks, DEKF, {a['epochs']} epochs")


PROTOCOLS = [
    Protocol("rtrl-vs-esn", "Mackey-Glass one-step forecasts: RTRL vs ESN", run_rtrl,
             summary_rtrl, options=(
                 Option("--n-hidden", dict(type=positive_int, help="recurrent units")),
                 Option("--epochs", dict(type=positive_int, help="passes over the data")))),
    Protocol("lstm-vs-esn", "Mackey-Glass one-step forecasts: DEKF-LSTM vs ESN", run_lstm,
             summary_lstm, options=(
                 Option("--n-blocks", dict(type=positive_int, help="memory blocks")),
                 Option("--epochs", dict(type=positive_int, help="passes over the data")))),
]
