"""Random reservoir weights: sparse recurrent matrix, input, bias and feedback weights.

All draws come from one ``numpy.random.RandomState`` in a fixed order (recurrent pattern and
values, input weights, bias, feedback weights) and at unit scale, so that reservoirs that differ
only in ``spectral_radius``, ``input_scaling``, ``bias_scaling`` or ``feedback_scaling`` share the
same random numbers (the scales are applied afterwards).
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import ArpackNoConvergence, eigs

from .common.memory import check_fits

#: Peak bytes a recurrent weight takes while it is drawn (its position, value and CSR entry, and
#: their temporaries): 33 at density 0.9, 60 at 0.1 (N = 5000 and 20000).
DRAW_BYTES = 60

#: Recurrent matrices drawn before a nilpotent one (spectral radius 0) is refused: at N = 10
#: and density 0.1, 31 of 200 seeds drew one first; redrawn, none of them failed.
RECURRENT_DRAWS = 10

#: Up to this size the spectral radius comes from a dense eigenvalue solve (ARPACK is faster
#: above: 1.4 ms against 52 ms at N=300).
DENSE_EIG_MAX = 100

#: ARPACK's Ritz values above DENSE_EIG_MAX: the largest eigenvalues of a random reservoir crowd
#: the edge of a disk, and one Ritz value from 20 Arnoldi vectors often converged to a smaller
#: one (in 14 of 72 draws, N = 101-700, density 0.03-0.3; up to 2% below the radius); the
#: largest of 8 Ritz values from 40 vectors matched the dense eigenvalues to 1e-11 in all 72 and
#: in N = 2000-3000, for 1.3-1.5 times the time.
N_RITZ, N_ARNOLDI = 8, 40

#: Above this size, ARPACK takes 2 sqrt(N) vectors: the edge crowds more as N grows. At N =
#: 10000 (densities 0.1 and 0.01, 3 draws each) the largest of 8 Ritz values from 40 vectors was
#: a smaller eigenvalue in 2 of 6 (0.3% and 0.2% below the radius, after 6000-7600 products),
#: from 80 in 1, from 160 in none (1500-2900 products: 20 s at density 0.1, against 40-100 s);
#: from 200 (this rule) the dense eigenvalues' largest in the 3 draws checked so (the 2 missed
#: included), in 1.2-17 s; at N = 20000, density 0.05, 80 vectors missed too, 160, 282 and 320
#: agreed. Up to N = 5000 the 40 vectors' value matched the dense eigenvalues in all 12 draws
#: tried.
LARGE_ARNOLDI_FROM = 5000

#: Up to this many entries (N = 2048 for a square matrix) a sparse draw takes its positions from
#: SciPy's sampler, which permutes all of them: 718 MB and 3.6 s for N=8000 at density 0.01,
#: whose 640,000 weights take 8 MB. Above, positions are drawn with replacement and the repeats
#: drawn again (other draws than SciPy's for the same seed).
PERMUTED_MAX = 2**22

#: The radii of the last RADII_KEPT matrices, by their bytes: a refit with the same
#: ``random_state`` (cross-validation folds, grid points that change the scalings, leak rate or
#: ridge) draws the same unit-scale matrix and skips ARPACK (20 ms at N=500, 45 ms at N=1000).
RADII_KEPT = 64
_radii = OrderedDict()


@dataclass
class Reservoir:
    """Weights of a leaky-tanh reservoir, in kernel-ready form.

    All arrays are C-contiguous, in the reservoir's dtype (indices uint32).

    Parameters
    ----------
    indptr : ndarray of shape (N + 1,), uint32
        CSR row pointers of the recurrent matrix W (N, N), already scaled to the spectral radius.
    indices : ndarray of shape (nnz,), uint32
        CSR column indices of W.
    data : ndarray of shape (nnz,)
        CSR values of W.
    W_in : ndarray of shape (N, n_inputs)
        Input weights.
    bias : ndarray of shape (N,)
        Bias of every unit.
    W_fb : ndarray of shape (N, n_outputs)
        Output-feedback weights (zeros without feedback).
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    W_in: np.ndarray
    bias: np.ndarray
    W_fb: np.ndarray

    @property
    def n_reservoir(self):
        """Number of units N."""
        return self.bias.shape[0]

    def recurrent_matrix(self):
        """W as a ``scipy.sparse.csr_matrix`` (N, N)."""
        n = self.n_reservoir
        return sp.csr_matrix((self.data, self.indices, self.indptr), shape=(n, n))


def spectral_radius(W):
    """Largest absolute eigenvalue of a square sparse matrix, reproducibly.

    Dense eigenvalues up to 100 units; above, the largest of ARPACK's ``N_RITZ`` largest
    eigenvalues (from ``N_ARNOLDI`` vectors, 2 sqrt(N) above ``LARGE_ARNOLDI_FROM`` units), from
    a fixed start vector (the same value on every call). Remembered for the
    last :data:`RADII_KEPT` matrices.

    Parameters
    ----------
    W : scipy.sparse matrix of shape (N, N)
        The matrix.

    Returns
    -------
    radius : float
        The spectral radius of W.
    """
    W = sp.csr_matrix(W)
    digest = hashlib.blake2b(repr((W.shape, W.dtype.str)).encode(), digest_size=16)
    for part in (W.indptr, W.indices, W.data):
        digest.update(np.ascontiguousarray(part))
    key = digest.digest()
    if key not in _radii:
        _radii[key] = _largest_eigenvalue(W)
        while len(_radii) > RADII_KEPT:
            _radii.popitem(last=False)
    _radii.move_to_end(key)
    return _radii[key]


def _largest_eigenvalue(W):
    n = W.shape[0]
    if n <= DENSE_EIG_MAX:
        return float(np.max(np.abs(np.linalg.eigvals(W.toarray()))))
    v0 = np.ones(n) / np.sqrt(n)  # fixed start vector: the same radius on every call
    try:
        ncv = int(2 * np.sqrt(n)) if n > LARGE_ARNOLDI_FROM else N_ARNOLDI
        vals = eigs(W.astype(np.float64), k=N_RITZ, ncv=ncv, which="LM", v0=v0,
                    return_eigenvectors=False, maxiter=20 * n, tol=1e-10)
    except ArpackNoConvergence:
        return float(np.max(np.abs(np.linalg.eigvals(W.toarray()))))
    return float(np.max(np.abs(vals)))


def _sparse_uniform(rng, n_rows, n_cols, density):
    """(n_rows, n_cols) CSR with ``round(density * n_rows * n_cols)`` uniform(-1, 1) entries at
    uniformly random distinct positions. Up to :data:`PERMUTED_MAX` entries (and for densities
    above 1/2) SciPy's sampler, which permutes every position; above, positions drawn with
    replacement and the repeats drawn again, in memory of the order of the nonzeros."""
    size = n_rows * n_cols
    if size <= PERMUTED_MAX or density > 0.5:
        return sp.random(n_rows, n_cols, density=density, format="csr", random_state=rng,
                         data_rvs=lambda k: rng.uniform(-1.0, 1.0, size=k))
    k = int(round(density * size))
    picked = np.empty(0, dtype=np.int64)
    while len(picked) < k:
        drawn = np.sort(np.concatenate([picked, rng.randint(0, size, size=k - len(picked),
                                                            dtype=np.int64)]))
        picked = drawn[np.r_[True, drawn[1:] != drawn[:-1]]]
    values = rng.uniform(-1.0, 1.0, size=k)
    return sp.csr_matrix((values, (picked // n_cols, picked % n_cols)), shape=(n_rows, n_cols))


def kernel_csr(M, dtype):
    """(indptr, indices, data) of the matrix ``M`` (dense or sparse) as the kernels take a CSR
    matrix: sorted uint32 indices, contiguous ``dtype`` values."""
    M = sp.csr_matrix(M)
    M.sort_indices()
    return (M.indptr.astype(np.uint32), M.indices.astype(np.uint32),
            np.ascontiguousarray(M.data, dtype=dtype))


def make_reservoir(n_reservoir, n_inputs, n_outputs, *, spectral_radius_=1.0, density=0.1,
                   input_scaling=1.0, input_density=1.0, bias_scaling=0.0, feedback_scaling=0.0,
                   random_state, dtype=np.float64):
    """Draw a reservoir from ``random_state`` (a ``numpy.random.RandomState``).

    The recurrent matrix has about ``density * N**2`` uniform(-1, 1) entries and is rescaled to
    spectral radius ``spectral_radius_``; a nilpotent draw (radius 0, common below about 20 units
    at density 0.1) is drawn again, up to :data:`RECURRENT_DRAWS` times. Inputs have
    ``input_density`` of their entries drawn from uniform(-input_scaling, input_scaling); bias
    and feedback weights are dense uniforms scaled by ``bias_scaling`` and ``feedback_scaling``.

    Parameters
    ----------
    n_reservoir : int
        Number of units N.
    n_inputs : int
        Number of inputs.
    n_outputs : int
        Number of fed-back outputs (columns of W_fb).
    spectral_radius_ : float, default=1.0
        Spectral radius W is rescaled to.
    density : float, default=0.1
        Fraction of nonzero entries of W.
    input_scaling : float, default=1.0
        Scale of W_in.
    input_density : float, default=1.0
        Fraction of nonzero entries of W_in.
    bias_scaling : float, default=0.0
        Scale of the bias.
    feedback_scaling : float, default=0.0
        Scale of W_fb.
    random_state : numpy.random.RandomState
        Source of every draw (all at unit scale, in a fixed order).
    dtype : numpy dtype, default=numpy.float64
        dtype of the weights.

    Returns
    -------
    reservoir : Reservoir
        The weights in kernel-ready form.
    """
    rng = random_state
    n_weights = density * n_reservoir ** 2
    check_fits(n_weights * DRAW_BYTES, f"Drawing the {n_weights:.3g} recurrent weights of "
               f"n_reservoir={n_reservoir} at density={density}", "Lower n_reservoir or density.")
    for _ in range(RECURRENT_DRAWS):
        W = _sparse_uniform(rng, n_reservoir, n_reservoir, density)
        if W.nnz == 0:
            raise ValueError(
                f"The recurrent matrix drew no nonzero weight (n_reservoir={n_reservoir}, "
                f"density={density}); increase density or n_reservoir.")
        radius = spectral_radius(W)
        if radius >= 1e-12:
            break
    else:
        raise ValueError(
            f"The recurrent matrix was nilpotent in {RECURRENT_DRAWS} draws (spectral radius 0 "
            f"with n_reservoir={n_reservoir}, density={density}) and cannot be rescaled to "
            f"spectral_radius={spectral_radius_}; increase density or n_reservoir.")
    W = W * (spectral_radius_ / radius)
    W_in = _sparse_uniform(rng, n_reservoir, n_inputs, input_density).toarray() * input_scaling
    bias = rng.uniform(-1.0, 1.0, size=n_reservoir) * bias_scaling
    W_fb = rng.uniform(-1.0, 1.0, size=(n_reservoir, n_outputs)) * feedback_scaling
    indptr, indices, data = kernel_csr(W, dtype)
    return Reservoir(
        indptr=indptr,
        indices=indices,
        data=data,
        W_in=np.ascontiguousarray(W_in, dtype=dtype),
        bias=np.ascontiguousarray(bias, dtype=dtype),
        W_fb=np.ascontiguousarray(W_fb, dtype=dtype),
    )


def block_diagonal(reservoirs):
    """Several reservoirs of the same inputs as one: W block-diagonal, W_in, bias and W_fb
    stacked, so one harvest runs all of them side by side (an ensemble). Units k * N ..
    (k + 1) * N - 1 are those of ``reservoirs[k]`` (all of N units).

    Parameters
    ----------
    reservoirs : list of Reservoir
        Members of the same size, inputs, outputs and dtype.

    Returns
    -------
    reservoir : Reservoir
        The members side by side.
    """
    if len(reservoirs) == 1:
        return reservoirs[0]
    offsets = np.cumsum([0] + [r.data.shape[0] for r in reservoirs[:-1]])
    starts = np.cumsum([0] + [r.n_reservoir for r in reservoirs[:-1]])
    indptr = np.concatenate([reservoirs[0].indptr[:1]] + [
        r.indptr[1:].astype(np.int64) + off for r, off in zip(reservoirs, offsets)])
    return Reservoir(
        indptr=indptr.astype(np.uint32),
        indices=np.concatenate([r.indices.astype(np.int64) + s
                                for r, s in zip(reservoirs, starts)]).astype(np.uint32),
        data=np.concatenate([r.data for r in reservoirs]),
        W_in=np.concatenate([r.W_in for r in reservoirs]),
        bias=np.concatenate([r.bias for r in reservoirs]),
        W_fb=np.concatenate([r.W_fb for r in reservoirs]),
    )
