"""A dependency-free text progress bar for long runs (estimators with ``verbose``, the CLI)."""

import sys
import time


class Progress:
    """``with Progress(total, "harvest", enabled=True) as bar: bar.update(n)``.

    Redraws at most every ``interval`` seconds on ``stream`` (stderr) and ends with a newline;
    by default every 0.2 s on a terminal and every second elsewhere (a log file or a notebook:
    a log keeps one redraw a second, not five). Disabled bars cost one comparison per update.
    """

    def __init__(self, total, desc, *, enabled=True, unit="steps", stream=None, interval=None):
        self.total, self.desc, self.enabled, self.unit = total, desc, enabled, unit
        self.stream = stream or sys.stderr
        if interval is None:
            interval = 0.2 if getattr(self.stream, "isatty", lambda: False)() else 1.0
        self.interval = interval
        self.done = self._drawn = 0
        self._start = self._last = time.perf_counter()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.enabled:
            if self._drawn != self.done or self.done == 0:
                self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def update(self, n=1):
        self.done += n
        if self.enabled and time.perf_counter() - self._last >= self.interval:
            self._draw()

    def _draw(self):
        self._last = now = time.perf_counter()
        self._drawn = self.done
        frac = self.done / self.total if self.total else 1.0
        width = 30
        filled = int(round(width * min(frac, 1.0)))
        bar = "#" * filled + "." * (width - filled)
        self.stream.write(f"\r{self.desc} [{bar}] {100 * frac:5.1f}% {_count(self.done)}/"
                          f"{_count(self.total)} {self.unit} {now - self._start:.1f}s")
        self.stream.flush()


def _count(n):
    """A count as people read it: 5410, 15.2k, 200k, 3.5M, 1.2G."""
    for at, scale, suffix in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if n >= at:
            return f"{n / scale:.4g}{suffix}"
    return f"{n:.0f}"
