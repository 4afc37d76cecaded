"""The adding problem (Hochreiter & Schmidhuber 1997) with an online RTRL network."""

import numpy as np
import xarray as xr

from .protocol import Option, Protocol, positive_int
from .results import finish
from .sequence_tasks import adding_problem
from .timing import Timer
from .training import fill_doc, rtrl_model


@fill_doc
def run(length=10, n_hidden=8, n_train=2000, n_test=500, epochs=30, learning_rate=1e-3,
        gradient="rtrl", seed=0, device="cpu", verbose=False):
    """Adding problem with an online RTRL network.

    Success as in Hochreiter & Schmidhuber (1997): the absolute error of the final output below
    0.04.

    Parameters
    ----------
    length : int, default=10
        Steps per sequence.
    n_hidden : int, default=8
        Recurrent units.
    {rtrl_sequences}
    epochs : int, default=30
        Passes over the training sequences.
    learning_rate : float, default=0.001
        Adam step size.
    {rtrl_gradient}
    {seed}
    {device}
    {verbose}

    {returns_dataset}
    """
    X, Y, W = adding_problem(n_train, length, random_state=seed)
    Xt, Yt, _ = adding_problem(n_test, length, random_state=seed + 1000)
    model = rtrl_model(n_hidden, learning_rate, epochs, gradient, seed, verbose, device, clip=1.0)
    with Timer() as fit_time:
        model.fit(X, Y, sample_weight=W)
    errors = np.array([p[-1, 0] - y[-1, 0] for p, y in zip(model.predict(Xt), Yt)])
    ds = xr.Dataset({"error": ("sequence", errors, {"long_name": "error of the final output"})},
                    coords={"sequence": np.arange(n_test)})
    return finish(ds, f"Adding problem, T={length}", "adding", dict(
        success_rate=float(np.mean(np.abs(errors) < 0.04)), mse=float(np.mean(errors ** 2)),
        length=length, n_hidden=n_hidden, n_train=n_train, n_test=n_test, epochs=epochs,
        learning_rate=learning_rate, gradient=gradient, seed=seed, fit_seconds=fit_time.seconds,
        baseline_mse=float(np.var([y[-1, 0] for y in Yt]))))


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    return "\n".join([
        f"Adding problem, T={a['length']}: RTRL ({a['gradient']}) with {a['n_hidden']} units, "
        f"{a['epochs']} x {a['n_train']} training sequences",
        f"  success (|error| < 0.04) on {a['n_test']} test sequences: {a['success_rate']:.1%};"
        f" MSE {a['mse']:.2e} (predicting the mean: {a['baseline_mse']:.2e})   "
        f"(fit {a['fit_seconds']:.1f} s)",
        "  published: RTRL fails on long lags (Hochreiter & Schmidhuber 1997); LSTM solves "
        "T=100 after about 74,000 sequences"])


PROTOCOLS = [Protocol("adding", "RTRL on the adding problem", run, summary, options=(
    Option("--n-hidden", dict(type=positive_int, help="recurrent units")),
    Option("--epochs", dict(type=positive_int, help="passes over the training sequences")),
    Option("--gradient", dict(choices=["rtrl", "uoro", "snap1"])),
    Option("--length", dict(type=positive_int, help="sequence length T"))))]
