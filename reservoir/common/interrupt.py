"""Long compiled calls that Ctrl-C stops promptly.

A Numba kernel does not look at signals: a Ctrl-C waits for it to return. The online trainers
(RTRL, the Kalman LSTM) and the closed loops of ``ESNForecaster.forecast_origins`` therefore run
in slices of steps (those of ``NVARForecaster.forecast_origins`` in slices of origins), each
about :data:`SLICE_SECONDS` long (sized from the time of the previous one), and Python raises
the KeyboardInterrupt between two slices; the results equal one call over the whole sequence,
as the kernels carry their state in place. A Ctrl-C that arrives while a compiled call is in
LAPACK can surface as a ``SystemError`` ("returned a result with an exception set"):
:func:`keyboard_interrupts` turns it back into the KeyboardInterrupt.
"""

import time
from contextlib import contextmanager

#: Target duration of one slice of an online training pass, in seconds.
SLICE_SECONDS = 0.2


def run_in_slices(n_steps, run_slice, first=64, multiple=1):
    """Call ``run_slice(a, b)`` over consecutive slices covering steps 0..n_steps, each sized
    to take about :data:`SLICE_SECONDS`; stop at the first call that returns a step >= 0 (a
    divergence, relative to the slice). The sizes follow the clock, so a kernel whose arithmetic
    groups steps gives the bits of one call only if no group straddles two slices: every slice
    but the last is a multiple of ``multiple`` steps.

    Parameters
    ----------
    n_steps : int
        Steps of the sequence.
    run_slice : callable
        ``run_slice(a, b) -> int``: runs steps a..b, returns -1 or the diverging step - a.
    first : int, default=64
        Steps of the first slice (a multiple of ``multiple``).
    multiple : int, default=1
        The kernel's group of steps (RTRL's pairs: 2).

    Returns
    -------
    step : int
        The diverging step of the sequence, or -1.
    """
    a, size = 0, first
    while a < n_steps:
        b = min(n_steps, a + size)
        start = time.perf_counter()
        step = run_slice(a, b)
        if step >= 0:
            return a + step
        seconds = time.perf_counter() - start
        size = int((b - a) * SLICE_SECONDS / max(seconds, 1e-6))
        size = max(multiple, size - size % multiple)
        a = b
    return -1


@contextmanager
def keyboard_interrupts():
    """Re-raise as KeyboardInterrupt a Ctrl-C that a compiled call reported as SystemError."""
    try:
        yield
    except SystemError as err:
        if isinstance(err.__cause__ or err.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from err
        raise
