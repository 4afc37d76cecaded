"""Binary addition, the output delayed by one step, with an online RTRL network."""

import numpy as np
import xarray as xr

from .protocol import Option, Protocol, positive_int
from .results import finish
from .sequence_tasks import binary_addition
from .timing import Timer
from .training import fill_doc, rtrl_model


@fill_doc
def run(n_bits=8, n_hidden=8, n_train=2000, n_test=500, epochs=5,
        learning_rate=1e-2, gradient="rtrl", seed=0, device="cpu", verbose=False):
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
    {device}
    {verbose}

    {returns_dataset}
    """
    X, Y, W, _ = binary_addition(n_train, n_bits, random_state=seed)
    Xt, Yt, _, pairs = binary_addition(n_test, n_bits, random_state=seed + 1000)
    model = rtrl_model(n_hidden, learning_rate, epochs, gradient, seed, verbose, device)
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
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    return "\n".join([
        f"Binary addition, {a['n_bits']} bits: RTRL ({a['gradient']}) with {a['n_hidden']} units, "
        f"{a['epochs']} x {a['n_train']} training sequences",
        f"  additions exactly right on {a['n_test']} test pairs: {a['accuracy']:.1%}   "
        f"(fit {a['fit_seconds']:.1f} s)",
        "  published: Hinton's lecture network (3 hidden units) learns it perfectly"])


PROTOCOLS = [Protocol("binary-addition", "RTRL on binary addition", run, summary, options=(
    Option("--n-hidden", dict(type=positive_int, help="recurrent units")),
    Option("--epochs", dict(type=positive_int, help="passes over the training sequences")),
    Option("--gradient", dict(choices=["rtrl", "uoro", "snap1"]))))]
