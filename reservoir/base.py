"""Machinery shared by the ESN estimators: building, running and reading out a reservoir."""

import numba
import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from . import kernels
from .common.config import CHUNK_BYTES
from .common.device import DEVICES, blas_threads, check_device, num_threads
from .common.progress import Progress
from .common.validation import (
    COUNT,
    DTYPE,
    FRACTION,
    N_JOBS,
    NON_NEGATIVE,
    NON_NEGATIVE_INT,
    check_dtype,
    record_built,
    validate_sequences,
)
from .readout import SOLVERS, design_matrix, n_features, rls_update
from .weights import make_reservoir


def _rounds(lengths, chunk):
    """Yield lists of pieces ``(i, a, b)`` covering sequences of the given lengths.

    In each round every unfinished sequence advances by the same number of steps (so the pieces
    run side by side in a batch kernel), at most ``chunk`` steps in all.
    """
    cursors = [0] * len(lengths)
    active = [i for i, n in enumerate(lengths) if n > 0]
    while active:
        step = max(1, chunk // len(active))
        step = min([step] + [lengths[i] - cursors[i] for i in active])
        yield [(i, cursors[i], cursors[i] + step) for i in active]
        for i in active:
            cursors[i] += step
        active = [i for i in active if cursors[i] < lengths[i]]


#: Below this many sequences side by side, the batch kernel's inner loop is too short to pay:
#: the sequences run one after the other through the single-sequence kernels instead (a few
#: sequences go straight to them, chunk by chunk into their outputs, without the rounds of
#: side-by-side pieces).
MIN_BATCH = 8
#: Parameters that draw the reservoir: fixed once it is built (``partial_fit`` continues it).
FIXED = ("n_reservoir", "spectral_radius", "density", "input_density", "input_scaling",
         "bias_scaling", "feedback_scaling", "dtype", "random_state")


#: Declared parameters of the ESN estimators (scikit-learn's ``_parameter_constraints``).
CONSTRAINTS = {
    "n_reservoir": COUNT, "spectral_radius": NON_NEGATIVE, "leak_rate": FRACTION,
    "input_scaling": NON_NEGATIVE, "bias_scaling": NON_NEGATIVE, "density": FRACTION,
    "input_density": FRACTION, "ridge": NON_NEGATIVE, "washout": NON_NEGATIVE_INT,
    "squares": ["boolean"], "fit_intercept": ["boolean"], "solver": [StrOptions(set(SOLVERS))],
    "device": [StrOptions(set(DEVICES))], "dtype": DTYPE, "n_jobs": N_JOBS,
    "random_state": ["random_state"], "verbose": ["verbose"],
}


def _run_batch(device, args, states, xs):
    """Run the batch kernel of ``device`` on states (B, T, N) holding the drives, xs (B, N)."""
    if device == "cuda":
        from . import cuda_kernels

        cuda_kernels.run_batch(*args, states, xs)
    elif len(xs) < MIN_BATCH:
        for S, x in zip(states, xs):
            if device == "parallel":
                kernels.run_sequence_rows(*args, S, x, S, numba.get_num_threads())
            else:
                kernels.run_sequence(*args, S, x, S)
    elif device == "parallel":
        kernels.run_batch_parallel(*args, states, xs, states, numba.get_num_threads())
    else:
        kernels.run_batch(*args, states, xs, states)


def input_product(U, W_in, out=None):
    """U @ W_in.T for U (T, n_in) and W_in (N, n_in), into ``out`` (T, N) when given. One input
    (a univariate series) is a broadcast product, the same bits as the GEMM at a third of its
    time (NumPy's matmul with an inner dimension of 1 runs at 1.5 ns an element)."""
    if U.shape[1] == 1:
        return np.multiply(U, W_in[:, 0], out=out)
    return np.matmul(U, W_in.T, out=out)


class ReservoirMixin(BaseEstimator):
    """Shared fit/run logic; subclasses declare the parameters in ``__init__``.

    Fitted attributes set here: ``reservoir_`` (:class:`~reservoir.weights.Reservoir`),
    ``coef_`` (n_outputs, n_features_out), ``intercept_`` (n_outputs,), ``n_outputs_``,
    ``state_`` (n_reservoir,) the state at the end of the last sequence seen.
    """

    feedback_scaling = 0.0  # estimators without output feedback

    # ----------------------------------------------------------------- parameters and input
    def _check_params(self):
        """The declared parameters (``_parameter_constraints``), then the device's availability."""
        self._validate_params()
        check_device(self.device)
        self._dtype = check_dtype(self.dtype)

    def _validate_X(self, X, reset, y=None):
        """Validate X (and y when given); returns (X_seqs, y_seqs or None, was_list)."""
        return validate_sequences(self, X, y, reset=reset, dtype=self._dtype)

    # ----------------------------------------------------------------------------- fitting
    def _fit(self, X, y):
        """fit: validate (``_training_data`` of the subclass), draw the reservoir, harvest the
        states into the readout, then ``_after_fit``."""
        self._check_params()
        U_seqs, Y_seqs, Yprev_seqs = self._training_data(X, y)
        for attr in ("_P", "_W", "_accumulator"):
            self.__dict__.pop(attr, None)
        self._build(U_seqs[0].shape[1], Y_seqs[0].shape[1])
        with blas_threads(self._n_features_out()):
            self._fit_readout(U_seqs, Y_seqs, Yprev_seqs)
        self._after_fit(U_seqs, Y_seqs)
        return self

    # ----------------------------------------------------------------------- the reservoir
    def _build(self, n_inputs, n_outputs):
        self._set_reservoir(make_reservoir(
            self.n_reservoir, n_inputs, n_outputs, spectral_radius_=self.spectral_radius,
            density=self.density, input_scaling=self.input_scaling,
            input_density=self.input_density, bias_scaling=self.bias_scaling,
            feedback_scaling=self.feedback_scaling,
            random_state=check_random_state(self.random_state), dtype=self._dtype), n_outputs)

    def _set_reservoir(self, reservoir, n_outputs):
        """Take ``reservoir`` as this estimator's, for ``n_outputs`` outputs, and record the
        parameters it was drawn with."""
        self.reservoir_ = reservoir
        self.n_outputs_ = n_outputs
        record_built(self, FIXED)

    @property
    def _has_feedback(self):
        return self.feedback_scaling > 0

    def _drive(self, U, Y_prev, out=None):
        """W_in u(t) + W_fb y(t-1) + b for a chunk: U (T, n_in), Y_prev (T, m) or None.

        Written into ``out`` (T, N) when given.
        """
        res = self.reservoir_
        drive = input_product(U.astype(self._dtype, copy=False), res.W_in, out)
        drive += res.bias
        if Y_prev is not None:
            drive += Y_prev.astype(self._dtype, copy=False) @ res.W_fb.T
        return drive

    def _drive_fn(self, U_seqs, Yprev_seqs):
        """``drive(i, a, b, out=None)``: the drive of steps a..b of sequence i."""
        def drive(i, a, b, out=None):
            return self._drive(U_seqs[i][a:b], None if Yprev_seqs is None else Yprev_seqs[i][a:b],
                               out)

        return drive

    def _chunk_rows(self):
        return max(1, CHUNK_BYTES // (self.reservoir_.n_reservoir * np.dtype(self._dtype).itemsize))

    def _harvest(self, U_seqs, Yprev_seqs, x0, outs=None):
        """Yield ``(i, t0, U_chunk, states_chunk)`` covering every sequence, in bounded memory.

        Chunks of one sequence come in time order; ``x0`` (list of (N,) arrays) holds the initial
        states and ends with the final ones. The yielded states are only valid until the next one,
        unless ``outs`` (list of (T_i, N) arrays) is given: then they are also written there.
        """
        res = self.reservoir_
        args = (res.indptr, res.indices, res.data, self._dtype(self.leak_rate))
        chunk = self._chunk_rows()
        lengths = [u.shape[0] for u in U_seqs]

        drive = self._drive_fn(U_seqs, Yprev_seqs)
        device = check_device(self.device)
        with num_threads(self.n_jobs):
            if len(U_seqs) >= MIN_BATCH or device == "cuda":
                for pieces in _rounds(lengths, chunk):
                    states, xs = self._round_inputs(pieces, U_seqs, Yprev_seqs, x0)
                    _run_batch(device, args, states, xs)
                    for k, (i, a, b) in enumerate(pieces):
                        x0[i][:] = xs[k]
                        if outs is not None:
                            outs[i][a:b] = states[k]
                        yield i, a, U_seqs[i][a:b], states[k]
            else:
                for i, n in enumerate(lengths):
                    for a in range(0, n, chunk):
                        b = min(a + chunk, n)
                        states = drive(i, a, b, None if outs is None else outs[i][a:b])
                        if device == "parallel":
                            kernels.run_sequence_rows(*args, states, x0[i], states,
                                                      numba.get_num_threads())
                        else:
                            kernels.run_sequence(*args, states, x0[i], states)
                        yield i, a, U_seqs[i][a:b], states

    def _round_inputs(self, pieces, U_seqs, Yprev_seqs, x0):
        """Drives (B, T, N) and initial states (B, N) of a round of pieces ``(i, a, b)`` of
        equal length: one GEMM for the whole round."""
        step = pieces[0][2] - pieces[0][1]
        N = self.reservoir_.n_reservoir
        states = np.empty((len(pieces), step, N), dtype=self._dtype)
        U = np.concatenate([U_seqs[i][a:b] for i, a, b in pieces])
        Y_prev = None if Yprev_seqs is None else \
            np.concatenate([Yprev_seqs[i][a:b] for i, a, b in pieces])
        self._drive(U, Y_prev, out=states.reshape(len(pieces) * step, N))
        return states, np.stack([x0[i] for i, _, _ in pieces])

    def _gram_on_device(self, U_seqs, Y_seqs, Yprev_seqs, x0, bar):
        """Harvest on the GPU and accumulate the readout's Gram matrix there (``solver="gram"``):
        only the (p + m) x (p + m) result comes back. Returns a filled GramRidge."""
        from . import cuda_kernels

        res = self.reservoir_
        p, m = self._n_features_out(), self.n_outputs_
        gram = cuda_kernels.DeviceGram(p + m, self.fit_intercept, self.squares)
        lengths = [u.shape[0] for u in U_seqs]
        n_used = 0

        for pieces in _rounds(lengths, self._chunk_rows()):
            states, xs = self._round_inputs(pieces, U_seqs, Yprev_seqs, x0)
            d_states = cuda_kernels.run_batch(res.indptr, res.indices, res.data,
                                              self._dtype(self.leak_rate), states, xs,
                                              copy_states=False)
            step = states.shape[1]
            U = np.zeros((len(pieces), step, self.n_features_in_))
            Y = np.zeros((len(pieces), step, m))
            lo, hi = np.zeros(len(pieces), np.int64), np.zeros(len(pieces), np.int64)
            for k, (i, a, b) in enumerate(pieces):
                x0[i][:] = xs[k]
                U[k] = U_seqs[i][a:b]
                y = Y_seqs[i][a:min(b, Y_seqs[i].shape[0])]
                Y[k, :len(y)] = y
                lo[k], hi[k] = max(0, self.washout - a), min(step, Y_seqs[i].shape[0] - a)
                n_used += max(0, hi[k] - lo[k])
                bar.update(step)
            gram.add(d_states, U, Y, lo, hi)
        G = gram.result()
        acc = SOLVERS["gram"](p, m, self.fit_intercept)
        acc.add(G[:p, :p], G[:p, p:], n_used)
        return acc

    def _zero_states(self, n):
        return [np.zeros(self.reservoir_.n_reservoir, dtype=self._dtype) for _ in range(n)]

    # ------------------------------------------------------------------------- the readout
    def _features(self, U, S):
        return design_matrix(U, S, self.squares, self.fit_intercept)

    def _n_features_out(self):
        return n_features(self.n_features_in_, self.reservoir_.n_reservoir, self.squares,
                          self.fit_intercept)

    def _fit_readout(self, U_seqs, Y_seqs, Yprev_seqs):
        """Ridge readout over all sequences after their washout; rows beyond len(Y) unused."""
        x0 = self._zero_states(len(U_seqs))
        total = sum(u.shape[0] for u in U_seqs)
        with Progress(total, f"{type(self).__name__}.fit", enabled=bool(self.verbose)) as bar:
            if self.solver == "gram" and check_device(self.device) == "cuda":
                acc = self._gram_on_device(U_seqs, Y_seqs, Yprev_seqs, x0, bar)
            else:
                acc = self._accumulate(U_seqs, Y_seqs, Yprev_seqs, x0, bar)
        self._set_readout(acc.solve(self.ridge))
        self._accumulator = acc  # R (or F^T F) of the readout: ridge sweeps, RLS start
        self.state_ = x0[-1]
        return x0

    def _accumulate(self, U_seqs, Y_seqs, Yprev_seqs, x0, bar):
        """Harvest on the host and stream the readout rows into the solver's accumulator."""
        acc = SOLVERS[self.solver](self._n_features_out(), self.n_outputs_, self.fit_intercept)
        for i, a, U, S in self._harvest(U_seqs, Yprev_seqs, x0):
            self._accumulate_rows(acc, U, S, Y_seqs[i], a)
            bar.update(S.shape[0])
        return acc

    def _accumulate_rows(self, acc, U, S, Y, a):
        """Add the rows of a chunk (inputs U, states S, starting at step a of a sequence with
        targets Y) to ``acc``, leaving out the washout and the steps beyond len(Y)."""
        lo = max(a, self.washout)
        hi = min(a + S.shape[0], Y.shape[0])
        if hi > lo:
            F = self._features(U[lo - a:hi - a], S[lo - a:hi - a])
            acc.update(F.astype(np.float64, copy=False), Y[lo:hi])

    def _set_ridge(self, ridge):
        """Re-solve the readout of a fitted model for another ``ridge``, without new states."""
        with blas_threads(self._n_features_out()):
            self._set_readout(self._accumulator.solve(ridge))
        self.ridge = ridge
        return self

    def _set_readout(self, W):
        """Store weights W (p, m) laid out as [intercept?, inputs, states, squares]."""
        c = int(self.fit_intercept)
        self.intercept_ = W[0].copy() if c else np.zeros(W.shape[1])
        self.coef_ = np.ascontiguousarray(W[c:].T)

    def _readout_weights(self):
        """Readout split for the kernels: W_u (m, n_in), W_x (m, N), W_sq (m, n_sq), all dtype."""
        n_in, N = self.n_features_in_, self.reservoir_.n_reservoir
        coef = self.coef_.astype(self._dtype)
        return (np.ascontiguousarray(coef[:, :n_in]), np.ascontiguousarray(coef[:, n_in:n_in + N]),
                np.ascontiguousarray(coef[:, n_in + N:]))

    def _readout(self, U, S):
        F = design_matrix(U, S, self.squares, intercept=False)
        return F @ self.coef_.T.astype(S.dtype) + self.intercept_

    def _partial_fit_readout(self, U, Y, Y_prev, skip):
        """RLS over one continuing sequence, from ``state_``; the first ``skip`` rows unused."""
        p = self._n_features_out()
        c = int(self.fit_intercept)
        if not hasattr(self, "_P"):
            ridge = float(self.ridge)
            if ridge <= 0:
                raise ValueError("partial_fit needs ridge > 0: it starts recursive least squares "
                                 "from P = I / ridge.")
            self._P = np.linalg.inv(self._accumulator.gram() + ridge * np.eye(p)) \
                if hasattr(self, "_accumulator") \
                else np.eye(p) / ridge
            self._W = np.zeros((p, self.n_outputs_)) if not hasattr(self, "coef_") else \
                np.concatenate([self.intercept_[None, :]] * c + [self.coef_.T])
        x0 = [self.state_]
        for _, a, Uc, S in self._harvest([U], None if Y_prev is None else [Y_prev], x0):
            lo = max(a, skip)
            hi = a + S.shape[0]
            if hi > lo:
                F = self._features(Uc[lo - a:], S[lo - a:]).astype(np.float64)
                rls_update(self._P, self._W, F, np.ascontiguousarray(Y[lo:hi]),
                           float(self.forgetting))
        self._set_readout(self._W)
        self.state_ = x0[0]

    def _generate(self, drive, W_loop, out_drive, W_out_loop, x, y_prev, states=None):
        """Closed-loop run (see :func:`reservoir.kernels.generate`); returns outputs (T, m).

        ``x`` and ``y_prev`` are updated in place; the states are appended to ``states`` if given.
        """
        res = self.reservoir_
        _, W_x, W_sq = self._readout_weights()
        T = drive.shape[0]
        S = np.empty_like(drive)
        outputs = np.empty((T, y_prev.shape[0]), dtype=self._dtype)
        kernels.generate(res.indptr, res.indices, res.data, self._dtype(self.leak_rate), drive,
                         np.ascontiguousarray(W_loop, dtype=self._dtype), W_x, W_sq,
                         np.ascontiguousarray(out_drive, dtype=self._dtype),
                         np.ascontiguousarray(W_out_loop, dtype=self._dtype), x, y_prev, S,
                         outputs)
        if states is not None:
            states.append(S)
        return outputs

    def _format_output(self, outs, was_list):
        outs = [o.astype(np.float64, copy=False) for o in outs]
        if self._y_1d:
            outs = [o[:, 0] for o in outs]
        return outs if was_list else outs[0]

    def _check_fitted(self):
        check_is_fitted(self, "coef_")
