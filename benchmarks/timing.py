"""Shared timing helpers of the benchmark scripts (run as `python benchmarks/<script>.py`)."""

import time


def interleaved_timings(fns, repeat, pause=0.0):
    """``repeat`` wall-clock timings of each function, in seconds (a list per function). The runs
    are interleaved (one of each, ``repeat`` times), so that a change of the machine's load during
    the measurement affects every side of a ratio alike. ``pause`` seconds of sleep before each
    run let the BLAS threads of the run before it go to sleep: OpenBLAS's threads busy-wait
    about 0.1 s after a call, and a fit started then shares the cores with them."""
    timings = [[] for _ in fns]
    for _ in range(repeat):
        for k, fn in enumerate(fns):
            time.sleep(pause)
            t = time.perf_counter()
            fn()
            timings[k].append(time.perf_counter() - t)
    return timings


def interleaved_best(fns, repeat):
    """Shortest of the :func:`interleaved_timings` of each function, in seconds."""
    return [min(t) for t in interleaved_timings(fns, repeat)]
