"""Covariates of a forecaster's series (``ESNForecaster(covariates=...)``): columns of X known
ahead (a calendar, a weather forecast, a planned price) that the model reads as inputs but does
not forecast; ``forecast`` takes their values at the forecast steps."""

import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .common.box_cox import box_cox
from .common.docstrings import fill_doc
from .common.validation import ONE, check_magnitude, sequence_form


@fill_doc
class CovariatesMixin:
    """What the forecasters with ``covariates`` share; ``fit`` sets ``covariate_index_`` and
    ``forecast_index_`` (:func:`covariate_columns`)."""

    def forecast_variables(self, X):
        """The variables of X this model forecasts (all but the covariates), as float64: what
        its predictions of X are compared with.

        Parameters
        ----------
        {X_series}

        Returns
        -------
        values : ndarray of shape (n_steps,) or (n_steps, n_forecast), or list of them
            Shaped like :meth:`predict`'s output.
        """
        check_is_fitted(self, "forecast_index_")
        if sequence_form(X) != ONE:
            return [self.forecast_variables(x) for x in X]
        values = np.asarray(X, dtype=np.float64)
        return values if values.ndim == 1 else values[:, self.forecast_index_]


def covariate_columns(estimator, n):
    """(covariate positions, forecast positions), int arrays, of the n variables of X from the
    estimator's ``covariates`` (positions, or names of a data frame's columns); refused with a
    message naming the parameter when one is unknown, repeated, or all of them are."""
    given = estimator.covariates
    if given is None:
        return np.empty(0, dtype=np.int64), np.arange(n)
    names = getattr(estimator, "feature_names_in_", None)
    positions = []
    for c in given:
        if isinstance(c, str):
            if names is None or c not in names:
                known = "" if names is None else f" (its columns: {list(names)})"
                raise ValueError(f"covariates names {c!r}, which is not a column of X{known}; "
                                 "name the columns of a pandas DataFrame, or give positions.")
            positions.append(int(np.flatnonzero(names == c)[0]))
        elif isinstance(c, (int, np.integer)) and not isinstance(c, bool) and -n <= c < n:
            positions.append(int(c) % n)
        else:
            raise ValueError(f"covariates must hold positions (0 .. {n - 1}) or names of the "
                             f"columns of X; got {c!r}.")
    if len(set(positions)) < len(positions):
        raise ValueError(f"covariates names a column twice: {list(given)}.")
    if len(positions) == n:
        raise ValueError(f"covariates names all {n} variables of X: none is left to forecast. "
                         "Leave the variables to forecast out of covariates.")
    return np.array(positions, dtype=np.int64), np.setdiff1d(np.arange(n), positions)


def forecast_variables(model, X):
    """The variables of the series X (one, or a list) that the fitted ``model`` forecasts, what
    its forecasts are compared with: all but its covariates (its ``forecast_variables``), or X
    itself for a model without covariates.

    Parameters
    ----------
    model : estimator
        A fitted forecaster (or any fitted model).
    X : array-like, or list of them
        The series.

    Returns
    -------
    values : array-like, or list of them
        X, or its forecast variables.
    """
    return model.forecast_variables(X) if hasattr(model, "forecast_variables") else X


def covariates_ahead(model, X, origin, horizon):
    """``forecast``'s keyword arguments for the ``horizon`` steps after ``X[:origin]`` of a
    series X (n_steps, n_variables): the covariates' values there, read from X, for a model
    with covariates; none for another."""
    ci = getattr(model, "covariate_index_", ())
    if not len(ci):
        return {}
    values = np.asarray(X, dtype=np.float64)
    return {"covariates": values.reshape(len(values), -1)[origin:origin + horizon, ci]}


def closed_loops(model, X, origins, horizon, non_finite="raise"):
    """Closed-loop forecasts of ``horizon`` steps continuing X[:o] (X one series, (n_steps,
    n_variables)) for every origin o, by a fitted forecaster: its ``forecast_origins``, side
    by side, where it has one; else one ``forecast`` each, reading its covariates from X after
    the origin (:func:`covariates_ahead`). With ``non_finite="keep"`` a loop that fails comes
    back as inf throughout, (horizon, n_forecast), and its warnings are silenced.

    Returns
    -------
    forecasts : ndarray of shape (n_origins, horizon, ...), or list of (horizon, ...) arrays
    """
    if hasattr(model, "forecast_origins"):
        return model.forecast_origins(X, origins, horizon, non_finite=non_finite)
    out = []
    for o in origins:
        try:
            with warnings.catch_warnings():
                if non_finite == "keep":
                    warnings.simplefilter("ignore", RuntimeWarning)
                out.append(np.asarray(model.forecast(
                    horizon, context=X[:o], **covariates_ahead(model, X, o, horizon))))
        except FloatingPointError:
            if non_finite != "keep":
                raise
            n_forecast = np.asarray(forecast_variables(model, X)).reshape(len(X), -1).shape[1]
            out.append(np.full((horizon, n_forecast), np.inf))
    return out


def future_covariates(estimator, values, horizon, start):
    """The covariates' values at the ``horizon`` forecast steps, (horizon, k), in the units the
    model runs in (through ``box_cox``, less the season at phases ``start`` .., standardised);
    None for a model without covariates. Refuses values missing, given to a model without
    covariates, of another shape, or not finite."""
    ci = estimator.covariate_index_
    if not ci.size:
        if values is not None:
            raise ValueError("covariates were given, but this model reads none: set its "
                             "covariates parameter (the columns of X known ahead) before fit.")
        return None
    names = [estimator.feature_names_in_[c] for c in ci] \
        if hasattr(estimator, "feature_names_in_") else ci.tolist()
    if values is None:
        raise ValueError(f"This model reads the covariates {names} at every step: forecast "
                         f"needs their values at the {horizon} forecast steps, as covariates= "
                         f"an array of shape ({horizon}, {ci.size}).")
    F = np.asarray(values, dtype=np.float64)
    F = F[:, None] if F.ndim == 1 and ci.size == 1 else F
    if F.shape != (horizon, ci.size):
        raise ValueError(f"covariates has shape {np.shape(values)}; forecast needs the values "
                         f"of the covariates {names} at the {horizon} forecast steps: "
                         f"({horizon}, {ci.size}).")
    if not np.isfinite(F).all():
        row = int(np.argmax(~np.isfinite(F).all(axis=1)))
        raise ValueError(f"covariates has a NaN or infinite value at forecast step {row}; "
                         "give every value the model will read.")
    check_magnitude([F], "covariates")
    (F,) = box_cox([F], estimator.box_cox, "covariates")
    if estimator.season_ is not None:
        period = len(estimator.season_)
        F = F - estimator.season_[(start + np.arange(horizon)) % period][:, ci]
    if estimator.standardize:
        F = (F - estimator.series_mean_[ci]) / estimator.series_scale_[ci]
    return F.astype(estimator._dtype)
