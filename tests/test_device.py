import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from reservoir.common.device import GOMP_SPINS, SMALL_BLAS, blas_threads, thread_map


def _blas_threads_now():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_thread_map_keeps_one_blas_thread_until_every_task_is_done():
    """Tasks enter and leave their readouts' one-thread limit at different times; BLAS's thread
    count is global, so the limit must hold until the last task is done, then come back."""
    before = _blas_threads_now()

    def work(delay):
        with blas_threads(10):
            threading.Event().wait(delay)  # the other task leaves its limit meanwhile
            np.linalg.qr(np.ones((20, 5)))
            return _blas_threads_now()

    seen = thread_map(work, [0.0, 0.05, 0.0, 0.05], n_jobs=2)
    assert all(n == 1 for counts in seen for n in counts)
    assert _blas_threads_now() == before


def test_thread_map_inside_its_own_threads_runs_in_turn_instead_of_waiting_forever():
    """Items that map again (the seeds of an experiment, each fitting readouts) would wait for
    the pool's busy threads; nested, they run in the calling thread."""
    done = []

    def outer():
        done.append(thread_map(lambda i: thread_map(lambda j: (i, j, threading.current_thread()
                                                               .name), range(3), 2),
                               range(4), 2))

    runner = threading.Thread(target=outer, daemon=True)
    runner.start()
    runner.join(60)
    assert done, "the nested thread_map did not finish"
    for i, inner in enumerate(done[0]):
        assert [(a, b) for a, b, _ in inner] == [(i, 0), (i, 1), (i, 2)]
        assert len({name for _, _, name in inner}) == 1  # in turn, in the outer item's thread


def test_small_readouts_run_on_one_blas_thread_large_ones_on_the_default():
    before = _blas_threads_now()
    with blas_threads(10):
        assert all(n == 1 for n in _blas_threads_now())
        with blas_threads(10):  # nested: the inner exit keeps the outer limit
            pass
        assert all(n == 1 for n in _blas_threads_now())
    assert _blas_threads_now() == before
    with blas_threads(SMALL_BLAS):
        assert _blas_threads_now() == before


def test_a_fit_in_another_thread_equals_the_fit_in_the_main_thread():
    """A thread keeps a BLAS thread count of its own (OpenBLAS): a fit run from another thread
    (a web server's, a thread pool's) summed in another order before, 1e-14 apart."""
    from reservoir import ESNRegressor

    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(3000, 3))
    y = np.roll(X[:, 0], 2)
    for n in (300, SMALL_BLAS + 100):  # one BLAS thread, and the library's default
        main = ESNRegressor(n, random_state=0).fit(X, y).coef_
        other = {}
        worker = threading.Thread(target=lambda: other.update(
            coef=ESNRegressor(n, random_state=0).fit(X, y).coef_))
        worker.start()
        worker.join()
        np.testing.assert_array_equal(other["coef"], main)


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores to run two threads")
def test_thread_map_runs_items_in_the_calling_thread_too_and_stops_at_the_first_error():
    caller = threading.current_thread().name
    seen, both = set(), threading.Event()

    def name(i):  # each thread's first item waits (5 s at most) for the other thread's
        seen.add(threading.current_thread().name)
        if len(seen) == 2:
            both.set()
        both.wait(5)
        return threading.current_thread().name

    names = thread_map(name, range(8), n_jobs=2)
    assert caller in names and len(set(names)) == 2
    started = []

    def work(i):
        started.append(i)
        if i == 3:
            raise ValueError("item 3")
        threading.Event().wait(0.02)

    with pytest.raises(ValueError, match="item 3"):
        thread_map(work, range(100), n_jobs=2)
    threading.Event().wait(0.1)  # the other thread ends with its current item
    assert len(started) < 20, started  # the pool's map ran all 100


def test_thread_map_refuses_zero_jobs_instead_of_taking_every_core():
    with pytest.raises(ValueError, match="n_jobs=0"):
        thread_map(abs, [1, 2], n_jobs=0)


SPIN = ("import os, reservoir, rtrl, lstm; from numba.np.ufunc import parallel; "
        "print(os.environ['GOMP_SPINCOUNT'], parallel._is_initialized)")


def test_openmp_threads_spin_briefly_unless_the_environment_says_otherwise():
    """The library's spin count is in the environment before Numba's threads start (libgomp
    reads it when Numba loads it, at the first parallel call); a user's own setting is kept."""
    env = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    for extra, spins in (({}, str(GOMP_SPINS)), ({"GOMP_SPINCOUNT": "1234"}, "1234")):
        out = subprocess.run([sys.executable, "-c", SPIN], capture_output=True, text=True,
                             check=True, env=dict(env, **extra)).stdout.split()
        assert out == [spins, "False"]


@pytest.mark.parametrize("solver", ["qr", "gram"])
@pytest.mark.parametrize("device", ["cpu", "parallel"])
def test_a_large_readout_leaves_no_blas_thread_spinning(device, solver):
    """From SMALL_BLAS readout features the readout's parts run on the library's threads, each
    on one BLAS thread: OpenBLAS's own threads busy-wait about 0.1 s after a threaded call, on
    the cores that the next fit's harvest needs (back-to-back fits of 270 short sequences at
    N=500 took 1.5-2 times as long as spaced ones). After a fit, no thread of the process burns
    CPU."""
    from reservoir import ESNRegressor

    rng = np.random.default_rng(0)
    X = [rng.normal(size=(20, 3)) for _ in range(120)]  # QR_TALL times the readout's size
    Y = [rng.normal(size=(20, 2)) for _ in range(120)]
    model = ESNRegressor(SMALL_BLAS, washout=0, solver=solver, device=device, random_state=0)
    burnt = []
    for _ in range(3):
        model.fit(X, Y)
        before = time.process_time()  # the CPU time of all the process's threads
        threading.Event().wait(0.05)
        burnt.append(time.process_time() - before)
    assert min(burnt) < 0.01, burnt
