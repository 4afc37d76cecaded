"""Device selection and thread control, shared by every estimator of the package."""

from contextlib import contextmanager

import numba

DEVICES = ("cpu", "parallel", "cuda")


def check_device(device):
    """Validate ``device`` and return it.

    ``"cpu"`` runs serial kernels, ``"parallel"`` spreads sequences (or rows of the recurrent
    matrix, for a single sequence) over threads. ``"cuda"`` is not available in this release.
    """
    if device not in DEVICES:
        raise ValueError(f"device must be one of {DEVICES}, got {device!r}.")
    if device == "cuda":
        raise ValueError(
            "device='cuda' is not available in this release of numba-rnn: CUDA kernels are not "
            "implemented yet. Use device='parallel' (all CPU cores) or device='cpu'.")
    return device


@contextmanager
def num_threads(n_jobs):
    """Run the block with ``n_jobs`` Numba threads (None: all; negative: all but ``-n_jobs - 1``)."""
    if n_jobs is None:
        yield
        return
    available = numba.config.NUMBA_NUM_THREADS
    if not isinstance(n_jobs, (int,)) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a nonzero integer, got {n_jobs!r}.")
    n = n_jobs if n_jobs > 0 else max(1, available + 1 + n_jobs)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(n, available))
    try:
        yield
    finally:
        numba.set_num_threads(previous)
