"""The experiments as data: each protocol module declares its command-line entries, which the
command line (:mod:`experiments.cli`) loops over.

A protocol module holds ``PROTOCOLS``, a list of :class:`Protocol` records: the sub-command's
name and help, its ``run`` (keyword arguments in, an ``xarray.Dataset`` out), its ``summary``
(the Dataset in, the printed report out), its own options and, optionally, its figure. Every
sub-command also takes ``--seed``, ``--out``, ``--no-plot``, ``--quiet``, ``--n-train`` and
``--device`` (``--dtype`` where the protocol declares it). Adding a protocol is one new module
named in :data:`MODULES`, never an edit to the command line.
"""

import importlib
from dataclasses import dataclass, field
from typing import Callable, Optional

#: The protocol modules of ``experiments``, in the order of the command line's help.
MODULES = ("mackey_glass", "lorenz", "narma", "memory", "binary_addition", "reber",
           "one_step", "anbncn", "grid", "classify", "regress", "forecast", "ngrc", "long_lag")


@dataclass(frozen=True)
class Option:
    """A command-line option of one protocol.

    Parameters
    ----------
    flag : str
        The option, e.g. ``"--n-hidden"`` (a name without dashes is positional).
    kwargs : dict
        What ``argparse``'s ``add_argument`` takes besides the flag (type, choices, help, ...);
        the default is None, which leaves the ``run`` function's own default.
    key : str or None, default=None
        The keyword of ``run`` it sets (default: the flag's name with underscores).
    """

    flag: str
    kwargs: dict = field(default_factory=dict)
    key: Optional[str] = None

    @property
    def dest(self):
        """The attribute of the parsed arguments."""
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def keyword(self):
        """The keyword argument of ``run``."""
        return self.key or self.dest


@dataclass(frozen=True)
class Protocol:
    """One sub-command of ``numba-rnn``.

    Parameters
    ----------
    name : str
        The sub-command.
    help : str
        One line for the command line's help.
    run : callable
        ``run(**options) -> xarray.Dataset``; takes ``seed``, ``verbose``, ``device`` and the
        values of the given options.
    summary : callable
        ``summary(ds) -> str``, the report printed beside the published figures.
    options : tuple of Option, default=()
        The protocol's own options.
    plot : callable or None, default=None
        ``plot(ds, path) -> path or None``, the figure (a PNG at ``path``).
    dtype : bool, default=False
        Whether it takes ``--dtype`` (the ESN protocols).
    n_train : str, default="n_train"
        The keyword of ``run`` that ``--n-train`` sets.
    stem : callable or None, default=None
        ``stem(values) -> str``, the file name (no suffix) of the results from the parsed
        values; default ``<name>_<dtype>_seed<seed>``.
    """

    name: str
    help: str
    run: Callable
    summary: Callable
    options: tuple = ()
    plot: Optional[Callable] = None
    dtype: bool = False
    n_train: str = "n_train"
    stem: Optional[Callable] = None

    @property
    def doc(self):
        """The long description of the sub-command (``run``'s docstring)."""
        return self.run.__doc__

    def file_stem(self, values):
        """The results' file name without suffix.

        Parameters
        ----------
        values : dict
            The keyword arguments given to ``run``.

        Returns
        -------
        stem : str
            The name.
        """
        if self.stem is not None:
            return self.stem(values)
        return f"{self.name.replace('-', '_')}_{values.get('dtype', 'float64')}_seed" \
               f"{values['seed']}"


def protocols():
    """Every protocol of :data:`MODULES`, by sub-command name, in order.

    Returns
    -------
    protocols : dict of str to Protocol
        The registry the command line loops over.
    """
    registry = {}
    for name in MODULES:
        for protocol in importlib.import_module(f"experiments.{name}").PROTOCOLS:
            registry[protocol.name] = protocol
    return registry


def positive_int(text):
    """``argparse`` type: an integer >= 1.

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    value : int
        The integer.
    """
    import argparse

    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def unit_interval(text):
    """``argparse`` type: a number from 0 to 1, both included (a Box-Cox lambda).

    Parameters
    ----------
    text : str
        The option's value, e.g. ``0.5``.

    Returns
    -------
    lam : float
        The number, 0 and 1 allowed.
    """
    return _between_0_and_1(text, closed=True)


def fraction(text):
    """``argparse`` type: a number strictly between 0 and 1 (a coverage, a share).

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    value : float
        The number.
    """
    return _between_0_and_1(text, closed=False)


def _between_0_and_1(text, closed):
    """``text`` as a number in [0, 1] (``closed``) or (0, 1), else argparse's error."""
    import argparse

    value = float(text)
    if not (0 <= value <= 1 if closed else 0 < value < 1):
        bounds = "from 0 to 1" if closed else "between 0 and 1"
        raise argparse.ArgumentTypeError(f"must be a number {bounds}, got {text}")
    return value
