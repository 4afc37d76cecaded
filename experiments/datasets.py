"""Generated benchmark series, reproducible from a seed.

Every generator returns numpy arrays, or with ``as_xarray=True`` an ``xarray.DataArray`` with a
``time`` coordinate and the system's parameters as attributes.
"""

import numpy as np
import xarray as xr
from numba import njit
from sklearn.utils import check_random_state

from reservoir.common.arrays import copy_into

from ._docstrings import fill_doc

LORENZ63, ROSSLER, LORENZ96 = 0, 1, 2

#: Largest Lyapunov exponents (per unit of model time) of the default parameter sets.
LYAPUNOV_EXPONENTS = {"lorenz63": 0.906, "rossler": 0.071, "lorenz96": 1.69,
                      "mackey_glass": 0.006}


def _as_dataarray(values, dt, name, variables, attrs):
    values = np.asarray(values)
    dims = ("time",) if values.ndim == 1 else ("time", "variable")
    coords = {"time": np.arange(values.shape[0]) * dt}
    if values.ndim == 2:
        coords["variable"] = list(variables)
    return xr.DataArray(values, dims=dims, coords=coords, name=name,
                        attrs={"system": name, "dt": dt, **attrs})


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


@fill_doc
def mackey_glass(n_samples, *, tau=17, dt=0.1, subsample=10, beta=0.2, gamma=0.1, power=10,
                 transient=1000, squash=False, random_state=None, as_xarray=False):
    """Mackey-Glass series as in Jaeger (2001, GMD report 148).

    dy/dt = beta y(t-tau) / (1 + y(t-tau)^power) - gamma y(t), integrated by Euler steps of ``dt``
    with every ``subsample``-th value kept, so one sample is one time unit; the initial history is
    1.2 plus uniform noise of width 0.1.

    Parameters
    ----------
    n_samples : int
        Number of samples returned.
    tau : float, default=17
        Delay (17: mildly chaotic, 30: more).
    dt : float, default=0.1
        Euler step.
    subsample : int, default=10
        Keep every this-th Euler value.
    beta, gamma, power : float, default=0.2, 0.1, 10
        Coefficients of the equation.
    transient : int, default=1000
        Samples dropped at the start.
    squash : bool, default=False
        Map the series through ``tanh(y - 1)`` (undo with :func:`mackey_glass_unsquash`).
    {initial_condition}

    Returns
    -------
    series : ndarray of shape (n_samples,) or xarray.DataArray
        The series.
    """
    rng = check_random_state(random_state)
    tau_steps = int(round(tau / dt))
    history = 1.2 + 0.1 * (rng.random_sample(tau_steps) - 0.5)
    y = _mackey_glass_euler(history, n_samples + transient, tau_steps, subsample, dt, beta, gamma,
                            float(power))[transient:]
    y = np.tanh(y - 1.0) if squash else y
    if as_xarray:
        return _as_dataarray(y, dt * subsample, "mackey_glass", (), dict(
            tau=tau, beta=beta, gamma=gamma, power=power, euler_step=dt, squashed=int(squash)))
    return y


def mackey_glass_unsquash(z):
    """Inverse of the squashing ``tanh(y - 1)``.

    Parameters
    ----------
    z : array-like
        Squashed values, in (-1, 1).

    Returns
    -------
    y : ndarray
        ``1 + arctanh(z)``.
    """
    return np.arctanh(z) + 1.0


@njit(cache=True)
def _derivative(system, y, p, out):
    if system == LORENZ63:
        out[0] = p[0] * (y[1] - y[0])
        out[1] = y[0] * (p[1] - y[2]) - y[1]
        out[2] = y[0] * y[1] - p[2] * y[2]
    elif system == ROSSLER:
        out[0] = -y[1] - y[2]
        out[1] = y[0] + p[0] * y[1]
        out[2] = p[1] + y[2] * (y[0] - p[2])
    else:  # Lorenz-96: dx_j/dt = (x_{j+1} - x_{j-2}) x_{j-1} - x_j + F
        n = y.shape[0]
        for j in range(n):
            out[j] = (y[(j + 1) % n] - y[(j - 2) % n]) * y[(j - 1) % n] - y[j] + p[0]


@njit(cache=True)
def _rk4(system, y0, params, n_samples, h, substeps):
    """Classical Runge-Kutta with step h, recording every ``substeps``-th state."""
    d = y0.shape[0]
    y = y0.copy()
    k = np.empty((4, d))
    k1, k2, k3, k4 = k[0], k[1], k[2], k[3]
    tmp = np.empty(d)
    out = np.empty((n_samples, d))
    for n in range(n_samples):
        for _ in range(substeps):
            _derivative(system, y, params, k1)
            for j in range(d):
                tmp[j] = y[j] + 0.5 * h * k1[j]
            _derivative(system, tmp, params, k2)
            for j in range(d):
                tmp[j] = y[j] + 0.5 * h * k2[j]
            _derivative(system, tmp, params, k3)
            for j in range(d):
                tmp[j] = y[j] + h * k3[j]
            _derivative(system, tmp, params, k4)
            for j in range(d):
                y[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
        copy_into(y, out[n])
    return out


def _integrate(system, y0, params, n_samples, dt, max_step, transient):
    if n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}.")
    if not dt > 0:
        raise ValueError(f"dt must be positive, got {dt!r}.")
    substeps = max(1, int(np.ceil(dt / max_step - 1e-9)))
    n_transient = int(np.ceil(transient / dt))
    out = _rk4(system, np.asarray(y0, float), np.asarray(params, float), n_samples + n_transient,
               dt / substeps, substeps)
    return out[n_transient:]


@fill_doc
def lorenz63(n_samples, *, dt=0.02, sigma=10.0, rho=28.0, beta=8 / 3, max_step=0.01,
             transient=100.0, random_state=None, as_xarray=False):
    """Lorenz (1963) system sampled every ``dt`` time units, integrated by RK4.

    The initial state is drawn near (1, 1, 1); largest Lyapunov exponent 0.906.

    Parameters
    ----------
    n_samples : int
        Number of samples returned.
    dt : float, default=0.02
        Time between samples.
    sigma, rho, beta : float, default=10, 28, 8/3
        Parameters of the system.
    {max_step}
    transient : float, default=100.0
        Time units dropped at the start.
    {initial_condition}

    {xyz_states}
    """
    y0 = 1.0 + check_random_state(random_state).uniform(-0.5, 0.5, size=3)
    out = _integrate(LORENZ63, y0, [sigma, rho, beta], n_samples, dt, max_step, transient)
    if as_xarray:
        return _as_dataarray(out, dt, "lorenz63", "xyz", dict(sigma=sigma, rho=rho, beta=beta))
    return out


@fill_doc
def rossler(n_samples, *, dt=0.1, a=0.2, b=0.2, c=5.7, max_step=0.01, transient=500.0,
            random_state=None, as_xarray=False):
    """Rossler (1976) system sampled every ``dt``, by RK4 (Lyapunov exponent about 0.071).

    Parameters
    ----------
    n_samples : int
        Number of samples returned.
    dt : float, default=0.1
        Time between samples.
    a, b, c : float, default=0.2, 0.2, 5.7
        Parameters of the system.
    {max_step}
    transient : float, default=500.0
        Time units dropped at the start.
    {initial_condition}

    {xyz_states}
    """
    y0 = np.array([1.0, 1.0, 0.0]) + check_random_state(random_state).uniform(-0.5, 0.5, size=3)
    out = _integrate(ROSSLER, y0, [a, b, c], n_samples, dt, max_step, transient)
    if as_xarray:
        return _as_dataarray(out, dt, "rossler", "xyz", dict(a=a, b=b, c=c))
    return out


@fill_doc
def lorenz96(n_samples, *, n_variables=40, forcing=8.0, dt=0.01, max_step=0.01, transient=50.0,
             random_state=None, as_xarray=False):
    """Lorenz (1996) model with J = ``n_variables`` sites and forcing F, integrated by RK4.

    Starts from F with a small random perturbation; Lyapunov exponent about 1.69 for J=40, F=8.

    Parameters
    ----------
    n_samples : int
        Number of samples returned.
    n_variables : int, default=40
        Number of sites J.
    forcing : float, default=8.0
        Forcing F.
    dt : float, default=0.01
        Time between samples.
    {max_step}
    transient : float, default=50.0
        Time units dropped at the start.
    {initial_condition}

    Returns
    -------
    states : ndarray of shape (n_samples, n_variables) or xarray.DataArray
        The sites.
    """
    y0 = forcing + 0.01 * check_random_state(random_state).standard_normal(n_variables)
    out = _integrate(LORENZ96, y0, [forcing], n_samples, dt, max_step, transient)
    if as_xarray:
        return _as_dataarray(out, dt, "lorenz96", [f"x{j}" for j in range(n_variables)],
                             dict(forcing=forcing, n_variables=n_variables))
    return out


@fill_doc
def narma(n_samples, *, order=10, transient=200, random_state=None, as_xarray=False):
    """NARMA task (Atiya & Parlos 2000) of the given order, input u ~ U[0, 0.5].

    y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i=0}^{order-1} y(t-i) + 1.5 u(t-order+1) u(t) + 0.1

    Parameters
    ----------
    n_samples : int
        Number of steps returned.
    order : int, default=10
        Order of the recursion.
    transient : int, default=200
        Steps dropped at the start.
    random_state : int, RandomState instance or None, default=None
        Seed of the input.
    {as_xarray}

    Returns
    -------
    u, y : ndarray of shape (n_samples,)
        Input and target, aligned so that y[t] is the target given u[..t] (the y(t+1) of the
        recursion).
    """
    if order < 1:
        raise ValueError(f"order must be >= 1, got {order!r}.")
    n = n_samples + transient
    u = check_random_state(random_state).uniform(0.0, 0.5, size=n)
    y = _narma(u, order)
    u, y = u[transient:], y[transient:]
    if as_xarray:
        time = np.arange(n_samples)
        return (xr.DataArray(u, dims="time", coords={"time": time}, name="u",
                             attrs={"system": "narma", "order": order}),
                xr.DataArray(y, dims="time", coords={"time": time}, name="y",
                             attrs={"system": "narma", "order": order}))
    return u, y


@njit(cache=True)
def _narma(u, order):
    n = u.shape[0]
    y = np.zeros(n + 1)
    for t in range(order - 1, n):
        s = 0.0
        for i in range(order):
            s += y[t - i]
        y[t + 1] = 0.3 * y[t] + 0.05 * y[t] * s + 1.5 * u[t - order + 1] * u[t] + 0.1
    return y[1:]


def memory_task(n_samples, max_delay, *, low=-0.5, high=0.5, random_state=None):
    """Memory-capacity task (Jaeger 2001): i.i.d. uniform input and its delayed copies.

    Parameters
    ----------
    n_samples : int
        Number of steps.
    max_delay : int
        Largest delay K.
    low, high : float, default=-0.5, 0.5
        Range of the uniform input.
    random_state : int, RandomState instance or None, default=None
        Seed of the input.

    Returns
    -------
    u : ndarray of shape (n_samples, 1)
        The input.
    targets : ndarray of shape (n_samples, max_delay)
        ``targets[t, k-1] = u[t-k]`` (zero before the start).
    """
    u = check_random_state(random_state).uniform(low, high, size=n_samples)
    targets = np.zeros((n_samples, max_delay))
    for k in range(1, max_delay + 1):
        targets[k:, k - 1] = u[:-k]
    return u[:, None], targets
