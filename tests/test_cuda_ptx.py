"""Every CUDA kernel compiles to PTX (no GPU needed): the simulator does no type checking, so a
kernel that passes there but would not compile for a real GPU fails here."""

import pytest
from numba import cuda, types

from reservoir import cuda_kernels
from rtrl import cuda_kernels as rtrl_cuda

u32 = types.Array(types.uint32, 1, "C")
i64 = types.Array(types.int64, 1, "C")


def arr(dtype, ndim):
    return types.Array(dtype, ndim, "C")


KERNELS = {
    "run_packed_kernel": lambda f: (u32, u32, arr(f, 1), f, u32, u32, arr(f, 1), arr(f, 1),
                                    arr(f, 2), i64, arr(f, 2), arr(f, 2)),
    "run_configs_kernel": lambda f: (u32, u32, arr(f, 1), arr(f, 2), arr(f, 1), arr(f, 2), i64,
                                     arr(types.float64, 1), arr(types.float64, 1),
                                     arr(types.float64, 1), arr(f, 3), arr(f, 3)),
    "features_kernel": lambda f: (arr(f, 2), arr(types.float64, 2), arr(types.float64, 2),
                                  arr(types.int8, 1), types.boolean, types.boolean,
                                  arr(types.float64, 2)),
    "gram_kernel": lambda f: (arr(types.float64, 2), arr(types.float64, 2)),
}


@pytest.mark.parametrize("dtype", [types.float64, types.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_compiles_to_ptx(name, dtype):
    kernel = getattr(cuda_kernels, name)
    ptx, _ = cuda.compile_ptx(kernel.py_func, KERNELS[name](dtype), cc=(8, 0))
    assert ".entry" in ptx


@pytest.mark.parametrize("dtype", [types.float64, types.float32], ids=["float64", "float32"])
def test_rtrl_sensitivity_kernel_compiles_to_ptx(dtype):
    f64 = types.float64
    sig = (arr(f64, 2), arr(dtype, 2), arr(f64, 1), arr(f64, 1), f64, arr(dtype, 2))
    ptx, _ = cuda.compile_ptx(rtrl_cuda.sensitivity_kernel.py_func, sig, cc=(8, 0))
    assert ".entry" in ptx


def test_rtrl_projection_kernel_compiles_to_ptx():
    f64 = types.float64
    sig = (arr(f64, 2), arr(f64, 1), arr(f64, 1))
    ptx, _ = cuda.compile_ptx(rtrl_cuda.project_kernel.py_func, sig, cc=(8, 0))
    assert ".entry" in ptx


def _lstm_signatures():
    f, i, b = types.float64, types.int64, types.boolean
    v, mat, cube = arr(f, 1), arr(f, 2), arr(f, 3)
    return {
        "jacobian_kernel": (v, i, i, i, i, b, b, b, b, v, arr(b, 1), mat, mat, mat, mat, mat),
        "hp_kernel": (mat, v, i64, i64, i64, i64, mat),
        "innovation_kernel": (mat, mat, mat),
        "gain_kernel": (v, mat, mat, v, mat),
        "covariance_kernel": (v, i64, i64, i64, i64, mat, mat, f, v, i64),
        "forward_kernel": (v, i, i, i, i, b, b, b, b, i, cube, i64, mat, mat, mat, cube),
    }


@pytest.mark.parametrize("name", sorted(_lstm_signatures()))
def test_lstm_kernel_compiles_to_ptx(name):
    from lstm import cuda_kernels as lstm_cuda

    kernel = getattr(lstm_cuda, name)
    ptx, _ = cuda.compile_ptx(kernel.py_func, _lstm_signatures()[name], cc=(8, 0))
    assert ".entry" in ptx


def test_guessing_kernel_compiles_to_ptx():
    f, i = types.float64, types.int64
    sig = (arr(f, 2), i, i, i, i, arr(f, 2), i64, arr(f, 2), arr(f, 1), f, i64)
    ptx, _ = cuda.compile_ptx(rtrl_cuda.solved_prefix_kernel.py_func, sig, cc=(8, 0))
    assert ".entry" in ptx
