"""The test session's Numba cache: a directory per version of the package sources.

Numba keys a cached kernel on its own file only, so a kernel compiled with a function of another
module (``lstm.kernels``' training loops inline ``lstm.filters``' updates) is reused after that
function changed, and the tests would run the old code. Here the cache lives in
``.numba_cache/<hash of every .py file of the four packages>``: new sources, a new cache, the
older ones removed. An explicit ``NUMBA_CACHE_DIR`` is kept as it is.
"""

import hashlib
import os
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("reservoir", "rtrl", "lstm", "experiments")


def sources_digest():
    """A hash of the package sources (paths and contents of their .py files)."""
    digest = hashlib.sha256()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


if "NUMBA_CACHE_DIR" not in os.environ:
    caches = ROOT / ".numba_cache"
    current = caches / sources_digest()
    for old in caches.glob("*"):
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    os.environ["NUMBA_CACHE_DIR"] = str(current)
