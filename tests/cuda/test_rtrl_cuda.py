"""The CUDA sensitivity update against the CPU recursion (tiny sizes for the simulator)."""

import numpy as np

from rtrl.cuda_kernels import sensitivity_step

from .. import naive


def test_sensitivity_step_matches_the_recursion():
    rng = np.random.default_rng(0)
    n, n_in, leak = 3, 2, 0.7
    W_in, W_rec, b = rng.normal(size=(n, n_in)), rng.normal(size=(n, n)) * 0.5, rng.normal(size=n)
    X = rng.normal(size=(4, n_in))
    nz = n_in + n + 1
    M, h = np.zeros((n, n * nz)), np.zeros(n)
    for x in X:
        z = np.concatenate([x, h, [1.0]])
        v = np.tanh(W_in @ x + W_rec @ h + b)
        D = 1 - v ** 2
        A = (1 - leak) * np.eye(n) + leak * D[:, None] * W_rec
        M = sensitivity_step(A, M, z, D, leak)
        h = (1 - leak) * h + leak * v
    ref = naive.rtrl_sensitivities(W_in, W_rec, b, X, leak=leak)
    np.testing.assert_allclose(M, ref, rtol=1e-12, atol=1e-13)
