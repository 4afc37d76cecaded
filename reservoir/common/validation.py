"""Validation of parameters (building blocks of the estimators' declared
``_parameter_constraints``) and of time-series input: one sequence (T, n_features) or a list of
them."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import validate_data

DTYPES = {"float64": np.float64, "float32": np.float32}

# Constraints shared by the estimators' ``_parameter_constraints`` (scikit-learn's declared
# parameters: ``Integral`` and ``Real`` accept numpy scalars; the real intervals exclude NaN and
# the infinities, and the error names the parameter and its allowed range).
#: An integer >= 1 (units, epochs, ...).
COUNT = [Interval(Integral, 1, None, closed="left")]
#: An integer >= 0.
NON_NEGATIVE_INT = [Interval(Integral, 0, None, closed="left")]
#: A finite real >= 0.
NON_NEGATIVE = [Interval(Real, 0, None, closed="left")]
#: A finite real > 0.
POSITIVE = [Interval(Real, 0, None, closed="neither")]
#: A real in (0, 1] (leak rates, densities, forgetting factors).
FRACTION = [Interval(Real, 0, 1, closed="right")]
#: The ``box_cox`` of a forecaster: its transform's lambda in [0, 1], or None.
BOX_COX = [Interval(Real, 0, 1, closed="both"), None]
#: Any finite real.
FINITE = [Interval(Real, None, None, closed="neither")]
#: Threads: None (all cores), a positive count, or -k for all cores but k - 1.
N_JOBS = [Interval(Integral, 1, None, closed="left"), Interval(Integral, None, -1, closed="right"),
          None]
#: Precision of the states.
DTYPE = [StrOptions(set(DTYPES)), Options(type, {np.float64, np.float32})]


def check_dtype(dtype):
    """Map the ``dtype`` parameter ("float64" or "float32", or the numpy types) to a numpy type."""
    key = np.dtype(dtype).name if isinstance(dtype, type) or isinstance(dtype, np.dtype) else dtype
    if key not in DTYPES:
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}.")
    return DTYPES[key]


#: How sequences were given, which their outputs follow (:func:`sequence_form`): one array,
#: a list of arrays, or one 3-D array of equal-length ones (stacked).
ONE, LIST, STACKED = 0, 1, 2


def is_stacked(X):
    """True when X is one 3-D array (numpy, xarray, ...) of equal-length sequences
    (n_sequences, n_steps, n_features), as reservoirpy and Keras take batches."""
    return not isinstance(X, (list, tuple)) and len(getattr(X, "shape", ())) == 3


def sequence_form(X):
    """:data:`LIST` for a list of sequences, :data:`STACKED` for a 3-D array of them, else
    :data:`ONE` (one sequence)."""
    return LIST if is_sequence_list(X) else STACKED if is_stacked(X) else ONE


def as_given(outs, form):
    """Outputs of every sequence (a list of arrays) in the form the sequences came in: the one
    array, the list, or (:data:`STACKED`) one array (n_sequences, n_steps, ...)."""
    return outs[0] if form == ONE else np.stack(outs) if form == STACKED else outs


def is_sequence_list(X):
    """True when X is a list or tuple of arrays (sequences), rather than one array-like.

    Elements must be arrays (numpy, xarray, ...) with ``ndim >= 1``; a list of Python lists or
    numbers is one array given row by row, as scikit-learn reads it.
    """
    return isinstance(X, (list, tuple)) and all(
        a.ndim >= 1 if type(a) is np.ndarray else np.ndim(a) >= 1 and hasattr(a, "shape")
        for a in X)


def check_kind(a, name):
    """Refuse what numpy would read wrongly or scikit-learn would refuse with a bare message:
    datetimes and durations (read as nanosecond counts), complex numbers (the imaginary part
    dropped), text, and arrays of more than three dimensions."""
    shape = getattr(a, "shape", None)
    if shape is None:  # (a list of rows)
        try:
            a = np.asarray(a)
        except ValueError:
            if isinstance(a, (list, tuple)) and len({np.shape(r) for r in a}) > 1:
                raise ValueError(
                    f"{name} is a list of rows of different lengths, which is not one array. "
                    "For sequences of different lengths pass a list of numpy arrays, e.g. "
                    f"[np.asarray(s, dtype=float) for s in {name}] (1-D ones are univariate)."
                ) from None
            raise
        shape = a.shape
    dtypes = getattr(a, "dtypes", None)  # a DataFrame's per column, a pandas Series' own
    if dtypes is None:
        dtype = getattr(a, "dtype", None)
        dtypes = [np.asarray(a).dtype if dtype is None else dtype]
    elif not hasattr(dtypes, "__iter__"):
        dtypes = [dtypes]
    # pandas' extension dtypes have a kind too: "M" for datetimes with a time zone
    kinds = [getattr(t, "kind", "O") for t in dtypes]
    if any(kind in "Mm" for kind in kinds):
        raise TypeError(f"{name} holds datetimes or durations; pass numeric features (drop the "
                        "time column, or encode the time as numbers yourself).")
    if any(kind == "c" for kind in kinds):
        raise ValueError(f"Complex data not supported: {name} holds complex numbers. Pass their "
                         "real and imaginary parts as two features, e.g. "
                         "np.stack([z.real, z.imag], axis=-1).")
    if any(kind in "USO" for kind in kinds):
        text = next((v for v in np.asarray(a, dtype=object).ravel() if isinstance(v, str)), None)
        if text is not None:
            try:
                float(text)
            except ValueError:
                labels = (" Labels are not regression targets: for one label per sequence use "
                          "reservoir.ESNClassifier, for one label per step "
                          "lstm.KalmanLSTMClassifier." if name.startswith("y") else "")
                raise ValueError(f"{name} holds text ({text!r}) where numbers are "
                                 f"expected.{labels}") from None
    dims = getattr(a, "dims", None)  # xarray's names of the dimensions
    if dims is not None and len(dims) >= 2 and _time_like(a, dims[-1]) \
            and not _time_like(a, dims[-2]):
        order = ", ".join(repr(d) for d in (*dims[:-2], dims[-1], dims[-2]))
        raise ValueError(f"{name} has the dimensions {tuple(dims)}, its steps last; the steps "
                         f"come before the features, (n_steps, n_features): pass "
                         f"{name}.transpose({order}).")
    if len(shape) > 3:
        raise ValueError(f"{name} has {len(shape)} dimensions; pass one sequence (n_steps, "
                         "n_features), a list of them, or a 3-D array (n_sequences, n_steps, "
                         "n_features).")


def _time_like(a, dim):
    """Whether an xarray dimension holds time steps: named like time, or labelled by dates."""
    index = a.indexes.get(dim)
    return str(dim).lower() in ("time", "date", "step", "steps", "t") or (
        index is not None and index.dtype.kind == "M")


def check_values(a, name, table=False):
    """Refuse what is not finite numbers in ``a`` (one sequence (n_steps[, n_features]), a 3-D
    array of them, or with ``table`` a 2-D array of univariate ones, one per row): first the
    kinds :func:`check_kind` refuses, then NaN and infinities, saying how many there are, where
    the first is (the sequence, step and feature, a data frame's column and index label) and
    what to do. Other input that is not numeric is left to ``check_array``'s errors."""
    check_kind(a, name)
    if np.isscalar(a) or getattr(a, "ndim", None) == 0:
        raise ValueError(f"{name} is a single value ({a!r}), not a sequence: pass an array of "
                         "shape (n_steps,) or (n_steps, n_features).")
    try:
        values = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        return
    if table and values.ndim == 2:
        values = values[:, :, None]
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    seq, (step, *feature) = (first[:1], first[1:]) if values.ndim == 3 else ((), first)
    where = f"sequence {seq[0]}, " if seq else ""
    index = getattr(a, "index", None) if values.ndim < 3 else None
    where += f"step {step}" + (f" ({index[step]})" if index is not None and index[step] != step
                               else "")
    if feature and values.shape[-1] > 1:
        columns = getattr(a, "columns", None)
        where += f", feature {feature[0]}" + (f" ({columns[feature[0]]!r})" if columns is not None
                                               else "")
    n_nan = int(np.isnan(values).sum())
    n_inf = int(bad.sum()) - n_nan
    counts = " and ".join(c for c in (
        f"{n_nan} missing value{'s' * (n_nan > 1)} (NaN)" * bool(n_nan),
        f"{n_inf} infinite value{'s' * (n_inf > 1)}" * bool(n_inf)) if c)
    fix = ("fill the gaps (e.g. pandas' interpolate() or ffill()), or cut the sequence at them "
           "and pass the pieces as a list of sequences" if n_nan else
           "replace them (an overflow upstream?), or cut the sequence at them and pass the "
           "pieces as a list of sequences")
    raise ValueError(f"{name} has {counts}, the first at {where}. A recurrent network runs "
                     f"through every step in order: {fix}.")


def is_ready(a, dtype):
    """True when ``a`` is already the array that :func:`check_sequence` would return, but for
    its finiteness (checked for many sequences at once by :func:`check_sequences`)."""
    return (type(a) is np.ndarray and a.dtype == dtype and a.ndim == 2 and a.flags.c_contiguous
            and a.shape[0] >= 1 and a.shape[1] >= 1)


def batches(seqs, size=1 << 20):
    """The values of the arrays ``seqs``, ravelled and joined into 1-D batches of at least
    ``size`` values (but the last): one reduction a batch instead of one an array, in bounded
    memory. An array alone in its batch is not copied."""
    batch, n = [], 0
    for s in seqs:
        batch.append(s.ravel())
        n += s.size
        if n >= size:
            yield batch[0] if len(batch) == 1 else np.concatenate(batch)
            batch, n = [], 0
    if batch:
        yield batch[0] if len(batch) == 1 else np.concatenate(batch)


def check_sequence(a, *, name, dtype, allow_1d=False):
    """One sequence as a finite, C-contiguous (T, n) array; returns (array, was_1d). (A
    sequence that :func:`is_ready` and finite needs none of this: :func:`check_sequences`
    keeps it as it is.)"""
    check_values(a, name)
    a = check_array(a, dtype=dtype, ensure_2d=not allow_1d, ensure_all_finite=True,
                    input_name=name, ensure_min_samples=1, order="C")
    if a.ndim == 1:
        return np.ascontiguousarray(a[:, None]), True
    return a, False


def check_sequences(X, *, name, dtype, allow_1d=False):
    """Validate a sequence or a list of sequences.

    Returns (list of (T_i, n) arrays, form, was_1d), the form of X as :func:`sequence_form`
    says. Every sequence must be non-empty, finite, and have the same number of columns.
    """
    form = sequence_form(X)
    if form == STACKED:
        check_kind(X, name)
    items = [X] if form == ONE else list(X) if form == LIST else list(np.asarray(X))
    if not items:
        raise ValueError(f"{name} is an empty list; pass at least one sequence.")
    # arrays that are ready but for their finiteness are checked together (10,000 sequences:
    # 0.1 s one by one), the others one by one; a non-finite one is then checked alone, for
    # its error
    ready = [is_ready(a, dtype) for a in items]
    if any(ready) and not all(np.isfinite(b).all()
                              for b in batches(a for a, r in zip(items, ready) if r)):
        ready = [r and np.isfinite(a).all() for a, r in zip(items, ready)]
    seqs, flags = [], set()
    for i, (a, r) in enumerate(zip(items, ready)):
        if r:
            seqs.append(a)
            flags.add(False)
            continue
        label = f"{name}[{i}]" if form else name
        try:
            arr, was_1d = check_sequence(a, name=label, dtype=dtype, allow_1d=allow_1d)
        except ValueError as err:  # (scikit-learn's messages may not name the sequence)
            raise ValueError(f"{label}: {err}") if form and label not in str(err) else err
        seqs.append(arr)
        flags.add(was_1d)
    widths = {s.shape[1] for s in seqs}
    if len(widths) > 1 or len(flags) > 1:
        rows = {s.shape[0] for s in seqs}
        hint = (f" They all have {rows.pop()} rows: if each is (n_channels, n_timepoints), as "
                "in aeon and sktime, pass each transposed, (n_timepoints, n_channels)."
                if len(rows) == 1 and len(widths) > 1 else "")
        raise ValueError(f"All sequences of {name} must have the same number of columns; got "
                         f"{sorted(widths)}.{hint}")
    return seqs, form, flags.pop()


def univariate_items(X):
    """X with each item of a list of 1-D arrays as a column (n_steps, 1): a list of univariate
    sequences, as a classifier takes them; any other X unchanged."""
    if is_sequence_list(X) and X and all(np.ndim(a) == 1 for a in X):
        return [np.asarray(a)[:, None] for a in X]
    return X


def warn_channels_first(seqs, name="X"):
    """Warn when every sequence has fewer steps than features: the likely sign of a collection
    in aeon's and sktime's order, (n_cases, n_channels, n_timepoints), read as (n_sequences,
    n_steps, n_features)."""
    if all(s.shape[0] < s.shape[1] for s in seqs):
        s = seqs[0]
        warnings.warn(
            f"Every sequence of {name} has fewer steps than features ({name}[0]: "
            f"{s.shape[0]} step(s) of {s.shape[1]} features). Sequences are (n_steps, "
            "n_features); aeon and sktime order a collection (n_cases, n_channels, "
            f"n_timepoints): if {name} is in their order, pass np.swapaxes({name}, 1, 2) (or "
            "each sequence transposed).", UserWarning, stacklevel=2)


def check_paired(X_seqs, y_seqs):
    """Every input sequence must have as many steps as its target sequence."""
    if len(X_seqs) != len(y_seqs):
        raise ValueError(f"X has {len(X_seqs)} sequences but y has {len(y_seqs)}.")
    for i, (a, b) in enumerate(zip(X_seqs, y_seqs)):
        if a.shape[0] != b.shape[0]:
            where = f"sequence {i}: " if len(X_seqs) > 1 else ""
            raise ValueError(f"{where}X has {a.shape[0]} steps but y has {b.shape[0]}; inputs "
                             "and targets must be aligned step by step.")


def check_washout(seqs, washout, name="X", reserved=0):
    """Each sequence needs more than ``washout + reserved`` steps, or nothing is learnt from it.

    ``reserved`` counts steps that have no target (the last value of a forecaster's series).
    """
    if not isinstance(washout, (int, np.integer)) or isinstance(washout, bool) or washout < 0:
        raise ValueError(f"washout must be an integer >= 0, got {washout!r}.")
    need = washout + reserved
    for i, s in enumerate(seqs):
        if s.shape[0] <= need:
            where = f"{name}[{i}]" if len(seqs) > 1 else name
            plus = f" + {reserved}" if reserved else ""
            most = min(len(q) for q in seqs) - reserved - 1
            fix = (f"Set washout={max(0, most // 5)} (at most {most} leaves a step for every "
                   "sequence)" if most >= 0 else "Drop it") + " or pass longer sequences."
            raise ValueError(
                f"{where} has {s.shape[0]} sample(s), not more than washout={washout}{plus}: "
                f"nothing would be left to train on. {fix}")


def require_y(estimator, y):
    """Supervised estimators need targets: a clear error when y is None."""
    if y is None:
        raise ValueError(f"{type(estimator).__name__} requires y to be passed, but the target y "
                         "is None.")


def check_classes(classes):
    """Refuse fewer than 2 classes (``classes_``, the distinct labels of y), naming the one."""
    if len(classes) < 2:
        raise ValueError(f"y has 1 class ({classes[0].tolist()!r}); a classifier needs at "
                         "least 2.")


def kept_dtype(X):
    """The dtype of a model's outputs: float32 when its training X is a float32 array (or a list
    of them), else float64; the model computes in float64 either way."""
    seqs = X if is_sequence_list(X) else [X]
    return np.float32 if all(getattr(s, "dtype", None) == np.float32 for s in seqs) \
        else np.float64


def check_known_labels(y, classes):
    """Refuse labels y (1-D) that are not among the fitted ``classes`` (a score against them
    would count them wrong without a word), naming them."""
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(f"y has labels {unseen.tolist()} the model was not fitted with "
                         f"(its classes are {classes.tolist()}).")


def validate_sequences(estimator, X, y=None, *, reset, dtype=np.float64):
    """Validate X (one sequence (n_steps, n_features), a list of them, or a 3-D array of
    equal-length ones) and y when given (for a 3-D X: (n_sequences, n_steps[, n_outputs])).

    As scikit-learn's ``validate_data``: with ``reset`` it sets ``n_features_in_`` (and
    ``feature_names_in_`` for data frames) and records in ``estimator._y_1d`` whether y was 1-D
    (per sequence); otherwise it checks X against them, and y against ``n_outputs_``. Returns
    (X_seqs, y_seqs or None, form), y as float64 (n_steps, n_outputs) arrays paired step by step
    with X, and the form of X (:func:`sequence_form`).
    """
    form = sequence_form(X)
    if form == ONE:
        check_values(X, "X")
        if y is None:
            X = validate_data(estimator, X, reset=reset, dtype=dtype, ensure_all_finite=True,
                              order="C", ensure_min_samples=1)
            return [X], None, form
        check_values(y, "y")  # (an object array's None reads as NaN)
        X, y = validate_data(estimator, X, y, reset=reset, dtype=dtype, ensure_all_finite=True,
                             order="C", multi_output=True, y_numeric=True)
        X_seqs, y_1d = [X], y.ndim == 1
        y_seqs = [np.ascontiguousarray(y.reshape(y.shape[0], -1), dtype=np.float64)]
    else:
        X_seqs, _, _ = check_sequences(X, name="X", dtype=dtype)
        n_in = X_seqs[0].shape[1]
        if reset:
            estimator.n_features_in_ = n_in
            estimator.__dict__.pop("feature_names_in_", None)
        elif n_in != estimator.n_features_in_:
            raise ValueError(f"X has {n_in} features, but {type(estimator).__name__} is "
                             f"expecting {estimator.n_features_in_} features as input.")
        if y is None:
            return X_seqs, None, form
        if form == LIST and not is_sequence_list(y) and np.ndim(y) == 1 \
                and len(y) == len(X_seqs) > 1 and any(len(s) > 1 for s in X_seqs):
            raise ValueError(
                f"y has one value per sequence of X ({len(y)} for {len(X_seqs)} sequences), but "
                f"{type(estimator).__name__} learns a target at every step: pass y as a list of "
                "target sequences, one (n_steps_i[, n_outputs]) array per sequence of X. For one "
                "target per sequence use reservoir.ESNSequenceRegressor (reservoir.ESNClassifier "
                "for labels).")
        y_seqs, _, y_1d = check_sequences(stacked_targets(y, form, len(X_seqs)), name="y",
                                          dtype=np.float64, allow_1d=True)
    check_paired(X_seqs, y_seqs)
    check_magnitude(X_seqs, "X")
    check_magnitude(y_seqs, "y")
    if reset:
        estimator._y_1d = y_1d
    elif hasattr(estimator, "n_outputs_") and y_seqs[0].shape[1] != estimator.n_outputs_:
        raise ValueError(f"y has {y_seqs[0].shape[1]} outputs but the model was fitted with "
                         f"{estimator.n_outputs_}.")
    return X_seqs, y_seqs, form


def unstacked(X, y):
    """A 3-D X (:func:`is_stacked`) and its targets y (None, or as :func:`stacked_targets`
    takes them) as lists of sequences."""
    return list(np.asarray(X)), None if y is None else stacked_targets(y, STACKED, len(X))


def stacked_targets(y, form, n_sequences):
    """The targets of several sequences X (of ``form`` :data:`LIST` or :data:`STACKED`) as a
    list: y itself when a list, the sequences of a 3-D y (or, for a 3-D X, of a 2-D y
    (n_sequences, n_steps))."""
    if isinstance(y, (list, tuple)):
        return y
    ndim = len(getattr(y, "shape", np.shape(y)))
    if ndim == 3 or (ndim == 2 and form == STACKED):
        return list(np.asarray(y))
    if form == STACKED:
        raise ValueError(
            f"X is a 3-D array of {n_sequences} sequences, so y needs a target at every step: "
            f"shape ({n_sequences}, n_steps) or ({n_sequences}, n_steps, n_outputs), got "
            f"{np.shape(y)}. For one label per sequence, use ESNClassifier (or "
            "KalmanLSTMClassifier); for one number, ESNSequenceRegressor.")
    return y


#: Largest magnitude of an input or target value: a readout's F^T F sums squares of them.
MAX_MAGNITUDE = 1e150


def check_magnitude(seqs, name):
    """Refuse values so large that their squares (a readout's sums, a training loss) would
    overflow."""
    largest = max(max(float(b.max()), -float(b.min())) for b in batches(seqs))
    if largest > MAX_MAGNITUDE:
        raise ValueError(f"{name} has values up to {largest:.3g}: their squares (the readout's "
                         "sums, the training loss) would overflow (the limit is "
                         f"{MAX_MAGNITUDE:.0e}). Scale {name}, e.g. with "
                         "sklearn.preprocessing.StandardScaler.")


def check_single_sequence(X):
    """``partial_fit`` continues one stream: it takes one array, not several sequences."""
    if sequence_form(X) != ONE:
        raise ValueError("partial_fit takes one array (n_steps, n_features), the continuation "
                         "of the stream; call it once per piece, in time order.")


def record_built(estimator, fixed):
    """Record the values of the parameters named in ``fixed`` that the network is being built
    with, which :func:`start_partial_fit` holds later calls to."""
    estimator._built_with = {k: getattr(estimator, k) for k in fixed}


def start_partial_fit(estimator, X, y, fitted, fixed):
    """The checks every ``partial_fit`` starts with: one sequence, targets given, and the
    parameters, on every call (a value set between calls is checked before it is used). After
    the first call (once the estimator has the attribute ``fitted``), the parameters named in
    ``fixed``, those that shape or draw the network, must keep the values that
    :func:`record_built` recorded when it was built: ``partial_fit`` continues that network.
    Returns whether this is the first call."""
    check_single_sequence(X)
    require_y(estimator, y)
    first = not hasattr(estimator, fitted)
    estimator._check_params()
    if not first:
        built = estimator._built_with
        changed = [f"{k} from {built[k]!r} to {getattr(estimator, k)!r}" for k in fixed
                   if getattr(estimator, k) != built[k]]
        if changed:
            raise ValueError(f"{', '.join(changed)} since the network was built: partial_fit "
                             "continues that network. Call fit (or partial_fit on a clone) to "
                             "build a new one.")
    return first


def check_step_weights(sample_weight, X_seqs):
    """Per-step loss weights matching the sequences (finite, >= 0, not all zero): a list of
    (n_steps,) arrays, or one such array for one sequence, or (n_sequences, n_steps) for
    sequences of one length; ones when None. Returns a list of (n_steps,) float64 arrays."""
    if sample_weight is None:
        return [np.ones(len(x)) for x in X_seqs]
    stacked = len(X_seqs) > 1 and len(getattr(sample_weight, "shape", ())) == 2
    items = list(sample_weight) if is_sequence_list(sample_weight) or stacked else \
        [sample_weight]
    if len(items) != len(X_seqs):
        raise ValueError(f"sample_weight has {len(items)} sequences but X has {len(X_seqs)}.")
    out = []
    for w, x in zip(items, X_seqs):
        w = np.ascontiguousarray(w, dtype=np.float64)
        if w.shape != (len(x),) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"sample_weight must be finite, >= 0 and of shape ({len(x)},) for a "
                             f"sequence of {len(x)} steps; got shape {w.shape}.")
        out.append(w)
    if not any(np.any(w > 0) for w in out):
        raise ValueError("sample_weight is zero at every step: there is nothing to learn from.")
    return out
