"""The LSTM network as Numba kernels: the forward step (with forget gates and peepholes) and the
forward-mode Jacobian of its outputs, computed from what the forward step recorded; the filters
are in :mod:`lstm.filters`, the training loop in :mod:`lstm.kernels`.

Network (Gers, Schraudolph & Schmidhuber 2002): B blocks of S cells; with u(t) = [x(t); y_c(t-1);
1] (inputs, all cell outputs of the previous step, a bias), block j has

    input gate   y_in  = sigma(W_in_j u + sum_v p_in_jv s_jv(t-1))
    forget gate  y_phi = sigma(W_phi_j u + sum_v p_phi_jv s_jv(t-1))      (1 without forget gate)
    cell v       s_jv(t) = y_phi s_jv(t-1) + y_in g(W_c_jv u)
    output gate  y_out = sigma(W_out_j u + sum_v p_out_jv s_jv(t))
    cell output  y_c_jv = y_out h(s_jv(t))

with the cell squashings (``squash``) g = h = tanh (TANH), g = h = identity (IDENTITY), or the
centred logistics of the 1997 LSTM, g = 4 sigma - 2 and h = 2 sigma - 1 (LOGISTIC), and
outputs o_k = f(W_o_k [y_c; x (with shortcuts); 1]), f linear or logistic. Peepholes
(p_*) can be switched off (zero and frozen).

Weights live in one flat vector. Block j occupies ``PB = n_u (3 + S) + 3 S`` entries from j * PB:
[W_in (n_u) | W_phi (n_u) | W_out (n_u) | W_c (S x n_u) | p_in (S) | p_phi (S) | p_out (S)];
the output layer W_o (m x n_z) follows. The Jacobian dy_c/dw and ds/dw (n_cells x P) is carried
forward in time: exactly (``full``: through every recurrent path, RTRL) or truncated as in the
original LSTM (the recurrent inputs y_c(t-1) of the gates and cells are treated as constants,
derivatives flow through the cell states only).

The kernels take the network as a :class:`Net` (the flat weights and the layout), the carried
state as a :class:`State`, and a step's record as a :class:`Record`.
"""

from collections import namedtuple

import numpy as np
from numba import njit

from reservoir.common.arrays import copy_into
from reservoir.common.config import KERNEL

#: Cell squashings, the network's ``squash``.
TANH, IDENTITY, LOGISTIC = 0, 1, 2

#: The network: flat weights ``w`` (P,), ``B`` blocks of ``S`` cells, ``n_x`` inputs, ``m``
#: outputs, and the switches ``shortcut``, ``logistic_out``, ``peepholes``, ``forget`` and the
#: cell squashing ``squash``.
Net = namedtuple("Net", "w B S n_x m shortcut logistic_out peepholes forget squash")
#: The carried state: cell states ``s`` and outputs ``yc`` (nc,), and their Jacobians ``ds``
#: and ``dyc`` (nc, P).
State = namedtuple("State", "s yc ds dyc")
#: What a forward step records for the Jacobian: ``u`` (n_u,) = [x; y_c(t-1); 1], ``gates``
#: (B, 3) = y_in, y_phi, y_out of each block, ``cells`` (nc, 5) = s(t-1), g, g', h(s), h'(s)
#: of each cell, ``out`` (m,) the outputs and ``dout`` (m,) their squashings' derivatives.
Record = namedtuple("Record", "u gates cells out dout")


@njit(**KERNEL)
def record(B, S, n_x, m):
    """An empty :class:`Record` for a network of B blocks of S cells, n_x inputs, m outputs.

    Parameters
    ----------
    B, S, n_x, m : int
        The layout.

    Returns
    -------
    rec : Record
        Arrays to be filled by :func:`forward_step`.
    """
    nc = B * S
    return Record(np.empty(n_x + nc + 1), np.empty((B, 3)), np.empty((nc, 5)), np.empty(m),
                  np.empty(m))


@njit(**KERNEL)
def _sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


@njit(**KERNEL)
def squash_g(x, squash):
    """The cell input squashing g(x) and its derivative."""
    if squash == IDENTITY:
        return x, 1.0
    if squash == LOGISTIC:
        g = 2.0 * np.tanh(0.5 * x)  # 4 sigma(x) - 2, in (-2, 2)
        return g, 1.0 - 0.25 * g * g
    g = np.tanh(x)
    return g, 1.0 - g * g


@njit(**KERNEL)
def squash_h(x, squash):
    """The cell output squashing h(x) and its derivative."""
    if squash == IDENTITY:
        return x, 1.0
    if squash == LOGISTIC:
        h = np.tanh(0.5 * x)  # 2 sigma(x) - 1, in (-1, 1)
        return h, 0.5 * (1.0 - h * h)
    h = np.tanh(x)
    return h, 1.0 - h * h


@njit(**KERNEL)
def forward_step(net, x, s, yc, rec):
    """One step of the network ``net`` (a :class:`Net`) on the input x (n_x,): updates s, yc
    (nc,) in place and fills ``rec`` (a :class:`Record`: the outputs, and what the Jacobian of
    the step needs)."""
    w, B, S, n_x, m = net.w, net.B, net.S, net.n_x, net.m
    shortcut, logistic_out, peepholes = net.shortcut, net.logistic_out, net.peepholes
    forget, squash = net.forget, net.squash
    u, gates, cells, out, dout = rec
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    n_z = nc + (n_x if shortcut else 0) + 1
    copy_into(x, u[:n_x])
    copy_into(yc, u[n_x:n_x + nc])
    u[n_u - 1] = 1.0
    for j in range(B):
        off = j * PB
        pi = off + n_u * (3 + S)
        net_i = 0.0
        net_f = 0.0
        for i in range(n_u):
            net_i += w[off + i] * u[i]
            net_f += w[off + n_u + i] * u[i]
        if peepholes:
            for v in range(S):
                net_i += w[pi + v] * s[j * S + v]
                net_f += w[pi + S + v] * s[j * S + v]
        y_in = _sigmoid(net_i)
        y_phi = _sigmoid(net_f) if forget else 1.0
        for v in range(S):
            c = j * S + v
            c_off = off + n_u * (3 + v)
            net = 0.0
            for i in range(n_u):
                net += w[c_off + i] * u[i]
            g, g_prime = squash_g(net, squash)
            cells[c, 0] = s[c]
            cells[c, 1] = g
            cells[c, 2] = g_prime
            s[c] = y_phi * s[c] + y_in * g
        net_o = 0.0
        for i in range(n_u):
            net_o += w[off + 2 * n_u + i] * u[i]
        if peepholes:
            for v in range(S):
                net_o += w[pi + 2 * S + v] * s[j * S + v]
        y_out = _sigmoid(net_o)
        gates[j, 0] = y_in
        gates[j, 1] = y_phi
        gates[j, 2] = y_out
        for v in range(S):
            c = j * S + v
            hs, h_prime = squash_h(s[c], squash)
            cells[c, 3] = hs
            cells[c, 4] = h_prime
            yc[c] = y_out * hs
    o_off = B * PB
    for k in range(m):
        row = o_off + k * n_z
        net = w[row + n_z - 1]
        for r in range(nc):
            net += w[row + r] * yc[r]
        if shortcut:
            for i in range(n_x):
                net += w[row + nc + i] * x[i]
        if logistic_out:
            o = _sigmoid(net)
            out[k] = o
            dout[k] = o * (1.0 - o)
        else:
            out[k] = net
            dout[k] = 1.0




@njit(**KERNEL)
def _dnet(w, off, lo, u, dnet, dyc_prev, n_x, nc, full):
    """dnet (over weights lo, lo+1, ...) of the net w[off:off+n_u] . u: the direct weight terms,
    plus the recurrent terms through y_c(t-1) when ``full``. dnet is overwritten."""
    n_u = u.shape[0]
    dnet[:] = 0.0
    for i in range(n_u):
        dnet[off - lo + i] += u[i]
    if full:
        for r in range(nc):
            c = w[off + n_x + r]
            if c != 0.0:
                dnet += c * dyc_prev[r]


@njit(**KERNEL)
def _dgate(w, off, lo, hi, u, y, d, dyc_prev, n_x, nc, full, peepholes, p_off, c0, S, s, ds):
    """d (over weights lo..hi) of the logistic gate y = sigma(w[off:off+n_u] . u +
    sum_v w[p_off+v] s[c0+v]); peepholes see the cell states s with derivatives ds."""
    _dnet(w, off, lo, u, d, dyc_prev, n_x, nc, full)
    if peepholes:
        for v in range(S):
            c = c0 + v
            d[p_off + v - lo] += s[c]
            d += w[p_off + v] * ds[c, lo:hi]
    d *= y * (1.0 - y)


@njit(**KERNEL)
def jacobian(net, full, x, state, rec, ds_prev, dyc_prev, H, tmp):
    """The Jacobian of a step that :func:`forward_step` took and recorded in ``rec``: ds, dyc
    (nc, P) of ``state`` from their previous values ds_prev, dyc_prev, and the outputs'
    Jacobian ``H`` (m, P). ``tmp`` is scratch of shape (4, P); x (n_x,) is the step's input.

    With the truncated Jacobian the derivatives of a block's cells are nonzero only over that
    block's own weights, so each block works on its slice of P (O(P) a step instead of O(B P)).
    """
    w, B, S, n_x, m = net.w, net.B, net.S, net.n_x, net.m
    u, gates, cells, out, dout = rec
    ds, dyc = state.ds, state.dyc
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    P = w.shape[0]
    s_prev = cells[:, 0].copy()
    for j in range(B):
        off = j * PB
        lo, hi = (0, P) if full else (off, off + PB)
        d_in, d_phi = tmp[0, :hi - lo], tmp[1, :hi - lo]
        d_out, d_net = tmp[2, :hi - lo], tmp[3, :hi - lo]
        pi = off + n_u * (3 + S)
        y_in, y_phi, y_out = gates[j, 0], gates[j, 1], gates[j, 2]
        _dgate(w, off, lo, hi, u, y_in, d_in, dyc_prev, n_x, nc, full, net.peepholes, pi, j * S,
               S, s_prev, ds_prev)
        if net.forget:
            _dgate(w, off + n_u, lo, hi, u, y_phi, d_phi, dyc_prev, n_x, nc, full,
                   net.peepholes, pi + S, j * S, S, s_prev, ds_prev)
        else:
            d_phi[:] = 0.0
        for v in range(S):  # cells
            c = j * S + v
            _dnet(w, off + n_u * (3 + v), lo, u, d_net, dyc_prev, n_x, nc, full)
            s_old, g, in_g = cells[c, 0], cells[c, 1], y_in * cells[c, 2]
            ds_c, ds_prev_c = ds[c], ds_prev[c]
            for q in range(hi - lo):
                ds_c[lo + q] = d_phi[q] * s_old + y_phi * ds_prev_c[lo + q] + d_in[q] * g \
                    + in_g * d_net[q]
        # output gate (peepholes see the new state)
        _dgate(w, off + 2 * n_u, lo, hi, u, y_out, d_out, dyc_prev, n_x, nc, full,
               net.peepholes, pi + 2 * S, j * S, S, state.s, ds)
        for v in range(S):
            c = j * S + v
            hs, out_h = cells[c, 3], y_out * cells[c, 4]
            dyc_c, ds_c = dyc[c], ds[c]
            for q in range(hi - lo):
                dyc_c[lo + q] = d_out[q] * hs + out_h * ds_c[lo + q]
    # output layer
    n_z = nc + (n_x if net.shortcut else 0) + 1
    o_off = B * PB
    yc = state.yc
    for k in range(m):
        row = o_off + k * n_z
        H[k] = 0.0
        for r in range(nc):
            H[k, row + r] = yc[r]
            lo, hi = (0, P) if full else ((r // S) * PB, (r // S + 1) * PB)
            w_r = w[row + r]
            for q in range(lo, hi):
                H[k, q] += w_r * dyc[r, q]
        if net.shortcut:
            for i in range(n_x):
                H[k, row + nc + i] = x[i]
        H[k, row + n_z - 1] = 1.0
        if net.logistic_out:
            for q in range(P):
                H[k, q] *= dout[k]


@njit(**KERNEL)
def step(net, full, x, state, rec, H, tmp):
    """One time step with its Jacobian: :func:`forward_step` (state's s, yc and ``rec`` with
    the outputs ``rec.out``), then :func:`jacobian` (state's ds, dyc and ``H``)."""
    ds_prev = state.ds.copy()
    dyc_prev = state.dyc.copy()
    forward_step(net, x, state.s, state.yc, rec)
    jacobian(net, full, x, state, rec, ds_prev, dyc_prev, H, tmp)


@njit(**KERNEL)
def forward(net, X, s, yc, out):
    """Outputs (T, m) for inputs X (T, n_x) from state (s, yc), updated in place; no Jacobian
    (the fast path of prediction and of long generalisation tests)."""
    rec = record(net.B, net.S, net.n_x, net.m)
    for t in range(X.shape[0]):
        forward_step(net, X[t], s, yc, rec)
        copy_into(rec.out, out[t])


@njit(**KERNEL)
def first_error(net, symbols, allowed):
    """First step t at which the outputs thresholded at 0.5 differ from ``allowed[t]`` (m,)
    bool, for one-hot inputs ``symbols`` (T,) from a zero state; -1 if none does. The test of
    a grammar string without building its (T, n_x) inputs, stopping at the first error.
    Logistic outputs are compared through their net input (sigma(net) > 0.5 iff net > 0), which
    saves their exponentials."""
    nc = net.B * net.S
    linear = Net(net.w, net.B, net.S, net.n_x, net.m, net.shortcut, False, net.peepholes,
                 net.forget, net.squash)
    s = np.zeros(nc)
    yc = np.zeros(nc)
    x = np.zeros(net.n_x)
    rec = record(net.B, net.S, net.n_x, net.m)
    threshold = 0.0 if net.logistic_out else 0.5
    for t in range(symbols.shape[0]):
        x[:] = 0.0
        x[symbols[t]] = 1.0
        forward_step(linear, x, s, yc, rec)
        for k in range(net.m):
            if (rec.out[k] > threshold) != allowed[t, k]:
                return t
    return -1
