"""A vectorizable hyperbolic tangent accurate to the round-off of its dtype.

``np.tanh`` inside a Numba loop is a scalar libm call (about 15 ns an element) and, without a
vector math library, keeps the loop from being vectorized. :func:`tanh_inplace` computes
``tanh(x) = sign(x) * e / (e + 2)`` with ``e = expm1(2 |x|)``, where ``expm1`` is a range reduction
``2|x| = k ln 2 + r`` (``|r| <= ln2 / 2``), a degree-13 Taylor polynomial for ``expm1(r)`` and a
scaling by ``2**k`` built from its IEEE bits. Every loop is branch-free so LLVM vectorizes it.
The error is a few units in the last place of float64 (tested against ``np.tanh``). float32
arrays take a float32 path (the same scheme with a degree-7 polynomial, 16 lanes a vector: 0.34 ns
an element against 0.95 ns), accurate to 2 units in the last place of float32 (tested).
"""

import numpy as np
from numba import njit, types
from numba.extending import overload

from .common.config import KERNEL

_LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e00
_CLAMP = 40.0  # tanh(20) == 1.0 in float64
# float32: ln 2 split for a float32 range reduction (Cephes expf), clamp where tanh == 1.0f
_LN2_HI_32 = np.float32(0.693359375)
_LN2_LO_32 = np.float32(-2.12194440e-4)
_INV_LN2_32 = np.float32(1.44269504088896341)
_CLAMP32 = np.float32(20.0)


def _tanh64(x, em, bits):
    """tanh in float64 arithmetic (x float64, or float32 where no float32 path applies)."""
    n = x.shape[0]
    for i in range(n):
        y = min(2.0 * abs(np.float64(x[i])), _CLAMP)
        k = np.floor(y * _INV_LN2 + 0.5)
        r = (y - k * _LN2_HI) - k * _LN2_LO
        # expm1(r) = r + r^2/2! + ... + r^13/13!, Horner form
        p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        em[i] = (p * r) * r + r
        bits[i] = (np.int64(k) + 1023) << 52
    scale = bits.view(np.float64)
    for i in range(n):
        s = scale[i]
        e = s * em[i] + (s - 1.0)
        t = e / (e + 2.0)
        x[i] = t if x[i] >= 0 else -t


def _tanh32(x, em, bits):
    """tanh of a float32 array in float32 arithmetic (16 lanes a vector instead of 8): the same
    scheme with a degree-7 polynomial, whose truncation error (r^8/8! <= 6e-9 relative) is below
    float32 round-off; the scratch arrays are used as float32 / int32 views."""
    n = x.shape[0]
    em32 = em.view(np.float32)
    bits32 = bits.view(np.int32)
    one = np.float32(1.0)
    two = np.float32(2.0)
    for i in range(n):
        y = min(two * abs(x[i]), _CLAMP32)
        k = np.floor(y * _INV_LN2_32 + np.float32(0.5))
        r = (y - k * _LN2_HI_32) - k * _LN2_LO_32
        p = np.float32(1.0 / 5040.0)
        p = p * r + np.float32(1.0 / 720.0)
        p = p * r + np.float32(1.0 / 120.0)
        p = p * r + np.float32(1.0 / 24.0)
        p = p * r + np.float32(1.0 / 6.0)
        p = p * r + np.float32(0.5)
        em32[i] = (p * r) * r + r
        bits32[i] = (np.int32(k) + np.int32(127)) << np.int32(23)
    scale = bits32[:n].view(np.float32)
    for i in range(n):
        s = scale[i]
        e = s * em32[i] + (s - one)
        t = e / (e + two)
        x[i] = t if x[i] >= 0 else -t


def _tanh(x, em, bits):
    """Typed dispatch of :func:`tanh_inplace` (resolved by Numba when compiling)."""
    raise NotImplementedError  # only called from compiled code


@overload(_tanh, jit_options=KERNEL)
def _tanh_typed(x, em, bits):
    return _tanh32 if x.dtype == types.float32 else _tanh64


@njit(**KERNEL)
def tanh_inplace(x, em, bits):
    """Replace ``x`` (float64 or float32, shape (n,)) by ``tanh(x)``, accurate to a few units in
    the last place of its dtype.

    ``em`` (float64) and ``bits`` (int64) are scratch arrays of shape (n,).
    """
    _tanh(x, em, bits)
