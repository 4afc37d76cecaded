"""Kalman-filtered LSTM on the lectures' context-sensitive language a^n b^n c^n (and a^n b^n).

Protocol (Gers & Schmidhuber 2001; Perez-Ortiz, Gers, Eck & Schmidhuber 2003): strings
S a^n b^n c^n T with n drawn uniformly from 1..10 are fed one symbol at a time, the network
predicting the set of possible next symbols (logistic outputs, threshold 0.5); a string is
accepted when every prediction is right. The network trains online (one ``partial_fit`` per
string, state reset between strings) for ``n_strings`` strings; the first point at which all
training strings n = 1..10 are accepted is recorded, and generalisation is the largest n such
that every string 1..n is accepted (tested up to ``max_n``).

The default network is the one that generalised furthest here (docs/results.md): the 1997 cell
(no forget gates, no peepholes), input gates starting closed, small initial weights in the
blocks, the full Jacobian, R annealed to 1e-9 and Q to 1e-5, 50,000 strings.
"""

import argparse
import os

import numpy as np
import xarray as xr

from lstm import KalmanLSTMClassifier
from lstm.estimator import TRAINERS
from reservoir.common.device import thread_map
from reservoir.common.progress import Progress

from .protocol import Option, Protocol, positive_int
from .results import finish
from .sequence_tasks import anbncn, anbncn_symbols
from .timing import Timer
from .training import fill_doc

PUBLISHED = {"Perez-Ortiz et al. 2003 (LSTM + DEKF), best": "n = 22,000,000",
             "Gers et al. 2002 (LSTM + DEKF)": "1000 and more"}


def accepted(model, n, language):
    """Whether ``model`` predicts every next-symbol set of the string of length n right.

    Parameters
    ----------
    model : KalmanLSTMClassifier
        A network trained on the next-symbol sets (indicator targets).
    n : int
        The string's n.
    language : {"anbncn", "anbn"}
        Which language.

    Returns
    -------
    accepted : bool
        True when every output thresholded at 0.5 equals the target set.
    """
    return model.first_error(*anbncn_symbols(n, language=language)) < 0


def generalisation(model, language, max_n, n_jobs=None):
    """Largest n <= max_n with every string 1..n accepted (0 if n = 1 fails).

    The strings are tested in batches of a few per core, in order of n, on ``n_jobs`` threads,
    and the test stops at the first batch with a rejected string (testing every string 1..N
    runs about 1.5 N^2 steps).

    Parameters
    ----------
    model : KalmanLSTMClassifier
        A network trained on the next-symbol sets.
    language : {"anbncn", "anbn"}
        Which language.
    max_n : int
        Where the test stops.
    n_jobs : int or None, default=None
        Threads (None: all cores; negative: all but ``-n_jobs - 1``).

    Returns
    -------
    n : int
        The generalisation.
    """
    batch = 4 * (os.cpu_count() or 1)
    n = 0
    while n < max_n:
        ns = range(n + 1, min(n + batch, max_n) + 1)
        ok = thread_map(lambda k: accepted(model, k, language), ns, n_jobs)
        if not all(ok):
            return ns[ok.index(False)] - 1
        n = ns[-1]
    return n


@fill_doc
def run(n_seeds=3, n_strings=50000, n_blocks=2, n_cells=1, trainer="dekf", language="anbncn",
        max_n=100000, check_every=100, forget_gate=False, peepholes=False, jacobian="full",
        input_gate_bias=-1.5, init_scale=1e-3, r_end=1e-9, q_end=1e-5, seed=0, device="cpu",
        verbose=False):
    """Train one DEKF-LSTM per seed on a^n b^n c^n (n <= 10) and test its generalisation.

    Parameters
    ----------
    n_seeds : int, default=3
        Number of networks, one per seed.
    n_strings : int, default=50000
        Training strings per network (under a minute with the full Jacobian).
    n_blocks, n_cells : int, default=2, 1
        Network size.
    trainer : {"dekf", "ndekf", "ekf", "sgd"}, default="dekf"
        Trainer of the KalmanLSTMClassifier.
    language : {"anbncn", "anbn"}, default="anbncn"
        Which language.
    max_n : int, default=100000
        Largest n tested for generalisation.
    check_every : int, default=100
        Strings between tests of the training set n = 1..10.
    forget_gate, peepholes : bool, default=False
        Of the KalmanLSTMClassifier (with both, the LSTM of Gers et al. 2002, which generalised
        to n = 12-36 here).
    jacobian : {"truncated", "full"}, default="full"
        Of the KalmanLSTMClassifier.
    input_gate_bias : float, default=-1.5
        Of the KalmanLSTMClassifier (its default is -0.5).
    init_scale : float, default=1e-3
        Of the KalmanLSTMClassifier (its default is 0.1).
    r_end : float, default=1e-9
        The filter's measurement noise R is annealed from 100 to this.
    q_end : float, default=1e-5
        The filter's process noise Q is annealed from 1e-2 to this.
    {first_seed}
    {device}
    {verbose}

    Returns
    -------
    ds : xarray.Dataset
        Over ``seed``: ``learned_after`` (strings until all n <= 10 were accepted, -1 if never),
        ``generalisation`` and ``train_seconds``.
    """
    learned, gen, seconds = [], [], []
    with Progress(n_seeds * n_strings, "strings", enabled=verbose, unit="") as bar:
        for s in range(seed, seed + n_seeds):
            rng = np.random.default_rng(s)
            model = KalmanLSTMClassifier(n_blocks, n_cells, trainer=trainer, p0=100.0,
                                         q=(1e-2, q_end), r=(100.0, r_end),
                                         anneal_steps=15 * n_strings, learning_rate=0.1,
                                         forget_gate=forget_gate, peepholes=peepholes,
                                         jacobian=jacobian, input_gate_bias=input_gate_bias,
                                         init_scale=init_scale, device=device,
                                         random_state=s)
            first = -1
            with Timer() as timer:
                for i in range(1, n_strings + 1):
                    X, Y = anbncn(int(rng.integers(1, 11)), language=language)
                    model.partial_fit(X, Y)
                    if first < 0 and i % check_every == 0 and all(
                            accepted(model, n, language) for n in range(1, 11)):
                        first = i
                    bar.update()
            learned.append(first)
            gen.append(generalisation(model, language, max_n))
            seconds.append(timer.seconds)
    gen = np.array(gen)
    ds = xr.Dataset({"learned_after": ("seed", np.array(learned, dtype=np.int32),
                                       {"long_name": "strings until n <= 10 were all accepted"}),
                     "generalisation": ("seed", gen.astype(np.int32),
                                        {"long_name": "largest n with all of 1..n accepted"}),
                     "train_seconds": ("seed", np.array(seconds), {"units": "s"})},
                    coords={"seed": np.arange(seed, seed + n_seeds)})
    return finish(ds, f"{language} with a Kalman-trained LSTM", "anbncn", dict(
        median_generalisation=float(np.median(gen)), best_generalisation=int(gen.max()),
        language=language, n_seeds=n_seeds, n_strings=n_strings, n_blocks=n_blocks,
        n_cells=n_cells, trainer=trainer, max_n=max_n, forget_gate=int(forget_gate),
        peepholes=int(peepholes), jacobian=jacobian, input_gate_bias=input_gate_bias,
        init_scale=init_scale, r_end=r_end, q_end=q_end, seed=seed))


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    learned = ds["learned_after"].values
    lines = [f"{a['language']}: LSTM ({a['n_blocks']} blocks x {a['n_cells']} cells, "
             f"{a['trainer']}), {a['n_strings']} training strings (n <= 10), {a['n_seeds']} seeds",
             "  training set learned after: "
             f"{', '.join(str(v) if v >= 0 else 'never' for v in learned)}"
             " strings",
             f"  generalisation: median n = {a['median_generalisation']:.0f}, best n = "
             f"{a['best_generalisation']} (tested up to {a['max_n']})"]
    lines += [f"  published: {k}: {v}" for k, v in PUBLISHED.items()]
    return "\n".join(lines)


PROTOCOLS = [Protocol(
    "anbncn", "Kalman-trained LSTM on a^n b^n c^n: generalisation", run, summary,
    n_train="n_strings", options=(
        Option("--seeds", dict(type=positive_int, help="networks trained"), key="n_seeds"),
        Option("--trainer", dict(choices=TRAINERS)),
        Option("--language", dict(choices=["anbncn", "anbn"])),
        Option("--max-n", dict(type=positive_int, help="largest n of the generalisation test")),
        Option("--forget-gate", dict(action=argparse.BooleanOptionalAction,
                                     help="LSTM with forget gates (default: without)")),
        Option("--peepholes", dict(action=argparse.BooleanOptionalAction,
                                   help="LSTM with peephole connections (default: without)")),
        Option("--jacobian", dict(choices=["truncated", "full"])),
        Option("--input-gate-bias", dict(type=float, help="initial input gate bias of block j "
                                                          "is this times j + 1")),
        Option("--init-scale", dict(type=float, help="initial weights of the blocks are "
                                                     "uniform in +-this")),
        Option("--r-end", dict(type=float, help="the filter's measurement noise is annealed "
                                                "from 100 to this")),
        Option("--q-end", dict(type=float, help="the filter's process noise is annealed from "
                                                "1e-2 to this"))))]
