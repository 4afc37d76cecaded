"""CUDA tests run on a GPU, or on the CPU under the CUDA simulator in their own pytest run:

    NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/cuda

(the variable must be set before numba is imported, so not in the main run).
"""

import os

import pytest

from reservoir.common.device import cuda_status

if not cuda_status()[0]:
    pytest.skip("no CUDA GPU, and NUMBA_ENABLE_CUDASIM is not set", allow_module_level=True)


@pytest.fixture(autouse=True)
def few_threads(monkeypatch):
    """The simulator runs a Python thread per CUDA thread: keep blocks small."""
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        from reservoir.common import config

        monkeypatch.setattr(config, "CUDA_THREADS", 8)
