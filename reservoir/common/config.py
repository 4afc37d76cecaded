"""Compiler options shared by every CPU kernel of the package.

``fastmath`` leaves out ``nnan`` and ``ninf`` so that NaN checks keep working, and leaves out
``reassoc`` so that a kernel gives the same bits whether it runs serially or in parallel.
``error_model="numpy"`` drops the zero-division check that blocks vectorization.
"""

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
