"""The grid search on a real Dask cluster (scheduler and worker processes on loopback)."""

import os
import pathlib

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
from joblib import parallel_backend  # noqa: E402
from sklearn.model_selection import TimeSeriesSplit  # noqa: E402

from experiments.search import grid_search  # noqa: E402
from reservoir import ESNRegressor  # noqa: E402

GRID = {"spectral_radius": [0.5, 1.0], "leak_rate": [0.5, 1.0], "ridge": [1e-6, 1e-2],
        "bias_scaling": [0.1, 0.5]}


def _data():
    rng = np.random.default_rng(0)
    u = rng.uniform(-1, 1, size=(400, 1))
    return u, np.r_[0.0, u[:-1, 0]]


class KillOnce:
    """A scorer that kills the worker process it runs in, the first time only (a marker file
    remembers it), then scores like ``estimator.score``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __call__(self, estimator, X, y):
        if not os.path.exists(self.marker):
            pathlib.Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)  # the worker dies mid-task; its nanny starts a new one
        return estimator.score(X, y)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_dask_cluster_gives_the_local_results(client):
    u, y = _data()
    est = ESNRegressor(n_reservoir=20, washout=10, random_state=0)
    local = grid_search(est, GRID, u, y, cv=TimeSeriesSplit(2))
    with parallel_backend("dask"):
        remote = grid_search(est, GRID, u, y, cv=TimeSeriesSplit(2), n_jobs=-1)
    np.testing.assert_allclose(remote.dataset["mean_test_score"],
                               local.dataset["mean_test_score"], rtol=1e-12)
    assert remote.best_params_ == local.best_params_


def test_a_worker_dying_mid_search_loses_nothing(client, tmp_path):
    u, y = _data()
    est = ESNRegressor(n_reservoir=20, washout=10, random_state=0)
    scorer = KillOnce(tmp_path / "killed")
    local = grid_search(est, GRID, u, y, cv=TimeSeriesSplit(2),
                        scoring=lambda e, X, t: e.score(X, t), walk_forward=False)
    with parallel_backend("dask"):
        remote = grid_search(est, GRID, u, y, cv=TimeSeriesSplit(2), scoring=scorer, n_jobs=-1,
                             walk_forward=False)
    assert (tmp_path / "killed").exists()  # a worker did die
    np.testing.assert_allclose(remote.dataset["mean_test_score"],
                               local.dataset["mean_test_score"], rtol=1e-12)
