"""The long-time-lag problems of Hochreiter & Schmidhuber (1997) with LSTM, RTRL, an ESN and
random weight guessing side by side: the adding problem, noisy temporal order and parity.

Every model but the guesser learns online from a stream of fresh sequences, in chunks of
``chunk`` sequences: before training on a chunk, the model predicts it, and training stops once
every sequence of a chunk is right (the paper's "2000 most recent sequences processed
correctly"); the ESN refits its readout on the first 1, 2, 4, ... chunks instead. The guesser
draws networks until one solves a training set of 100 sequences. Every model is then scored on
``n_test`` fresh test sequences.
"""

import threading
import time
import warnings

import numpy as np
import xarray as xr
from sklearn.exceptions import ConvergenceWarning

from lstm import KalmanLSTMRegressor
from reservoir import ESNClassifier, ESNRegressor
from reservoir.common.device import thread_map
from reservoir.common.docstrings import filler
from reservoir.common.progress import Progress
from rtrl import GuessingRNNRegressor, RTRLRegressor

from ._docstrings import FRAGMENTS
from .protocol import Option, Protocol, positive_int
from .results import finish
from .sequence_tasks import adding_problem, parity, temporal_order
from .training import fill_doc

MODELS = ("lstm", "rtrl", "esn", "guess")
#: Training set of the guesser (sequences).
GUESS_SET = 100


class Task:
    """One long-lag problem: its stream of sequences, its criterion and the network sizes.

    Parameters
    ----------
    name : str
        The task's title.
    draw : callable
        ``draw(n, random_state) -> (X, Y, W)`` lists of sequences, targets, step weights.
    tolerance : float
        A sequence is right when every output at its last step is within this of its target.
    n_blocks : int
        Memory blocks of the LSTM (2 cells each).
    esn_leak : float
        Leak rate of the ESN (set by hand on a training run: a slow leak is a long memory).
    published : str
        The published figures, for the report.
    draw_test : callable or None, default=None
        The test sequences' ``draw`` (default: ``draw``).
    guess_tolerance : float or None, default=None
        The guesser's ``tolerance`` on its training set (default: ``tolerance``).
    classes : bool, default=False
        Whether the targets are classes (the last step's one-hot vector, or 0/1): the ESN is
        then an ESNClassifier, right when it predicts the class.
    anneal_steps : int, default=20000
        Updates over which the LSTM's filter noise is annealed (``anneal_steps`` of
        :class:`lstm.KalmanLSTMRegressor`).
    """

    def __init__(self, name, draw, tolerance, n_blocks, esn_leak, published, draw_test=None,
                 guess_tolerance=None, classes=False, anneal_steps=20000):
        self.name, self.draw, self.tolerance = name, draw, tolerance
        self.n_blocks, self.esn_leak, self.published = n_blocks, esn_leak, published
        self.draw_test = draw_test or draw
        self.guess_tolerance = guess_tolerance or tolerance
        self.classes, self.anneal_steps = classes, anneal_steps

    @staticmethod
    def labels(Y):
        """The class of each sequence: its last target's largest entry, or the 0/1 target of a
        single output.

        Parameters
        ----------
        Y : list of ndarray of shape (n_steps, n_outputs)
            Targets of the sequences.

        Returns
        -------
        labels : ndarray of shape (n_sequences,), int
            The classes.
        """
        return np.array([int(y[-1].argmax()) if y.shape[1] > 1 else int(y[-1, 0] > 0.5)
                         for y in Y])

    def right(self, model, X, Y):
        """Whether ``model`` gets each sequence right: its class, for a classifier; else every
        output at the last step within the tolerance.

        Parameters
        ----------
        model : estimator
            A fitted model of :func:`run_task`.
        X, Y : list of ndarray
            Sequences and their targets.

        Returns
        -------
        right : ndarray of shape (n_sequences,), bool
            Each sequence's verdict.
        """
        if isinstance(model, ESNClassifier):
            return model.predict(X) == self.labels(Y)
        return np.array([np.all(np.abs(np.reshape(p[-1], -1) - y[-1]) < self.tolerance)
                         for p, y in zip(model.predict(X), Y)])


def _model(name, task, seed, device):
    """The network of ``name`` for ``task``: the 1997 LSTM (no forget gate, no peepholes,
    centred logistic squashing, input gates starting at -3, -6, ...) trained by the decoupled
    EKF; RTRL with 8 units; a 200-unit ESN (an ESNClassifier of the last and mean states for
    classes, else a ridge readout of the last step); the guesser (A1, one hidden unit)."""
    if name == "lstm":
        return KalmanLSTMRegressor(task.n_blocks, 2, forget_gate=False, peepholes=False,
                                   jacobian="truncated", cell_squashing="logistic",
                                   input_gate_bias=-3.0,
                                   anneal_steps=task.anneal_steps, device=device,
                                   random_state=seed)
    if name == "rtrl":
        return RTRLRegressor(8, learning_rate=1e-3, reset_state=True, clip=1.0, device=device,
                             random_state=seed)
    if name == "esn" and task.classes:
        return ESNClassifier(200, representation="last_mean", leak_rate=task.esn_leak,
                             device=device, random_state=seed)
    if name == "esn":
        return ESNRegressor(200, washout=0, leak_rate=task.esn_leak, ridge=1e-6, device=device,
                            random_state=seed)
    return GuessingRNNRegressor(1, tolerance=task.guess_tolerance, device="parallel",
                                random_state=seed)


def _train(name, model, task, seed, max_sequences, max_draws, chunk, bar, stop):
    """Train ``model`` on the task's stream; returns (sequences until solved or -1, draws of
    the guesser or -1). Raises KeyboardInterrupt once the Event ``stop`` is set (checked
    between sequences)."""
    stream = np.random.RandomState(seed)
    if name == "guess":
        X, Y, W = task.draw(GUESS_SET, stream)
        with warnings.catch_warnings():  # no draw solving it is a result here, reported
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.set_params(max_trials=max_draws).fit(X, Y, sample_weight=W)
        bar.update(max_sequences)
        return (GUESS_SET, model.n_trials_) if model.solved_ else (-1, max_draws)
    seen, pool = 0, ([], [], [])
    while seen < max_sequences:
        X, Y, W = task.draw(min(chunk, max_sequences - seen), stream)
        if seen and task.right(model, X, Y).all():
            bar.update(max_sequences - seen)
            return seen, -1
        if name == "esn":  # refit on the first 1, 2, 4, ... chunks
            for part, new in zip(pool, (X, Y, W)):
                part.extend(new)
            k = -(-len(pool[0]) // chunk)
            if k & (k - 1) == 0 or len(pool[0]) >= max_sequences:
                if task.classes:
                    model.fit(pool[0], task.labels(pool[1]))
                else:
                    model.fit(*pool[:2], sample_weight=pool[2])
        else:
            for x, y, w in zip(X, Y, W):
                if stop.is_set():
                    raise KeyboardInterrupt
                model.partial_fit(x, y, sample_weight=w)
        seen += len(X)
        bar.update(len(X))
    return -1, -1


def run_task(task, models=MODELS, n_seeds=10, max_sequences=100000, max_draws=100000,
             chunk=2000, n_test=2560, seed=0, device="cpu", n_jobs=1, verbose=False):
    """Every model on ``task`` for ``n_seeds`` seeds (see the module's docstring).

    Parameters
    ----------
    task : Task
        The problem.
    models : tuple of str, default=MODELS
        Which of "lstm", "rtrl", "esn", "guess".
    n_seeds, max_sequences, max_draws, chunk, n_test, seed, device, n_jobs, verbose
        As in :func:`run_adding`.

    Returns
    -------
    ds : xarray.Dataset
        Over ``model`` and ``seed``: ``sequences`` (training sequences until solved, -1:
        never), ``test_right`` (of ``n_test``), ``seconds``, ``trials`` (draws of the guesser).
    """
    if n_jobs == 0:
        raise ValueError("n_jobs=0 would train no seed: pass a number of threads >= 1, -1 for "
                         "all cores or None.")
    if n_jobs != 1 and device != "cpu":
        raise ValueError(f"n_jobs={n_jobs} trains seeds side by side, each on one core: use it "
                         f"with device='cpu' (or n_jobs=1 with device={device!r}).")
    shape = (len(models), n_seeds)
    sequences, trials = np.full(shape, -1, np.int64), np.full(shape, -1, np.int64)
    right, seconds = np.zeros(shape, np.int64), np.zeros(shape)
    X_test, Y_test, _ = task.draw_test(n_test, np.random.RandomState(10**6 + seed))
    stop = threading.Event()

    def one(name, s):
        model = _model(name, task, s, device)
        start = time.perf_counter()
        used, draws = _train(name, model, task, s, max_sequences, max_draws, chunk, bar, stop)
        spent = time.perf_counter() - start
        return used, draws, spent, int(task.right(model, X_test, Y_test).sum())

    with Progress(len(models) * n_seeds * max_sequences, task.name, enabled=verbose,
                  unit="") as bar:
        for a, name in enumerate(models):
            jobs = 1 if name == "guess" else n_jobs  # the guesser runs on all cores itself
            try:
                runs = thread_map(lambda s: one(name, s), range(seed, seed + n_seeds), jobs)
            except KeyboardInterrupt:
                stop.set()  # the other seeds' threads stop at their next sequence
                raise
            for b, (used, draws, spent, ok) in enumerate(runs):
                sequences[a, b], trials[a, b], seconds[a, b], right[a, b] = used, draws, spent, ok
    dims = ("model", "seed")
    return xr.Dataset({
        "sequences": (dims, sequences, {"long_name": "training sequences until a chunk was all "
                                                     "right before training on it (-1: never)"}),
        "test_right": (dims, right, {"long_name": f"test sequences right (of {n_test})"}),
        "seconds": (dims, seconds, {"long_name": "training time", "units": "s"}),
        "trials": (dims, trials, {"long_name": "networks drawn by the guesser (until one "
                                                 "solved its training set, or all it may draw)"})},
        coords={"model": list(models), "seed": np.arange(seed, seed + n_seeds)})


def _run(task, title, command, options, **attrs):
    """:func:`run_task` with a protocol's ``options`` (its keyword arguments), then the
    Dataset's attributes: the task's, the options' and ``attrs``."""
    keys = ("n_seeds", "max_sequences", "max_draws", "chunk", "n_test", "seed")
    models = MODELS if options["model"] == "all" else (options["model"],)
    ds = run_task(task, models, device=options["device"], n_jobs=options["n_jobs"],
                  verbose=options["verbose"], **{k: options[k] for k in keys})
    return finish(ds, title, command, dict(task=task.name, tolerance=task.tolerance,
                                           published=task.published,
                                           **{k: options[k] for k in keys}, **attrs))


_FRAGMENT = """\
model : {"lstm", "rtrl", "esn", "guess", "all"}, default="all"
    The DEKF-trained 1997 LSTM (2 cells per block), RTRL (8 units), an ESN (200 units: an
    ESNClassifier of the last and mean states where the targets are classes, else a ridge
    readout of the last step) or random weight guessing (architecture A1, one hidden unit),
    or all four side by side.
n_seeds : int, default=10
    Networks per model, one per seed.
max_sequences : int, default=100000
    Training sequences before giving up.
max_draws : int, default=100000
    Networks the guesser draws before giving up.
chunk : int, default=2000
    Sequences predicted before each training step of the stream.
n_test : int, default=2560
    Test sequences.
seed : int, default=0
    First seed (of data and networks).
device : {"cpu", "parallel", "cuda", "auto"}, default="cpu"
    ``device`` of the LSTM, RTRL and ESN.
n_jobs : int or None, default=1
    Seeds of the LSTM, RTRL and ESN trained side by side on this many threads (None: all
    cores; negative: all but ``-n_jobs - 1``), each on one core (``device="cpu"`` only);
    their results do not depend on it. The guesser's seeds run in turn, each on all cores.
verbose : bool, default=False
    Progress bar."""
fill = filler({**FRAGMENTS, "long_lag": _FRAGMENT})


@fill
def run_adding(model="all", length=100, n_seeds=10, max_sequences=100000,
               max_draws=100000, chunk=2000, n_test=2560, seed=0, device="cpu",
               n_jobs=1, verbose=False):
    """The adding problem (Hochreiter & Schmidhuber 1997, experiment 4) by every model.

    A sequence is right when the absolute error of its final output is below 0.04. The ESN's
    leak rate is 2 / T (a memory of about the sequence's length).

    Parameters
    ----------
    length : int, default=100
        Steps per sequence T.
    {long_lag}

    {returns_dataset}
    """
    task = Task(f"adding, T={length}", lambda n, rs: adding_problem(n, length, random_state=rs),
                0.04, 2, 2.0 / length, "LSTM: 2559/2560 right after 74,000 sequences at "
                "T=100, 853,000 at T=1000 (Hochreiter & Schmidhuber 1997)")
    return _run(task, f"Adding problem, T={length}", "adding", locals(), length=length)


@fill
def run_temporal_order(model="all", events=2, n_seeds=10, max_sequences=100000,
                       max_draws=100000, chunk=2000, n_test=2560, seed=0, device="cpu",
                       n_jobs=1, verbose=False):
    """Noisy temporal order (Hochreiter & Schmidhuber 1997, experiments 6a and 6b).

    A sequence is right when every output at its end is within 0.3 of its one-hot class (for
    the ESN, a classifier: when it predicts the class). The ESN's leak rate is 0.1.

    Parameters
    ----------
    events : {2, 3}, default=2
        Relevant symbols X/Y: 4 classes (6a) or 8 (6b: an LSTM of 4 blocks, its filter
        noise annealed over 100,000 updates instead of 20,000).
    {long_lag}

    {returns_dataset}
    """
    published = ("LSTM: 2559/2560 right after 31,390 sequences" if events == 2 else
                 "LSTM: 2558/2560 right after 571,100 sequences")
    task = Task(f"temporal order, {events} events",
                lambda n, rs: temporal_order(n, events, random_state=rs)[:3], 0.3,
                2 if events == 2 else 4, 0.1, published + " (Hochreiter & Schmidhuber 1997)",
                classes=True, anneal_steps=20000 if events == 2 else 100000)
    return _run(task, f"Noisy temporal order, {events} events", "temporal-order", locals(),
                events=events)


@fill
def run_parity(model="all", n_bits=(25, 50), n_seeds=10, max_sequences=100000,
               max_draws=100000, chunk=2000, n_test=2560, seed=0, device="cpu",
               n_jobs=1, verbose=False):
    """Parity of strings of -1/+1 (Bengio et al. 1994), test strings of 1 to 1000 bits.

    Training strings have ``n_bits`` bits; a test string is right when its final output is
    within 0.5 of its parity (the ESN, a classifier: when it predicts it); a guessed net is
    kept only when it is within 0.1 on every training string.

    Parameters
    ----------
    n_bits : (int, int), default=(25, 50)
        Shortest and longest training strings.
    {long_lag}

    {returns_dataset}
    """
    task = Task(f"parity, {n_bits[0]}-{n_bits[1]} bits",
                lambda n, rs: parity(n, tuple(n_bits), random_state=rs), 0.5, 2, 0.5,
                "random guessing (A1, one hidden unit) solves it within 2906 trials on average "
                "(Schmidhuber & Hochreiter 1996)",
                draw_test=lambda n, rs: parity(n, (1, 1000), random_state=rs),
                guess_tolerance=0.1, classes=True)
    return _run(task, "Parity", "parity", locals(), n_bits=str(tuple(n_bits)),
                test_bits="1-1000")


@fill_doc
def summary(ds):
    """Text report of the long-lag experiments.

    {summary}
    """
    a = ds.attrs
    lines = [f"{a['title']}: {a['n_seeds']} seeds, at most {a['max_sequences']} training "
             f"sequences, {a['n_test']} test sequences"]
    for name in ds.model.values:
        d = ds.sel(model=name)
        solved = d["sequences"].values >= 0
        used = d["trials"].values if name == "guess" else d["sequences"].values
        mean = f"{used[solved].mean():,.0f}" if solved.any() else "-"
        what = "draws" if name == "guess" else "sequences"
        lines.append(f"  {name:5s} solved {solved.sum()}/{solved.size}, mean {what} to solve "
                     f"{mean}, test right {int(d['test_right'].min())}-"
                     f"{int(d['test_right'].max())} of {a['n_test']}, "
                     f"{d['seconds'].mean().item():.1f} s a seed")
    lines.append(f"  published: {a['published']}")
    return "\n".join(lines)


def _stem(name, values):
    """Results file name: the task, its size, the model and the seed."""
    size = values.get("length", values.get("events", ""))
    return f"{name}{size}_{values.get('model', 'all')}_seed{values['seed']}"


_COMMON = (
    Option("--model", dict(choices=MODELS + ("all",), help="which model (default: all)")),
    Option("--seeds", dict(type=positive_int, help="networks per model (default: 10)"),
           key="n_seeds"),
    Option("--chunk", dict(type=positive_int, help="sequences between checks (default: 2000)")),
    Option("--max-draws", dict(type=positive_int, help="networks the guesser draws at most "
                                                       "(default: 100000)")),
    Option("--n-test", dict(type=positive_int, help="test sequences (default: 2560)")),
    Option("--jobs", dict(type=int, help="seeds trained side by side on this many threads "
                                         "(default: 1; -1: all cores)"), key="n_jobs"))

PROTOCOLS = [
    Protocol("adding", "the adding problem: LSTM, RTRL, ESN and guessing", run_adding, summary,
             n_train="max_sequences", stem=lambda v: _stem("adding", v), options=_COMMON + (
                 Option("--length", dict(type=positive_int, help="sequence length T")),)),
    Protocol("temporal-order", "noisy temporal order: LSTM, RTRL, ESN and guessing",
             run_temporal_order, summary, n_train="max_sequences",
             stem=lambda v: _stem("temporal_order", v), options=_COMMON + (
                 Option("--events", dict(type=int, choices=[2, 3],
                                         help="relevant symbols (default: 2)")),)),
    Protocol("parity", "parity: random weight guessing beside LSTM, RTRL and ESN", run_parity,
             summary, n_train="max_sequences", stem=lambda v: _stem("parity", v),
             options=_COMMON),
]
