"""KalmanLSTMClassifier: next-symbol prediction (one label, or the set of possible symbols, per
step) with the Kalman-trained LSTM."""

import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, column_or_1d

from reservoir.common.docstrings import filler
from reservoir.common.validation import (
    ONE,
    as_given,
    check_classes,
    check_known_labels,
    check_step_weights,
    is_sequence_list,
    is_stacked,
    require_y,
    sequence_form,
    start_partial_fit,
    univariate_items,
    unstacked,
    warn_channels_first,
)

from . import network
from .estimator import CONSTRAINTS, FIXED, FRAGMENTS, KalmanLSTMBase

LABELS = """\
y : array-like of shape (n_steps,) or (n_steps, n_classes), or list of such arrays
    A class label per step, or a 0/1 indicator matrix of the set of classes that are right at
    each step (multi-label: e.g. every symbol that may come next); for a 3-D X, an array of
    them (n_sequences, n_steps[, n_classes]). For a list (or 3-D array) of sequences, also one
    label per sequence (an array-like of shape (n_sequences,)): learnt at the last step of each
    sequence only (the other steps weigh 0)."""
#: The classifier's defaults: a larger network than the regressor's (4 blocks of 2 cells: 2
#: blocks of 1 cell missed 257 of 370 Japanese Vowels), the noise annealed over half of the
#: fit (20000 updates are 7 passes over a set of 270 sequences with one label each), and the
#: truncated Jacobian (the full one costs this network 3 times the time; a one-off run on
#: Japanese Vowels, seeds 0 and 1: 12 and 14 errors of 370, against 19 and 15 truncated).
CLASSIFIER_FRAGMENTS = {
    "lstm_network": FRAGMENTS["lstm_network"].replace(
        "n_blocks : int, default=2", "n_blocks : int, default=4").replace(
        "n_cells : int, default=1", "n_cells : int, default=2"),
    "lstm_training": FRAGMENTS["lstm_training"].replace(
        'anneal_steps : int or "auto", default=20000',
        'anneal_steps : int or "auto", default="auto"').replace(
        'jacobian : {"truncated", "full"}, default="full"',
        'jacobian : {"truncated", "full"}, default="truncated"')}
fill_doc = filler({**FRAGMENTS, **CLASSIFIER_FRAGMENTS, "labels": LABELS})


def _one_label_each(X, y):
    """Whether ``y`` holds one label per sequence of X (a list or 3-D array of sequences)."""
    if sequence_form(X) == ONE:
        return False
    if isinstance(y, (list, tuple)) and any(np.ndim(v) >= 1 for v in y):
        return False  # label sequences
    return np.ndim(y) == 1 and len(y) > 0


@fill_doc
class KalmanLSTMClassifier(ClassifierMixin, KalmanLSTMBase):
    """Kalman-trained LSTM that classifies every step of a sequence (next-symbol prediction).

    The network of :class:`KalmanLSTMRegressor` with one logistic output unit per class, trained
    on the one-hot (or multi-label) targets by the same filters: the set-up of the grammar tasks
    of Gers & Schmidhuber (2001) and Perez-Ortiz et al. (2003). With one label per step,
    ``predict`` returns the class of the largest output; with a 0/1 indicator matrix (the set of
    possible next symbols), every class whose output exceeds 0.5. Fitted with one label per
    sequence, it classifies whole sequences: ``predict`` gives the class of each sequence's last
    step, ``predict_proba`` that step's probabilities (n_sequences, n_classes).

    Parameters
    ----------
    {lstm_network}
    {lstm_training}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (0..n_classes-1 for indicator targets).
    n_weights_ : int
        Number of trained weights.
    loss_curve_ : list of float
        Mean squared error of the outputs of each epoch or ``partial_fit`` call.
    input_mean_, input_scale_ : ndarray of shape (n_features,)
        The input standardisation (zeros and ones with ``standardize=False``).
    n_features_in_ : int
        Number of inputs.

    Examples
    --------
    >>> from lstm import KalmanLSTMClassifier
    >>> from experiments.sequence_tasks import anbncn
    >>> X, Y = anbncn(3, language="anbn")       # one-hot symbols, sets of possible next symbols
    >>> model = KalmanLSTMClassifier(epochs=30, random_state=0).fit([X], [Y])
    >>> model.predict(X).shape
    (7, 5)
    """

    _parameter_constraints = CONSTRAINTS
    _target_scale_limit = None  # one-hot (0/1) targets

    def __init__(self, n_blocks=4, n_cells=2, *, peepholes=True, forget_gate=True,
                 shortcut=False, cell_squashing="tanh", input_gate_bias=-0.5,
                 forget_gate_bias=1.0, init_scale=0.1, trainer="dekf", jacobian="truncated",
                 p0=100.0, q=(1e-2, 1e-6), r=(100.0, 1.0), anneal_steps="auto", learning_rate=0.1,
                 momentum=0.9, epochs=10, reset_state=True, standardize=False, device="cpu",
                 n_jobs=None, random_state=None, verbose=False):
        self.n_blocks = n_blocks
        self.n_cells = n_cells
        self.peepholes = peepholes
        self.forget_gate = forget_gate
        self.shortcut = shortcut
        self.cell_squashing = cell_squashing
        self.input_gate_bias = input_gate_bias
        self.forget_gate_bias = forget_gate_bias
        self.init_scale = init_scale
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
        tags.classifier_tags.multi_label = True
        return tags

    def _logistic_output(self):
        return True

    # ------------------------------------------------------------------ label encoding
    def _label_sequences(self, y, X_is_list, classes=None):
        """Labels of every sequence -> float one-hot / indicator targets; sets ``classes_``
        when ``classes`` is given or on the first fit."""
        if X_is_list and not (isinstance(y, (list, tuple)) and all(np.ndim(s) >= 1 for s in y)):
            raise ValueError("X is a list of sequences: y must be a list of as many label "
                             "sequences (one label, or one indicator row, per step).")
        arrays = [np.asarray(s) for s in (y if X_is_list else [y])]
        if not arrays:
            raise ValueError("y is an empty list; pass one label sequence per sequence of X.")
        if arrays[0].ndim == 2 and arrays[0].shape[1] > 1:
            if any(a.ndim != 2 or a.shape[1] != arrays[0].shape[1] for a in arrays):
                raise ValueError("Indicator targets must all be (n_steps, n_classes) with the "
                                 "same n_classes.")
            stacked = np.concatenate(arrays)
            kind = type_of_target(stacked)
            if kind != "multilabel-indicator" or not np.isin(stacked, (0, 1)).all():
                raise ValueError("2-D targets must be a 0/1 indicator matrix (the set of right "
                                 f"classes per step); got targets of type {kind!r}.")
            if classes is not None or not hasattr(self, "classes_"):
                self.classes_ = np.arange(arrays[0].shape[1])
                self._multilabel = True
            elif not self._multilabel or arrays[0].shape[1] != self.classes_.size:
                raise ValueError("y does not match the indicator targets the model was "
                                 "fitted with.")
            return [a.astype(np.float64) for a in arrays]
        labels = [column_or_1d(s, warn=True) for s in arrays]
        check_classification_targets(np.concatenate(labels))
        if classes is not None or not hasattr(self, "classes_"):
            encoder = LabelEncoder().fit(np.concatenate(labels) if classes is None else classes)
            self.classes_ = encoder.classes_
            self._multilabel = False
        elif self._multilabel:
            raise ValueError("The model was fitted with indicator targets; pass y as a 0/1 "
                             "matrix (n_steps, n_classes).")
        eye = np.eye(self.classes_.size)
        out = []
        for lab in labels:
            unseen = ~np.isin(lab, self.classes_)
            if unseen.any():
                raise ValueError(f"y contains labels {np.unique(lab[unseen])} not among the "
                                 f"classes {self.classes_}; pass every class to the first "
                                 "partial_fit through `classes`.")
            out.append(eye[np.searchsorted(self.classes_, lab)])
        return out

    # ------------------------------------------------------------------------- training
    def fit(self, X, y, sample_weight=None):
        """Train for ``epochs`` passes over the sequence(s).

        Parameters
        ----------
        {X_sequences}
        {labels}
        {sample_weight_steps}

        Returns
        -------
        self : KalmanLSTMClassifier
            The fitted estimator.
        """
        self._check_params()
        require_y(self, y)
        self.__dict__.pop("classes_", None)
        self._sequence_labels = _one_label_each(X, y)
        if self._sequence_labels:
            X = univariate_items(list(X))
            labels = column_or_1d(y, warn=True)
            if len(labels) != len(X):
                raise ValueError(f"X has {len(X)} sequences but y has {len(labels)} labels; "
                                 "pass one label per sequence, or a list of as many label "
                                 "sequences (one label per step).")
            Y = self._label_sequences([np.full(len(x), label) for x, label in zip(X, labels)],
                                      True)
            check_classes(self.classes_)
            X_seqs, y_seqs, _ = self._validate(X, Y, reset=True)
            warn_channels_first(X_seqs)
            last = [np.r_[np.zeros(len(x) - 1), 1.0] for x in X_seqs]
            if sample_weight is not None:  # one weight per sequence
                weights = np.asarray(sample_weight, dtype=np.float64)
                if weights.shape != (len(X_seqs),):
                    raise ValueError(f"sample_weight must have one weight per sequence, "
                                     f"({len(X_seqs)},); got shape {weights.shape}.")
                last = [w * v for w, v in zip(last, weights)]
            self._fit_sequences(X_seqs, y_seqs, check_step_weights(last, X_seqs))
            self._warn_if_one_class(X_seqs)
            return self
        if is_stacked(X):  # a label sequence each
            X, y = unstacked(X, y)
        Y = self._label_sequences(y, is_sequence_list(X))
        X_seqs, y_seqs, _ = self._validate(X, Y if is_sequence_list(X) else Y[0], reset=True)
        return self._fit_sequences(X_seqs, y_seqs, check_step_weights(sample_weight, X_seqs))

    def _warn_if_one_class(self, X_seqs):
        """Warn when the network fitted with one label per sequence gives all the training
        sequences X_seqs the same class (it learnt the classes' frequencies only)."""
        chosen = np.unique([np.argmax(out[-1]) for out in self._outputs(X_seqs)])
        if chosen.size == 1:
            warnings.warn(
                f"The network gives every training sequence class "
                f"{self.classes_[chosen[0]].tolist()!r}: it learnt the "
                "classes' frequencies, not the sequences. A label at each "
                "sequence's last step needs a memory of the steps before it: raise "
                f"forget_gate_bias (now {self.forget_gate_bias}; 3 keeps 0.95 of a cell's state "
                "a step, 5 keeps 0.993), epochs or n_blocks, or try ESNClassifier.",
                ConvergenceWarning)

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One online pass over one sequence (the filter carries over).

        Parameters
        ----------
        {X_stream}
        {labels}
        classes : array-like of shape (n_classes,), default=None
            Every class label, on the first call (by default the labels of that first ``y``).
        {sample_weight_stream}

        Returns
        -------
        self : KalmanLSTMClassifier
            The updated estimator.
        """
        first = start_partial_fit(self, X, y, "_w", FIXED)
        (Y,) = self._label_sequences(y, False, classes if first else None)
        (X_s,), (Y_s,), _ = self._validate(X, Y, reset=first)
        (w_s,) = check_step_weights(sample_weight, [X_s])
        return self._partial_fit_sequence(X_s, Y_s, w_s, first)

    # ----------------------------------------------------------------------- prediction
    def predict_proba(self, X):
        """Probability of every class at every step.

        Parameters
        ----------
        {X_sequences}

        Returns
        -------
        proba : ndarray of shape (n_steps, n_classes), or list of such arrays
            The logistic outputs (one array for a 3-D X), normalised to sum to 1 for one
            label per step; for multi-label targets, each class's own probability of being
            right; for a model fitted with one label per sequence, (n_sequences, n_classes) at
            their last steps.
        """
        check_is_fitted(self, "n_weights_")
        per_sequence = getattr(self, "_sequence_labels", False)
        if per_sequence:
            if not (is_sequence_list(X) or np.ndim(X) == 3):
                raise ValueError("The model was fitted with one label per sequence: pass a list "
                                 "of sequences (or a 3-D array of them).")
            X = univariate_items(list(X))
        X_seqs, _, form = self._validate(X, None, reset=False)
        outs = self._outputs(X_seqs)
        if per_sequence:
            outs, form = [np.stack([out[-1] for out in outs])], ONE
        if not self._multilabel:
            for i, out in enumerate(outs):
                dead = ~(out.sum(axis=1) > 0)
                if dead.any():  # every logistic output underflowed to 0 (or is NaN)
                    where = f"sequence {i}, " if form else ""
                    raise FloatingPointError(
                        f"Every output is 0 at {where}step {int(np.argmax(dead))}: the network "
                        "saturated in training, so no class has a probability. Train with a "
                        f"smaller p0 (now {self.p0}) or q, or a larger r.")
            outs = [out / out.sum(axis=1, keepdims=True) for out in outs]
        outs = [out.astype(self._out_dtype, copy=False) for out in outs]
        return as_given(outs, form)

    def predict(self, X):
        """Class of every step (or the 0/1 set of classes for multi-label targets).

        Parameters
        ----------
        {X_sequences}

        Returns
        -------
        y : ndarray of shape (n_steps,) or (n_steps, n_classes), or list of such arrays
            Labels, or indicator rows (outputs above 0.5), of every sequence (one array for a
            3-D X); (n_sequences,) labels for a model fitted with one label per sequence.
        """
        proba = self.predict_proba(X)
        if getattr(self, "_sequence_labels", False):
            return self.classes_[np.argmax(proba, axis=1)]
        form = sequence_form(X)
        seqs = [proba] if form == ONE else proba
        if self._multilabel:
            out = [(p > 0.5).astype(np.int64) for p in seqs]
        else:
            out = [self.classes_[np.argmax(p, axis=1)] for p in seqs]
        return as_given(out, form)

    def first_error(self, symbols, allowed):
        """First step of a symbol string whose predicted set of classes is wrong.

        For grammar tasks with indicator targets: the string is given by the index of each
        input symbol (its one-hot encoding is the input) and by the sets of allowed next
        symbols, so that very long strings are tested without building their inputs, and the
        test stops at the first error.

        Parameters
        ----------
        symbols : array-like of shape (n_steps,), int
            Index (among the ``n_features_in_`` one-hot inputs) of the symbol read at each step.
        allowed : array-like of shape (n_steps, n_classes), bool
            The right set of classes at each step.

        Returns
        -------
        step : int
            The first step whose outputs above 0.5 differ from ``allowed``, or -1 if none does
            (the string is accepted).
        """
        check_is_fitted(self, "n_weights_")
        if not self._multilabel:
            raise ValueError("first_error needs a model fitted with indicator targets (sets of "
                             "classes per step).")
        if self.standardize:
            raise ValueError("first_error feeds one-hot symbols as they are: it needs a model "
                             "fitted with standardize=False.")
        symbols = np.ascontiguousarray(symbols, dtype=np.int64)
        allowed = np.ascontiguousarray(allowed, dtype=np.bool_)
        if symbols.ndim != 1 or allowed.shape != (symbols.size, self.classes_.size):
            raise ValueError(f"symbols must be (n_steps,) and allowed (n_steps, "
                             f"{self.classes_.size}); got {symbols.shape} and {allowed.shape}.")
        if symbols.size and (symbols.min() < 0 or symbols.max() >= self.n_features_in_):
            raise ValueError(f"symbols must be indices below n_features_in_ = "
                             f"{self.n_features_in_}.")
        return int(network.first_error(self._net(), symbols, allowed))

    def score(self, X, y, sample_weight=None):
        """Accuracy over all steps of all sequences (every class right, for multi-label).

        Parameters
        ----------
        {X_sequences}
        y : array-like of shape (n_steps,) or (n_steps, n_classes), or list of such arrays
            True labels or indicator rows.
        sample_weight : array-like of shape (n_steps,), default=None
            Weights of the steps of a single sequence.

        Returns
        -------
        score : float
            Fraction of steps predicted right.
        """
        pred = self.predict(X)
        if getattr(self, "_sequence_labels", False):
            y = column_or_1d(y)
        elif sequence_form(X) != ONE:
            if sample_weight is not None:
                raise ValueError("sample_weight is supported for a single sequence only.")
            pred, y = np.concatenate(pred), np.concatenate([np.asarray(v) for v in y])
        if not self._multilabel:
            check_known_labels(np.ravel(y), self.classes_)
        return accuracy_score(y, pred, sample_weight=sample_weight)
