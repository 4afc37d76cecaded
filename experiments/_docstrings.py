"""Docstring fragments shared by the experiments' datasets, ``run`` and ``summary`` functions."""

from reservoir.common.docstrings import filler

_AS_XARRAY = """\
as_xarray : bool, default=False
    Return an ``xarray.DataArray`` (``time`` coordinate, the parameters as attributes)."""

#: The fragments, by name (a module adds its own with ``filler({**FRAGMENTS, ...})``).
FRAGMENTS = {
    "as_xarray": _AS_XARRAY,
    "initial_condition": """\
random_state : int, RandomState instance or None, default=None
    Seed of the random initial condition.
""" + _AS_XARRAY,
    "xyz_states": """\
Returns
-------
states : ndarray of shape (n_samples, 3) or xarray.DataArray
    x, y, z.""",
    "esn_comparison": """\
n_reservoir : int, default=100
    Units of the ESN.
n_train, n_test : int, default=3000, 1000
    Training and test steps.
washout : int, default=100
    Warm-up steps before scoring.""",
    "first_seed": """\
seed : int, default=0
    First seed.""",
    "max_step": """\
max_step : float, default=0.01
    Largest RK4 step; ``dt`` is split into equal steps no longer than this.""",
    "seed": """\
seed : int, default=0
    Seed of the data and of the model's weights.""",
    "esn_run": """\
device : str, default="cpu"
    ``device`` of the ESN (see docs/devices.md).
dtype : {"float64", "float32"}, default="float64"
    Precision of the reservoir states.
verbose : bool, default=False
    Progress bars on stderr.
**params
    Further ``ESNRegressor``/``ESNForecaster`` parameters, overriding the defaults.""",
    "verbose": """\
verbose : bool, default=False
    Progress bars on stderr.""",
    "sequence_model": """\
n_reservoir : int, default=300
    Units of each reservoir.
representation : str, default="last_mean"
    The sequence vector (see ``ESNClassifier``).
n_estimators : int, default=1
    Reservoirs in the ensemble.
bidirectional : bool, default=False
    Append the vectors of the reversed sequences.
spectral_radius, leak_rate, input_scaling, density : float or None, default=None
    Those of every reservoir (None: the estimator's defaults; reservoirs of a few tens of
    units want a larger density, e.g. 1).
n_components : int or None, default=None
    Principal components of the states in the model space (None: the estimator's default).""",
    "sequence_run": """\
n_train : int or None, default=None
    Train on the first ``n_train`` training sequences only (None: all).
fill : {"interpolate", "ffill"} or None, default=None
    Fill missing steps inside the file's sequences (see
    :func:`experiments.sequence_files.read_labelled`); None refuses them.
seed : int, default=0
    Seed of the model's weights (and of a file's hold-out).
device : str, default="cpu"
    ``device`` of the estimator (see docs/devices.md).
verbose : bool, default=False
    Progress bars on stderr.""",
    "summary": """\
Parameters
----------
ds : xarray.Dataset
    What the matching ``run`` returned.

Returns
-------
text : str
    Lines for the command line: the figures beside the published ones.""",
    "returns_dataset": """\
Returns
-------
ds : xarray.Dataset
    The results, with the parameters, seed and package versions as attributes.""",
}

fill_doc = filler(FRAGMENTS)
