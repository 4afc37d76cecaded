"""Machinery shared by the ESN estimators: building, running and reading out a reservoir."""

import copy

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from . import kernels
from .common.device import DEVICES, blas_threads, check_device
from .common.interrupt import keyboard_interrupts
from .common.progress import Progress
from .common.validation import (
    COUNT,
    DTYPE,
    FRACTION,
    N_JOBS,
    NON_NEGATIVE,
    NON_NEGATIVE_INT,
    as_given,
    check_dtype,
    check_step_weights,
    record_built,
    validate_sequences,
)
from .harvest import Harvester, Pack, backend
from .readout import (
    SOLVERS,
    Readout,
    check_readout_memory,
    design_matrix,
    feature_blocks,
    n_features,
    rls_update,
)
from .ridge_cv import BlockedRidge, choose_ridge
from .weights import make_reservoir

#: Parameters that draw the reservoir or scale its inputs: fixed once it is built
#: (``partial_fit`` continues it).
FIXED = ("n_reservoir", "spectral_radius", "density", "input_density", "input_scaling",
         "bias_scaling", "feedback_scaling", "standardize", "dtype", "random_state")


#: The ridge of ``partial_fit`` from scratch with ``ridge=None`` (RLS starts from P = I / it):
#: what blocked cross-validation chose for 300 units on a noisy memory task (0.03-0.3).
PARTIAL_FIT_RIDGE = 0.1

#: Declared parameters of the ESN estimators (scikit-learn's ``_parameter_constraints``).
CONSTRAINTS = {
    "n_reservoir": COUNT, "spectral_radius": NON_NEGATIVE, "leak_rate": FRACTION,
    "input_scaling": NON_NEGATIVE, "bias_scaling": NON_NEGATIVE, "density": FRACTION,
    "input_density": FRACTION, "ridge": NON_NEGATIVE + [None], "washout": NON_NEGATIVE_INT,
    "squares": ["boolean"], "fit_intercept": ["boolean"], "solver": [StrOptions(set(SOLVERS))],
    "device": [StrOptions(set(DEVICES))], "dtype": DTYPE, "n_jobs": N_JOBS,
    "random_state": ["random_state"], "verbose": ["verbose"],
}


class ReservoirCore(BaseEstimator):
    """What every reservoir estimator does: check its parameters, draw its reservoir and run it
    over sequences on the harvest engine. Subclasses declare the parameters in ``__init__``.

    Fitted attributes set here: ``reservoir_`` (:class:`~reservoir.weights.Reservoir`),
    ``n_outputs_``.
    """

    feedback_scaling = 0.0  # estimators without output feedback
    #: Root mean square of unstandardised inputs times ``input_scaling`` above which ``fit``
    #: warns (:func:`~reservoir.common.scaling.warn_scale`): a 300-unit ESN recalling its
    #: previous Gaussian input scored R^2 0.95-0.99 from input scales 1e-3 to 1, 0.74 at 10,
    #: 0.61 at 100, 0.40 at 1000.
    _input_scale_limit = 10.0

    # ----------------------------------------------------------------- parameters and input
    def _check_params(self):
        """The declared parameters (``_parameter_constraints``), then the device's availability."""
        self._validate_params()
        check_device(self.device)
        self._dtype = check_dtype(self.dtype)

    def _validate_X(self, X, reset, y=None):
        """Validate X (and y when given); returns (X_seqs, y_seqs or None, form)."""
        return validate_sequences(self, X, y, reset=reset, dtype=self._dtype)

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

    def _harvester(self):
        """The harvest engine of this call: the fitted reservoir on the device resolved now."""
        return Harvester(self.reservoir_, self.leak_rate, self._dtype,
                         backend(self.device, self.n_jobs))

    def _run(self, U_seqs, Yprev_seqs=None, x=None, engine=None, on_device=False, out=None):
        """Harvest validated sequences from zero states (or ``x``, packed order) on ``engine``
        (default: :meth:`_harvester`), into ``out`` (n_rows, N) when given: returns the
        :class:`~reservoir.harvest.Pack`, the packed inputs and the engine's piece iterator."""
        engine = self._harvester() if engine is None else engine
        pack = Pack.of(U_seqs)
        U = pack.rows(U_seqs, dtype=self._dtype)
        Y_prev = None if Yprev_seqs is None else pack.rows(Yprev_seqs, dtype=self._dtype)
        return pack, U, engine.run(pack, U, Y_prev, x, on_device=on_device, out=out)

    def _states(self, U_seqs):
        """Reservoir states of every sequence from a zero state, (T_i, N) each (views of one
        array, harvested in place there)."""
        out = np.empty((sum(len(U) for U in U_seqs), self.reservoir_.n_reservoir),
                       dtype=self._dtype)
        pack, _, pieces = self._run(U_seqs, out=out)
        for _ in pieces:
            pass
        return pack.split(out)

    def _final_state(self, U):
        """The reservoir state after one validated sequence U, from a zero state."""
        x = np.zeros((1, self.reservoir_.n_reservoir), dtype=self._dtype)
        for _ in self._run([U], x=x)[2]:
            pass
        return x[0]


class ReservoirMixin(ReservoirCore):
    """Estimators with a step-by-step ridge readout (``ESNRegressor``, ``ESNForecaster``).

    :func:`reservoir.batch.fit_configurations` fits many of them through the same steps as
    ``fit``: ``_training_data`` (validation), ``_training_rows`` and ``_add_rows`` (the readout's
    rows), ``_fitted_from`` (the fitted state).

    Fitted attributes set here: ``readout_`` (:class:`~reservoir.readout.Readout`, the factorized
    training rows of ``fit``), ``coef_`` (n_outputs, n_features_out), ``intercept_``
    (n_outputs,), ``state_`` (n_reservoir,) the state at the end of the last sequence seen.
    """

    # ----------------------------------------------------------------------------- fitting
    def _fit(self, X, y, sample_weight=None):
        """fit: validate (``_training_data`` of the subclass, and the per-step weights), draw
        the reservoir, harvest the states into the readout (:meth:`_harvest_readout`), then
        :meth:`_fitted_from`."""
        self._check_params()
        # (values whose squares would overflow were refused by the validation; standardised
        # ones are at most sqrt(n_steps) in size)
        U_seqs, Y_seqs, Yprev_seqs = self._training_data(X, y)
        weights = None if sample_weight is None else check_step_weights(sample_weight, U_seqs)
        n_in, n_out = U_seqs[0].shape[1], Y_seqs[0].shape[1]
        p = n_features(n_in, self.n_reservoir, self.squares, self.fit_intercept)
        check_readout_memory(p, p + n_out)  # before the draw: minutes for a large, sparse W
        self._build(n_in, n_out)
        with blas_threads(self._n_features_out()), keyboard_interrupts():
            readout, state = self._harvest_readout(U_seqs, Y_seqs, Yprev_seqs, weights)
        return self._fitted_from(self.reservoir_, readout, state, U_seqs, Y_seqs)

    def _fitted_from(self, reservoir, readout, state, U_seqs, Y_seqs):
        """The end of every fit (this estimator's, and :func:`reservoir.batch.fit_configurations`'
        for each configuration): take ``reservoir``, the :class:`~reservoir.readout.Readout`
        ``readout`` of the training rows and the final ``state``, solve for ``ridge`` (with
        ``ridge=None``, for the value that :func:`~reservoir.ridge_cv.choose_ridge` chooses
        from the blocks of ``readout``): ``ridge_``."""
        for attr in ("_P", "_W", "_rls_rows"):  # a new fit restarts partial_fit's RLS
            self.__dict__.pop(attr, None)
        self._set_reservoir(reservoir, Y_seqs[0].shape[1])
        with blas_threads(self._n_features_out()):
            if self.ridge is None:
                self.ridge_, readout = choose_ridge(readout)
            else:
                self.ridge_ = float(self.ridge)
            self.readout_ = readout
            self.coef_, self.intercept_ = readout.coef_for(self.ridge_)
        self.state_ = state
        self._after_fit(U_seqs, Y_seqs)
        return self

    # ------------------------------------------------------------------------- the readout
    def _features(self, U, S):
        return design_matrix(U, S, self.squares, self.fit_intercept)

    def _n_features_out(self):
        return n_features(self.n_features_in_, self.reservoir_.n_reservoir, self.squares,
                          self.fit_intercept)

    def _harvest_readout(self, U_seqs, Y_seqs, Yprev_seqs, weights=None):
        """Stream the readout rows of all sequences (after their washout, and only steps with a
        target and, given per-step ``weights`` (list of (n_steps,)), a weight > 0, each row then
        scaled by the weight's square root: weighted least squares) into the solver's
        accumulator, harvesting on the engine's device; with ``solver="gram"`` on the GPU the
        Gram matrix is accumulated there too (unless the weights are not all 0 or 1). Returns
        the :class:`~reservoir.readout.Readout` and the final state of the last sequence."""
        engine = self._harvester()
        p, m = self._n_features_out(), self.n_outputs_
        binary = weights is None or all(np.all((w == 0) | (w == 1)) for w in weights)
        on_device = self.solver == "gram" and engine.backend.name == "cuda" and binary and \
            self.ridge is not None
        x = np.zeros((len(U_seqs), self.reservoir_.n_reservoir), dtype=self._dtype)
        pack, U, pieces = self._run(U_seqs, Yprev_seqs, x, engine, on_device)
        Y = pack.rows(Y_seqs, dtype=np.float64)
        use = self._training_rows(pack, Y_seqs)
        scale = None
        if weights is not None:
            w = pack.rows(weights)
            use &= w > 0
            scale = None if binary else np.sqrt(w)
        if on_device:
            from .cuda_kernels import DeviceGram

            gram = DeviceGram(p + m, self.fit_intercept, self.squares)
        acc = self._accumulator(p, m, int(use.sum()))
        with Progress(pack.n_rows, f"{type(self).__name__}.fit",
                      enabled=bool(self.verbose)) as bar:
            for piece in pieces:
                rows, sel = piece.rows, use[piece.rows]
                if on_device:
                    gram.add(piece.states, U[rows], Y[rows], sel)
                else:
                    self._add_rows(acc, U[rows], piece.states, Y[rows], sel,
                                   None if scale is None else scale[rows],
                                   engine.backend.workers)
                bar.update(piece.n_rows)
        if on_device:
            G = gram.result()
            acc.add(G[:p, :p], G[:p, p:], int(use.sum()), G[p:, p:])
        return Readout(acc), x[pack.position(len(U_seqs) - 1)].copy()

    def _accumulator(self, p, m, n_rows):
        """The readout's accumulator of ``n_rows`` rows of p features and m targets: the
        solver's, or with ``ridge=None`` a :class:`~reservoir.ridge_cv.BlockedRidge` of them."""
        if self.ridge is None:
            return BlockedRidge(self.solver, p, m, self.fit_intercept, n_rows)
        return SOLVERS[self.solver](p, m, self.fit_intercept)

    def _training_rows(self, pack, Y_seqs):
        """Which packed rows the readout learns from, (n_rows,) bool: after the washout, and
        only steps with a target (Y_seqs[i] may be a step shorter than its inputs)."""
        return (pack.steps >= self.washout) & (pack.steps < pack.per_row([len(y) for y in Y_seqs]))

    def _add_rows(self, acc, U, S, Y, use, scale=None, workers=1):
        """Add the readout rows of inputs U (T, n_in), states S (T, N) and targets Y (T, m) where
        ``use`` (T,) holds to the accumulator ``acc``, each scaled by ``scale`` (T,) if given
        (the square roots of the steps' weights), on ``workers`` threads (the Gram
        accumulator's)."""
        if not use.any():
            return
        if not use.all():
            U, S, Y = U[use], S[use], Y[use]
            scale = None if scale is None else scale[use]
        if scale is None:
            acc.update_blocks(feature_blocks(U, S, self.squares), Y, workers)
        else:
            F = self._features(U, S).astype(np.float64, copy=False)
            acc.update(F * scale[:, None], Y * scale[:, None], workers)

    def with_ridge(self, ridge):
        """This fitted model with its readout solved for another ``ridge``, without new states.

        The readout kept by ``fit`` (``readout_``) gives the weights of any ridge value; a sweep
        of many values shares one factorization. ``self`` is not changed.

        Parameters
        ----------
        ridge : float
            The new penalty (>= 0).

        Returns
        -------
        model : estimator
            A copy with ``ridge`` set and its ``coef_`` and ``intercept_`` solved for it
            (sharing ``reservoir_`` and ``readout_`` with ``self``).
        """
        check_is_fitted(self, "readout_")
        if ridge is None:
            raise ValueError("with_ridge takes a ridge value (>= 0); the choice of ridge=None "
                             f"is made by fit (this model's: ridge_={self.ridge_}).")
        model = copy.deepcopy(self, {id(self.reservoir_): self.reservoir_,
                                     id(self.readout_): self.readout_})
        model.set_params(ridge=ridge)._validate_params()
        model.ridge_ = float(ridge)
        for attr in ("_P", "_W", "_rls_rows"):  # partial_fit's RLS restarts from the new readout
            model.__dict__.pop(attr, None)
        with blas_threads(self._n_features_out()):
            model.coef_, model.intercept_ = self.readout_.coef_for(ridge)
        return model

    def _set_readout(self, W):
        """Store weights W (p, m) laid out as [intercept?, inputs, states, squares]."""
        c = int(self.fit_intercept)
        self.intercept_ = W[0].copy() if c else np.zeros(W.shape[1])
        self.coef_ = np.array(W[c:].T, order="C")  # a copy: RLS updates W in place

    def _readout_weights(self, coef=None):
        """Readout split for the kernels: W_u (m, n_in), W_x (m, N), W_sq (m, n_sq), all dtype
        (of ``coef_``, or of ``coef`` shaped like it)."""
        n_in, N = self.n_features_in_, self.reservoir_.n_reservoir
        coef = (self.coef_ if coef is None else coef).astype(self._dtype)
        return (np.ascontiguousarray(coef[:, :n_in]), np.ascontiguousarray(coef[:, n_in:n_in + N]),
                np.ascontiguousarray(coef[:, n_in + N:]))

    def _outputs(self, U_seqs):
        """Readout outputs of every sequence from a zero state, (T_i, n_outputs) float64 each."""
        pack, U, pieces = self._run(U_seqs)
        out = np.empty((pack.n_rows, self.n_outputs_))
        for piece in pieces:
            out[piece.rows] = self._readout(U[piece.rows], piece.states)
        return pack.split(out)

    def _readout(self, U, S, coef=None, intercept=None):
        """Outputs of inputs U and states S (rows), by ``coef_``, ``intercept_`` or those given."""
        F = design_matrix(U, S, self.squares, intercept=False)
        coef, intercept = (self.coef_, self.intercept_) if coef is None else (coef, intercept)
        return F @ coef.T.astype(S.dtype) + intercept

    def _partial_fit_readout(self, U, Y, Y_prev, skip):
        """RLS over one continuing sequence, from ``state_``; the first ``skip`` rows unused."""
        p = self._n_features_out()
        c = int(self.fit_intercept)
        if not hasattr(self, "_P"):
            # fit's ridge (its choice with ridge=None), or from scratch the one set
            ridge = self.ridge_ if hasattr(self, "readout_") else \
                PARTIAL_FIT_RIDGE if self.ridge is None else float(self.ridge)
            if ridge <= 0:
                raise ValueError("partial_fit needs ridge > 0: it starts recursive least squares "
                                 "from P = I / ridge.")
            self.ridge_ = ridge
            if hasattr(self, "readout_"):  # continue fit's solution: its intercept is free
                penalty = np.full(p, ridge)
                penalty[:c] = 0.0
                P = np.linalg.inv(self.readout_.gram() + np.diag(penalty))
                self._P = (P + P.T) / 2  # symmetric to the last bit, as rls_update needs
            else:
                self._P = np.eye(p) / ridge
            self._W = np.zeros((p, self.n_outputs_)) if not hasattr(self, "coef_") else \
                np.concatenate([self.intercept_[None, :]] * c + [self.coef_.T])
            self._rls_rows = 0
        before = self._P.copy(), self._W.copy()
        x = self.state_[None, :].copy()
        pack, Uc, pieces = self._run([U], None if Y_prev is None else [Y_prev], x)
        rows = self._rls_rows
        for piece in pieces:
            a, b = piece.rows.start, piece.rows.stop
            lo = max(a, skip)
            if b > lo:
                F = self._features(Uc[lo:b], piece.states[lo - a:]).astype(np.float64)
                stop = rls_update(self._P, self._W, F, np.ascontiguousarray(Y[lo:b]),
                                  float(self.forgetting), self.ridge_, c, rows)
                if stop >= 0:
                    self._P, self._W = before
                    raise FloatingPointError(
                        f"Recursive least squares broke down at step {lo + stop} of this "
                        "partial_fit call (its inverse correlation matrix is no longer positive "
                        "definite); the model is left as it was before the call. Use a larger "
                        f"ridge (now {self.ridge_}) or forgetting (now {self.forgetting}), or "
                        "scale the inputs.")
                rows += b - lo
        self._rls_rows = rows
        self._set_readout(self._W)
        self.state_ = x[0]

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

    def _format_predictions(self, outs, form, X):
        """The outputs of every step of X as ``predict`` returns them."""
        return self._format_output(outs, form)

    def _format_output(self, outs, form):
        """Outputs in the estimator's dtype (float32 models return float32), 1-D for a 1-D y."""
        outs = [o.astype(self._dtype, copy=False) for o in outs]
        if self._y_1d:
            outs = [o[:, 0] for o in outs]
        return as_given(outs, form)

    def _check_fitted(self):
        check_is_fitted(self, "coef_")
