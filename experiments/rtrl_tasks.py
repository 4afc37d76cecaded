"""RTRL on the lectures' sequence tasks, and a chaotic one-step forecasting comparison with an ESN.

Each ``run_*`` returns an ``xarray.Dataset`` (per-test-sequence results plus summary attributes),
and ``summary_*`` the lines printed by the command line.
"""

import numpy as np
import xarray as xr

from reservoir.common.docstrings import filler
from rtrl import RTRLRegressor

from . import one_step
from ._docstrings import FRAGMENTS
from .one_step import compare_with_esn
from .results import finish
from .sequence_tasks import adding_problem, binary_addition, embedded_reber
from .timing import Timer

#: Parameters shared by the lectures' sequence tasks.
fill_doc = filler({**FRAGMENTS, "rtrl_sequences": """\
n_train, n_test : int, default=2000, 500
    Training and test sequences.""", "rtrl_gradient": """\
gradient : {"rtrl", "uoro", "snap1"}, default="rtrl"
    Gradient of the RTRLRegressor."""})


def _model(n_hidden, learning_rate, epochs, gradient, seed, verbose, **kw):
    return RTRLRegressor(n_hidden, learning_rate=learning_rate, epochs=epochs, gradient=gradient,
                         random_state=seed, verbose=verbose, **kw)


@fill_doc
def run_adding(length=10, n_hidden=8, n_train=2000, n_test=500, epochs=30, learning_rate=1e-3,
               gradient="rtrl", seed=0, verbose=False):
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
    {verbose}

    {returns_dataset}
    """
    X, Y, W = adding_problem(n_train, length, random_state=seed)
    Xt, Yt, _ = adding_problem(n_test, length, random_state=seed + 1000)
    model = _model(n_hidden, learning_rate, epochs, gradient, seed, verbose, clip=1.0)
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
def run_binary_addition(n_bits=8, n_hidden=8, n_train=2000, n_test=500, epochs=5,
                        learning_rate=1e-2, gradient="rtrl", seed=0, verbose=False):
    """Binary addition, output delayed by one step, with an online RTRL network.

    An addition is right when every sum bit (output thresholded at 0.5) is.

    Parameters
    ----------
    n_bits : int, default=8
        Bits of each summand.
    n_hidden : int, default=8
        Recurrent units.
    {rtrl_sequences}
    epochs : int, default=5
        Passes over the training sequences.
    learning_rate : float, default=0.01
        Adam step size.
    {rtrl_gradient}
    {seed}
    {verbose}

    {returns_dataset}
    """
    X, Y, W, _ = binary_addition(n_train, n_bits, random_state=seed)
    Xt, Yt, _, pairs = binary_addition(n_test, n_bits, random_state=seed + 1000)
    model = _model(n_hidden, learning_rate, epochs, gradient, seed, verbose)
    with Timer() as fit_time:
        model.fit(X, Y, sample_weight=W)
    correct = np.array([np.array_equal(p[1:, 0] > 0.5, y[1:, 0] > 0.5)
                        for p, y in zip(model.predict(Xt), Yt)])
    ds = xr.Dataset({"correct": ("sequence", correct.astype(np.int8)),
                     "a": ("sequence", pairs[:, 0].astype(np.int32)),
                     "b": ("sequence", pairs[:, 1].astype(np.int32))},
                    coords={"sequence": np.arange(n_test)})
    return finish(ds, f"Binary addition, {n_bits} bits", "binary-addition", dict(
        accuracy=float(correct.mean()), n_bits=n_bits, n_hidden=n_hidden, n_train=n_train,
        n_test=n_test, epochs=epochs, learning_rate=learning_rate, gradient=gradient, seed=seed,
        fit_seconds=fit_time.seconds))


@fill_doc
def run_reber(n_hidden=12, n_train=2000, n_test=500, epochs=10, learning_rate=3e-3,
              gradient="rtrl", seed=0, verbose=False):
    """Embedded Reber grammar with an online RTRL network.

    A string is predicted correctly when, at every step, the outputs above 0.5 are exactly the
    symbols that may come next; the penultimate step (T or P, decided by the second symbol) is the
    long-term part and is reported on its own.

    Parameters
    ----------
    n_hidden : int, default=12
        Recurrent units.
    {rtrl_sequences}
    epochs : int, default=10
        Passes over the training sequences.
    learning_rate : float, default=0.003
        Adam step size.
    {rtrl_gradient}
    {seed}
    {verbose}

    {returns_dataset}
    """
    X, Y, _ = embedded_reber(n_train, random_state=seed)
    Xt, Yt, _ = embedded_reber(n_test, random_state=seed + 1000)
    model = _model(n_hidden, learning_rate, epochs, gradient, seed, verbose)
    with Timer() as fit_time:
        model.fit(X, Y)
    preds = model.predict(Xt)
    whole = np.array([np.array_equal(p > 0.5, y > 0.5) for p, y in zip(preds, Yt)])
    last = np.array([np.array_equal(p[-2] > 0.5, y[-2] > 0.5) for p, y in zip(preds, Yt)])
    ds = xr.Dataset({"string_correct": ("sequence", whole.astype(np.int8)),
                     "penultimate_correct": ("sequence", last.astype(np.int8))},
                    coords={"sequence": np.arange(n_test)})
    return finish(ds, "Embedded Reber grammar", "reber", dict(
        string_accuracy=float(whole.mean()), penultimate_accuracy=float(last.mean()),
        n_hidden=n_hidden, n_train=n_train, n_test=n_test, epochs=epochs,
        learning_rate=learning_rate, gradient=gradient, seed=seed,
        fit_seconds=fit_time.seconds))


@fill_doc
def run_chaotic(n_hidden=16, n_reservoir=100, n_train=3000, n_test=1000, washout=100, epochs=20,
                learning_rate=3e-4, seed=0, verbose=False):
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
    {verbose}

    {returns_dataset}
    """
    return compare_with_esn(
        _model(n_hidden, learning_rate, epochs, "rtrl", seed, verbose), "rtrl",
        "Mackey-Glass one-step forecasting: RTRL vs ESN", "rtrl-vs-esn",
        n_reservoir=n_reservoir, n_train=n_train, n_test=n_test, washout=washout, seed=seed,
        n_hidden=n_hidden, epochs=epochs, learning_rate=learning_rate)


@fill_doc
def summary_adding(ds):
    """Text report of :func:`run_adding`.

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


@fill_doc
def summary_binary_addition(ds):
    """Text report of :func:`run_binary_addition`.

    {summary}
    """
    a = ds.attrs
    return "\n".join([
        f"Binary addition, {a['n_bits']} bits: RTRL ({a['gradient']}) with {a['n_hidden']} units, "
        f"{a['epochs']} x {a['n_train']} training sequences",
        f"  additions exactly right on {a['n_test']} test pairs: {a['accuracy']:.1%}   "
        f"(fit {a['fit_seconds']:.1f} s)",
        "  published: Hinton's lecture network (3 hidden units) learns it perfectly"])


@fill_doc
def summary_reber(ds):
    """Text report of :func:`run_reber`.

    {summary}
    """
    a = ds.attrs
    return "\n".join([
        f"Embedded Reber grammar: RTRL ({a['gradient']}) with {a['n_hidden']} units, "
        f"{a['epochs']} x {a['n_train']} training strings",
        f"  strings predicted correctly: {a['string_accuracy']:.1%}; penultimate symbol: "
        f"{a['penultimate_accuracy']:.1%} (chance 50%)   (fit {a['fit_seconds']:.1f} s)",
        "  published: RTRL with 12 units succeeds in some fraction of runs after 25,000 strings; "
        "LSTM 97-100% (Hochreiter & Schmidhuber 1997)"])


@fill_doc
def summary_chaotic(ds):
    """Text report of :func:`run_chaotic`.

    {summary}
    """
    a = ds.attrs
    return one_step.summary(ds, "rtrl", f"RTRL, {a['n_hidden']} units, {a['epochs']} online epochs")
