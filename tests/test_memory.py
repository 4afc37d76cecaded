"""The streamed readout keeps memory bounded whatever the sequence length."""

import tracemalloc

import numpy as np

import reservoir.harvest
from reservoir import ESNRegressor


def test_fit_memory_does_not_grow_with_length(monkeypatch):
    monkeypatch.setattr(reservoir.harvest, "CHUNK_BYTES", 2**20)  # 1 MiB of states a chunk
    T, N = 100_000, 50
    u = np.random.default_rng(0).uniform(-1, 1, size=(T, 1))
    y = np.roll(u[:, 0], 1)
    esn = ESNRegressor(n_reservoir=N, washout=10, random_state=0)
    esn.fit(u[:1000], y[:1000])  # compile outside the measurement
    tracemalloc.start()
    esn.fit(u, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    all_states = T * N * 8  # 40 MB if the states were kept
    assert peak < all_states / 4, f"peak {peak / 2**20:.1f} MiB"
    assert esn.score(u[:2000], y[:2000]) > 0.9
