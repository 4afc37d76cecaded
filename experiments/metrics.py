"""Error measures used by the reproductions."""

import numpy as np


def nrmse(y_true, y_pred, *, normalization="std"):
    """Root mean squared error divided by the std (``"std"``) or the range (``"range"``) of y_true."""
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in shape.")
    rmse = np.sqrt(np.mean((y_true - y_pred) ** 2))
    if normalization == "std":
        scale = y_true.std()
    elif normalization == "range":
        scale = np.ptp(y_true)
    else:
        raise ValueError(f"normalization must be 'std' or 'range', got {normalization!r}.")
    return rmse / scale
