"""Docstring fragments of the echo state network estimators, filled in by ``fill_doc``."""

from .common.docstrings import filler

FRAGMENTS = {
    "reservoir_parameters": """\
n_reservoir : int, default=300
    Number of reservoir units N.
spectral_radius : float, default=1.0
    Spectral radius of the recurrent matrix W.
leak_rate : float, default=0.9
    Leak rate a in (0, 1]; 1 is the plain (non-leaky) ESN.
input_scaling : float, default=0.4
    W_in is uniform in [-input_scaling, input_scaling].
bias_scaling : float, default=0.5
    The bias b is uniform in [-bias_scaling, bias_scaling].
density : float, default=0.1
    Fraction of nonzero entries of W, in (0, 1].
input_density : float, default=1.0
    Fraction of nonzero entries of W_in, in (0, 1].""",
    "readout_parameters": """\
ridge : float or None, default=None
    Tikhonov penalty added to F^T F as it is (not scaled by the number of samples); the
    intercept is not penalised. None chooses it (``ridge_``) by blocked cross-validation over
    the training rows: the value of half-decades from 1e-10 to 1e4 whose weights, solved
    without each of five contiguous blocks of rows, predict the left-out blocks best (from
    the factorization's blocks, no new states; see :mod:`reservoir.ridge_cv`).
washout : int, default=100
    Initial steps of every sequence left out of training and scoring.
squares : bool, default=False
    Add the squares of every second state, ``x(t)[::2]**2``, to the readout features
    (Pathak et al. 2018).
fit_intercept : bool, default=True
    Constant term in the readout.
solver : {"qr", "gram"}, default="qr"
    Streamed QR factorization of the features, solved by the QR of ``[R; sqrt(ridge) I]``
    (accurate for tiny ridge values), or the normal equations (faster, for larger ridge
    values).""",
    "run_parameters": """\
device : {"cpu", "parallel", "cuda", "auto"}, default="cpu"
    Serial kernels, threads over sequences (or over rows of W for one sequence), an NVIDIA GPU
    (the ``cuda`` extra), or cuda when usable and parallel otherwise; see docs/devices.md.
dtype : {"float64", "float32"}, default="float64"
    Precision of the reservoir states; readouts are solved in float64.
n_jobs : int or None, default=None
    Numba threads for ``device="parallel"`` (None: all cores).
random_state : int, RandomState instance or None, default=None
    Seed of every random draw (weights), for reproducible models.
verbose : bool, default=False
    Show a progress bar on stderr while fitting.""",
}

#: Replace every ``{name}`` line of the docstrings of an ESN estimator (and of its methods) by
#: the fragment ``name``, the ESN fragments or the shared ones; returns the object.
fill_doc = filler(FRAGMENTS)
