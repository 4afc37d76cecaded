"""Numba kernels of a fully recurrent network trained online by RTRL, UORO or SnAp-1.

Network (Elman form): with z(t) = [x(t); h(t-1); 1] and Theta = [W_in | W_rec | b] (n, nz),

    net(t) = Theta z(t),   h(t) = (1 - a) h(t-1) + a f(net(t)),   y(t) = W_out h(t) + b_out,

loss L = 1/2 sum_t ||y(t) - d(t)||^2. All trainable parameters live in one flat vector
``theta = [Theta.ravel(), W_out.ravel(), b_out]`` (Theta's entry (i, j) at i * nz + j).

RTRL (Williams & Zipser 1989) carries the sensitivities M(t) = dh(t)/dTheta (n, n * nz):

    M(t) = A(t) M(t-1) + a D(t) Mbar(t),   A(t) = (1 - a) I + a D(t) W_rec,   D = diag f'(net),

where Mbar(t) has z(t)^T in row i of column block i and zeros elsewhere: D is folded into W_rec
and the immediate term is added on the diagonal blocks only (no Kronecker product). The gradient
is sum_t c(t)^T M(t) with c = W_out^T e, e = y - d; its propagated part c^T A M(t-1) is one
more row of the GEMM. Steps go in pairs, with one GEMM for two steps:

    M(t) = [A(t) A(t-1)] M(t-2) + A(t) a D(t-1) Mbar(t-1) + a D(t) Mbar(t),

where A(t) A(t-1) costs n^3, the middle term is an outer product per column block (n P), and
the first step's gradient c^T M(t-1) = (c^T A(t-1)) M(t-2) + immediate is a GEMV; the weights
may change between the two steps (online learning): A(t) uses the updated ones, as it must.
"""

from collections import namedtuple

import numpy as np
from numba import njit

from reservoir.common.arrays import copy_into, copy_matrix
from reservoir.common.config import KERNEL

TANH, LOGISTIC = 0, 1
SGD, ADAM = 0, 1

#: The network: flat parameters ``theta`` (see :func:`_views`), ``n`` units, ``n_in`` inputs
#: (with the fed-back outputs under teacher forcing), ``m`` outputs, leak rate ``leak`` and
#: activation ``act``.
Net = namedtuple("Net", "theta n n_in m leak act")
#: The state carried from step to step: the gradient ``method`` (RTRL, UORO or SNAP1), hidden
#: state ``h`` (n,), sensitivities ``M`` (RTRL and SNAP1), UORO's ``ht`` and ``tt`` and its
#: random ``signs`` (T, n) of +-1, drawn by the caller.
Sensitivity = namedtuple("Sensitivity", "method h M ht tt signs")
#: The update rule: ``learn`` (False: only accumulate the gradient), step size ``lr``, ``kind``
#: (SGD or ADAM), Adam's moments ``m1`` and ``m2``, the updates so far ``count`` (1,), the
#: largest gradient norm ``clip`` (0: none), the steps between updates ``update_every`` and the
#: steps ``since`` (1,) the last update, so that a window split over calls carries over.
Optimizer = namedtuple("Optimizer", "learn lr kind m1 m2 count clip update_every since")
RTRL, UORO, SNAP1 = 0, 1, 2


@njit(**KERNEL)
def activate(net, act, out, deriv):
    """out = f(net), deriv = f'(net) for tanh (act=0) or the logistic function (act=1)."""
    for i in range(net.shape[0]):
        if act == TANH:
            v = np.tanh(net[i])
            out[i] = v
            deriv[i] = 1.0 - v * v
        else:
            v = 1.0 / (1.0 + np.exp(-net[i]))
            out[i] = v
            deriv[i] = v * (1.0 - v)


@njit(**KERNEL)
def _views(theta, n, nz, m):
    """Theta (n, nz), W_out (m, n), b_out (m,) as views of the flat vector theta."""
    P = n * nz
    return (theta[:P].reshape((n, nz)), theta[P:P + m * n].reshape((m, n)),
            theta[P + m * n:])


@njit(**KERNEL)
def _forward(Theta, leak, act, x, h, z, net, fh, D):
    """One step: fills z = [x; h(t-1); 1], net, D = f'(net); updates h in place."""
    n_in = x.shape[0]
    n = h.shape[0]
    copy_into(x, z[:n_in])
    copy_into(h, z[n_in:n_in + n])
    z[n_in + n] = 1.0
    np.dot(Theta, z, net)
    activate(net, act, fh, D)
    for i in range(n):
        h[i] = (1.0 - leak) * h[i] + leak * fh[i]


#: FMA contraction (fastmath "contract") made Numba's freshly compiled Adam step, inlined into
#: ``run``, round differently from the same code loaded from the cache: a network trained in
#: the process that compiled it differed from one trained in a later process.
@njit(**dict(KERNEL, fastmath=KERNEL["fastmath"] - {"contract"}))
def _optimizer_step(theta, g, lr, optimizer, m1, m2, count, clip):
    """Clip g to norm ``clip`` (if > 0), then one SGD or Adam (0.9, 0.999, 1e-8) step."""
    if clip > 0:
        norm = np.sqrt(np.sum(g * g))
        if norm > clip:
            g *= clip / norm
    if optimizer == SGD:
        theta -= lr * g
        return
    count[0] += 1
    c1 = 1.0 - 0.9 ** count[0]
    c2 = 1.0 - 0.999 ** count[0]
    for p in range(theta.shape[0]):
        m1[p] = 0.9 * m1[p] + 0.1 * g[p]
        m2[p] = 0.999 * m2[p] + 0.001 * g[p] * g[p]
        theta[p] -= lr * (m1[p] / c1) / (np.sqrt(m2[p] / c2) + 1e-8)


@njit(**KERNEL)
def run(net, sens, opt, X, Y, weights, g, losses):
    """Run the network ``net`` (a :class:`Net`) over X (T, n_in) with targets Y (T, m),
    accumulating the gradient in g; ``sens`` (a :class:`Sensitivity`) holds the carried state
    and ``opt`` (an :class:`Optimizer`) the update rule.

    The loss of step t is ``weights[t] / 2 ||y(t) - d(t)||^2`` (weight 0: no target at t).

    ``method``: RTRL (M (n, n*nz) exact sensitivities), UORO (rank-one estimate ht (n,) tt (n*nz,),
    its random signs ``signs`` (T, n) of +-1 drawn by the caller) or SNAP1 (M (n, nz):
    M[i, j] = dh_i/dTheta_ij only). h, M, ht, tt are
    the carried state, updated in place. With ``learn``, theta takes an optimizer step from g
    every ``update_every`` steps and g restarts from zero; a window that the sequence ends in the
    middle of carries over to the next call through g and ``opt.since``. losses (T,) receives
    the weighted losses.
    Returns the first step whose loss or gradient is not finite (weights left as before that
    step), or -1.
    """
    theta, n, n_in, m, leak, act = net
    method, h, M, ht, tt, signs = sens
    learn, lr, optimizer, m1, m2, count, clip, update_every, since_last = opt
    nz = n_in + n + 1
    P = n * nz
    Theta, W_out, b_out = _views(theta, n, nz, m)
    gTheta, gW, gb = _views(g, n, nz, m)
    z = np.empty(nz)
    net = np.empty(n)
    fh = np.empty(n)
    D = np.empty(n)
    c = np.empty(n)
    y = np.empty(m)
    if method == RTRL:
        # [A; c^T A] @ M(t-1): rows :n are A M(t-1), row n is c^T A M(t-1), the gradient's
        # propagated part (two buffers, swapped at every product).
        A = np.zeros((n + 1, n))
        buf_a = np.empty((n + 1, P))
        buf_b = np.empty((n + 1, P))
        copy_matrix(M, buf_a[:n])
        # steps go in pairs (see _pair_second): the pair's first transition
        # A(t-1) and immediate factors s(t-1) = a D(t-1), z(t-1) wait for the second step
        A1 = np.empty((n, n))
        s1 = np.empty(n)
        z1 = np.empty(nz)
        row = np.empty(n)
        gv = np.empty(P)
    else:
        A = np.zeros((1, 1))
        buf_a = np.empty((1, 1))
        buf_b = np.empty((1, 1))
        A1 = np.empty((1, 1))
        s1, z1, row, gv = np.empty(1), np.empty(1), np.empty(1), np.empty(1)
    pending = False
    T = X.shape[0]
    since = since_last[0]  # g holds the gradient of these steps
    for t in range(T):
        _forward(Theta, leak, act, X[t], h, z, net, fh, D)
        # output, error e (in y), loss, and c = W_out^T e
        loss = 0.0
        for k in range(m):
            acc = b_out[k]
            for i in range(n):
                acc += W_out[k, i] * h[i]
            y[k] = acc - Y[t, k]
            loss += 0.5 * weights[t] * y[k] * y[k]
        losses[t] = loss
        if not np.isfinite(loss):
            return t
        for k in range(m):
            y[k] *= weights[t]  # from here on y is the weighted error
        for i in range(n):
            acc = 0.0
            for k in range(m):
                acc += W_out[k, i] * y[k]
            c[i] = acc
        for k in range(m):
            gb[k] += y[k]
            for i in range(n):
                gW[k, i] += y[k] * h[i]
        # sensitivities and the recurrent part of the gradient
        if method == RTRL:
            for k in range(n):
                for l in range(n):
                    A[k, l] = leak * D[k] * Theta[k, n_in + l]
                A[k, k] += 1.0 - leak
            for l in range(n):
                acc = 0.0
                for k in range(n):
                    acc += c[k] * A[k, l]
                A[n, l] = acc
            if pending:
                _pair_second(A, A1, s1, z1, buf_a, buf_b, nz)
                buf_a, buf_b = buf_b, buf_a
                pending = False
            elif t + 1 < T:
                # first step of a pair: only the gradient c^T M(t) = (c^T A) M(t-1) + immediate
                copy_matrix(A[:n], A1)
                copy_into(A[n], row)
                np.dot(row, buf_a[:n], gv)
                for p in range(P):
                    g[p] += gv[p]
                for i in range(n):
                    s1[i] = leak * D[i]
                copy_into(z, z1)
                pending = True
            else:  # a lone last step
                np.dot(A, buf_a[:n], buf_b)
                buf_a, buf_b = buf_b, buf_a
            for i in range(n):
                s = leak * D[i]
                for j in range(nz):
                    gTheta[i, j] += c[i] * s * z[j]  # the immediate part of the gradient
            if not pending:  # M(t) is complete: add its immediate term and propagated gradient
                for i in range(n):
                    s = leak * D[i]
                    for j in range(nz):
                        buf_a[i, i * nz + j] += s * z[j]
                for p in range(P):
                    g[p] += buf_a[n, p]
        elif method == SNAP1:
            for i in range(n):
                keep = (1.0 - leak) + leak * D[i] * Theta[i, n_in + i]
                s = leak * D[i]
                for j in range(nz):
                    M[i, j] = keep * M[i, j] + s * z[j]
                    gTheta[i, j] += c[i] * M[i, j]
        else:  # UORO: M ~ ht tt^T
            nu = signs[t]
            Ah = np.empty(n)
            for k in range(n):
                acc = (1.0 - leak) * ht[k]
                for l in range(n):
                    acc += leak * D[k] * Theta[k, n_in + l] * ht[l]
                Ah[k] = acc
            # the immediate part projected on nu: entry (i, j) = nu_i a D_i z_j
            norm_imm = 0.0
            for i in range(n):
                norm_imm += (leak * D[i] * nu[i]) ** 2
            norm_imm = np.sqrt(norm_imm * np.sum(z * z))
            rho0 = np.sqrt((np.sqrt(np.sum(tt * tt)) + 1e-7) / (np.sqrt(np.sum(Ah * Ah)) + 1e-7))
            rho1 = np.sqrt((norm_imm + 1e-7) / (np.sqrt(n) + 1e-7))
            proj = 0.0
            for k in range(n):
                ht[k] = rho0 * Ah[k] + rho1 * nu[k]
                proj += c[k] * ht[k]
            for i in range(n):
                s = leak * D[i] * nu[i] / rho1
                for j in range(nz):
                    tt[i * nz + j] = tt[i * nz + j] / rho0 + s * z[j]
            for p in range(P):
                g[p] += proj * tt[p]
        since += 1
        if learn and since == update_every:
            if not np.all(np.isfinite(g)):
                return t
            _optimizer_step(theta, g, lr, optimizer, m1, m2, count, clip)
            g[:] = 0.0
            since = 0
    if method == RTRL:
        copy_matrix(buf_a[:n], M)  # the caller's array receives the final sensitivities
    since_last[0] = since
    return -1


@njit(**KERNEL)
def _pair_second(A, A1, s1, z1, M_prev, M_next, nz):
    """Second step t of a pair: M(t) = A(t) A(t-1) M(t-2) + A(t) Mbar(t-1), without the
    immediate term of step t, in rows :n of M_next; row n gets c^T of that (the gradient's
    propagated part). A (n+1, n) holds [A(t); c^T A(t)], M_prev rows :n hold M(t-2).

    One GEMM for two steps: A(t) A(t-1) is n^3, and A(t) Mbar(t-1) is, in column block i,
    the outer product of column i of A(t) scaled by s1[i] = a D_i(t-1) with z(t-1).
    """
    n = A1.shape[0]
    Phi = np.empty((n + 1, n))
    np.dot(A, A1, Phi)
    np.dot(Phi, M_prev[:n], M_next)
    for k in range(n + 1):
        for i in range(n):
            f = A[k, i] * s1[i]
            base = i * nz
            for j in range(nz):
                M_next[k, base + j] += f * z1[j]


@njit(**KERNEL)
def predict(net, X, feedback, h, out):
    """Outputs (T, m) of the network ``net`` (a :class:`Net`) from state h (updated in place).
    With ``feedback`` the input at step t is [X[t]; y(t-1)] (closed loop, y(-1) = 0), X then
    having n_in - m columns."""
    theta, n, n_in, m, leak, act = net
    nz = n_in + n + 1
    Theta, W_out, b_out = _views(theta, n, nz, m)
    z = np.empty(nz)
    net = np.empty(n)
    fh = np.empty(n)
    D = np.empty(n)
    x = np.zeros(n_in)
    n_x = X.shape[1]
    for t in range(X.shape[0]):
        copy_into(X[t], x[:n_x])
        if feedback and t > 0:
            copy_into(out[t - 1], x[n_x:])
        _forward(Theta, leak, act, x, h, z, net, fh, D)
        for k in range(m):
            acc = b_out[k]
            for i in range(n):
                acc += W_out[k, i] * h[i]
            out[t, k] = acc
