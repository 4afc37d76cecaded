import threading

import numpy as np
from threadpoolctl import threadpool_info

from reservoir.device import SMALL_BLAS, blas_threads, thread_map


def _blas_threads_now():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_blas_limit_holds_while_any_thread_is_inside_and_is_restored():
    """Threads enter and leave the one-BLAS-thread limit at different times: it must hold
    until the last one leaves (BLAS's thread count is global), then come back."""
    before = _blas_threads_now()
    inside = threading.Barrier(2)
    seen = []

    def work(delay):
        with blas_threads(10):
            inside.wait()
            if delay:  # the other thread has left by now
                threading.Event().wait(0.05)
            seen.append(_blas_threads_now())
            np.linalg.qr(np.ones((20, 5)))

    threads = [threading.Thread(target=work, args=(d,)) for d in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 2 and all(n == 1 for counts in seen for n in counts)
    assert _blas_threads_now() == before


def test_thread_map_runs_blas_on_one_thread():
    before = _blas_threads_now()
    seen = thread_map(lambda _: _blas_threads_now(), range(4), n_jobs=2)
    assert all(n == 1 for counts in seen for n in counts)
    assert _blas_threads_now() == before


def test_large_readouts_keep_the_default_blas_threads():
    before = _blas_threads_now()
    with blas_threads(SMALL_BLAS):
        assert _blas_threads_now() == before
