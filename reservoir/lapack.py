"""LAPACK's triangular-pentagonal QR (dtpqrt) called from Numba kernels, without the GIL.

SciPy's Python wrapper of dtpqrt holds the GIL, so readouts solved on threads (one per
configuration of a grid search) would run one at a time; called from a ``nogil`` Numba kernel
through SciPy's Cython LAPACK they run side by side. The routine factorises ``[A; B]`` for A
(n, n) upper triangular and B (m, n) whose last l rows are upper trapezoidal, with the known
zeros costing nothing: a streamed QR update (l = 0) and a ridge solve by the QR of
``[R; sqrt(ridge) I]`` (l = n) each cost a fraction of a general QR.

Matrices cross to LAPACK column-major: the kernels hold the transpose of each in C order.
"""

import ctypes

import numpy as np
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
def _tpqrt(fn, At, Bt, l):
    """Factorise [A; B] in place: A^T is At (n, n), B^T is Bt (n, m). Afterwards R (upper
    triangular) is At's lower triangle transposed. Returns LAPACK's info."""
    n = At.shape[0]
    m = Bt.shape[1]
    nb = max(1, min(BLOCK, n))
    ints = np.empty(8, dtype=np.int32)  # M, N, L, NB, LDA, LDB, LDT, INFO
    for i, v in enumerate((m, n, l, nb, n, max(1, m), nb, 0)):
        ints[i] = v
    T = np.empty((n, nb))
    work = np.empty(nb * n)
    fn(ints[0:].ctypes, ints[1:].ctypes, ints[2:].ctypes, ints[3:].ctypes, At.ctypes,
       ints[4:].ctypes, Bt.ctypes, ints[5:].ctypes, T.ctypes, ints[6:].ctypes, work.ctypes,
       ints[7:].ctypes)
    return ints[7]


@njit(**KERNEL)
def qr_append(fn, R, F, Y):
    """R' (n, n) upper triangular with R'^T R' = R^T R + [F Y]^T [F Y], for R (n, n) upper
    triangular and new rows F (T, p), Y (T, n - p). Returns (R', info)."""
    n = R.shape[0]
    p = F.shape[1]
    At = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            At[j, i] = R[i, j]
    Bt = np.empty((n, F.shape[0]))
    for t in range(F.shape[0]):
        for j in range(p):
            Bt[j, t] = F[t, j]
        for j in range(p, n):
            Bt[j, t] = Y[t, j - p]
    info = _tpqrt(fn, At, Bt, np.int64(0))  # not a literal: one compilation for both uses
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            out[i, j] = At[j, i]
    return out, info


@njit(**KERNEL)
def ridge_qr(fn, R, QtY, lam):
    """w (k, m) minimising ||R w - QtY||^2 + lam ||w||^2 for R (k, k) upper triangular and
    QtY (k, m), lam > 0, from the QR of [R, QtY; sqrt(lam) I, 0]. Returns (w, info)."""
    k = R.shape[0]
    m = QtY.shape[1]
    n = k + m
    At = np.zeros((n, n))
    for i in range(k):
        for j in range(i, k):
            At[j, i] = R[i, j]
        for q in range(m):
            At[k + q, i] = QtY[i, q]
    Bt = np.zeros((n, k))
    root = np.sqrt(lam)
    for i in range(k):
        Bt[i, i] = root
    info = _tpqrt(fn, At, Bt, k)
    # R_lam[i, j] = At[j, i], the rotated right-hand side is At[k + q, i]: back-substitution
    w = np.empty((k, m))
    for q in range(m):
        for i in range(k - 1, -1, -1):
            acc = At[k + q, i]
            for j in range(i + 1, k):
                acc -= At[j, i] * w[j, q]
            w[i, q] = acc / At[i, i]
    return w, info
