"""Launch sizes of the CUDA kernels of every family (see ``CUDA_THREADS`` in
:mod:`reservoir.common.config`); no numba-cuda import, so the CPU path never loads it."""

from . import config


def grid_blocks(n_items, threads=None):
    """Blocks of ``threads`` threads (default ``CUDA_THREADS``) covering n_items with one thread
    each, capped at ``CUDA_MAX_BLOCKS`` (the kernels use grid-stride loops)."""
    threads = config.CUDA_THREADS if threads is None else threads
    return max(1, min((n_items + threads - 1) // threads, config.CUDA_MAX_BLOCKS))


def flat_launch(n_items):
    """(blocks, threads) covering n_items with one thread each (capped: the kernels stride)."""
    return grid_blocks(n_items), config.CUDA_THREADS


def row_launch(n_rows):
    """(blocks, threads) with one block per row (sequence or configuration; capped: the kernels
    stride over rows) and ``CUDA_THREADS`` threads striding over its columns."""
    return max(1, min(n_rows, config.CUDA_MAX_BLOCKS)), config.CUDA_THREADS
