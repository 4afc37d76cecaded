"""Refusing up front what this machine's memory cannot hold: numpy may allocate zeros lazily and
the system then stop the process when they are touched, without a Python error."""

import os


def physical_memory():
    """Bytes of this machine's memory, or None where the system does not tell."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def check_fits(n_bytes, what, advice):
    """Raise MemoryError when ``n_bytes`` exceed this machine's memory, saying what needs them
    (``what``, a phrase) and what to do (``advice``, a sentence)."""
    memory = physical_memory()
    if memory is not None and n_bytes > memory:
        raise MemoryError(f"{what}: about {n_bytes / 2**30:.3g} GiB, more than this machine's "
                          f"{memory / 2**30:.3g} GiB of memory. {advice}")
