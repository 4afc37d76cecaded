"""ESNRegressor: an echo state network mapping input sequences to target sequences."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils import TransformerTags

from .base import CONSTRAINTS, FIXED, ReservoirMixin
from .common.scaling import standardized_inputs
from .common.scoring import r2
from .common.validation import (
    FRACTION,
    NON_NEGATIVE,
    ONE,
    as_given,
    check_washout,
    require_y,
    sequence_form,
    start_partial_fit,
)
from .docstrings import fill_doc


def _teacher(Y):
    """y(t-1) for every step: Y shifted down one row, zeros first."""
    Y_prev = np.zeros_like(Y)
    Y_prev[1:] = Y[:-1]
    return Y_prev


@fill_doc
class ESNRegressor(RegressorMixin, ReservoirMixin):
    """Echo state network with a ridge-regression readout.

    The reservoir (leaky-tanh, Jaeger et al. 2007) runs
    ``x(t) = (1-a) x(t-1) + a tanh(W x(t-1) + W_in u(t) + W_fb y(t-1) + b)`` from ``x = 0`` at the
    start of every sequence; the readout is ``y(t) = W_out [1; u(t); x(t)]`` (plus the squares of
    every second state with ``squares=True``), trained on the steps after ``washout``.

    Parameters
    ----------
    {reservoir_parameters}
    feedback_scaling : float, default=0.0
        W_fb is uniform in [-feedback_scaling, feedback_scaling]; a positive value turns on
        output feedback, teacher forced during ``fit`` and closed loop (the model's own outputs)
        during ``predict``.
    {readout_parameters}
    forgetting : float, default=1.0
        RLS forgetting factor in (0, 1] used by ``partial_fit``.
    standardize : bool, default=False
        Standardise every input feature by its mean and standard deviation over the training
        steps (of all sequences; of the first piece for ``partial_fit`` from scratch) before
        the reservoir and the readout, so inputs of different scales drive it alike. The
        targets keep their units. For lists of sequences, which scikit-learn's scalers do not
        take.
    {run_parameters}

    Attributes
    ----------
    reservoir_ : reservoir.Reservoir
        The drawn weights W (CSR), W_in, b and W_fb.
    coef_ : ndarray of shape (n_outputs, n_readout_features)
        Readout weights of the features [u(t); x(t)] (and squares).
    intercept_ : ndarray of shape (n_outputs,)
        Constant term of the readout.
    ridge_ : float
        The ridge of ``coef_``: ``ridge``, or the one chosen with ``ridge=None``.
    input_mean_, input_scale_ : ndarray of shape (n_features,)
        The input standardisation (zeros and ones with ``standardize=False``).
    n_features_in_ : int
        Number of input features.

    Examples
    --------
    >>> import numpy as np
    >>> from reservoir import ESNRegressor
    >>> u = np.random.default_rng(0).uniform(-1, 1, size=(500, 1))
    >>> model = ESNRegressor(n_reservoir=100, washout=20, random_state=0).fit(u[:-1], u[1:, 0])
    >>> model.predict(u[:-1]).shape
    (499,)
    """

    _parameter_constraints = {**CONSTRAINTS, "feedback_scaling": NON_NEGATIVE,
                              "forgetting": FRACTION, "standardize": ["boolean"]}

    def __init__(self, n_reservoir=300, *, spectral_radius=1.0, leak_rate=0.9, input_scaling=0.4,
                 bias_scaling=0.5, density=0.1, input_density=1.0, feedback_scaling=0.0,
                 ridge=None, washout=100, squares=False, fit_intercept=True, solver="qr",
                 forgetting=1.0, standardize=False, device="cpu", dtype="float64", n_jobs=None,
                 random_state=None, verbose=False):
        self.n_reservoir = n_reservoir
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.density = density
        self.input_density = input_density
        self.feedback_scaling = feedback_scaling
        self.ridge = ridge
        self.washout = washout
        self.squares = squares
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.forgetting = forgetting
        self.standardize = standardize
        self.device = device
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.transformer_tags = TransformerTags()  # transform() returns the reservoir states
        return tags

    def fit(self, X, y, sample_weight=None):
        """Harvest the states of every sequence and solve the ridge readout.

        Parameters
        ----------
        {X_sequences}
        {y_sequences}
        {sample_weight_steps}
            The readout solves weighted least squares: a step of weight 0 is left out, so a
            target at the last step only (weights 0 elsewhere) gives one label per sequence.

        Returns
        -------
        self : ESNRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    def _validate_X(self, X, reset, y=None):
        """Validated sequences (and targets), the inputs standardised (``standardize``; the
        scaling fitted when ``reset``)."""
        X_seqs, y_seqs, form = super()._validate_X(X, reset, y)
        return standardized_inputs(self, X_seqs, reset, self._dtype), y_seqs, form

    def _training_data(self, X, y):
        require_y(self, y)
        X_seqs, y_seqs, _ = self._validate_X(X, reset=True, y=y)
        check_washout(X_seqs, self.washout)
        Y_prev = [_teacher(y) for y in y_seqs] if self._has_feedback else None
        return X_seqs, y_seqs, Y_prev

    def _after_fit(self, U_seqs, Y_seqs):
        self.last_output_ = Y_seqs[-1][-1].copy()

    def partial_fit(self, X, y):
        """Update the readout online by recursive least squares.

        ``X`` (n_steps, n_features) continues the stream seen so far: the reservoir state (and the
        fed-back output) carry over from the previous call, or from the end of ``fit``. On the
        first call the reservoir is drawn and the first ``washout`` steps are not learnt from.
        RLS starts from ``P = inv(F^T F + ridge_ I')`` after ``fit`` (I' leaves the intercept
        unpenalised, as ``fit`` does), so with ``forgetting=1`` it continues ``fit`` to the batch
        solution over all the data; from scratch it starts from ``I / ridge`` (0.1 with
        ``ridge=None``; the intercept then carries the ridge prior too: pieces alone give the
        batch solution without an intercept).

        Parameters
        ----------
        {X_stream}
        {y_stream}

        Returns
        -------
        self : ESNRegressor
            The updated estimator.
        """
        first = start_partial_fit(self, X, y, "coef_", FIXED)
        X_seqs, y_seqs, _ = self._validate_X(X, reset=first, y=y)
        U, Y = X_seqs[0], y_seqs[0]
        if first:
            check_washout(X_seqs, self.washout)
            self._build(U.shape[1], Y.shape[1])
            self.state_ = np.zeros(self.n_reservoir, dtype=self._dtype)
            self.last_output_ = np.zeros(Y.shape[1])
        Y_prev = np.concatenate([self.last_output_[None, :], Y[:-1]])
        self._partial_fit_readout(U, Y, Y_prev if self._has_feedback else None,
                                  self.washout if first else 0)
        self.last_output_ = Y[-1].copy()
        return self

    def fit_transform(self, X, y):
        """Fit, then return the reservoir states of X (see :meth:`transform`).

        Parameters
        ----------
        {X_sequences}
        {y_sequences}

        Returns
        -------
        states : ndarray of shape (n_steps, n_reservoir), or list of such arrays
            The reservoir states of every sequence (one array for a 3-D X).
        """
        return self.fit(X, y).transform(X)

    def transform(self, X):
        """Reservoir states (n_steps, n_reservoir) of each sequence, from a zero state.

        With output feedback the states are those of the closed loop used by ``predict``.

        Parameters
        ----------
        {X_sequences}

        Returns
        -------
        states : ndarray of shape (n_steps, n_reservoir), or list of such arrays
            The reservoir states of every sequence (one array for a 3-D X).
        """
        self._check_fitted()
        X_seqs, _, form = self._validate_X(X, reset=False)
        if self._has_feedback:
            outs = [self._closed_loop(U, return_states=True) for U in X_seqs]
        else:
            outs = self._states(X_seqs)
        return as_given(outs, form)

    def predict(self, X):
        """Outputs for every step of every sequence, each run from a zero state.

        Parameters
        ----------
        {X_sequences}

        {predicted_outputs}
        """
        self._check_fitted()
        X_seqs, _, form = self._validate_X(X, reset=False)
        outs = [self._closed_loop(U) for U in X_seqs] if self._has_feedback else \
            self._outputs(X_seqs)
        return self._format_output(outs, form)

    def score(self, X, y, sample_weight=None):
        """R^2 over all steps after the washout of every sequence (those steps are transients).

        Parameters
        ----------
        {X_sequences}
        {y_sequences}
        sample_weight : array-like of shape (n_steps,), default=None
            Weights of the steps of a single sequence.

        Returns
        -------
        score : float
            The coefficient of determination R^2.
        """
        return self.score_predictions(X, y, self.predict(X), sample_weight)

    def score_predictions(self, X, y, predictions, sample_weight=None):
        """The score :meth:`score` gives, for predictions of X already made (by another readout
        of this reservoir, say: the grid search scores many ridge values so).

        Parameters
        ----------
        {X_sequences}
        {y_sequences}
        predictions : ndarray or list of ndarray
            What :meth:`predict` would return for X.
        sample_weight : array-like of shape (n_steps,), default=None
            Weights of the steps of a single sequence.

        Returns
        -------
        score : float
            The coefficient of determination R^2 after the washout.
        """
        preds, truths = predictions, y
        if sequence_form(X) == ONE:
            preds, truths = [preds], [y]
        w = self.washout
        lengths = [len(p) for p in preds]
        check_washout([np.empty((n, 0)) for n in lengths], w)
        if sample_weight is not None:
            if len(preds) > 1:
                raise ValueError("sample_weight is supported for a single sequence only.")
            sample_weight = np.asarray(sample_weight)[w:]
        pred = np.concatenate([p[w:] for p in preds])
        truth = np.concatenate([np.asarray(t, dtype=float)[w:] for t in truths])
        return r2(truth, pred, sample_weight=sample_weight)

    def _predict_inputs(self, X):
        X_seqs, _, form = self._validate_X(X, reset=False)
        return X_seqs, form

    def _closed_loop(self, U, return_states=False):
        """Run one sequence feeding back the model's own outputs."""
        res = self.reservoir_
        W_u, _, _ = self._readout_weights()
        x = np.zeros(res.n_reservoir, dtype=self._dtype)
        y_prev = np.zeros(self.n_outputs_, dtype=self._dtype)
        engine = self._harvester()
        outs, states = [], []
        for a in range(0, U.shape[0], engine.max_rows):
            Uc = U[a:a + engine.max_rows]
            drive = engine.drive(Uc)
            out_drive = Uc @ W_u.T + self.intercept_.astype(self._dtype)
            outs.append(self._generate(drive, res.W_fb, out_drive,
                                       np.zeros((self.n_outputs_,) * 2), x, y_prev,
                                       states=states if return_states else None))
        return np.concatenate(states) if return_states else np.concatenate(outs)
