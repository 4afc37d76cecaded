"""Real series for forecasting, read from data that maintained packages ship inside their
wheels (nothing is downloaded): yearly sunspot numbers 1700-2008 and monthly El Nino sea surface
temperatures 1950-2010 from statsmodels (the ``series`` extra), and the Santa Fe laser
(competition A, 10,093 steps) from reservoirpy (the ``bench`` extra).
"""

import numpy as np

#: name -> (what it is, the package that ships it, the extra that installs it)
SERIES = {
    "sunspots": ("yearly mean sunspot numbers, 1700-2008 (309 steps)", "statsmodels", "series"),
    "elnino": ("monthly El Nino sea surface temperature, 1950-2010 (732 steps)", "statsmodels",
               "series"),
    "laser": ("Santa Fe laser intensity, competition A (10,093 steps)", "reservoirpy", "bench"),
}


def load_series(name):
    """One real series.

    Parameters
    ----------
    name : {"sunspots", "elnino", "laser"}
        The series (see :data:`SERIES`).

    Returns
    -------
    series : ndarray of shape (n_steps,)
        Its values, float64, in time order.

    Examples
    --------
    >>> from experiments.real_series import load_series
    >>> load_series("sunspots")[:3]
    array([ 5., 11., 16.])
    """
    if name not in SERIES:
        raise ValueError(f"Unknown series {name!r}; choose one of {sorted(SERIES)}.")
    _, package, extra = SERIES[name]
    try:
        if package == "statsmodels":
            from statsmodels import datasets
        else:
            from reservoirpy import datasets
    except ImportError as err:
        raise ImportError(f"The {name} series comes from the {package} wheel: install the extra "
                          f"with `pip install numba-rnn[{extra}]`.") from err
    if name == "sunspots":
        return datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(dtype=np.float64)
    if name == "elnino":
        table = datasets.elnino.load_pandas().data.drop(columns="YEAR")
        return table.to_numpy(dtype=np.float64).ravel()  # months in time order
    return np.asarray(datasets.santafe_laser(), dtype=np.float64).ravel()
