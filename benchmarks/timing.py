"""Shared timing helper of the benchmark scripts (run as `python benchmarks/<script>.py`)."""

import time


def interleaved_best(fns, repeat):
    """Shortest of ``repeat`` wall-clock timings of each function, in seconds. The runs are
    interleaved (one of each, ``repeat`` times), so that a change of the machine's load during
    the measurement affects every side of a ratio alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - t)
    return best
