"""ESNClassifier: one label per sequence, from a vector of the sequence's reservoir states."""

import copy

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d, validate_data

from .base import CONSTRAINTS, ReservoirCore
from .common.device import blas_threads
from .common.docstrings import filler
from .common.interrupt import keyboard_interrupts
from .common.progress import Progress
from .common.scaling import standardized_inputs
from .common.validation import (
    COUNT,
    POSITIVE,
    check_classes,
    check_known_labels,
    check_magnitude,
    check_sequences,
    check_values,
    check_washout,
    is_sequence_list,
    univariate_items,
    validate_sequences,
    warn_channels_first,
)
from .docstrings import FRAGMENTS
from .readout import Readout
from .representations import REPRESENTATIONS, Projection, Summaries
from .svd_ridge import RIDGES, SVDRidge, temperatures
from .weights import block_diagonal, make_reservoir

#: Bytes of training states a model-space fit keeps from its first harvest (for the principal
#: axes) to compute the vectors from, instead of harvesting again.
KEPT_BYTES = 256 * 2**20

#: The ESN fragments and the sequences a classifier takes.
fill_doc = filler({**FRAGMENTS, "X_classified": """\
X : list of array-like of shape (n_steps_i, n_features), or array-like
    The sequences (see Notes)."""})


@fill_doc
class ESNClassifier(ClassifierMixin, ReservoirCore):
    """Echo state network classifier of whole sequences: one label per sequence.

    Every sequence (of any length) runs through the reservoir from a zero state; a fixed-size
    vector of its states (``representation``) is standardised and read out by a one-hot ridge
    classification (or by ``classifier``). The states of all sequences are harvested together
    (packed, :mod:`reservoir.harvest`) and reduced to their vectors as they stream, in the
    kernels of :mod:`reservoir.representations`.

    Parameters
    ----------
    n_reservoir : int, default=300
        Number of reservoir units N (of each member of an ensemble).
    spectral_radius : float, default=0.9
        Spectral radius of the recurrent matrix W.
    leak_rate : float, default=0.3
        Leak rate a in (0, 1].
    input_scaling : float, default=0.2
        W_in is uniform in [-input_scaling, input_scaling] (the inputs standardised first).
    bias_scaling : float, default=0.5
        The bias b is uniform in [-bias_scaling, bias_scaling].
    density : float, default=0.1
        Fraction of nonzero entries of W, in (0, 1].
    input_density : float, default=1.0
        Fraction of nonzero entries of W_in, in (0, 1].
    representation : {"last_mean", "last", "mean", "model"}, default="last_mean"
        The vector of a sequence: its last state, its mean state after the washout, both, or
        the reservoir model space (the weights of a ridge regression of u(t+1) on the states'
        first ``n_components`` principal components; Bianchi et al. 2020).
    n_components : int, default=30
        Principal components of the states in the model space.
    space_ridge : float, default=1.0
        Penalty of each sequence's regression in the model space (> 0).
    bidirectional : bool, default=False
        Also run every sequence reversed through the same reservoir and append that vector
        (the bidirectional reservoir of Bianchi et al. 2020; twice the harvest).
    ridge : float or None, default=None
        Penalty of the classification readout on the standardised vectors (> 0); None chooses
        it from ``reservoir.svd_ridge.RIDGES`` by leave-one-out errors on the training
        sequences, for each member (all values from one factorization).
    washout : int, default=0
        Initial steps of every sequence left out of the mean and the model space.
    standardize : bool, default=True
        Standardise every input feature by its mean and standard deviation over all training
        steps before the reservoir (so features of different scales drive it alike).
    classifier : scikit-learn classifier or None, default=None
        Read out the standardised vectors (all members' side by side) with a clone of this
        instead of the ridge readout.
    n_estimators : int, default=1
        Reservoirs drawn with successive seeds, run side by side in one harvest (one
        block-diagonal W); their probabilities are averaged (Jaeger et al. 2007). Many small
        members (e.g. 50 of 20 units with ``density=1.0``) average better than a few large
        ones (docs/classification.md).
    {run_parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    reservoir_ : reservoir.Reservoir
        The drawn weights (block-diagonal for an ensemble).
    input_mean_, input_scale_ : ndarray of shape (n_features,)
        The input standardisation (zeros and ones with ``standardize=False``).
    feature_mean_, feature_scale_ : ndarray of shape (n_estimators, n_dimensions)
        The standardisation of each member's vectors (n_dimensions doubled with
        ``bidirectional``).
    readouts_ : list of reservoir.Readout
        Each member's training vectors and one-hot targets (+1/-1), factorized once (an SVD,
        or with fewer sequences than vector entries the eigendecomposition of their Gram
        matrix: :class:`reservoir.svd_ridge.SVDRidge`): the weights of any ridge value follow
        (``with_ridge``), and the leave-one-out outputs. Not set with ``classifier``.
    ridge_ : ndarray of shape (n_estimators,)
        The ridge value of each member.
    coef_ : ndarray of shape (n_estimators, n_classes, n_dimensions)
        Ridge readout weights of each member.
    intercept_ : ndarray of shape (n_estimators, n_classes)
        Their constant terms.
    temperature_ : ndarray of shape (n_estimators,)
        Each member's probabilities are ``softmax(temperature_ * outputs)``, the temperature
        fitted to the leave-one-out outputs of the training sequences (log-loss).
    classifier_ : estimator
        The fitted clone of ``classifier`` (only with one).
    n_features_in_ : int
        Number of input features (time points for a 2-D X).

    Notes
    -----
    X is a list of sequences (n_steps_i, n_features) of any lengths (1-D ones: univariate), or a
    3-D array (n_sequences, n_steps, n_features) of equal-length ones, or a 2-D array whose rows
    are univariate series (n_sequences, n_steps), as in the UCR archive's tables. aeon and sktime
    order their 3-D arrays (n_cases, n_channels, n_timepoints): ``fit`` warns when every sequence
    has fewer steps than features, the likely sign of that order. Any form may follow
    any other in ``predict`` when the steps have the fitted number of features (a 2-D X is
    refused by a model fitted on multivariate sequences); after a fit on a table, later tables
    need as many time points.

    Examples
    --------
    >>> import numpy as np
    >>> from reservoir import ESNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = [np.sin(np.arange(n)[:, None] * f) for n, f in zip(rng.integers(10, 30, 40),
    ...                                                       np.repeat([0.2, 0.5], 20))]
    >>> y = np.repeat(["slow", "fast"], 20)
    >>> model = ESNClassifier(n_reservoir=50, random_state=0).fit(X, y)
    >>> model.predict(X[:2]).tolist(), model.score(X, y)
    (['slow', 'slow'], 1.0)
    """

    _parameter_constraints = {
        **{k: CONSTRAINTS[k] for k in (
            "n_reservoir", "spectral_radius", "leak_rate", "input_scaling", "bias_scaling",
            "density", "input_density", "washout", "device", "dtype", "n_jobs", "random_state",
            "verbose")},
        "representation": [StrOptions(set(REPRESENTATIONS))],
        "n_components": COUNT,
        "space_ridge": POSITIVE,
        "bidirectional": ["boolean"],
        "ridge": POSITIVE + [None],
        "standardize": ["boolean"],
        "classifier": [HasMethods(["fit", "predict"]), None],
        "n_estimators": COUNT,
    }

    def __init__(self, n_reservoir=300, *, spectral_radius=0.9, leak_rate=0.3,
                 input_scaling=0.2, bias_scaling=0.5, density=0.1, input_density=1.0,
                 representation="last_mean", n_components=30, space_ridge=1.0,
                 bidirectional=False, ridge=None, washout=0, standardize=True, classifier=None,
                 n_estimators=1, device="cpu", dtype="float64", n_jobs=None, random_state=None,
                 verbose=False):
        self.n_reservoir = n_reservoir
        self.spectral_radius = spectral_radius
        self.leak_rate = leak_rate
        self.input_scaling = input_scaling
        self.bias_scaling = bias_scaling
        self.density = density
        self.input_density = input_density
        self.representation = representation
        self.n_components = n_components
        self.space_ridge = space_ridge
        self.bidirectional = bidirectional
        self.ridge = ridge
        self.washout = washout
        self.standardize = standardize
        self.classifier = classifier
        self.n_estimators = n_estimators
        self.device = device
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    # ----------------------------------------------------------------------------- input
    def _validate_X(self, X, reset, y=None):
        """X as a list of (n_steps, n_features) arrays in the states' dtype (see Notes).

        A 2-D X fitted on is a table of univariate series: later 2-D X must have as many time
        points (``n_features_in_``, as scikit-learn checks). Every form may follow every other
        as long as the steps have the fitted number of features (``len(input_mean_)``).
        """
        table, X = False, univariate_items(X)
        if not is_sequence_list(X):
            check_values(X, "X", table=True)
            if np.asarray(X).ndim == 3:
                X = list(check_array(np.asarray(X), dtype=self._dtype, allow_nd=True,
                                     ensure_all_finite=True, input_name="X"))
            elif reset or self._table_fitted:  # rows: univariate series
                X = validate_data(self, X, reset=reset, dtype=self._dtype,
                                  ensure_all_finite=True, order="C")
                if reset:
                    self._table_fitted = True
                return list(X[:, :, None])
            else:  # fitted on sequences: the rows are univariate series of any length
                X = check_array(X, dtype=self._dtype, ensure_all_finite=True, input_name="X")
                X, table = list(X[:, :, None]), True
        if reset:
            self._table_fitted = False
            seqs = validate_sequences(self, X, reset=True, dtype=self._dtype)[0]
            warn_channels_first(seqs)
            return seqs
        seqs, _, _ = check_sequences(X, name="X", dtype=self._dtype)
        n, fitted = seqs[0].shape[1], len(self.input_mean_)
        if n != fitted:
            hint = (" A 2-D X is read as univariate series, one per row: pass a list of "
                    "(n_steps, n_features) arrays or a 3-D array." if table else
                    " If its sequences are (n_channels, n_timepoints), as in aeon and sktime, "
                    "pass them transposed." if all(len(q) == fitted for q in seqs) else "")
            raise ValueError(f"X has {n} feature(s) a step, but ESNClassifier was fitted on "
                             f"sequences of {fitted}.{hint}")
        return seqs

    def _labels(self, y, n_sequences):
        """Class indices (n_sequences,) of labels y; sets ``classes_``."""
        if y is None:
            raise ValueError("ESNClassifier requires y to be passed, but the target y is None; "
                             "pass one label per sequence.")
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != n_sequences:
            raise ValueError(f"X has {n_sequences} sequences but y has {len(y)} labels; pass "
                             "one label per sequence.")
        self.classes_, labels = np.unique(y, return_inverse=True)
        check_classes(self.classes_)
        return labels

    def _inputs(self, X, reset):
        """Validated, standardised sequences of X."""
        seqs = self._validate_X(X, reset)
        check_washout(seqs, self.washout, reserved=int(self.representation == "model"))
        check_magnitude(seqs, "X")
        return standardized_inputs(self, seqs, reset, self._dtype)

    # ------------------------------------------------------------------------- fitting
    def fit(self, X, y):
        """Harvest every sequence's vector and fit the readout.

        Parameters
        ----------
        {X_classified}
        y : array-like of shape (n_sequences,)
            One label per sequence (strings or numbers).

        Returns
        -------
        self : ESNClassifier
            The fitted estimator.
        """
        self._check_params()
        seqs = self._inputs(X, reset=True)
        labels = self._labels(y, len(seqs))
        self._build(seqs[0].shape[1], 1)
        with keyboard_interrupts():
            R = self._vectors(seqs, fit=True)
        self.feature_mean_ = R.mean(axis=0)
        scale = R.std(axis=0)
        self.feature_scale_ = np.where(scale > 0, scale, 1.0)
        F = (R - self.feature_mean_) / self.feature_scale_
        for attr in ("classifier_", "readouts_", "coef_", "intercept_", "ridge_",
                     "temperature_"):
            self.__dict__.pop(attr, None)
        if self.classifier is not None:
            self.classifier_ = clone(self.classifier).fit(F.reshape(len(F), -1), labels)
            return self
        Y = np.where(labels[:, None] == np.arange(len(self.classes_)), 1.0, -1.0)
        with blas_threads(F.shape[2]):
            self.readouts_ = [Readout(svd) for svd in SVDRidge.each(F, Y)]
        self._labels_fitted = labels
        self._solve(self.ridge)
        return self

    def _solve(self, ridge):
        """Readout weights and temperatures of every member for ``ridge`` (None: chosen by
        leave-one-out)."""
        labels = self._labels_fitted
        svds = [readout.accumulator for readout in self.readouts_]
        with blas_threads(svds[0].n_features):  # the policy's threads, whatever the env
            self.ridge_ = np.array([svd.best_ridge(RIDGES, labels) if ridge is None else ridge
                                    for svd in svds], dtype=np.float64)
            solved = [r.coef_for(float(a)) for r, a in zip(self.readouts_, self.ridge_)]
            self.coef_ = np.stack([c for c, _ in solved])
            self.intercept_ = np.stack([b for _, b in solved])
            self.temperature_ = temperatures(
                np.stack([svd.outputs(a) for svd, a in zip(svds, self.ridge_)]), labels)

    def _build(self, n_inputs, n_outputs):
        """Draw the ``n_estimators`` members from one random state, in turn (the first is the
        reservoir of a single model), side by side as one block-diagonal reservoir."""
        rng = check_random_state(self.random_state)
        members = [make_reservoir(
            self.n_reservoir, n_inputs, n_outputs, spectral_radius_=self.spectral_radius,
            density=self.density, input_scaling=self.input_scaling,
            input_density=self.input_density, bias_scaling=self.bias_scaling,
            random_state=rng, dtype=self._dtype) for _ in range(self.n_estimators)]
        self._set_reservoir(block_diagonal(members), n_outputs)

    def _vectors(self, seqs, fit=False):
        """Each sequence's vectors (n_sequences, n_estimators, n_dimensions); ``fit`` fits the
        model space's principal axes first (:meth:`_fit_axes`). With ``bidirectional``, the
        vectors of the reversed sequences follow (the model space through the same axes)."""
        with blas_threads(self.n_reservoir):  # the model space's products: the policy's threads
            R = self._direction(seqs, fit)
            if not self.bidirectional:
                return R
            backward = self._direction([np.ascontiguousarray(s[::-1]) for s in seqs])
        return np.concatenate([R, backward], axis=2)

    def _fit_axes(self, seqs):
        """Fit the model space's principal axes on the states of ``seqs``. Returns the harvest
        (pack, packed inputs, pieces with their states) when its states took at most
        :data:`KEPT_BYTES` and were kept, for the vectors to come from; else None (the vectors
        harvest again)."""
        M, N = self.n_estimators, self.n_reservoir
        projection = Projection(M, N, self.n_components)
        n_rows = sum(len(s) for s in seqs)
        keep = n_rows * M * N * np.dtype(self._dtype).itemsize <= KEPT_BYTES
        states = np.empty((n_rows, M * N), dtype=self._dtype) if keep else None
        pack, U, run = self._run(seqs, out=states)
        pieces = []
        for piece in run:
            projection.add(piece.states[pack.steps[piece.rows] >= self.washout])
            if keep:
                pieces.append(piece)
        self._projection = projection.fit()
        if not keep:
            return None
        for piece in pieces:  # each piece's states, from where the harvest kept them
            piece.states = states[piece.rows]
        return pack, U, pieces

    def _direction(self, seqs, fit=False):
        """The vectors of the sequences as given (see :meth:`_vectors`)."""
        M, N = self.n_estimators, self.n_reservoir
        kept = self._fit_axes(seqs) if self.representation == "model" and fit else None
        pack, U, pieces = kept or self._run(seqs)
        summaries = Summaries(self.representation, pack, U, self.washout, M, N,
                              getattr(self, "_projection", None), self.space_ridge)
        with Progress(pack.n_rows, f"{type(self).__name__} states",
                      enabled=bool(self.verbose)) as bar:
            for piece in pieces:
                summaries.add(piece)
                bar.update(piece.n_rows)
        return summaries.result()

    def with_ridge(self, ridge):
        """This fitted model with its readouts solved for another ``ridge``, without new states.

        Parameters
        ----------
        ridge : float
            The new penalty (> 0).

        Returns
        -------
        model : ESNClassifier
            A copy with ``ridge`` set, its weights and temperatures solved for it (sharing
            ``reservoir_`` and ``readouts_`` with ``self``).
        """
        check_is_fitted(self, "readouts_")
        model = copy.deepcopy(self, {id(self.reservoir_): self.reservoir_,
                                     id(self.readouts_): self.readouts_})
        model.set_params(ridge=ridge)._validate_params()
        model._solve(ridge)
        return model

    # -------------------------------------------------------------------------- output
    def _check_fitted(self):
        check_is_fitted(self, "classes_")

    def _features(self, X):
        """Standardised vectors of X's sequences, (n_sequences, n_estimators, n_dimensions)."""
        self._check_fitted()
        seqs = self._inputs(X, reset=False)
        with keyboard_interrupts():
            R = self._vectors(seqs)
        return (R - self.feature_mean_) / self.feature_scale_

    def _member_outputs(self, F):
        """Ridge outputs of each member, (n_sequences, n_estimators, n_classes)."""
        return np.einsum("nkp,kcp->nkc", F, self.coef_) + self.intercept_

    def predict_proba(self, X):
        """Probability of every class for every sequence.

        Parameters
        ----------
        {X_classified}

        Returns
        -------
        proba : ndarray of shape (n_sequences, n_classes)
            Each member's ``softmax(temperature_ * outputs)``, averaged over the members (or
            the ``classifier``'s own probabilities), in the model's ``dtype``.
        """
        return self._proba(X).astype(self._dtype, copy=False)

    def _proba(self, X):
        """:meth:`predict_proba` in float64."""
        F = self._features(X)
        if hasattr(self, "classifier_"):
            return np.asarray(self.classifier_.predict_proba(F.reshape(len(F), -1)),
                              dtype=np.float64)
        z = self._member_outputs(F) * self.temperature_[:, None]
        z = np.exp(z - z.max(axis=2, keepdims=True))
        return (z / z.sum(axis=2, keepdims=True)).mean(axis=1)

    def decision_function(self, X):
        """Log-probabilities of the classes (the log-odds of ``classes_[1]`` for two classes).

        Parameters
        ----------
        {X_classified}

        Returns
        -------
        scores : ndarray of shape (n_sequences, n_classes), or (n_sequences,) for two classes
            ``log(predict_proba(X))`` (for a single member, its ridge outputs times the
            temperature, less a per-sequence constant), in the model's ``dtype``.
        """
        logp = np.log(np.maximum(self._proba(X), np.finfo(np.float64).tiny))
        out = logp[:, 1] - logp[:, 0] if len(self.classes_) == 2 else logp
        return out.astype(self._dtype, copy=False)

    def predict(self, X):
        """The most probable class of every sequence.

        Parameters
        ----------
        {X_classified}

        Returns
        -------
        labels : ndarray of shape (n_sequences,)
            Predicted labels (from ``classes_``).
        """
        self._check_fitted()
        if hasattr(self, "classifier_"):
            F = self._features(X)
            return self.classes_[self.classifier_.predict(F.reshape(len(F), -1))]
        return self.classes_[np.argmax(self._proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy: the fraction of sequences labelled right.

        Parameters
        ----------
        {X_classified}
        y : array-like of shape (n_sequences,)
            Their labels.
        sample_weight : array-like of shape (n_sequences,), default=None
            Weights of the sequences.

        Returns
        -------
        score : float
            Mean accuracy.
        """
        self._check_fitted()
        check_known_labels(column_or_1d(y), self.classes_)
        return super().score(X, y, sample_weight)
