"""Docstring fragments shared by the estimators of every family (numpydoc sections), and
:func:`filler`, which makes a ``fill_doc`` decorator from them and a family's own fragments."""

import textwrap

FRAGMENTS = {
    "X_series": """\
X : array-like of shape (n_steps,) or (n_steps, n_variables), or list of such arrays
    One series, or several of different lengths (or of one length, as a 3-D array
    (n_series, n_steps, n_variables)).""",
    "seasonal_period": """\
seasonal_period : int or None, default=None
    Remove a seasonal mean of this period (in steps) before the model and add it back to
    every output: the mean of each variable at each phase t mod ``seasonal_period`` over the
    training series (``season_``). Step t of a series (training, ``context``, ``predict``'s) is
    at phase t mod ``seasonal_period``, so arrays should start at the same phase of the season;
    a pandas or xarray series labelled by evenly spaced times (each of a list), after training
    on such series, takes its phase from its first label (labels off the training grid are
    refused). For monthly data with a yearly cycle, 12. None: no season.""",
    "box_cox": """\
box_cox : float in [0, 1] or None, default=None
    The lambda of a Box-Cox transform of every variable, ``(x**box_cox - 1) / box_cox``
    (``log x`` at 0), applied before the season and the standardisation and inverted on every
    output (forecasts below the transform's range map to 0): for counts and intensities whose
    swings grow with their level, 0.5 (about the square root) or 0 (the log, for swings in
    proportion to it). Needs values >= 0 (> 0 for the log). None: no transform.""",
    "covariates": """\
covariates : list of int or str, or None, default=None
    Columns of X known ahead (a calendar, a weather forecast, a planned price), by
    position or, for a pandas DataFrame, by name: the model reads them as inputs at every
    step but forecasts only the other variables, and :meth:`forecast` takes their values at
    the forecast steps. The model reads the covariates of step t with the series at t to
    forecast step t + 1: a covariate that acts on the step it is dated (a holiday) should
    be given one step early. None: every variable is forecast.""",
    "forecast_covariates": """\
covariates : array-like of shape (horizon, n_covariates) or (horizon,), default=None
    With ``covariates`` set: their values at the forecast steps, row j at step j (the
    loop reads rows 0 .. horizon - 2, each with the forecast of its step, to forecast
    the next). Required then, refused otherwise.""",
    "X_one_series": """\
X : array-like of shape (n_steps,) or (n_steps, n_variables)
    The series.""",
    "origins_horizon": """\
horizon : int
    Steps of each forecast.
non_finite : {"raise", "keep"}, default="raise"
    A forecast that becomes non-finite raises ``FloatingPointError`` naming its origin, or
    is returned as it is (for scores that count it as a failure).""",
    "y_ignored": """\
y : None
    Ignored (the targets are the series one step later).""",
    "X_sequences": """\
X : array-like of shape (n_steps, n_features), or list of such arrays
    One input sequence, or several of different lengths (or of one length, as a 3-D array
    (n_sequences, n_steps, n_features)).""",
    "y_sequences": """\
y : array-like of shape (n_steps,) or (n_steps, n_outputs), or list of such arrays
    Targets for every step of every sequence of ``X`` (for a 3-D X, an array
    (n_sequences, n_steps) or (n_sequences, n_steps, n_outputs)).""",
    "sample_weight_steps": """\
sample_weight : array-like of shape (n_steps,), or list of such arrays, default=None
    Per-step weights of the targets (0: no target at that step).""",
    "X_stream": """\
X : array-like of shape (n_steps, n_features)
    One sequence: the next stretch of the input stream.""",
    "y_stream": """\
y : array-like of shape (n_steps,) or (n_steps, n_outputs)
    Its targets.""",
    "sample_weight_stream": """\
sample_weight : array-like of shape (n_steps,), default=None
    Per-step weights of the targets (0: no target at that step).""",
    "predicted_outputs": """\
Returns
-------
y : ndarray of shape (n_steps,) or (n_steps, n_outputs), or list of such arrays
    Outputs shaped like the targets given to ``fit``, for every sequence as X gives them
    (one, a list, or stacked in one array for a 3-D X); float32 for a model of
    ``dtype="float32"``, or, without ``dtype``, one fitted on float32 X (computed in float64).""",
}


def _fill(doc, fragments):
    lines = []
    for line in doc.splitlines():
        key = line.strip()[1:-1] if line.strip().startswith("{") else None
        if key in fragments:
            indent = line[:len(line) - len(line.lstrip())]
            lines.append(textwrap.indent(fragments[key], indent))
        else:
            lines.append(line)
    return "\n".join(lines)


def filler(fragments):
    """A decorator like :func:`fill_doc` that knows ``fragments`` besides the shared ones."""
    known = {**FRAGMENTS, **fragments}

    def fill(obj):
        obj.__doc__ = _fill(obj.__doc__, known)
        if isinstance(obj, type):
            for member in vars(obj).values():
                if callable(member) and member.__doc__:
                    member.__doc__ = _fill(member.__doc__, known)
        return obj

    return fill


#: Replace every ``{name}`` line of the docstrings of an object (and of the methods of a class)
#: by the fragment ``name``, indented like that line; returns the object.
fill_doc = filler({})
