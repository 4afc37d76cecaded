"""Array copies for kernels, written as loops.

A slice assignment from an array (``a[t] = x``, ``a[:] = b``) makes Numba compile, with the
kernel, a formatted shape-mismatch error: integer-to-string and string concatenation, about 3 s
on the first kernel of a process with an empty cache, and more for each new pair of dimensions.
Kernels copy through :func:`copy_into` (or explicit loops) instead, so a first fit compiles only
what it runs.
"""

from numba import njit

from .config import KERNEL


@njit(**KERNEL)
def copy_into(src, dst):
    """dst[i] = src[i] for the 1-D arrays src and dst (dst.shape[0] elements, any strides)."""
    for i in range(dst.shape[0]):
        dst[i] = src[i]


@njit(**KERNEL)
def copy_matrix(src, dst):
    """dst[i, j] = src[i, j] for the 2-D arrays src and dst (dst's shape, any strides)."""
    for i in range(dst.shape[0]):
        for j in range(dst.shape[1]):
            dst[i, j] = src[i, j]
