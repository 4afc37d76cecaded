"""ESNClassifier: one label per sequence, from a vector of the sequence's reservoir states."""

import numpy as np
from sklearn.base import ClassifierMixin, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .common.device import blas_threads
from .common.validation import check_classes, check_known_labels
from .readout import Readout
from .sequence_model import SEQUENCE_CONSTRAINTS, SequenceModel, fill_doc
from .svd_ridge import RIDGES, SVDRidge, temperatures


@fill_doc
class ESNClassifier(ClassifierMixin, SequenceModel):
    """Echo state network classifier of whole sequences: one label per sequence.

    Every sequence (of any length) runs through the reservoir from a zero state; a fixed-size
    vector of its states (``representation``) is standardised and read out by a one-hot ridge
    classification (or by ``classifier``). The states of all sequences are harvested together
    (packed, :mod:`reservoir.harvest`) and reduced to their vectors as they stream, in the
    kernels of :mod:`reservoir.representations`.

    Parameters
    ----------
    {sequence_parameters}
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
    {sequence_notes}

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
        **SEQUENCE_CONSTRAINTS,
        "classifier": [HasMethods(["fit", "predict"]), None],
    }
    _readout_attributes = ("classifier_", "readouts_", "coef_", "intercept_", "ridge_",
                           "temperature_")

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
        F, labels = self._fit_features(X, y, self._labels)
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

    # -------------------------------------------------------------------------- output
    def _check_fitted(self):
        check_is_fitted(self, "classes_")

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
        F = self._features(X, stacklevel=5)
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
