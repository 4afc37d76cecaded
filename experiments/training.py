"""The RTRL network of the lectures' sequence tasks, and the docstring fragments of their
protocols."""

from reservoir.common.docstrings import filler
from rtrl import RTRLRegressor

from ._docstrings import FRAGMENTS

#: Parameters shared by the lectures' sequence tasks with RTRL.
fill_doc = filler({**FRAGMENTS, "rtrl_sequences": """\
n_train, n_test : int, default=2000, 500
    Training and test sequences.""", "rtrl_gradient": """\
gradient : {"rtrl", "uoro", "snap1"}, default="rtrl"
    Gradient of the RTRLRegressor.""", "device": """\
device : {"cpu", "parallel", "cuda", "auto"}, default="cpu"
    ``device`` of the network (see docs/devices.md)."""})


def rtrl_model(n_hidden, learning_rate, epochs, gradient, seed, verbose, device="cpu", **kw):
    """The RTRLRegressor of the lectures' tasks (Adam, weights from ``seed``).

    Parameters
    ----------
    n_hidden : int
        Recurrent units.
    learning_rate : float
        Adam step size.
    epochs : int
        Passes over the training sequences.
    gradient : {"rtrl", "uoro", "snap1"}
        Exact sensitivities or an approximation.
    seed : int
        Seed of the weights.
    verbose : bool
        Progress bar.
    device : str, default="cpu"
        Its device.
    **kw
        Further RTRLRegressor parameters.

    Returns
    -------
    model : RTRLRegressor
        The unfitted network.
    """
    return RTRLRegressor(n_hidden, learning_rate=learning_rate, epochs=epochs, gradient=gradient,
                         device=device, random_state=seed, verbose=verbose, **kw)
