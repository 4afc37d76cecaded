"""Generated benchmark series, reproducible from a seed."""

import numpy as np
from numba import njit
from sklearn.utils import check_random_state


@njit(cache=True)
def _mackey_glass_euler(history, n_steps, tau_steps, subsample, dt, beta, gamma, power):
    """Euler integration of dy/dt = beta y(t-tau) / (1 + y(t-tau)^power) - gamma y(t)."""
    buf = history.copy()  # circular buffer of the last tau_steps values
    y = buf[tau_steps - 1]
    out = np.empty(n_steps)
    pos = 0
    for n in range(n_steps):
        for _ in range(subsample):
            delayed = buf[pos]
            y = y + dt * (beta * delayed / (1.0 + delayed ** power) - gamma * y)
            buf[pos] = y
            pos += 1
            if pos == tau_steps:
                pos = 0
        out[n] = y
    return out


def mackey_glass(n_samples, *, tau=17, dt=0.1, subsample=10, beta=0.2, gamma=0.1, power=10,
                 transient=1000, squash=False, random_state=None):
    """Mackey-Glass series as in Jaeger (2001, GMD report 148).

    Euler steps of ``dt`` (1/10), every ``subsample``-th (10th) value kept, so one sample is one
    time unit; the initial history is 1.2 plus uniform noise of 0.1 drawn from ``random_state``,
    and ``transient`` samples are dropped. With ``squash`` the series is mapped through
    ``tanh(y - 1)`` (undo with :func:`mackey_glass_unsquash`). Returns (n_samples,).
    """
    rng = check_random_state(random_state)
    tau_steps = int(round(tau / dt))
    history = 1.2 + 0.1 * (rng.random_sample(tau_steps) - 0.5)
    y = _mackey_glass_euler(history, n_samples + transient, tau_steps, subsample, dt, beta, gamma,
                            float(power))[transient:]
    return np.tanh(y - 1.0) if squash else y


def mackey_glass_unsquash(z):
    """Inverse of the squashing ``tanh(y - 1)``."""
    return np.arctanh(z) + 1.0
