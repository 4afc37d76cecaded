"""RTRLRegressor: a fully recurrent network trained online, step by step."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from reservoir.common.device import DEVICES, Device, resolve
from reservoir.common.docstrings import fill_doc
from reservoir.common.interrupt import run_in_slices
from reservoir.common.memory import check_fits
from reservoir.common.progress import Progress
from reservoir.common.scaling import training_sequences
from reservoir.common.scoring import SequenceR2Mixin
from reservoir.common.validation import (
    COUNT,
    FRACTION,
    N_JOBS,
    NON_NEGATIVE,
    POSITIVE,
    as_given,
    check_step_weights,
    record_built,
    require_y,
    start_partial_fit,
)

from . import kernels
from .gradient import ACTIVATIONS, pack, unpack

GRADIENTS = {"rtrl": kernels.RTRL, "uoro": kernels.UORO, "snap1": kernels.SNAP1}
OPTIMIZERS = {"sgd": kernels.SGD, "adam": kernels.ADAM}
#: Parameters that shape the network and its sensitivities, or only draw it: fixed once it is
#: built.
FIXED = ("n_hidden", "gradient", "teacher_forcing", "recurrent_scale", "standardize",
         "random_state")


class DivergenceError(ArithmeticError):
    """Training produced a non-finite loss or gradient; the weights are the last finite ones."""


@fill_doc
class RTRLRegressor(SequenceR2Mixin, RegressorMixin, BaseEstimator):
    """Fully recurrent network (Elman form) trained online by Real-Time Recurrent Learning.

    ``h(t) = (1-a) h(t-1) + a f(W_in x(t) + W_rec h(t-1) + b)``, ``y(t) = W_out h(t) + b_out``,
    h = 0 at the start of every sequence. The weights are updated every ``update_every`` steps
    from the gradient of ``1/2 ||y(t) - d(t)||^2`` carried forward in time:

    * ``gradient="rtrl"``: exact sensitivities (Williams & Zipser 1989), O(n^4) time per step;
    * ``"uoro"``: unbiased rank-one estimate (Tallec & Ollivier 2017), O(n^2);
    * ``"snap1"``: sensitivities kept only where a weight feeds its unit directly (Menick et al.
      2020), O(n^2).

    Parameters
    ----------
    n_hidden : int, default=16
        Number of recurrent units n.
    learning_rate : float, default=1e-3
        Step size of the optimizer.
    optimizer : {"adam", "sgd"}, default="adam"
        Update rule applied to the gradient.
    epochs : int, default=10
        Passes over the training sequences in ``fit``.
    gradient : {"rtrl", "uoro", "snap1"}, default="rtrl"
        Exact sensitivities or one of the O(n^2) approximations.
    leak_rate : float, default=1.0
        Leak rate a in (0, 1].
    activation : {"tanh", "logistic"}, default="tanh"
        Unit nonlinearity f.
    clip : float or None, default=None
        Largest gradient norm of an update (None: no clipping).
    update_every : int, default=1
        Steps between weight updates (1: true online learning).
    teacher_forcing : bool, default=False
        Feed the previous output back as an extra input: the target during training, the
        model's own output during ``predict``.
    recurrent_scale : float, default=0.9
        W_rec is drawn N(0, 1/n) times this (about its spectral radius).
    reset_state : bool, default=False
        Start every ``partial_fit`` call from a zero state (each call a new sequence) instead of
        continuing the stream.
    standardize : bool, default=False
        Standardise every input feature by its mean and standard deviation over the training
        steps (of all sequences; of the first piece for ``partial_fit`` from scratch), so that
        inputs of any scale suit the initial weights. The targets keep their units.
    device : {"cpu", "parallel", "cuda", "auto"}, default="cpu"
        As in every family (docs/devices.md): the CPU kernels on one thread, or on ``n_jobs``
        threads (the sensitivity GEMM uses BLAS's threads on both), or "cuda" (exact RTRL only:
        the O(n^4) sensitivity update and its gradient projection run on the GPU, the
        sensitivities staying there; it pays from about a hundred units), or "auto" (cuda for
        exact RTRL when a GPU is usable, else parallel).
    n_jobs : int or None, default=None
        Threads of ``device="parallel"`` (None: all cores).
    random_state : int, RandomState instance or None, default=None
        Seed of the weights and of UORO's noise.
    verbose : bool, default=False
        Progress bar and per-epoch loss on stderr.

    Attributes
    ----------
    W_in_, W_rec_, b_, W_out_, b_out_ : ndarray
        The trained weights, shaped (n, n_features), (n, n), (n,), (n_outputs, n), (n_outputs,).
    loss_curve_ : list of float
        Mean loss per step of each epoch or ``partial_fit`` call.
    input_mean_, input_scale_ : ndarray of shape (n_features,)
        The input standardisation (zeros and ones with ``standardize=False``).
    n_features_in_, n_outputs_ : int
        Numbers of inputs and outputs.
    """

    _parameter_constraints = {
        "n_hidden": COUNT, "learning_rate": POSITIVE, "optimizer": [StrOptions(set(OPTIMIZERS))],
        "epochs": COUNT, "gradient": [StrOptions(set(GRADIENTS))], "leak_rate": FRACTION,
        "activation": [StrOptions(set(ACTIVATIONS))],
        "clip": [Interval(Real, 0, None, closed="neither"), None], "update_every": COUNT,
        "teacher_forcing": ["boolean"], "recurrent_scale": NON_NEGATIVE,
        "reset_state": ["boolean"], "standardize": ["boolean"],
        "device": [StrOptions(set(DEVICES))], "n_jobs": N_JOBS,
        "random_state": ["random_state"], "verbose": ["verbose"],
    }

    def __init__(self, n_hidden=16, *, learning_rate=1e-3, optimizer="adam", epochs=10,
                 gradient="rtrl", leak_rate=1.0, activation="tanh", clip=None, update_every=1,
                 teacher_forcing=False, recurrent_scale=0.9, reset_state=False,
                 standardize=False, device="cpu", n_jobs=None, random_state=None, verbose=False):
        self.n_hidden = n_hidden
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.epochs = epochs
        self.gradient = gradient
        self.leak_rate = leak_rate
        self.activation = activation
        self.clip = clip
        self.update_every = update_every
        self.teacher_forcing = teacher_forcing
        self.recurrent_scale = recurrent_scale
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

    # ------------------------------------------------------------------------ validation
    def _check_params(self):
        """The declared parameters (``_parameter_constraints``); returns the device, resolved
        once for the call (``"auto"`` takes the GPU for exact RTRL only)."""
        self._validate_params()
        if self.device == "cuda" and self.gradient != "rtrl":
            raise ValueError("device='cuda' runs exact RTRL only; UORO and SnAp-1 cost O(n^2) "
                             "a step and run on the CPU (device='cpu' or 'parallel').")
        device = resolve(self.device, self.n_jobs)  # a clear error when there is no GPU
        if device.name == "cuda" and self.gradient != "rtrl":  # "auto" with a GPU
            device = Device("parallel", self.n_jobs)
        return device

    #: Root mean squares of unstandardised inputs and of targets above which ``fit`` warns
    #: (:func:`~reservoir.common.scaling.warn_scale`): recalling the previous Gaussian input,
    #: the defaults scored R^2 0.96-0.99 from input scales 1e-2 to 10, 0.90 at 100, 0.18 at
    #: 1000; 0.92-0.99 from target scales 1e-2 to 10, 0.48 at 100.
    _input_scale_limit, _target_scale_limit = 100.0, 10.0

    def _validate(self, X, y, reset):
        """Validated sequences (and targets), the inputs standardised (``standardize``)."""
        return training_sequences(self, X, y, reset)

    # -------------------------------------------------------------------------- training
    def _init(self, n_in, m):
        rng = check_random_state(self.random_state)
        n = self.n_hidden
        n_inputs = n_in + (m if self.teacher_forcing else 0)
        W_in = rng.uniform(-1, 1, size=(n, n_inputs)) / np.sqrt(max(n_inputs, 1))
        W_rec = rng.standard_normal((n, n)) * self.recurrent_scale / np.sqrt(n)
        W_out = rng.standard_normal((m, n)) * 0.1 / np.sqrt(n)
        self._theta = pack(W_in, W_rec, np.zeros(n), W_out, np.zeros(m))
        self._m1 = np.zeros_like(self._theta)
        self._m2 = np.zeros_like(self._theta)
        self._count = np.zeros(1, np.int64)
        self._rng = np.random.default_rng(rng.randint(2 ** 31 - 1))
        self.n_outputs_ = m
        self._n_inputs = n_inputs
        record_built(self, FIXED)
        self.loss_curve_ = []

    def _fresh_state(self):
        n, nz = self.n_hidden, self._n_inputs + self.n_hidden + 1
        method = GRADIENTS[self.gradient]
        if method == kernels.RTRL:
            check_fits(8 * n * n * nz, f"Exact RTRL's sensitivities of n_hidden={n} units",
                       "Lower n_hidden, or use gradient='uoro' or 'snap1' (O(n^2) memory).")
        M = np.zeros((n, n * nz)) if method == kernels.RTRL else \
            np.zeros((n, nz)) if method == kernels.SNAP1 else np.empty((0, 0))
        uoro = method == kernels.UORO
        # g and since: the gradient of the steps since the last update (a window of
        # update_every steps that a partial_fit call ends in the middle of carries over)
        return {"h": np.zeros(n), "M": M, "ht": np.zeros(n if uoro else 0),
                "tt": np.zeros(n * nz if uoro else 0), "g": np.zeros_like(self._theta),
                "since": np.zeros(1, np.int64)}

    def _inputs(self, X, Y, y_prev):
        if not self.teacher_forcing:
            return X
        prev = np.vstack([y_prev[None, :], Y[:-1]])
        return np.ascontiguousarray(np.hstack([X, prev]))

    def _train(self, X, Y, w, state, y_prev, device):
        """One online pass over a sequence from ``state``, step weights w (T,), on ``device``
        (resolved once per call: :mod:`rtrl.kernels` or its mirror :mod:`rtrl.cuda_kernels`);
        returns the losses (T,)."""
        if device.name == "cuda":
            from . import cuda_kernels as run_on
        else:
            run_on = kernels
        losses = np.empty(X.shape[0])
        method = GRADIENTS[self.gradient]
        # UORO's random signs, drawn here from the estimator's stream (one row a step, so a
        # sequence split over partial_fit calls draws the same signs)
        signs = np.where(self._rng.random((X.shape[0], self.n_hidden)) < 0.5, 1.0, -1.0) \
            if method == kernels.UORO else np.empty((0, 0))
        sens = kernels.Sensitivity(method, state["h"], state["M"], state["ht"], state["tt"],
                                   signs)
        opt = kernels.Optimizer(True, float(self.learning_rate), OPTIMIZERS[self.optimizer],
                                self._m1, self._m2, self._count, float(self.clip or 0.0),
                                int(self.update_every), state["since"])
        X_in = self._inputs(X, Y, y_prev)
        net = self._net()

        def run_slice(a, b):
            sens_ab = sens._replace(signs=signs[a:b]) if signs.size else sens
            return run_on.run(net, sens_ab, opt, X_in[a:b], Y[a:b], w[a:b], state["g"],
                              losses[a:b])

        # in slices, Ctrl-C stops within about SLICE_SECONDS; of whole pairs of steps, which the
        # RTRL kernel multiplies together, the bits do not depend on the clock
        with device.threads():
            step = run_in_slices(X.shape[0], run_slice, multiple=2)
        self._publish()
        if step >= 0:
            self._diverged(step)
        return losses

    def _net(self):
        """The network for the kernels (:class:`rtrl.kernels.Net`, its parameters shared)."""
        return kernels.Net(self._theta, self.n_hidden, self._n_inputs, self.n_outputs_,
                           float(self.leak_rate), ACTIVATIONS[self.activation])

    def _diverged(self, step):
        raise DivergenceError(
            f"Training diverged at step {step} of the sequence (non-finite loss or gradient); the "
            f"weights are the last finite ones. Use a smaller learning_rate (now "
            f"{self.learning_rate}) or set clip (now {self.clip}).")

    def _publish(self):
        W_in, W_rec, b, W_out, b_out = unpack(self._theta, self.n_hidden, self._n_inputs,
                                              self.n_outputs_)
        self.W_in_, self.W_rec_, self.b_ = W_in.copy(), W_rec.copy(), b.copy()
        self.W_out_, self.b_out_ = W_out.copy(), b_out.copy()

    def fit(self, X, y, sample_weight=None):
        """Train online for ``epochs`` passes over the sequence(s), each from a zero state.

        Parameters
        ----------
        {X_sequences}
        {y_sequences}
        {sample_weight_steps}

        Returns
        -------
        self : RTRLRegressor
            The fitted estimator.
        """
        device = self._check_params()
        require_y(self, y)
        X_seqs, y_seqs, _ = self._validate(X, y, reset=True)
        w_seqs = check_step_weights(sample_weight, X_seqs)
        self._init(X_seqs[0].shape[1], y_seqs[0].shape[1])
        total = self.epochs * sum(len(x) for x in X_seqs)
        with Progress(total, "RTRLRegressor.fit", enabled=bool(self.verbose)) as bar:
            for _ in range(self.epochs):
                losses = []
                for X_s, Y_s, w_s in zip(X_seqs, y_seqs, w_seqs):
                    state = self._fresh_state()
                    losses.append(self._train(X_s, Y_s, w_s, state, np.zeros(self.n_outputs_),
                                              device))
                    bar.update(len(X_s))
                self.loss_curve_.append(float(np.mean(np.concatenate(losses))))
        self._state = state
        self._y_prev = y_seqs[-1][-1].copy()
        return self

    def partial_fit(self, X, y, sample_weight=None):
        """One online pass over one sequence, continuing the stream.

        The hidden state, the sensitivities and the optimizer's moments carry over from the
        previous call (unless ``reset_state``).

        Parameters
        ----------
        {X_stream}
        {y_stream}
        {sample_weight_stream}

        Returns
        -------
        self : RTRLRegressor
            The updated estimator.
        """
        first = start_partial_fit(self, X, y, "_theta", FIXED)
        device = self._check_params()
        (X_s,), (Y_s,), _ = self._validate(X, y, reset=first)
        if first:
            self._init(X_s.shape[1], Y_s.shape[1])
        if first or self.reset_state:
            self._state = self._fresh_state()
            self._y_prev = np.zeros(self.n_outputs_)
        (w_s,) = check_step_weights(sample_weight, [X_s])
        losses = self._train(X_s, Y_s, w_s, self._state, self._y_prev, device)
        self.loss_curve_.append(float(losses.mean()))
        self._y_prev = Y_s[-1].copy()
        return self

    # ------------------------------------------------------------------------ prediction
    def predict(self, X):
        """Outputs of every step of every sequence, each run from a zero state.

        With ``teacher_forcing`` the model's own previous output is fed back (closed loop).

        Parameters
        ----------
        {X_sequences}

        {predicted_outputs}
        """
        check_is_fitted(self, "W_out_")
        X_seqs, _, form = self._validate(X, None, reset=False)
        outs = []
        for X_s in X_seqs:
            out = np.zeros((len(X_s), self.n_outputs_))
            kernels.predict(self._net(), X_s, bool(self.teacher_forcing),
                            np.zeros(self.n_hidden), out)
            out = out.astype(self._out_dtype, copy=False)
            outs.append(out[:, 0] if self._y_1d else out)
        return as_given(outs, form)

