"""What the estimators of one target per sequence share (:class:`ESNClassifier`, one label;
:class:`ESNSequenceRegressor`, one value): every sequence runs through the reservoir from a zero
state, its states reduce to a fixed-size vector (:mod:`reservoir.representations`), standardised,
and a readout maps the vectors to the targets."""

import copy
import warnings

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .base import CONSTRAINTS, ReservoirCore
from .common.device import blas_threads
from .common.docstrings import filler
from .common.interrupt import keyboard_interrupts
from .common.progress import Progress
from .common.scaling import standardized_inputs
from .common.validation import (
    COUNT,
    POSITIVE,
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
from .representations import REPRESENTATIONS, Projection, Summaries
from .weights import block_diagonal, make_reservoir

#: How far (in widths of the training vectors' range, per entry) a sequence's vector may lie
#: outside that range before ``predict`` warns that it extrapolates: 3 widths for a sequence
#: shorter or longer than every training sequence, 10 for any other. Held-out sequences of the
#: archives' sets came within 0.95 widths; sequences of 20 steps after training on 50, 15.7;
#: the validation folds of 40 sequences of 8-30 steps, up to 4-54.
EXTRAPOLATION = (3.0, 10.0)

#: Bytes of training states a model-space fit keeps from its first harvest (for the principal
#: axes) to compute the vectors from, instead of harvesting again.
KEPT_BYTES = 256 * 2**20

#: The ESN fragments, the sequences of one target each, and their shared parameters.
fill_doc = filler({**FRAGMENTS, "X_classified": """\
X : list of array-like of shape (n_steps_i, n_features), or array-like
    The sequences (see Notes).""", "sequence_parameters": """\
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
    (the bidirectional reservoir of Bianchi et al. 2020; twice the harvest).""",
    "sequence_notes": """\
X is a list of sequences (n_steps_i, n_features) of any lengths (1-D ones: univariate), or a
3-D array (n_sequences, n_steps, n_features) of equal-length ones, or a 2-D array whose rows
are univariate series (n_sequences, n_steps), as in the UCR archive's tables. aeon and sktime
order their 3-D arrays (n_cases, n_channels, n_timepoints): ``fit`` warns when every sequence
has fewer steps than features, the likely sign of that order. Any form may follow
any other in ``predict`` when the steps have the fitted number of features (a 2-D X is
refused by a model fitted on multivariate sequences); after a fit on a table, later tables
need as many time points. A sequence's states depend on its length: prediction warns of
sequences whose vectors lie far outside the training sequences', e.g. much shorter or longer
ones (``reservoir.sequence_model.EXTRAPOLATION``)."""})

#: Declared parameters of both estimators but their readout's.
SEQUENCE_CONSTRAINTS = {
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
    "n_estimators": COUNT,
}


class SequenceModel(ReservoirCore):
    """Vectors of whole sequences from a reservoir (an ensemble of them side by side), and the
    readout's ridge values swept without new states. Subclasses declare the parameters of
    :data:`SEQUENCE_CONSTRAINTS` and their readout's in ``__init__``, and define ``fit`` (with
    :meth:`_fit_features`) and ``_solve``.

    Fitted attributes set here: ``reservoir_``, ``input_mean_``, ``input_scale_``,
    ``feature_mean_``, ``feature_scale_``, ``n_features_in_``.
    """

    #: Fitted attributes of the readout (dropped by a new fit before it sets its own).
    _readout_attributes = ()

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
            raise ValueError(f"X has {n} feature(s) a step, but {type(self).__name__} was "
                             f"fitted on sequences of {fitted}.{hint}")
        return seqs

    def _inputs(self, X, reset):
        """Validated, standardised sequences of X."""
        seqs = self._validate_X(X, reset)
        check_washout(seqs, self.washout, reserved=int(self.representation == "model"))
        check_magnitude(seqs, "X")
        return standardized_inputs(self, seqs, reset, self._dtype)

    # ------------------------------------------------------------------------- fitting
    def _fit_features(self, X, y, targets):
        """Check the parameters, X and y (``targets(y, n_sequences)``, whose result is
        returned), draw the reservoir, and harvest the training sequences' standardised
        vectors F (n_sequences, n_estimators, n_dimensions). Returns (F, targets)."""
        self._check_params()
        seqs = self._inputs(X, reset=True)
        checked = targets(y, len(seqs))
        self._build(seqs[0].shape[1], 1)
        with keyboard_interrupts():
            R = self._vectors(seqs, fit=True)
        self.feature_mean_ = R.mean(axis=0)
        scale = R.std(axis=0)
        self.feature_scale_ = np.where(scale > 0, scale, 1.0)
        for attr in self._readout_attributes:
            self.__dict__.pop(attr, None)
        F = (R - self.feature_mean_) / self.feature_scale_
        lengths = [len(s) for s in seqs]
        self._training_range = F.min(axis=0), F.max(axis=0), min(lengths), max(lengths)
        return F, checked

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
        model : estimator
            A copy with ``ridge`` set, its readout solved for it (sharing ``reservoir_`` and
            ``readouts_`` with ``self``).
        """
        check_is_fitted(self, "readouts_")
        model = copy.deepcopy(self, {id(self.reservoir_): self.reservoir_,
                                     id(self.readouts_): self.readouts_})
        model.set_params(ridge=ridge)._validate_params()
        model._solve(ridge)
        return model

    # -------------------------------------------------------------------------- output
    def _features(self, X, stacklevel=4):
        """Standardised vectors of X's sequences, (n_sequences, n_estimators, n_dimensions);
        ``stacklevel`` of the warning of :meth:`_warn_extrapolation` (4: the caller of a public
        method that calls this)."""
        self._check_fitted()
        seqs = self._inputs(X, reset=False)
        with keyboard_interrupts():
            R = self._vectors(seqs)
        F = (R - self.feature_mean_) / self.feature_scale_
        self._warn_extrapolation(F, seqs, stacklevel)
        return F

    def _warn_extrapolation(self, F, seqs, stacklevel):
        """Warn when vectors F lie outside the training vectors' range by more than
        :data:`EXTRAPOLATION` widths of it (a constant entry's width: 1), naming how many
        sequences, the first, and their lengths beside the training ones when those differ."""
        lo, hi, shortest, longest = self._training_range
        width = np.where(hi > lo, hi - lo, 1.0)
        excess = (np.maximum(lo - F, F - hi) / width).reshape(len(F), -1).max(axis=1)
        lengths = np.array([len(s) for s in seqs])
        other = (lengths < shortest) | (lengths > longest)
        far = np.flatnonzero(excess > np.where(other, *EXTRAPOLATION))
        if not far.size:
            return
        hint = (f" These have {lengths[far].min()}-{lengths[far].max()} steps, the training "
                f"sequences {shortest}-{longest}: a sequence's states depend on its length, so "
                "train on sequences of the lengths to predict." if other[far].any() else "")
        warnings.warn(f"{type(self).__name__}: the vectors of {far.size} of {len(F)} sequences "
                      f"lie far outside those of the training sequences (by up to "
                      f"{excess[far].max():.3g} times their range, the first sequence "
                      f"{far[0]}), so their predictions extrapolate.{hint}", RuntimeWarning,
                      stacklevel=stacklevel)
