"""What importing the model packages costs: no xarray, matplotlib or dask (the experiments
import those)."""

import os
import subprocess
import sys


def test_import_of_the_model_packages_stays_light():
    code = ("import sys, reservoir, rtrl, lstm; "
            "print([m for m in ('xarray', 'matplotlib', 'dask') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


FIRST_FIT = """
import numpy as np
from numba.core import event
from lstm import KalmanLSTMRegressor
from reservoir import ESNForecaster, ESNRegressor
from rtrl import RTRLRegressor

u = np.random.default_rng(0).uniform(-1, 1, size=(60, 1))
with event.install_recorder("numba:compile") as rec:
    ESNRegressor(20, washout=5, random_state=0).fit([u[:30], u[30:50]], [u[1:31], u[31:51]])
    ESNForecaster(20, washout=5, random_state=0).fit(u[:, 0]).forecast(3)
    RTRLRegressor(3, epochs=1, random_state=0).fit(u[:-1], u[1:, 0])
    two = np.hstack([u[1:], -u[1:]])  # two outputs and the truncated Jacobian: the low-rank
    KalmanLSTMRegressor(2, 1, jacobian="truncated", epochs=1,  # update of the decoupled filter
                        random_state=0).fit(u[:-1], two)
    for trainer in ("ekf", "sgd"):
        KalmanLSTMRegressor(1, 2, trainer=trainer, epochs=1, random_state=0).fit(u[:-1], u[1:])
print(sorted({ev.data["dispatcher"].py_func.__qualname__ for _, ev in rec.buffer}))
"""


def test_a_first_fit_compiles_no_formatted_shape_errors(tmp_path):
    """Kernels copy arrays by loops, not slice assignments: from an array, Numba compiles with
    the kernel a formatted shape-mismatch error (seconds of string code on a cold start). A
    first fit of each family (ESN, forecaster, RTRL, LSTM by DEKF, EKF and SGD) is checked, and
    that the LSTM compiles only the filter updates it runs."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", FIRST_FIT], capture_output=True, text=True,
                         check=True, env=env).stdout
    compiled = out.strip()
    for kernel in ("run_sequence", "_forward", "jacobian", "'update_lowrank'", "'update_generic'"):
        assert kernel in compiled
    assert "raise_with_shape_context" not in compiled
    assert "'update_parallel'" not in compiled  # the LSTM compiles the filter update it runs
