"""Forecasting through a scikit-learn Pipeline: transformers (scalers and the like) in front of a
forecaster, every forecast mapped back through their ``inverse_transform``."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .common.time_index import continuation
from .forecaster import as_series


class ForecastPipeline(Pipeline):
    """A ``Pipeline`` of transformers ending in a forecaster (``ESNForecaster``,
    ``NVARForecaster``) that also forecasts: ``forecast`` transforms the context, forecasts in
    the transformed space, and maps the forecast back through the transformers'
    ``inverse_transform`` (last first); ``predict`` maps the one-step predictions back the same
    way. Series are (n_steps, n_variables) arrays, as scikit-learn's transformers take them, or
    (n_steps,) for one variable (passed to the transformers as one column; forecasts come back
    1-D).

    Parameters
    ----------
    steps : list of (str, estimator)
        Transformers with ``inverse_transform``, then the forecaster.
    memory, transform_input, verbose
        As in ``sklearn.pipeline.Pipeline``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> from reservoir import ESNForecaster, ForecastPipeline
    >>> series = 20.0 + 5.0 * np.sin(np.arange(600) * 0.2)[:, None]
    >>> pipe = ForecastPipeline([("scale", StandardScaler()),
    ...                          ("esn", ESNForecaster(100, washout=50, random_state=0))])
    >>> pipe.fit(series).forecast(3).shape
    (3, 1)
    """

    def fit(self, X, y=None, **params):
        """Fit the transformers and the forecaster on the series X.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_variables) or (n_steps,)
            The training series.
        y : None
            Unused (a forecaster's targets are the next steps of X).
        **params
            As in ``sklearn.pipeline.Pipeline.fit``.

        Returns
        -------
        self : ForecastPipeline
            The fitted pipeline.
        """
        if getattr(self.steps[-1][1], "covariates", None) is not None:
            raise ValueError("ForecastPipeline does not take a forecaster with covariates: its "
                             "transformers map every column, and the forecasts hold the "
                             "forecast variables alone. Use the forecaster's own "
                             "standardize=True (and seasonal_period) instead.")
        self._one_variable = np.ndim(X) == 1
        self._continuation = continuation(X)
        return super().fit(_as_columns(X), y, **params)

    def _back(self, values):
        """Outputs of the forecaster (n_steps, n_variables) through every inverse_transform."""
        out = np.asarray(values)
        shape = out.shape
        out = out.reshape(shape[0], -1)
        for _, step in reversed(self.steps[:-1]):
            if step is None or step == "passthrough":
                continue
            if not hasattr(step, "inverse_transform"):
                raise TypeError(f"{type(step).__name__} has no inverse_transform: a forecast "
                                "cannot be mapped back through it. Use invertible transformers.")
            out = step.inverse_transform(out)
        out = out.reshape(shape)
        return out.reshape(len(out)) if self._one_variable else out

    def predict(self, X, **params):
        """One-step predictions of X (row t forecasts s(t+1)), in X's units.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_variables) or (n_steps,)
            The series.
        **params
            Passed to the forecaster's ``predict``.

        Returns
        -------
        predictions : ndarray of shape (n_steps, n_variables) or (n_steps,)
            The forecasts, through the inverse transforms (1-D for a pipeline fitted on a 1-D
            series).
        """
        check_is_fitted(self)
        return self._back(super().predict(_as_columns(X), **params))

    def score(self, X, y=None, **params):
        """The forecaster's score (R^2 of its one-step predictions) of X through the
        transformers, as ``Pipeline.score`` gives it.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_variables) or (n_steps,)
            The series.
        y : None
            Unused (a forecaster's targets are the next steps of X).
        **params
            As in ``sklearn.pipeline.Pipeline.score``.

        Returns
        -------
        score : float
            The score.
        """
        return super().score(_as_columns(X), y, **params)

    def forecast(self, horizon, context=None, **params):
        """Free-running forecast of the next ``horizon`` steps, in the series' units.

        Parameters
        ----------
        horizon : int
            Steps to forecast.
        context : array-like of shape (n_steps, n_variables) or (n_steps,), default=None
            A series to continue (transformed like the training series); None continues the
            training series.
        **params
            Passed to the forecaster's ``forecast`` (``on_divergence``).

        Returns
        -------
        forecast : ndarray of shape (horizon, n_variables) or (horizon,)
            The forecast, through the inverse transforms (1-D for a pipeline fitted on a 1-D
            series); after a pandas or xarray series, the same kind of object, as
            ``ESNForecaster.forecast`` returns it.
        """
        check_is_fitted(self)
        inner = None if context is None else self[:-1].transform(_as_columns(context))
        out = self._back(self.steps[-1][1].forecast(horizon, context=inner, **params))
        return as_series(out, self, context)


def _as_columns(X):
    """A 1-D series (array, list or pandas Series) as one column, as transformers take it;
    anything else as it is."""
    if np.ndim(X) != 1:
        return X
    return X.to_frame() if hasattr(X, "to_frame") else np.reshape(np.asarray(X), (-1, 1))
