"""Real series shipped inside maintained packages' wheels (the series and bench extras)."""

import numpy as np
import pytest

from experiments.real_series import load_series


@pytest.mark.parametrize("name, package, length, first", [
    ("sunspots", "statsmodels", 309, [5.0, 11.0, 16.0]),
    ("elnino", "statsmodels", 732, [23.11, 24.2, 25.37]),
    ("laser", "reservoirpy", 10093, [86.0, 141.0, 95.0]),
])
def test_series_load_in_time_order(name, package, length, first):
    pytest.importorskip(package, reason=f"the {name} series ships inside {package}'s wheel")
    series = load_series(name)
    assert series.shape == (length,) and series.dtype == np.float64
    np.testing.assert_allclose(series[:3], first)
    assert np.isfinite(series).all()


def test_unknown_series_and_missing_extra_are_named(monkeypatch):
    import sys

    with pytest.raises(ValueError, match="sunspots"):
        load_series("sun spots")
    monkeypatch.setitem(sys.modules, "statsmodels", None)
    with pytest.raises(ImportError, match=r"numba-rnn\[series\]"):
        load_series("elnino")
