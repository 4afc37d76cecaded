"""ESNSequenceRegressor: one value (or row of values) per sequence, from a vector of the
sequence's reservoir states (time series extrinsic regression)."""

import numpy as np
from sklearn.base import RegressorMixin, clone
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_array, check_is_fitted

from .common.device import blas_threads
from .common.scoring import r2
from .common.validation import check_magnitude
from .conformal import conformal_rank, fewest_errors
from .readout import Readout
from .sequence_model import SEQUENCE_CONSTRAINTS, SequenceModel, fill_doc
from .svd_ridge import REGRESSION_RIDGES, SVDRidge


@fill_doc
class ESNSequenceRegressor(RegressorMixin, SequenceModel):
    """Echo state network regression of whole sequences: one target value per sequence.

    The sequences run through the reservoir as in :class:`ESNClassifier` (the same
    representations, ensembles and input standardisation); each sequence's standardised vector
    is read out by a ridge regression of the standardised targets (or by ``regressor``), the
    members' predictions averaged. For tasks such as a sensor recording's quality score, a
    spectrum's fat content or a month of case counts' later rate (the time series extrinsic
    regression archive of Tan et al. 2021).

    Parameters
    ----------
    {sequence_parameters}
    ridge : float or None, default=None
        Penalty of the readout on the standardised vectors and targets (> 0); None chooses it
        from ``reservoir.svd_ridge.REGRESSION_RIDGES`` (1e-8 to 1e4) by the leave-one-out
        squared error on the training sequences, for each member (all values from one
        factorization).
    washout : int, default=0
        Initial steps of every sequence left out of the mean and the model space.
    standardize : bool, default=True
        Standardise every input feature by its mean and standard deviation over all training
        steps before the reservoir (so features of different scales drive it alike).
    regressor : scikit-learn regressor or None, default=None
        Read out the standardised vectors (all members' side by side) with a clone of this,
        fitted on the targets as given, instead of the ridge readout.
    n_estimators : int, default=1
        Reservoirs drawn with successive seeds, run side by side in one harvest (one
        block-diagonal W); their predictions are averaged.
    {run_parameters}

    Attributes
    ----------
    reservoir_ : reservoir.Reservoir
        The drawn weights (block-diagonal for an ensemble).
    input_mean_, input_scale_ : ndarray of shape (n_features,)
        The input standardisation (zeros and ones with ``standardize=False``).
    feature_mean_, feature_scale_ : ndarray of shape (n_estimators, n_dimensions)
        The standardisation of each member's vectors (n_dimensions doubled with
        ``bidirectional``).
    target_mean_, target_scale_ : ndarray of shape (n_outputs,)
        The standardisation of the targets (a constant target's scale is 1).
    readouts_ : list of reservoir.Readout
        Each member's training vectors and standardised targets, factorized once
        (:class:`reservoir.svd_ridge.SVDRidge`): the weights of any ridge value follow
        (``with_ridge``), and the leave-one-out outputs. Not set with ``regressor``.
    ridge_ : ndarray of shape (n_estimators,)
        The ridge value of each member.
    coef_ : ndarray of shape (n_estimators, n_outputs, n_dimensions)
        Each member's weights of the standardised vectors, in the targets' units.
    intercept_ : ndarray of shape (n_estimators, n_outputs)
        Their constant terms, in the targets' units.
    loo_residuals_ : ndarray of shape (n_sequences, n_outputs)
        Each training sequence's target less the prediction of the model fitted without it
        (the members' leave-one-out outputs averaged, from the factorization), in the targets'
        units: the errors :meth:`predict_interval` takes its width from. Not set with
        ``regressor``.
    regressor_ : estimator
        The fitted clone of ``regressor`` (only with one).
    n_features_in_ : int
        Number of input features (time points for a 2-D X).

    Notes
    -----
    {sequence_notes}

    Examples
    --------
    >>> import numpy as np
    >>> from reservoir import ESNSequenceRegressor
    >>> rng = np.random.default_rng(0)
    >>> f = rng.uniform(0.1, 0.6, 60)  # each sequence's frequency, the target
    >>> X = [np.sin(np.arange(n)[:, None] * w) for n, w in zip(rng.integers(20, 40, 60), f)]
    >>> model = ESNSequenceRegressor(n_reservoir=100, random_state=0).fit(X[:40], f[:40])
    >>> round(model.score(X[40:], f[40:]), 2)
    1.0
    """

    _parameter_constraints = {
        **SEQUENCE_CONSTRAINTS,
        "regressor": [HasMethods(["fit", "predict"]), None],
    }
    _readout_attributes = ("regressor_", "readouts_", "coef_", "intercept_", "ridge_",
                           "loo_residuals_")

    def __init__(self, n_reservoir=300, *, spectral_radius=0.9, leak_rate=0.3,
                 input_scaling=0.2, bias_scaling=0.5, density=0.1, input_density=1.0,
                 representation="last_mean", n_components=30, space_ridge=1.0,
                 bidirectional=False, ridge=None, washout=0, standardize=True, regressor=None,
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
        self.regressor = regressor
        self.n_estimators = n_estimators
        self.device = device
        self.dtype = dtype
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _targets(self, y, n_sequences):
        """Targets y as (n_sequences, n_outputs) float64, checked; sets ``target_mean_`` and
        ``target_scale_``."""
        if y is None:
            raise ValueError("ESNSequenceRegressor requires y to be passed, but the target y is "
                             "None; pass one target (or row of targets) per sequence.")
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64,
                        ensure_all_finite=False, input_name="y")
        if y.ndim > 2:
            raise ValueError(f"y must be (n_sequences,) or (n_sequences, n_outputs), one "
                             f"target (or row of targets) per sequence; got {y.ndim}-D.")
        if len(y) != n_sequences:
            raise ValueError(f"X has {n_sequences} sequences but y has {len(y)} targets; pass "
                             "one target (or row of targets) per sequence.")
        if n_sequences < 2:
            raise ValueError("ESNSequenceRegressor needs at least 2 sequences (got 1 sample): "
                             "one sequence leaves nothing to regress across.")
        Y = y.reshape(n_sequences, -1)
        bad = np.flatnonzero(~np.isfinite(Y).all(axis=1))
        if bad.size:
            raise ValueError(f"y has NaN or infinite targets for {bad.size} sequence(s), the "
                             f"first sequence {bad[0]}; drop those sequences or fill their "
                             "targets.")
        check_magnitude([Y], "y")
        self._y_shape = y.shape[1:]
        self.target_mean_ = Y.mean(axis=0)
        scale = Y.std(axis=0)
        self.target_scale_ = np.where(scale > 0, scale, 1.0)
        return y

    # ------------------------------------------------------------------------- fitting
    def fit(self, X, y):
        """Harvest every sequence's vector and fit the readout.

        Parameters
        ----------
        {X_classified}
        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)
            One target (or row of targets) per sequence.

        Returns
        -------
        self : ESNSequenceRegressor
            The fitted estimator.
        """
        F, y = self._fit_features(X, y, self._targets)
        if self.regressor is not None:
            self.regressor_ = clone(self.regressor).fit(F.reshape(len(F), -1), y)
            return self
        Z = (y.reshape(len(y), -1) - self.target_mean_) / self.target_scale_
        with blas_threads(F.shape[2]):
            self.readouts_ = [Readout(svd) for svd in SVDRidge.each(F, Z)]
        self._solve(self.ridge)
        return self

    def _solve(self, ridge):
        """Readout weights of every member for ``ridge`` (None: chosen by leave-one-out), in
        the targets' units."""
        svds = [readout.accumulator for readout in self.readouts_]
        with blas_threads(svds[0].n_features):  # the policy's threads, whatever the env
            self.ridge_ = np.array([svd.best_ridge(REGRESSION_RIDGES) if ridge is None else ridge
                                    for svd in svds], dtype=np.float64)
            solved = [r.coef_for(float(a)) for r, a in zip(self.readouts_, self.ridge_)]
            loo = np.mean([svd.outputs(a) for svd, a in zip(svds, self.ridge_)], axis=0)
        self.coef_ = np.stack([c for c, _ in solved]) * self.target_scale_[:, None]
        self.intercept_ = np.stack([b for _, b in solved]) * self.target_scale_ \
            + self.target_mean_
        self.loo_residuals_ = (svds[0].Y - loo) * self.target_scale_

    # -------------------------------------------------------------------------- output
    def _check_fitted(self):
        check_is_fitted(self, "target_mean_")

    def predict(self, X):
        """The target of every sequence.

        Parameters
        ----------
        {X_classified}

        Returns
        -------
        y : ndarray of shape (n_sequences,) or (n_sequences, n_outputs)
            Shaped like the targets given to ``fit``, the members' predictions averaged, in the
            model's ``dtype``.
        """
        return self._predict(self._features(X))

    def score(self, X, y, sample_weight=None):
        """R^2 of the predictions of X's sequences against their targets.

        Parameters
        ----------
        {X_classified}
        y : array-like of shape (n_sequences,) or (n_sequences, n_outputs)
            One target (or row of targets) per sequence.
        sample_weight : array-like of shape (n_sequences,), default=None
            Weights of the sequences.

        Returns
        -------
        score : float
            The coefficient of determination R^2 (averaged over the outputs); NaN or infinite
            targets are refused, naming y.
        """
        y = check_array(y, ensure_2d=False, dtype=np.float64, ensure_all_finite=False,
                        input_name="y")
        return r2(y, self.predict(X), sample_weight=sample_weight)

    def _predict(self, F):
        """Predictions from the standardised vectors F (n, n_estimators, n_dimensions)."""
        if hasattr(self, "regressor_"):
            out = np.asarray(self.regressor_.predict(F.reshape(len(F), -1)), dtype=np.float64)
        else:
            out = (np.einsum("nkp,kcp->nkc", F, self.coef_) + self.intercept_).mean(axis=1)
        return out.reshape((len(F),) + self._y_shape).astype(self._dtype, copy=False)

    def predict_interval(self, X, coverage=0.9):
        """Prediction intervals of every sequence's target, by the jackknife: the prediction
        plus or minus the ceil((n + 1) coverage)-th smallest absolute leave-one-out residual of
        the n training sequences (``loo_residuals_``, each output on its own; Barber et al.
        2021, Ann. Statist. 49:486). They hold about ``coverage`` of new targets drawn like the
        training ones; every interval has the same width.

        Parameters
        ----------
        {X_classified}
        coverage : float, default=0.9
            The share of targets the intervals should hold, in (0, 1).

        Returns
        -------
        lower, upper : ndarray of shape (n_sequences,) or (n_sequences, n_outputs)
            The bounds, shaped like ``predict``'s output.
        """
        self._check_fitted()
        if not (isinstance(coverage, (float, int, np.floating)) and 0 < coverage < 1):
            raise ValueError(f"coverage must be a number in (0, 1), got {coverage!r}.")
        if not hasattr(self, "loo_residuals_"):
            raise ValueError("predict_interval takes its width from the ridge readout's "
                             "leave-one-out residuals, which a model fitted with regressor= "
                             "does not have; use regressor=None.")
        n = len(self.loo_residuals_)
        rank = conformal_rank(n, coverage)
        if rank > n:
            raise ValueError(f"coverage={coverage} needs at least {fewest_errors(coverage)} "
                             f"training sequences for a finite interval, and the model has {n}; "
                             "lower coverage or fit on more sequences.")
        half = np.sort(np.abs(self.loo_residuals_), axis=0)[rank - 1].reshape(self._y_shape)
        out = self._predict(self._features(X))
        return ((out - half).astype(self._dtype, copy=False),
                (out + half).astype(self._dtype, copy=False))
