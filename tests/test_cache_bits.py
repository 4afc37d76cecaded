"""The same bits from freshly compiled kernels and from kernels loaded from Numba's on-disk cache:
a model trained in the process that compiled its kernels equals one trained in a later process
(``random_state`` reproduces results across runs, not only within one)."""

import os
import subprocess
import sys

FINGERPRINTS = """
import hashlib
import numpy as np
from lstm import KalmanLSTMRegressor
from reservoir import ESNClassifier, ESNRegressor
from rtrl import RTRLRegressor


def digest(a):
    return hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest()[:12]


rng = np.random.default_rng(0)
X = rng.normal(size=(300, 2))
y = np.roll(X[:, 0], 1)
seqs = [rng.normal(size=(int(rng.integers(5, 30)), 2)) for _ in range(30)]
out = []
for gradient in ("rtrl", "uoro", "snap1"):
    for optimizer in ("sgd", "adam"):
        out.append(digest(RTRLRegressor(6, gradient=gradient, optimizer=optimizer, epochs=1,
                                        random_state=0).fit(X, y).predict(X)))
for device in ("cpu", "parallel"):
    out.append(digest(ESNRegressor(120, device=device, random_state=0).fit(X, y).predict(X)))
out.append(digest(ESNClassifier(40, representation="model", random_state=0)
                  .fit(seqs, np.arange(30) % 3).predict_proba(seqs)))
out.append(digest(KalmanLSTMRegressor(2, epochs=1, random_state=0).fit(X, y).predict(X)))
print(" ".join(out))
"""


def test_fresh_and_cached_kernels_give_the_same_bits(tmp_path):
    # FMA contraction in RTRL's Adam step, inlined into its training loop, rounded differently
    # when compiled than when loaded: the first run of a script trained another network
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))

    def run():
        return subprocess.run([sys.executable, "-c", FINGERPRINTS], env=env, capture_output=True,
                              text=True, check=True).stdout.split()

    fresh, cached = run(), run()
    assert len(fresh) == 10
    assert cached == fresh
