"""Device selection and thread control, shared by every estimator of the package."""

import ctypes
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from numbers import Integral

import numba

DEVICES = ("cpu", "parallel", "cuda", "auto")

#: Busy-wait iterations of an idle GNU OpenMP thread before it sleeps (``GOMP_SPINCOUNT``),
#: unless the environment sets it. After a parallel kernel, Numba's OpenMP threads wait for the
#: next one; libgomp's default (300,000 pauses: milliseconds) keeps them spinning on the cores
#: that the readout's BLAS calls right after the harvest need (the Gram sums of 270 short
#: sequences at N=500: 14 ms after a serial harvest, 21 ms after a parallel one). 30,000 still
#: covers the microseconds between a kernel's time steps. libgomp reads it when it loads, at
#: Numba's first parallel call: set by the import of the library, before that call.
GOMP_SPINS = 30_000
os.environ.setdefault("GOMP_SPINCOUNT", str(GOMP_SPINS))


def cuda_status():
    """(available, reason): whether numba-cuda finds a usable GPU (or the CUDA simulator)."""
    try:
        from numba import cuda
    except ImportError as err:  # pragma: no cover - numba always ships a cuda module
        return False, f"numba's CUDA target cannot be imported ({err})"
    try:
        if cuda.is_available():
            return True, ""
    except Exception as err:  # a broken driver or toolkit raises instead of answering
        return False, f"{type(err).__name__}: {err}"
    return False, "no CUDA GPU or driver was found"


#: What to use instead of a missing GPU, for each device an estimator may accept.
_FALLBACKS = {"parallel": "device='parallel' (all CPU cores)", "cpu": "device='cpu'",
              "auto": "device='auto' to take the GPU only when there is one"}


def check_device(device, choices=DEVICES):
    """Validate ``device`` against ``choices`` (the estimator's devices) and return the device
    to run on.

    The same in every family: ``"cpu"`` runs the Numba kernels on one thread, ``"parallel"`` on
    ``n_jobs`` threads (None: all cores), ``"cuda"`` on an NVIDIA GPU (the ``cuda`` extra),
    ``"auto"`` picks ``"cuda"`` when a GPU is usable, else ``"parallel"``. BLAS follows the
    library's policy on every CPU device (:func:`blas_threads`).
    """
    if device not in choices:
        raise ValueError(f"device must be one of {choices}, got {device!r}.")
    if device in ("cuda", "auto"):
        available, reason = cuda_status()
        if available:
            return "cuda"
        if device == "cuda":
            instead = " or ".join(text for d, text in _FALLBACKS.items() if d in choices)
            raise ValueError(
                f"device='cuda' needs an NVIDIA GPU with its driver and the numba-cuda package "
                f"(pip install 'numba-rnn[cuda]'), but {reason}. Use {instead}.")
        return "parallel"
    return device


class Device:
    """A device resolved once per call (:func:`resolve`), and the threads it runs with.

    Parameters
    ----------
    name : {"cpu", "parallel", "cuda"}
        Where the kernels run.
    n_jobs : int or None, default=None
        Threads of ``"parallel"`` (None: all cores; -k: all but k - 1).
    """

    def __init__(self, name, n_jobs=None):
        self.name, self.n_jobs = name, n_jobs

    @property
    def workers(self):
        """Host threads for work split over items (configurations, readouts): one on ``"cpu"``,
        and on ``"cuda"`` (one host thread drives the GPU), else ``n_jobs``."""
        return self.n_jobs if self.name == "parallel" else 1

    @contextmanager
    def threads(self):
        """The block runs with this device's Numba threads: one on ``"cpu"``, ``n_jobs`` on
        ``"parallel"``."""
        with num_threads(1 if self.name == "cpu" else self.n_jobs):
            yield


def resolve(device, n_jobs=None, choices=DEVICES):
    """The :class:`Device` of an estimator's ``device`` and ``n_jobs`` (``"auto"`` resolved, a
    clear error for ``"cuda"`` without a GPU)."""
    return Device(check_device(device, choices), n_jobs)


@contextmanager
def num_threads(n_jobs):
    """Run the block with ``n_jobs`` Numba threads (None: all; negative: all but
    ``-n_jobs - 1``)."""
    if n_jobs is None:
        yield
        return
    available = numba.config.NUMBA_NUM_THREADS
    if not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None or a nonzero integer, got {n_jobs!r}.")
    n = n_jobs if n_jobs > 0 else max(1, available + 1 + n_jobs)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(n, available))
    try:
        yield
    finally:
        numba.set_num_threads(previous)


#: Below this many readout features, LAPACK runs on one BLAS thread: on small matrices the
#: threads cost more than they bring (a 1900 x 103 QR: 6 ms on one thread, 30 ms on two next to
#: Numba's threads).
SMALL_BLAS = 512


@lru_cache(maxsize=1)
def _controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@lru_cache(maxsize=1)
def _thread_setters():
    """``openblas_set_num_threads_local`` of every OpenBLAS loaded (OpenBLAS >= 0.3.27). A
    thread keeps a BLAS thread count of its own: a pool thread, or any thread but the main one,
    was measured on two threads under a process-wide limit of one, so that a fit in such a
    thread summed in another order than in the main thread (1e-14 apart)."""
    setters = []
    for lib in _controller().lib_controllers:
        fn = getattr(lib.dynlib, "openblas_set_num_threads_local", None) \
            if lib.internal_api == "openblas" else None
        if fn is not None:
            fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
            setters.append(fn)
    return setters


@contextmanager
def _this_thread_one_blas_thread():
    """The calling thread's own BLAS thread count at one for the block."""
    previous = [set_count(1) for set_count in _thread_setters()]
    try:
        yield
    finally:
        for set_count, count in zip(_thread_setters(), previous):
            set_count(count)


def readout_threads(workers, n_features=SMALL_BLAS):
    """Threads for the parts of a readout's work (an update's parts, many readouts' solves),
    each part on one BLAS thread: the device's ``workers`` (None: all cores), or for one worker
    (``"cpu"``) from SMALL_BLAS features as many as BLAS would take for one call now (the most
    of the BLAS libraries loaded), which it would have used."""
    if workers != 1 or n_features < SMALL_BLAS:
        return workers
    return max([lib.num_threads for lib in _controller().lib_controllers
                if lib.user_api == "blas"], default=1)


_blas_lock = threading.Lock()
_blas_limit = {"depth": 0, "limiter": None}


@contextmanager
def one_blas_thread():
    """BLAS on one thread for the block, in the calling thread and process-wide. The
    process-wide count is counted: threads entering and leaving it at different times keep one
    BLAS thread until the last one leaves (a plain nested limit would restore the default under
    a thread still in LAPACK, whose BLAS threads then spin on the cores the other threads
    need)."""
    with _blas_lock:
        if _blas_limit["depth"] == 0:
            _blas_limit["limiter"] = _controller().limit(limits=1, user_api="blas")
        _blas_limit["depth"] += 1
    try:
        with _this_thread_one_blas_thread():
            yield
    finally:
        with _blas_lock:
            _blas_limit["depth"] -= 1
            if _blas_limit["depth"] == 0:
                _blas_limit["limiter"].restore_original_limits()
                _blas_limit["limiter"] = None


@contextmanager
def blas_threads(n_features):
    """Context for the readout's linear algebra on ``n_features`` columns: one BLAS thread when
    the matrices are small, the library's default otherwise."""
    if n_features >= SMALL_BLAS:
        yield
        return
    with one_blas_thread():
        yield


_mapping = threading.local()  # ``active`` while this thread runs items of a thread_map


@lru_cache(maxsize=None)
def _pool(n_threads):
    """A thread pool kept for the process's life (starting threads costs ~3 ms a call)."""
    return ThreadPoolExecutor(n_threads, thread_name_prefix="numba-rnn-pool")


def thread_map(fn, items, n_jobs=None, *, one_blas=False):
    """``[fn(x) for x in items]`` on up to ``n_jobs`` threads (None: all cores), for work that
    releases the GIL (LAPACK, nogil Numba kernels): the readouts of many configurations.

    The calling thread is one of the threads: it and ``n_jobs - 1`` threads of a pool kept for
    the process take the items in order, each the next one not taken, so that a call wakes no
    more threads than it needs and the caller's core works too. The first error stops the
    others from taking more items; the caller's own (a Ctrl-C) is raised at once, the others
    ending with their current item, another thread's once the caller is done. Called from
    inside its own items, it runs them in turn. The items always run on one BLAS thread when
    they run side by side; with ``one_blas`` also when they run in turn (so that their bits do
    not depend on the number of threads)."""
    items = list(items)
    cores = os.cpu_count() or 1
    if n_jobs == 0:
        raise ValueError("n_jobs=0 would run nothing: pass a number of threads >= 1, -1 for "
                         "all cores (-2 for all but one) or None.")
    if n_jobs is None:
        n = cores
    else:
        n = n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)
    n = min(n, cores, len(items))
    if n <= 1 or getattr(_mapping, "active", False):  # nested: inside an item
        with one_blas_thread() if one_blas else nullcontext():
            return [fn(x) for x in items]
    results = [None] * len(items)
    taken = iter(range(len(items)))
    lock = threading.Lock()
    failed = []

    def work():
        """Take and run items until none is left or one failed; returns this thread's error."""
        # the threads are the parallelism: BLAS threads would compete with them (one BLAS
        # thread process-wide, and in each thread: each keeps a count of its own)
        _mapping.active = True
        try:
            with _this_thread_one_blas_thread():
                while not failed:
                    with lock:
                        i = next(taken, None)
                    if i is None:
                        return None
                    results[i] = fn(items[i])
        except BaseException as err:  # noqa: B036 - Ctrl-C too: the others take no more items
            failed.append(err)
            return err
        finally:
            _mapping.active = False
        return None

    with one_blas_thread():
        helpers = [_pool(cores).submit(work) for _ in range(n - 1)]
        own = work()
        for helper in helpers:
            # not started: nothing left to take; after the caller's own error (a Ctrl-C) raise
            # at once, the others ending with their current item
            if helper.cancel() or own is not None:
                continue
            try:
                helper.result()
            except BaseException as err:  # noqa: B036 - Ctrl-C while waiting
                failed.append(err)
                raise
    if failed:
        raise failed[0]
    return results
