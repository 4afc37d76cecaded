"""What importing the model packages costs: no xarray, matplotlib or dask (the experiments
import those)."""

import subprocess
import sys


def test_import_of_the_model_packages_stays_light():
    code = ("import sys, reservoir, rtrl, lstm; "
            "print([m for m in ('xarray', 'matplotlib', 'dask') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
