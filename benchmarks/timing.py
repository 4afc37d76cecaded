"""Shared timing helper of the benchmark scripts (run as `python benchmarks/<script>.py`)."""

import time


def best_of(fn, repeat):
    """Shortest of ``repeat`` wall-clock timings of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)
