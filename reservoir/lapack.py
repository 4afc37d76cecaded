"""LAPACK's triangular-pentagonal QR (dtpqrt) called from Numba kernels, without the GIL.

SciPy's Python wrapper of dtpqrt holds the GIL, so readouts solved on threads (one per
configuration of a grid search) would run one at a time; called from a ``nogil`` Numba kernel
through SciPy's Cython LAPACK they run side by side. The routine factorises ``[A; B]`` for A
(n, n) upper triangular and B (m, n) whose last l rows are upper trapezoidal, with the known
zeros costing nothing: a streamed QR update (l = 0) and a ridge solve by the QR of
``[R; sqrt(ridge) I]`` (l = n) each cost a fraction of a general QR.

Matrices cross to LAPACK column-major: the arrays passed hold the transpose of each in C order.
Only the call itself is compiled (a small kernel: a first fit in a fresh process with an empty
Numba cache compiles it in about 0.2 s, against 1.6 s when the copies and the back-substitution
were compiled too); the copies are NumPy's.
"""

import ctypes

import numpy as np
import scipy.linalg as sla
from numba import njit
from numba.extending import get_cython_function_address

from .common.config import KERNEL

_DOUBLE = ctypes.POINTER(ctypes.c_double)
_INT = ctypes.POINTER(ctypes.c_int)
#: dtpqrt(M, N, L, NB, A, LDA, B, LDB, T, LDT, WORK, INFO) of SciPy's Cython LAPACK. Kernels take
#: it as an argument (a global function pointer would keep them from being cached).
DTPQRT = ctypes.CFUNCTYPE(None, _INT, _INT, _INT, _INT, _DOUBLE, _INT, _DOUBLE, _INT, _DOUBLE,
                          _INT, _DOUBLE, _INT)(
    get_cython_function_address("scipy.linalg.cython_lapack", "dtpqrt"))
#: Block size of dtpqrt (fastest of 16, 32 and 64 at n = 300).
BLOCK = 16


@njit(**KERNEL)
def _call(fn, ints, At, Bt, T, work):
    """dtpqrt on At, Bt with the integer arguments ``ints`` (M, N, L, NB, LDA, LDB, LDT, INFO),
    without the GIL."""
    fn(ints[0:].ctypes, ints[1:].ctypes, ints[2:].ctypes, ints[3:].ctypes, At.ctypes,
       ints[4:].ctypes, Bt.ctypes, ints[5:].ctypes, T.ctypes, ints[6:].ctypes, work.ctypes,
       ints[7:].ctypes)


def _tpqrt(fn, At, Bt, l):
    """Factorise [A; B] in place: A^T is At (n, n), B^T is Bt (n, m). Afterwards R (upper
    triangular) is At's lower triangle transposed. Returns LAPACK's info."""
    n, m = Bt.shape
    nb = max(1, min(BLOCK, n))
    ints = np.array([m, n, l, nb, n, max(1, m), nb, 0], dtype=np.int32)
    _call(fn, ints, At, Bt, np.empty((n, nb)), np.empty(nb * n))
    return int(ints[7])


def qr_append(fn, R, F, Y):
    """R' (n, n) upper triangular with R'^T R' = R^T R + [F Y]^T [F Y], for R (n, n) upper
    triangular (zeros below its diagonal) and new rows F (T, p), Y (T, n - p). Returns
    (R', info)."""
    At = R.T.copy()
    Bt = np.empty((R.shape[0], F.shape[0]))
    _transpose_into(F, Bt[:F.shape[1]])
    _transpose_into(Y, Bt[F.shape[1]:])
    info = _tpqrt(fn, At, Bt, 0)
    return At.T, info  # zeros below the diagonal: dtpqrt leaves them


def stack_triangles(fn, Ra, Rb):
    """R (n, n) upper triangular with R^T R = Ra^T Ra + Rb^T Rb, for Ra and Rb (n, n) upper
    triangular (zeros below their diagonals): the QR of [Ra; Rb], with Rb's known zeros costing
    nothing (about 2 n^3 / 3 flops). Returns (R, info)."""
    At = Ra.T.copy()
    Bt = Rb.T.copy()
    info = _tpqrt(fn, At, Bt, Bt.shape[1])
    return At.T, info


def ridge_qr(fn, R, QtY, lam):
    """w (k, m) minimising ||R w - QtY||^2 + lam ||w||^2 for R (k, k) upper triangular (zeros
    below its diagonal) and QtY (k, m), lam > 0, from the QR of [R, QtY; sqrt(lam) I, 0].
    Returns (w, info)."""
    k = R.shape[0]
    n = k + QtY.shape[1]
    At = np.zeros((n, n))
    At[:k, :k] = R.T
    At[k:, :k] = QtY.T
    Bt = np.sqrt(lam) * np.eye(n, k)
    info = _tpqrt(fn, At, Bt, k)
    # R_lam[i, j] = At[j, i] (i <= j < k), the rotated right-hand side At[k:, :k] transposed
    w = sla.solve_triangular(At[:k, :k].T, At[k:, :k].T, check_finite=False)
    return w, info


def _transpose_into(src, dst):
    """dst = src.T for src (T, p), in blocks of rows that stay in cache (3x faster than one
    strided copy at T = 5000, p = 500)."""
    for start in range(0, src.shape[0], 256):
        dst[:, start:start + 256] = src[start:start + 256].T
