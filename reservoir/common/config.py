"""Compiler options shared by every CPU kernel of the package.

``fastmath`` leaves out ``nnan`` and ``ninf`` so that NaN checks keep working, and leaves out
``reassoc`` so that a kernel gives the same bits whether it runs serially or in parallel.
``error_model="numpy"`` drops the zero-division check that blocks vectorization.
"""

import types

from numba import njit

FASTMATH = {"nsz", "arcp", "contract", "afn"}

KERNEL = dict(cache=True, nogil=True, error_model="numpy", fastmath=FASTMATH)
PARALLEL_KERNEL = dict(KERNEL, parallel=True)

#: Bytes of reservoir states held at once while streaming a long sequence into the readout.
CHUNK_BYTES = 32 * 2**20

#: Threads per block of the CUDA kernels (units of one reservoir, or entries of a matrix, in
#: parallel), and the most blocks of a launch (the kernels use grid-stride loops, so any grid
#: size is correct). Read at launch time: the simulator tests lower the thread count.
CUDA_THREADS = 128
CUDA_MAX_BLOCKS = 65535


def serial_and_parallel(fn, name):
    """``fn`` compiled twice, as ``name`` (serial: its ``prange`` runs as ``range``) and as
    ``name + "_parallel"`` (on Numba's threads). Each is a renamed copy: Numba's on-disk cache
    is keyed by the function's name and signature but not by ``parallel``, so two compilations
    of one function would share (and swap) their cache entries, and the serial kernel could load
    the threaded one."""
    return (njit(**KERNEL)(renamed(fn, name)),
            njit(**PARALLEL_KERNEL)(renamed(fn, name + "_parallel")))


def renamed(fn, name, **bindings):
    """A copy of the plain function ``fn`` named ``name``, its global names ``bindings``
    rebound. Numba compiles every function a kernel can reach, so a kernel that chooses its
    callee at run time compiles them all; one copy per callee (the callee a global name of the
    copy) compiles only the one a call uses. Copies have their own on-disk cache entries. With
    ``bindings`` the copy reads the module's other names as they are when it is made; without,
    it shares the module's namespace."""
    namespace = {**fn.__globals__, **bindings} if bindings else fn.__globals__
    copy = types.FunctionType(fn.__code__, namespace, name, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = name
    copy.__doc__ = fn.__doc__
    return copy
