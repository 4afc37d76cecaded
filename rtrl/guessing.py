"""Random weight guessing (Schmidhuber & Hochreiter 1996; Hochreiter & Schmidhuber 1997, section
5): draw every weight of a small recurrent network at random, keep the first draw that solves the
training set. It solves parity and some easy long-lag problems within a few thousand draws, which
marks them as unfit to show what a learning algorithm can do."""

import warnings
from numbers import Real

import numpy as np
from numba import njit, prange
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from reservoir.common.arrays import copy_into
from reservoir.common.config import KERNEL, serial_and_parallel
from reservoir.common.device import DEVICES, resolve
from reservoir.common.docstrings import fill_doc
from reservoir.common.progress import Progress
from reservoir.common.scoring import SequenceR2Mixin
from reservoir.common.validation import (
    COUNT,
    N_JOBS,
    POSITIVE,
    as_given,
    check_step_weights,
    kept_dtype,
    require_y,
    validate_sequences,
)

from .gradient import ACTIVATIONS
from .kernels import TANH


@njit(**KERNEL)
def step(theta, n, n_in, m, act, x, h, y, a):
    """One step of the fully connected network (architecture A1 of Schmidhuber & Hochreiter
    1996): h(t) = f(W_h [x(t); h(t-1); y(t-1); 1]), f tanh (act 0) or logistic, then
    y(t) = sigma(W_y [x(t); h(t); y(t-1); 1]); theta = [W_h.ravel(), W_y.ravel()], rows of
    n_in + n + m + 1. Updates h (n,) and y (m,) in place; a (n + m,) is scratch."""
    nz = n_in + n + m + 1
    for i in range(n + m):
        if i == n:  # the outputs read the new hidden state
            for j in range(n):
                h[j] = np.tanh(a[j]) if act == TANH else 1.0 / (1.0 + np.exp(-a[j]))
        r = i * nz
        v = theta[r + nz - 1]
        for k in range(n_in):
            v += theta[r + k] * x[k]
        for j in range(n):
            v += theta[r + n_in + j] * h[j]
        for k in range(m):
            v += theta[r + n_in + n + k] * y[k]
        a[i] = v
    for k in range(m):
        y[k] = 1.0 / (1.0 + np.exp(-a[n + k]))


def _solved_prefix(thetas, n, n_in, m, act, X, starts, Y, W, tol, prefix):
    """For each candidate network c (a row of thetas (C, P), :func:`step`'s layout),
    ``prefix[c]`` = how many of the packed sequences (rows starts[i]:starts[i + 1] of X
    (n_rows, n_in), targets Y (n_rows, m), step weights W (n_rows,)) it gets right before the
    first it gets wrong, each run from h = 0, y = 0: right when every output is within ``tol``
    of its target at every step of weight > 0."""
    for c in prange(thetas.shape[0]):
        h, y, a = np.empty(n), np.empty(m), np.empty(n + m)
        count = 0
        for s in range(starts.shape[0] - 1):
            h[:] = 0.0
            y[:] = 0.0
            right = True
            for t in range(starts[s], starts[s + 1]):
                step(thetas[c], n, n_in, m, act, X[t], h, y, a)
                if W[t] > 0.0:
                    for k in range(m):
                        right = right and abs(y[k] - Y[t, k]) < tol
                    if not right:
                        break
            if not right:
                break
            count += 1
        prefix[c] = count


solved_prefix, solved_prefix_parallel = serial_and_parallel(_solved_prefix, "solved_prefix")


@njit(**KERNEL)
def outputs(theta, n, n_in, m, act, X, out):
    """Outputs out (T, m) of one network over X (T, n_in) from h = 0, y = 0."""
    h, y, a = np.zeros(n), np.zeros(m), np.empty(n + m)
    for t in range(X.shape[0]):
        step(theta, n, n_in, m, act, X[t], h, y, a)
        copy_into(y, out[t])


def _packed(X_seqs, arrays):
    """Sequences stacked as rows, and the offsets (n_sequences + 1,) of each."""
    starts = np.r_[0, np.cumsum([len(x) for x in X_seqs])].astype(np.int64)
    return starts, [np.ascontiguousarray(np.concatenate(a)) for a in arrays]


@fill_doc
class GuessingRNNRegressor(SequenceR2Mixin, RegressorMixin, BaseEstimator):
    """A small fully connected recurrent network whose weights are guessed, not learnt.

    Architecture A1 of Schmidhuber & Hochreiter (1996): ``n_hidden`` units and the logistic
    output units all recurrent, ``h(t) = f(W_h [x(t); h(t-1); y(t-1); 1])`` then
    ``y(t) = sigma(W_y [x(t); h(t); y(t-1); 1])``, from h = 0, y = 0 at the start of every
    sequence. ``fit`` draws every weight uniformly in [-weight_range, weight_range],
    ``batch_size`` networks at a time run side by side over the training sequences in one
    kernel call, and keeps the first draw whose outputs are within ``tolerance`` of the targets
    (in [0, 1]) at every step of weight > 0 of every sequence. The draws are the same whatever
    ``batch_size`` and the number of threads, so the kept network is too.

    Parameters
    ----------
    n_hidden : int, default=1
        Hidden units n.
    weight_range : float, default=100.0
        Weights are drawn uniformly in [-weight_range, weight_range] (large weights make the
        near-binary units that guessing finds).
    activation : {"tanh", "logistic"}, default="logistic"
        Hidden units' nonlinearity f.
    tolerance : float, default=0.1
        Largest absolute error of a solved target.
    max_trials : int, default=100000
        Draws before giving up.
    batch_size : int, default=1024
        Networks run side by side in one kernel call.
    device : {"cpu", "parallel", "cuda", "auto"}, default="cpu"
        As in every family (docs/devices.md): the candidates on one thread, on ``n_jobs``
        threads, or one GPU thread each (``"cuda"``, networks of up to 16 units), or "auto"
        (cuda when a GPU is usable, else parallel); ``predict`` runs on the CPU.
    n_jobs : int or None, default=None
        Threads of ``device="parallel"`` (None: all cores).
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    verbose : bool, default=False
        Progress bar over the draws on stderr.

    Attributes
    ----------
    W_hidden_, W_output_ : ndarray of shape (n, n_features + n + n_outputs + 1), (n_outputs, ...)
        The kept weights W_h and W_y, columns [inputs | hidden units | outputs | bias].
    n_trials_ : int
        Draws up to and including the kept one.
    solved_ : bool
        Whether the kept network solves the training set (else it is the draw right on the
        most sequences in a row from the first, and a ConvergenceWarning said so).
    n_features_in_, n_outputs_ : int
        Numbers of inputs and outputs.
    """

    _parameter_constraints = {
        "n_hidden": COUNT, "weight_range": POSITIVE,
        "activation": [StrOptions(set(ACTIVATIONS))],
        "tolerance": [Interval(Real, 0, None, closed="neither")], "max_trials": COUNT,
        "batch_size": COUNT, "device": [StrOptions(set(DEVICES))], "n_jobs": N_JOBS,
        "random_state": ["random_state"], "verbose": ["verbose"],
    }

    def __init__(self, n_hidden=1, *, weight_range=100.0, activation="logistic", tolerance=0.1,
                 max_trials=100000, batch_size=1024, device="cpu", n_jobs=None,
                 random_state=None, verbose=False):
        self.n_hidden = n_hidden
        self.weight_range = weight_range
        self.activation = activation
        self.tolerance = tolerance
        self.max_trials = max_trials
        self.batch_size = batch_size
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.regressor_tags.poor_score = True  # guessing solves tiny nets' tasks, not regression
        return tags

    def _layout(self):
        """(n, n_in, m, act): the network's sizes and activation code for the kernels."""
        return self.n_hidden, self.n_features_in_, self.n_outputs_, ACTIVATIONS[self.activation]

    def fit(self, X, y, sample_weight=None):
        """Draw networks until one solves every sequence (or ``max_trials`` are spent).

        Parameters
        ----------
        {X_sequences}
        {y_sequences}
        {sample_weight_steps}

        Returns
        -------
        self : GuessingRNNRegressor
            The fitted estimator.
        """
        self._validate_params()
        device = resolve(self.device, self.n_jobs)  # a clear error when there is no GPU
        require_y(self, y)
        X_seqs, y_seqs, _ = validate_sequences(self, X, y, reset=True)
        self._out_dtype = kept_dtype(X)
        w_seqs = check_step_weights(sample_weight, X_seqs)
        self.n_outputs_ = y_seqs[0].shape[1]
        starts, (X_rows, Y_rows, W_rows) = _packed(X_seqs, (X_seqs, y_seqs, w_seqs))
        n, n_in, m, act = self._layout()
        P = (n + m) * (n_in + n + m + 1)
        if device.name == "cuda":
            from .cuda_kernels import solved_prefix as kernel
        else:
            kernel = solved_prefix if device.name == "cpu" else solved_prefix_parallel
        rng = check_random_state(self.random_state)
        best, best_prefix, drawn = None, -1, 0
        with Progress(self.max_trials, "GuessingRNNRegressor.fit",
                      enabled=bool(self.verbose)) as bar, device.threads():
            while drawn < self.max_trials and best_prefix < len(X_seqs):
                size = min(self.batch_size, self.max_trials - drawn)
                thetas = rng.uniform(-self.weight_range, self.weight_range, size=(size, P))
                prefix = np.empty(size, dtype=np.int64)
                kernel(thetas, n, n_in, m, act, X_rows, starts, Y_rows, W_rows,
                       float(self.tolerance), prefix)
                c = int(np.argmax(prefix))  # the first of the longest
                if prefix[c] > best_prefix:
                    best, best_prefix, self.n_trials_ = thetas[c], int(prefix[c]), drawn + c + 1
                drawn += size
                bar.update(size)
        self.solved_ = best_prefix == len(X_seqs)
        if not self.solved_:
            warnings.warn(f"None of {self.max_trials} draws solved the training set; kept draw "
                          f"{self.n_trials_}, right on its first {best_prefix} of "
                          f"{len(X_seqs)} sequences. Raise max_trials or n_hidden, or change "
                          "weight_range or tolerance.", ConvergenceWarning, stacklevel=2)
        rows = best.reshape(n + m, -1)
        self.W_hidden_, self.W_output_ = rows[:n].copy(), rows[n:].copy()
        return self

    def predict(self, X):
        """Outputs of every step of every sequence, each run from h = 0, y = 0.

        Parameters
        ----------
        {X_sequences}

        {predicted_outputs}
        """
        check_is_fitted(self, "W_output_")
        X_seqs, _, form = validate_sequences(self, X, None, reset=False)
        n, n_in, m, act = self._layout()
        theta = np.concatenate([self.W_hidden_.ravel(), self.W_output_.ravel()])
        outs = []
        for X_s in X_seqs:
            out = np.empty((len(X_s), m))
            outputs(theta, n, n_in, m, act, X_s, out)
            out = out.astype(self._out_dtype, copy=False)
            outs.append(out[:, 0] if self._y_1d else out)
        return as_given(outs, form)
