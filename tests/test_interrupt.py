"""Ctrl-C stops long fits promptly (between slices of a pass) and leaves the estimator usable,
and the slices give the same model as one call."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from lstm import KalmanLSTMRegressor
from reservoir.common import interrupt
from rtrl import RTRLRegressor

SCRIPT = """
import os, signal, sys, threading, time
import numpy as np
from {module} import {cls}
# Python's own Ctrl-C handler, even where the runner's shell started us with SIGINT ignored
# (a background job of a shell without job control)
signal.signal(signal.SIGINT, signal.default_int_handler)
u = np.random.default_rng(0).uniform(-1, 1, size=(200_000, 1))
model = {cls}({args})
model.partial_fit(u[:50], u[:50, 0])  # compiled, and a fitted model to fall back on
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
start = time.perf_counter()
try:
    model.partial_fit(u, u[:, 0])
    print("finished", time.perf_counter() - start)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter() - start, np.isfinite(model.predict(u[:20])).all())
"""


@pytest.mark.parametrize("module, cls, args", [
    ("rtrl", "RTRLRegressor", "32, random_state=0"),
    ("lstm", "KalmanLSTMRegressor", "4, 2, random_state=0"),
])
def test_ctrl_c_stops_an_online_pass_and_leaves_a_usable_model(module, cls, args):
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(module=module, cls=cls,
                                                               args=args)],
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))
    words = done.stdout.split()
    assert words[0] == "interrupted", done.stdout + done.stderr  # a pass takes minutes
    assert float(words[1]) < 10.0 and words[2] == "True"


SEEDS_SCRIPT = """
import os, signal, threading, time
from experiments.long_lag import run_parity
signal.signal(signal.SIGINT, signal.default_int_handler)
run_parity(model="lstm", n_seeds=1, max_sequences=20, chunk=10, n_test=10)  # compiled
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
start = time.perf_counter()
try:  # parity: the LSTM never solves it, so each seed would train on 10**6 strings
    run_parity(model="lstm", n_seeds=2, max_sequences=10**6, n_test=10, n_jobs=2)
    print("finished", time.perf_counter() - start)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter() - start)
"""


def test_ctrl_c_stops_seeds_trained_side_by_side():
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", SEEDS_SCRIPT], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ))
    words = done.stdout.split()
    assert words[0] == "interrupted", done.stdout + done.stderr
    assert float(words[1]) < 10.0
    # the process ends once its threads do: both seeds stopped (training on, they would take
    # half an hour)
    assert time.perf_counter() - start < 120


ORIGINS_SCRIPT = """
import os, signal, threading, time
import numpy as np
from reservoir import ESNForecaster, NVARForecaster
signal.signal(signal.SIGINT, signal.default_int_handler)
series = np.sin(np.arange(20_000) * 0.05)
model = {model}.fit(series[:2000])
model.forecast_origins(series, [500, 600], 5)  # compiled
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
start = time.perf_counter()
try:  # 5000 closed loops of {horizon} steps: about a minute
    model.forecast_origins(series, np.arange(1000, 20_000, 4)[:5000], {horizon})
    print("finished", time.perf_counter() - start)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter() - start)
"""


@pytest.mark.parametrize("model, horizon", [
    ("ESNForecaster(300, washout=100, random_state=0)", 2000),
    ("NVARForecaster(delays=12, degree=3, ridge=1.0)", 10_000)])
def test_ctrl_c_stops_closed_loops_from_many_origins(model, horizon):
    script = ORIGINS_SCRIPT.format(model=model, horizon=horizon)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, timeout=300, env=dict(os.environ))
    words = done.stdout.split()
    assert words[0] == "interrupted", done.stdout + done.stderr
    assert float(words[1]) < 10.0


class _Clock:
    """A clock whose every reading advances by a different amount: slices of many sizes."""

    def __init__(self):
        self.now, self.tick = 0.0, 0

    def perf_counter(self):
        self.tick += 1
        self.now += interrupt.SLICE_SECONDS * (1 + 37 * self.tick % 11) / 7
        return self.now


@pytest.mark.parametrize("model", [RTRLRegressor(4, epochs=2, random_state=0),
                                   RTRLRegressor(4, epochs=2, gradient="uoro", random_state=0),
                                   KalmanLSTMRegressor(2, epochs=2, random_state=0)],
                         ids=lambda m: f"{type(m).__name__}-{m.get_params().get('gradient')}")
@pytest.mark.parametrize("slices", ["one step", "many sizes"])
def test_slices_give_the_bits_of_one_call(model, slices, monkeypatch):
    # the slices follow the clock; the model must not (RTRL pairs its steps: no pair may
    # straddle two slices)
    u = np.random.default_rng(1).uniform(-1, 1, size=(301, 1))
    y = np.r_[0.0, u[:-1, 0]]
    whole = model.fit(u, y).predict(u)
    if slices == "one step":
        monkeypatch.setattr(interrupt, "SLICE_SECONDS", 1e-9)
    else:
        monkeypatch.setattr(interrupt, "time", _Clock())
    np.testing.assert_array_equal(model.fit(u, y).predict(u), whole)


def test_a_ctrl_c_reported_as_system_error_is_a_keyboard_interrupt():
    with pytest.raises(KeyboardInterrupt):
        with interrupt.keyboard_interrupts():
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt as err:
                raise SystemError("returned a result with an exception set") from err
    with pytest.raises(SystemError):
        with interrupt.keyboard_interrupts():
            raise SystemError("something else")
