"""KalmanLSTMRegressor: an LSTM trained online by (decoupled) extended Kalman filtering, and the
network and filter mechanics it shares with KalmanLSTMClassifier."""

from numbers import Real

import numba
import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from reservoir.common.device import DEVICES, resolve
from reservoir.common.docstrings import filler
from reservoir.common.interrupt import run_in_slices
from reservoir.common.memory import check_fits
from reservoir.common.progress import Progress
from reservoir.common.scaling import training_sequences
from reservoir.common.scoring import SequenceR2Mixin
from reservoir.common.validation import (
    COUNT,
    FINITE,
    N_JOBS,
    NON_NEGATIVE,
    NON_NEGATIVE_INT,
    POSITIVE,
    as_given,
    check_step_weights,
    record_built,
    require_y,
    start_partial_fit,
)

from . import filters, kernels, network

TRAINERS = ("dekf", "ndekf", "ekf", "sgd")
JACOBIANS = ("truncated", "full")
SQUASHINGS = {"tanh": network.TANH, "identity": network.IDENTITY, "logistic": network.LOGISTIC}
#: Parameters that shape the network and its filter, or only draw them: fixed once it is built.
FIXED = ("n_blocks", "n_cells", "peepholes", "forget_gate", "shortcut", "trainer",
         "input_gate_bias", "forget_gate_bias", "init_scale", "p0", "standardize",
         "random_state")
#: Filter updates of the noise schedule of ``anneal_steps="auto"`` from a first ``partial_fit``
#: (a stream's length is not known).
STREAM_ANNEAL = 20000
#: Multiply-adds of a filter update (outputs x sum of squared group sizes) from which its groups
#: run on threads.
PARALLEL_FILTER_WORK = 1e5

FRAGMENTS = {"lstm_network": """\
n_blocks : int, default=2
    Number of memory blocks.
n_cells : int, default=1
    Cells per block.
peepholes : bool, default=True
    Peephole connections from the cell states into the gates.
forget_gate : bool, default=True
    Forget gates (``peepholes=False, forget_gate=False`` is the 1997 LSTM).
shortcut : bool, default=False
    Direct input-to-output connections.
cell_squashing : {"tanh", "identity", "logistic"}, default="tanh"
    Cell input and output squashing g and h: tanh; the identity (Gers & Schmidhuber 2001 count
    with it on a^n b^n c^n); or the centred logistics of the 1997 LSTM, g = 4 sigma - 2 in
    (-2, 2) and h = 2 sigma - 1 in (-1, 1).
input_gate_bias : float, default=-0.5
    Initial bias of block j's input gate: ``input_gate_bias * (j + 1)`` (gates start closed,
    staggered; more negative values keep the cells unwritten until training opens them).
forget_gate_bias : float, default=1.0
    Initial bias of block j's forget gate: ``forget_gate_bias + 0.5 j`` (open: the default
    keeps about 0.73 of the cell state a step). A label that depends on inputs many steps
    before it (one label per sequence, at its last step) needs a longer memory from the start:
    3 keeps 0.95 a step, 5 keeps 0.993. No effect with ``forget_gate=False``.
init_scale : float, default=0.1
    The memory blocks' weights (gates and cell inputs; the gate biases are set as above) start
    uniform in [-init_scale, init_scale]; the output layer's in [-0.1, 0.1].""",
    "lstm_training": """\
trainer : {"dekf", "ndekf", "ekf", "sgd"}, default="dekf"
    Extended Kalman filter decoupled by block (one weight group per memory block and per
    output unit) or by node (one group per gate, cell input and output unit, a gate's peephole
    weights a group of their own), global (one group), or gradient descent with momentum.
jacobian : {"truncated", "full"}, default="full"
    Derivatives through the cell states only (LSTM's original rule, as the papers trained
    it), or exact RTRL through every recurrent path. The full rule learns what needs the
    block outputs' own recurrence: ``KalmanLSTMRegressor()`` recalls the input 3 steps back
    with test R^2 0.93 against 0.21 truncated (median of 5 draws, benchmarks/defaults.py), in
    about the same time; the full rule's cost grows faster with the network (a fit takes 1.4x
    the truncated one's time at 4 blocks, 2.4x at 8, 4.2x at 16).
p0 : float, default=100.0
    Initial diagonal of the filter's error covariance P.
q : float or (float, float), default=(1e-2, 1e-6)
    Process noise, or a (start, end) pair annealed geometrically over ``anneal_steps``.
r : float or (float, float), default=(100.0, 1.0)
    Measurement noise, or a (start, end) pair annealed likewise.
anneal_steps : int or "auto", default=20000
    Filter updates over which ``q`` and ``r`` go from start to end; "auto": half of the
    updates of ``fit`` (epochs x steps of weight > 0), or 20000 from a first ``partial_fit``.
learning_rate : float, default=0.1
    Step size of ``trainer="sgd"``.
momentum : float, default=0.9
    Momentum of ``trainer="sgd"``.
epochs : int, default=10
    Passes over the training sequences in ``fit``.
reset_state : bool, default=True
    Start every sequence of ``fit``, and every ``partial_fit`` call, from a zero state (else
    the state carries over, a stream).
standardize : bool, default=False
    Standardise every input feature by its mean and standard deviation over the training steps
    (of all sequences; of the first piece for ``partial_fit`` from scratch), so that inputs of
    any scale suit the initial weights.
device : {"cpu", "parallel", "cuda", "auto"}, default="cpu"
    As in every family (docs/devices.md): the CPU kernels on one thread, or on ``n_jobs``
    threads (the decoupled filter runs its groups on them from 8 blocks of one cell), or
    "cuda", which keeps the Jacobian, the output Jacobian and the filter's covariances on an
    NVIDIA GPU (the ``cuda`` extra), one thread per weight, the forward step on the host (it
    pays for large networks, where the O(sum of squared group sizes) covariance update
    dominates), or "auto" (cuda when a GPU is usable, else parallel).
n_jobs : int or None, default=None
    Threads of ``device="parallel"`` (None: all cores).
random_state : int, RandomState instance or None, default=None
    Seed of the initial weights.
verbose : bool, default=False
    Progress bar on stderr while fitting."""}
fill_doc = filler(FRAGMENTS)


class FilterDivergenceError(ArithmeticError):
    """The filter lost positive definiteness or produced non-finite weights."""


def _schedule(estimator, name, positive=False):
    """The noise level ``name`` of ``estimator``, or its (start, end) pair, as (start, end)
    floats."""
    value = getattr(estimator, name)
    pair = tuple(value) if np.ndim(value) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, Real) and not isinstance(v, bool)
                                 and np.isfinite(v) and (v > 0 if positive else v >= 0)
                                 for v in pair):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"The {name!r} parameter of {type(estimator).__name__} must be a finite "
                         f"number {bound} or a (start, end) pair of them. Got {value!r} instead.")
    return float(pair[0]), float(pair[1])


#: Declared parameters of the Kalman LSTM estimators (scikit-learn's ``_parameter_constraints``);
#: ``q`` and ``r`` as pairs are checked by :func:`_schedule`.
CONSTRAINTS = {
    "n_blocks": COUNT, "n_cells": COUNT, "peepholes": ["boolean"], "forget_gate": ["boolean"],
    "shortcut": ["boolean"], "cell_squashing": [StrOptions(set(SQUASHINGS))],
    "input_gate_bias": FINITE, "forget_gate_bias": FINITE,
    "init_scale": NON_NEGATIVE, "trainer": [StrOptions(set(TRAINERS))],
    "jacobian": [StrOptions(set(JACOBIANS))], "p0": POSITIVE,
    "q": NON_NEGATIVE + ["array-like"], "r": POSITIVE + ["array-like"],
    "anneal_steps": NON_NEGATIVE_INT + [StrOptions({"auto"})], "learning_rate": NON_NEGATIVE,
    "momentum": [Interval(Real, 0, 1, closed="left")], "epochs": COUNT,
    "reset_state": ["boolean"], "standardize": ["boolean"],
    "device": [StrOptions(set(DEVICES))], "n_jobs": N_JOBS,
    "random_state": ["random_state"], "verbose": ["verbose"],
}


class KalmanLSTMBase(BaseEstimator):
    """The network, its Jacobians and the filter; the estimators add their targets' encoding."""

    # ------------------------------------------------------------------------ validation
    #: Root mean squares of unstandardised inputs and of targets above which ``fit`` warns
    #: (:func:`~reservoir.common.scaling.warn_scale`): recalling the previous Gaussian input,
    #: the defaults scored R^2 0.96 at input scale 1, 0.81 at 10, 0.65 at 100, 0.00 at 1000;
    #: 0.96 at target scale 1, 0.29 at 10, 0.03 at 100.
    _input_scale_limit, _target_scale_limit = 10.0, 3.0

    def _validate(self, X, y, reset):
        """Validated sequences (and targets), the inputs standardised (``standardize``)."""
        return training_sequences(self, X, y, reset)

    def _check_params(self):
        """The declared parameters (``_parameter_constraints``), the noise schedules, then the
        device."""
        self._validate_params()
        self._q, self._r = _schedule(self, "q"), _schedule(self, "r", positive=True)
        resolve(self.device, self.n_jobs)  # a clear error when there is no GPU

    # --------------------------------------------------------------------------- layout
    def _layout(self, n_x, m):
        B, S = self.n_blocks, self.n_cells
        nc = B * S
        n_u = n_x + nc + 1
        PB = n_u * (3 + S) + 3 * S
        n_z = nc + (n_x if self.shortcut else 0) + 1
        return B, S, nc, n_u, PB, n_z, B * PB + m * n_z

    def _init(self, n_x, m):
        rng = check_random_state(self.random_state)
        B, S, nc, n_u, PB, n_z, P = self._layout(n_x, m)
        s = float(self.init_scale)
        # two draws from one stream: init_scale=0.1 gives the weights of a single draw
        w = np.concatenate([rng.uniform(-s, s, size=B * PB),
                            rng.uniform(-0.1, 0.1, size=P - B * PB)])
        frozen = np.zeros(P, dtype=np.bool_)
        for j in range(B):
            off = j * PB
            pi = off + n_u * (3 + S)
            w[off + n_u - 1] = self.input_gate_bias * (j + 1)  # closed, staggered
            w[off + 2 * n_u - 1] = self.forget_gate_bias + 0.5 * j  # forget gates start open
            w[off + 3 * n_u - 1] = -0.5 * (j + 1)  # output gates start closed, staggered
            if not self.forget_gate:
                w[off + n_u:off + 2 * n_u] = 0.0
                frozen[off + n_u:off + 2 * n_u] = True
            if self.peepholes:
                w[pi:pi + 3 * S] = 0.0
            else:
                w[pi:pi + 3 * S] = 0.0
                frozen[pi:pi + 3 * S] = True
            if not self.forget_gate:
                frozen[pi + S:pi + 2 * S] = True
        sizes = self._group_sizes(B, S, n_u, PB, n_z, m)
        self._groups = (np.r_[0, np.cumsum(sizes)[:-1]].astype(np.int64), sizes)
        self._cov_off = np.r_[0, np.cumsum(sizes ** 2)[:-1]].astype(np.int64)
        check_fits(8 * int(np.sum(sizes ** 2)), f"The {self.trainer} filter's covariance of {P} "
                   "weights", "Use fewer n_blocks or n_cells, or trainer='dekf' (a block per "
                   "unit).")
        cov = np.zeros(int(np.sum(sizes ** 2)))
        for g, n in enumerate(sizes):
            cov[self._cov_off[g]:self._cov_off[g] + n * n].reshape(n, n)[:] = np.eye(n) * self.p0
        self._w, self._frozen, self._cov = w, frozen, cov
        self._velocity = np.zeros(P)
        self._count = np.zeros(1, np.int64)
        self.n_outputs_ = m
        self.n_weights_ = P
        self._anneal = float(STREAM_ANNEAL if self.anneal_steps == "auto" else self.anneal_steps)
        record_built(self, FIXED)
        self.loss_curve_ = []

    def _group_sizes(self, B, S, n_u, PB, n_z, m):
        """Sizes of the filter's weight groups, which run through the weights in order."""
        if self.trainer == "ekf":
            sizes = [B * PB + m * n_z]
        elif self.trainer == "ndekf":  # per block: gates i, f, o, S cell inputs, 3 peephole sets
            sizes = ([n_u] * (3 + S) + [S] * 3) * B + [n_z] * m
        else:
            sizes = [PB] * B + [n_z] * m
        return np.array(sizes, dtype=np.int64)

    def _zero_state(self):
        nc = self.n_blocks * self.n_cells
        P = self._w.shape[0]
        return network.State(np.zeros(nc), np.zeros(nc), np.zeros((nc, P)), np.zeros((nc, P)))

    def _net(self):
        """The network for the kernels (:class:`lstm.network.Net`, its weights shared)."""
        return network.Net(self._w, self.n_blocks, self.n_cells, self.n_features_in_,
                           self.n_outputs_, bool(self.shortcut), self._logistic_output(),
                           bool(self.peepholes), bool(self.forget_gate),
                           SQUASHINGS[self.cell_squashing])

    # -------------------------------------------------------------------------- training
    def _train(self, X, Y, w, state, device):
        out = np.empty((len(X), self.n_outputs_))
        try:
            with device.threads():  # in slices: Ctrl-C stops within about SLICE_SECONDS
                train = self._filter_pass(device)
                step = run_in_slices(len(X), lambda a, b: train(X[a:b], Y[a:b], w[a:b], state,
                                                                out[a:b]))
            where = f"at step {step} of the sequence"
        except np.linalg.LinAlgError:  # (R + sum H P H^T) singular: the filter broke down
            step, where = 0, "(the innovation matrix R + H P H^T became singular)"
        if step >= 0:
            raise FilterDivergenceError(
                f"Training stopped {where}: the filter's covariance lost positive definiteness "
                "or the weights became non-finite; the weights are those before that step. Use "
                "a larger r, a smaller p0 or q (or a smaller learning_rate).")
        mask = w > 0
        return float(np.mean(np.sum((out[mask] - Y[mask]) ** 2, axis=1))) if mask.any() else 0.0

    def _filter_pass(self, device):
        """``train(X, Y, w, state, out)``: the training loop of ``device`` (:mod:`lstm.kernels`
        or its mirror :mod:`lstm.cuda_kernels`, the same ``train``) over a stretch of steps,
        with the network, filter and schedules of this pass."""
        if device.name == "cuda":
            from . import cuda_kernels as run_on
        else:
            run_on = kernels
        full = self.jacobian == "full"
        net = self._net()
        filt = filters.Filter(self._cov, self._cov_off, self._groups[0], self._groups[1],
                              self._frozen, self._filter_kind(full))
        schedule = kernels.Schedule(self._r[0], self._r[1], self._q[0], self._q[1],
                                    self._anneal, self._count)
        sgd = kernels.Momentum(float(self.learning_rate), float(self.momentum), self._velocity)
        trainer = kernels.SGD if self.trainer == "sgd" else kernels.FILTER

        def train(X, Y, w, state, out):
            return run_on.train(net, full, X, Y, w, state, trainer, filt, schedule, sgd, out)

        return train

    def _filter_kind(self, full):
        """The filter update (:mod:`lstm.filters`), chosen here once: the structured one for the
        decoupled filters of the truncated Jacobian when blocks have fewer cells than there are
        outputs; else the groups on threads when they are several and large enough to pay for
        the fork/join (measured: from 8 blocks of one cell on 2 cores; not the node-decoupled
        filter, whose many small groups run faster one after the other: 16 blocks, 181 us a
        step serial, 490 us threaded); else the generic update."""
        B, S, m = self.n_blocks, self.n_cells, self.n_outputs_
        starts, sizes = self._groups
        P = self._w.shape[0]
        n_z = B * S + (self.n_features_in_ if self.shortcut else 0) + 1
        if not full and S < m and filters.groups_within_units(starts, sizes, P, B, m, n_z):
            return filters.LOWRANK
        if (self.trainer == "dekf" and sizes.size > 1 and numba.get_num_threads() > 1
                and float(np.sum(sizes.astype(np.float64) ** 2)) * m >= PARALLEL_FILTER_WORK):
            return filters.PARALLEL
        return filters.GENERIC

    def _device(self):
        """The device of this call, resolved once (``device`` and ``n_jobs``)."""
        return resolve(self.device, self.n_jobs)

    def _fit_sequences(self, X_seqs, y_seqs, w_seqs):
        """``epochs`` passes over validated sequences (targets (n_steps, n_outputs) floats)."""
        device = self._device()
        self._init(X_seqs[0].shape[1], y_seqs[0].shape[1])
        if self.anneal_steps == "auto":
            updates = self.epochs * sum(int(np.count_nonzero(w)) for w in w_seqs)
            self._anneal = max(1.0, updates / 2)
        state = self._zero_state()
        total = self.epochs * sum(len(x) for x in X_seqs)
        with Progress(total, f"{type(self).__name__}.fit", enabled=bool(self.verbose)) as bar:
            for _ in range(self.epochs):
                losses = []
                for X_s, Y_s, w_s in zip(X_seqs, y_seqs, w_seqs):
                    if self.reset_state:
                        state = self._zero_state()
                    losses.append(self._train(X_s, Y_s, w_s, state, device))
                    bar.update(len(X_s))
                self.loss_curve_.append(float(np.mean(losses)))
        self._state = state
        return self

    def _partial_fit_sequence(self, X_s, Y_s, w_s, first):
        """One online pass over one validated sequence; ``first`` draws the network."""
        if first:
            self._init(X_s.shape[1], Y_s.shape[1])
        if first or self.reset_state:
            self._state = self._zero_state()
        self.loss_curve_.append(self._train(X_s, Y_s, w_s, self._state, self._device()))
        return self

    def _outputs(self, X_seqs):
        """Network outputs (n_steps, n_outputs) of every sequence, each from a zero state."""
        if self._device().name == "cuda":
            from . import cuda_kernels

            return cuda_kernels.forward(self._net(), X_seqs)
        nc = self.n_blocks * self.n_cells
        net = self._net()
        outs = []
        for X_s in X_seqs:
            out = np.empty((len(X_s), self.n_outputs_))
            network.forward(net, X_s, np.zeros(nc), np.zeros(nc), out)
            outs.append(out)
        return outs

    @property
    def coef_(self):
        """The flat weight vector (see lstm.kernels for its layout)."""
        check_is_fitted(self, "n_weights_")
        return self._w.copy()


@fill_doc
class KalmanLSTMRegressor(SequenceR2Mixin, RegressorMixin, KalmanLSTMBase):
    """LSTM with forget gates and peepholes (Gers et al. 2002) trained online, one step at a
    time, by a decoupled (``"dekf"``: one weight group per block and per output unit) or global
    (``"ekf"``) extended Kalman filter, or by gradient descent with momentum (``"sgd"``), on the
    Jacobian of its outputs carried forward in time (Perez-Ortiz, Gers, Eck & Schmidhuber 2003).

    Parameters
    ----------
    {lstm_network}
    output : {"linear", "logistic"}, default="linear"
        Output units.
    {lstm_training}

    Attributes
    ----------
    n_weights_ : int
        Number of trained weights.
    loss_curve_ : list of float
        Mean squared error of each epoch or ``partial_fit`` call.
    input_mean_, input_scale_ : ndarray of shape (n_features,)
        The input standardisation (zeros and ones with ``standardize=False``).
    n_features_in_, n_outputs_ : int
        Numbers of inputs and outputs.
    """

    _parameter_constraints = {**CONSTRAINTS, "output": [StrOptions({"linear", "logistic"})]}

    def __init__(self, n_blocks=2, n_cells=1, *, peepholes=True, forget_gate=True,
                 shortcut=False, cell_squashing="tanh", input_gate_bias=-0.5,
                 forget_gate_bias=1.0, init_scale=0.1, output="linear", trainer="dekf",
                 jacobian="full", p0=100.0, q=(1e-2, 1e-6), r=(100.0, 1.0),
                 anneal_steps=20000, learning_rate=0.1, momentum=0.9, epochs=10,
                 reset_state=True, standardize=False, device="cpu", n_jobs=None,
                 random_state=None, verbose=False):
        self.n_blocks = n_blocks
        self.n_cells = n_cells
        self.peepholes = peepholes
        self.forget_gate = forget_gate
        self.shortcut = shortcut
        self.cell_squashing = cell_squashing
        self.input_gate_bias = input_gate_bias
        self.forget_gate_bias = forget_gate_bias
        self.init_scale = init_scale
        self.output = output
        self.trainer = trainer
        self.jacobian = jacobian
        self.p0 = p0
        self.q = q
        self.r = r
        self.anneal_steps = anneal_steps
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.epochs = epochs
        self.reset_state = reset_state
        self.standardize = standardize
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _logistic_output(self):
        return self.output == "logistic"

    def fit(self, X, y, sample_weight=None):
        """Train for ``epochs`` passes over the sequence(s).

        Parameters
        ----------
        {X_sequences}
        {y_sequences}
        {sample_weight_steps}

        Returns
        -------
        self : KalmanLSTMRegressor
            The fitted estimator.
        """
        self._check_params()
        require_y(self, y)
        X_seqs, y_seqs, _ = self._validate(X, y, reset=True)
        return self._fit_sequences(X_seqs, y_seqs, check_step_weights(sample_weight, X_seqs))

    def partial_fit(self, X, y, sample_weight=None):
        """One online pass over one sequence.

        The filter carries over, and with ``reset_state=False`` the state and Jacobian too (the
        continuation of a stream).

        Parameters
        ----------
        {X_stream}
        {y_stream}
        {sample_weight_stream}

        Returns
        -------
        self : KalmanLSTMRegressor
            The updated estimator.
        """
        first = start_partial_fit(self, X, y, "_w", FIXED)
        (X_s,), (Y_s,), _ = self._validate(X, y, reset=first)
        (w_s,) = check_step_weights(sample_weight, [X_s])
        return self._partial_fit_sequence(X_s, Y_s, w_s, first)

    # ------------------------------------------------------------------------ prediction
    def predict(self, X):
        """Outputs for every step of every sequence, each from a zero state.

        Parameters
        ----------
        {X_sequences}

        {predicted_outputs}
        """
        check_is_fitted(self, "n_weights_")
        X_seqs, _, form = self._validate(X, None, reset=False)
        outs = [out.astype(self._out_dtype, copy=False) for out in self._outputs(X_seqs)]
        outs = [out[:, 0] if self._y_1d else out for out in outs]
        return as_given(outs, form)
