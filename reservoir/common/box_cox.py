"""The Box-Cox transform of a forecaster's series (``box_cox``): every variable through
``(x**lam - 1) / lam`` (``log x`` at ``lam = 0``) before the model, every output back through
the inverse. It evens out the spread of counts and intensities whose swings grow with their
level (``lam = 0.5``, about the square root) or with it in proportion (``lam = 0``, the log)."""

import numpy as np


def box_cox(seqs, lam, name):
    """The sequences (n_steps, n_variables) through the transform of ``lam`` in [0, 1] (None:
    unchanged), each in its own dtype; a value outside its domain (x > 0 for the log, x >= 0
    otherwise) is refused, naming the parameter and the first such value."""
    if lam is None:
        return seqs
    for i, s in enumerate(seqs):
        bad = s <= 0 if lam == 0 else s < 0
        if bad.any():
            t, j = np.argwhere(bad)[0]
            where = f"{name}[{i}]" if len(seqs) > 1 else name
            raise ValueError(
                f"box_cox={lam} needs {'positive' if lam == 0 else 'non-negative'} values, but "
                f"{where} has {s[t, j]:.6g} at step {t} (variable {j}). Shift the series (add a "
                "constant) or set box_cox=None.")
    if lam == 0:
        return [np.log(s) for s in seqs]
    return [(s ** s.dtype.type(lam) - 1) / s.dtype.type(lam) for s in seqs]


def box_cox_inverse(values, lam):
    """``values`` (any shape) mapped back by the inverse transform of ``lam`` (None:
    unchanged); values below the transform's range (under ``-1 / lam``) map to 0, and a
    diverged value (infinite, either sign) to inf, NaN to NaN: never to a finite number."""
    if lam is None:
        return values
    with np.errstate(over="ignore", invalid="ignore"):  # beyond float range: inf
        if lam == 0:
            out = np.exp(values)
        else:
            scaled = np.maximum(values * values.dtype.type(lam) + 1, 0)
            out = scaled ** values.dtype.type(1 / lam)
    return np.where(np.isfinite(values), out, np.abs(values))
