"""Forecasting through a scikit-learn Pipeline: transformers (scalers and the like) in front of a
forecaster, every forecast mapped back through their ``inverse_transform``."""

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted


class ForecastPipeline(Pipeline):
    """A ``Pipeline`` of transformers ending in a forecaster (``ESNForecaster``,
    ``NVARForecaster``) that also forecasts: ``forecast`` transforms the context, forecasts in
    the transformed space, and maps the forecast back through the transformers'
    ``inverse_transform`` (last first); ``predict`` maps the one-step predictions back the same
    way. Series are (n_steps, n_variables) arrays, as scikit-learn's transformers take them.

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
        return out.reshape(shape)

    def predict(self, X, **params):
        """One-step predictions of X (row t forecasts s(t+1)), in X's units.

        Parameters
        ----------
        X : array-like of shape (n_steps, n_variables)
            The series.
        **params
            Passed to the forecaster's ``predict``.

        Returns
        -------
        predictions : ndarray of shape (n_steps, n_variables)
            The forecasts, through the inverse transforms.
        """
        return self._back(super().predict(X, **params))

    def forecast(self, horizon, context=None, **params):
        """Free-running forecast of the next ``horizon`` steps, in the series' units.

        Parameters
        ----------
        horizon : int
            Steps to forecast.
        context : array-like of shape (n_steps, n_variables), default=None
            A series to continue (transformed like the training series); None continues the
            training series.
        **params
            Passed to the forecaster's ``forecast`` (``on_divergence``).

        Returns
        -------
        forecast : ndarray of shape (horizon, n_variables)
            The forecast, through the inverse transforms.
        """
        check_is_fitted(self)
        if context is not None:
            context = self[:-1].transform(context)
        return self._back(self.steps[-1][1].forecast(horizon, context=context, **params))
