"""Numba kernels of an LSTM with forget gates and peepholes, its forward-mode Jacobian, and the
(decoupled) extended Kalman filter that trains it.

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
"""

import types

import numpy as np
from numba import njit, prange

from reservoir.common.config import KERNEL, PARALLEL_KERNEL

#: Cell squashings, the kernels' ``squash``.
TANH, IDENTITY, LOGISTIC = 0, 1, 2


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
def _net(w, off, lo, u, dnet, dyc_prev, n_x, nc, full):
    """net = w[off:off+n_u] . u, and dnet (the derivative over weights lo, lo+1, ...): the direct
    weight terms, plus the recurrent terms through y_c(t-1) when ``full``. dnet is overwritten."""
    n_u = u.shape[0]
    dnet[:] = 0.0
    acc = 0.0
    for i in range(n_u):
        acc += w[off + i] * u[i]
        dnet[off - lo + i] += u[i]
    if full:
        for r in range(nc):
            c = w[off + n_x + r]
            if c != 0.0:
                dnet += c * dyc_prev[r]
    return acc


@njit(**KERNEL)
def _gate(w, off, lo, hi, u, d, dyc_prev, n_x, nc, full, peepholes, p_off, c0, S, s, ds):
    """A logistic gate: y = sigma(w[off:off+n_u] . u + sum_v w[p_off+v] s[c0+v]) and, in d (over
    weights lo..hi), its derivative; peepholes see the cell states s with derivatives ds."""
    net = _net(w, off, lo, u, d, dyc_prev, n_x, nc, full)
    if peepholes:
        for v in range(S):
            c = c0 + v
            net += w[p_off + v] * s[c]
            d[p_off + v - lo] += s[c]
            d += w[p_off + v] * ds[c, lo:hi]
    y = _sigmoid(net)
    d *= y * (1.0 - y)
    return y


@njit(**KERNEL)
def step(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, full, x, s, yc, ds,
         dyc, out, H, tmp):
    """One time step: updates s, yc (nc,) and ds, dyc (nc, P) in place, writes the outputs
    ``out`` (m,) and their Jacobian ``H`` (m, P). ``tmp`` is scratch of shape (5 + 2 S, P).

    With the truncated Jacobian the derivatives of a block's cells are nonzero only over that
    block's own weights, so each block works on its slice of P (O(P) a step instead of O(B P)).
    """
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    P = w.shape[0]
    u = np.empty(n_u)
    u[:n_x] = x
    u[n_x:n_x + nc] = yc
    u[n_u - 1] = 1.0
    s_prev = s.copy()
    ds_prev = ds.copy()
    dyc_prev = dyc.copy()
    for j in range(B):
        off = j * PB
        lo, hi = (0, P) if full else (off, off + PB)
        d_in, d_phi = tmp[0, :hi - lo], tmp[1, :hi - lo]
        d_out, d_net = tmp[2, :hi - lo], tmp[3, :hi - lo]
        pi = off + n_u * (3 + S)
        pf = pi + S
        po = pf + S
        y_in = _gate(w, off, lo, hi, u, d_in, dyc_prev, n_x, nc, full, peepholes, pi, j * S,
                     S, s_prev, ds_prev)
        if forget:
            y_phi = _gate(w, off + n_u, lo, hi, u, d_phi, dyc_prev, n_x, nc, full, peepholes, pf,
                          j * S, S, s_prev, ds_prev)
        else:
            y_phi = 1.0
            d_phi[:] = 0.0
        # cells
        for v in range(S):
            c = j * S + v
            net = _net(w, off + n_u * (3 + v), lo, u, d_net, dyc_prev, n_x, nc, full)
            g, g_prime = squash_g(net, squash)
            s[c] = y_phi * s_prev[c] + y_in * g
            ds[c, lo:hi] = d_phi * s_prev[c] + y_phi * ds_prev[c, lo:hi] + d_in * g + \
                (y_in * g_prime) * d_net
        # output gate (peepholes see the new state)
        y_out = _gate(w, off + 2 * n_u, lo, hi, u, d_out, dyc_prev, n_x, nc, full, peepholes, po,
                      j * S, S, s, ds)
        for v in range(S):
            c = j * S + v
            hs, h_prime = squash_h(s[c], squash)
            yc[c] = y_out * hs
            dyc[c, lo:hi] = d_out * hs + (y_out * h_prime) * ds[c, lo:hi]
    # output layer
    n_z = nc + (n_x if shortcut else 0) + 1
    o_off = B * PB
    for k in range(m):
        row = o_off + k * n_z
        net = 0.0
        H[k] = 0.0
        for r in range(nc):
            net += w[row + r] * yc[r]
            H[k, row + r] = yc[r]
            lo, hi = (0, P) if full else ((r // S) * PB, (r // S + 1) * PB)
            H[k, lo:hi] += w[row + r] * dyc[r, lo:hi]
        if shortcut:
            for i in range(n_x):
                net += w[row + nc + i] * x[i]
                H[k, row + nc + i] = x[i]
        net += w[row + n_z - 1]
        H[k, row + n_z - 1] = 1.0
        if logistic_out:
            o = _sigmoid(net)
            H[k] *= o * (1.0 - o)
            out[k] = o
        else:
            out[k] = net
    return P


@njit(**KERNEL)
def forward_step(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, x, s, yc, u,
                 gates, cells, out, dout):
    """One step without Jacobian: updates s, yc (nc,) in place and writes the outputs ``out``
    (m,). Records what the Jacobian of the step needs: ``u`` (n_u,) = [x; y_c(t-1); 1],
    ``gates`` (B, 3) = y_in, y_phi, y_out of each block, ``cells`` (nc, 5) = s(t-1), g, g', h(s),
    h'(s) of each cell, and ``dout`` (m,) the derivative of each output's squashing."""
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    n_z = nc + (n_x if shortcut else 0) + 1
    u[:n_x] = x
    u[n_x:n_x + nc] = yc
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
def forward(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, X, s, yc, out):
    """Outputs (T, m) for inputs X (T, n_x) from state (s, yc), updated in place; no Jacobian
    (the fast path of prediction and of long generalisation tests)."""
    nc = B * S
    u = np.empty(n_x + nc + 1)
    gates = np.empty((B, 3))
    cells = np.empty((nc, 5))
    dout = np.empty(m)
    for t in range(X.shape[0]):
        forward_step(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, X[t], s,
                     yc, u, gates, cells, out[t], dout)


@njit(**KERNEL)
def first_error(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, symbols,
                allowed):
    """First step t at which the outputs thresholded at 0.5 differ from ``allowed[t]`` (m,)
    bool, for one-hot inputs ``symbols`` (T,) from a zero state; -1 if none does. The test of
    a grammar string without building its (T, n_x) inputs, stopping at the first error.
    Logistic outputs are compared through their net input (sigma(net) > 0.5 iff net > 0), which
    saves their exponentials."""
    nc = B * S
    s = np.zeros(nc)
    yc = np.zeros(nc)
    x = np.zeros(n_x)
    u = np.empty(n_x + nc + 1)
    gates = np.empty((B, 3))
    cells = np.empty((nc, 5))
    out = np.empty(m)
    dout = np.empty(m)
    threshold = 0.0 if logistic_out else 0.5
    for t in range(symbols.shape[0]):
        x[:] = 0.0
        x[symbols[t]] = 1.0
        forward_step(w, B, S, n_x, m, shortcut, False, peepholes, forget, squash, x, s, yc, u,
                     gates, cells, out, dout)
        for k in range(m):
            if (out[k] > threshold) != allowed[t, k]:
                return t
    return -1


@njit(**KERNEL)
def _finish_group(Pg, upd, q):
    """P_g - upd + q I, symmetrised; False if a diagonal entry is not positive."""
    n = Pg.shape[0]
    Pg -= upd
    ok = True
    for i in range(n):
        Pg[i, i] += q
        for jj in range(i + 1, n):
            v = 0.5 * (Pg[i, jj] + Pg[jj, i])
            Pg[i, jj] = v
            Pg[jj, i] = v
        if not Pg[i, i] > 0.0:
            ok = False
    return ok


def _ekf_update(w, H, e, cov, cov_off, g_start, g_size, r, q, frozen):
    """(Decoupled) extended Kalman filter step for weight groups g (w[g_start[g]:+g_size[g]],
    covariance cov[cov_off[g]:] as (g_size, g_size)):

        A = (r I + sum_g H_g P_g H_g^T)^-1,  K_g = P_g H_g^T A,  w_g += K_g e,
        P_g = P_g - K_g H_g P_g + q I   (then symmetrised).

    One group is the global EKF. ``frozen`` (P,) marks weights kept fixed (their columns of H are
    zeroed). Returns False if a covariance lost positive definiteness (a non-positive diagonal).
    The groups are independent but for the m x m matrix A: compiled as :func:`ekf_update` they
    run one after the other, as :func:`ekf_update_parallel` on threads (prange), with the same
    result bit for bit (A is summed in group order either way).
    """
    m = e.shape[0]
    n_g = g_start.shape[0]
    for p in range(w.shape[0]):
        if frozen[p]:
            for k in range(m):
                H[k, p] = 0.0
    HP = np.empty(m * w.shape[0])  # H_g P_g of every group, kept for the update
    parts = np.empty((n_g, m, m))
    for g in prange(n_g):
        a, n = g_start[g], g_size[g]
        Pg = cov[cov_off[g]:cov_off[g] + n * n].reshape((n, n))
        Hg = np.ascontiguousarray(H[:, a:a + n])
        HPg = HP[a * m:(a + n) * m].reshape((m, n))
        HPg[:] = Hg @ Pg
        parts[g] = HPg @ Hg.T
    A = np.eye(m) * r
    for g in range(n_g):
        A += parts[g]
    A = np.linalg.inv(A)
    Ae = A @ e
    ok = np.ones(n_g, dtype=np.bool_)
    for g in prange(n_g):
        a, n = g_start[g], g_size[g]
        Pg = cov[cov_off[g]:cov_off[g] + n * n].reshape((n, n))
        HPg = HP[a * m:(a + n) * m].reshape((m, n))
        # K = P H^T A, so K e = (H P)^T (A e) and K H P = (H P)^T A (H P): symmetric
        w[a:a + n] += HPg.T @ Ae
        ok[g] = _finish_group(Pg, HPg.T @ (A @ HPg), q)
    return ok.all()


def _named(fn, name):
    """A copy of ``fn`` called ``name``: Numba's on-disk cache is keyed by the function's name and
    signature but not by ``parallel``, so two compilations of one function would share (and
    swap) their cache entries, and the serial kernel could load the threaded one."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = name
    copy.__doc__ = fn.__doc__
    return copy


ekf_update = njit(**KERNEL)(_named(_ekf_update, "ekf_update"))
ekf_update_parallel = njit(**PARALLEL_KERNEL)(_named(_ekf_update, "ekf_update_parallel"))


@njit(**KERNEL)
def _downdate_rank1(Pg, v, q):
    """P_g - v v^T + q I (exactly symmetric: v_i v_j = v_j v_i); False if a diagonal entry is
    not positive."""
    n = Pg.shape[0]
    ok = True
    for i in range(n):
        row = Pg[i]
        vi = v[i]
        for jj in range(n):
            row[jj] -= vi * v[jj]
        row[i] += q
        if not row[i] > 0.0:
            ok = False
    return ok


@njit(**KERNEL)
def _vec_times(d, Pg, out):
    """out = d P_g, P_g taken row by row (a loop without a reduction, which vectorises)."""
    out[:] = 0.0
    for p in range(Pg.shape[0]):
        dp = d[p]
        for i in range(Pg.shape[1]):
            out[i] += dp * Pg[p, i]


@njit(**KERNEL)
def dekf_update_lowrank(w, H, e, dyc, B, S, m, n_z, dout, cov, cov_off, g_start, g_size, r, q,
                        frozen):
    """The decoupled EKF step of :func:`ekf_update` with the truncated Jacobian, for groups that
    each lie in one block or are one output unit's weights (``trainer="dekf"``: the B blocks,
    then the m output units; ``"ndekf"``: the blocks' nodes, then the output units), using the
    structure of H instead of multiplying it out.

    The outputs see block j only through its S cell outputs, so the columns of H of a group g
    in block j factor as H_g = C_j D_g with D_g = dy_c/dw of the block's cells (S x n_g) and
    C_j[k, v] = dout_k w_o[k, jS+v] (m x S); an output unit's group touches only that output's
    row of H (rank 1). With S < m every product then shrinks by m/S: D_g P_g (S x n_g) replaces
    H_g P_g, and P_g -= (D_g P_g)^T (C_j^T A C_j) (D_g P_g). Same result as :func:`ekf_update`
    to round-off (tested). Returns False if a covariance lost positive definiteness.
    """
    n_g = g_start.shape[0]
    o_off = w.shape[0] - m * n_z
    PB = o_off // B
    DPs = np.empty(S * o_off)  # D_g P_g of the block groups, (S, n_g) at offset S * start
    Dbuf = np.empty(S * PB)
    vbuf = np.empty(max(PB, n_z))
    HPo = np.empty((m, n_z))
    inner = np.zeros((B, S, S))  # sum over block j's groups of D_g P_g D_g^T
    A = np.eye(m) * r
    for g in range(n_g):  # loops, not BLAS calls: the nodes' groups are many and small
        a, n = g_start[g], g_size[g]
        Pg = cov[cov_off[g]:cov_off[g] + n * n].reshape((n, n))
        if a < o_off:
            j = a // PB
            D = Dbuf[:S * n].reshape((S, n))
            DP = DPs[S * a:S * (a + n)].reshape((S, n))
            for v in range(S):
                for p in range(n):
                    D[v, p] = 0.0 if frozen[a + p] else dyc[j * S + v, a + p]
            for v in range(S):
                _vec_times(D[v], Pg, DP[v])
            for v in range(S):
                for v2 in range(S):
                    acc = 0.0
                    for i in range(n):
                        acc += DP[v, i] * D[v2, i]
                    inner[j, v, v2] += acc
        else:
            k = (a - o_off) // n_z
            _vec_times(H[k, a:a + n], Pg, HPo[k])
            acc = 0.0
            for i in range(n):
                acc += HPo[k, i] * H[k, a + i]
            A[k, k] += acc
    Cs = np.empty((B, m, S))
    for j in range(B):
        for k in range(m):
            for v in range(S):
                Cs[j, k, v] = dout[k] * w[o_off + k * n_z + j * S + v]
        A += Cs[j] @ inner[j] @ Cs[j].T
    A = np.linalg.inv(A)
    Ae = A @ e
    Ms = np.empty((B, S, S))  # C_j^T A C_j
    CAe = np.empty((B, S))  # C_j^T A e
    for j in range(B):
        C = np.ascontiguousarray(Cs[j])
        Ms[j] = C.T @ A @ C
        CAe[j] = C.T @ Ae
    ok = True
    for g in range(n_g):
        a, n = g_start[g], g_size[g]
        Pg = cov[cov_off[g]:cov_off[g] + n * n].reshape((n, n))
        v = vbuf[:n]
        if a < o_off:
            j = a // PB
            DP = DPs[S * a:S * (a + n)].reshape((S, n))
            for i in range(n):
                acc = 0.0
                for k in range(S):
                    acc += DP[k, i] * CAe[j, k]
                w[a + i] += acc
            if S == 1:  # M is a number >= 0 (A is positive definite)
                c = np.sqrt(max(Ms[j, 0, 0], 0.0))
                for i in range(n):
                    v[i] = c * DP[0, i]
                ok &= _downdate_rank1(Pg, v, q)
            else:
                ok &= _finish_group(Pg, DP.T @ (Ms[j] @ DP), q)
        else:
            k = (a - o_off) // n_z
            c = np.sqrt(A[k, k])
            for i in range(n):
                w[a + i] += HPo[k, i] * Ae[k]
                v[i] = c * HPo[k, i]
            ok &= _downdate_rank1(Pg, v, q)
    return ok


@njit(**KERNEL)
def _groups_within_units(g_start, g_size, P, B, m, n_z):
    """Whether every filter group lies in one block or is exactly one output unit's weights
    (the layouts :func:`dekf_update_lowrank` takes)."""
    o_off = P - m * n_z
    PB = o_off // B
    for g in range(g_start.shape[0]):
        a, n = g_start[g], g_size[g]
        if a < o_off:
            if (a + n - 1) // PB != a // PB or a + n > o_off:
                return False
        elif (a - o_off) % n_z != 0 or n != n_z:
            return False
    return True


@njit(**KERNEL)
def train(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, full, X, Y, weights,
          s, yc, ds, dyc, trainer, cov, cov_off, g_start, g_size, frozen, r0, r1, q0, q1,
          anneal, count, lr, momentum, velocity, out_all, parallel_filter):
    """Online training over X (T, n_x), targets Y (T, m), per-step weights (T,) (0: no target).

    trainer 0: (D)EKF over the groups, with R annealed geometrically from r0 to r1 and Q from q0
    to q1 over ``anneal`` updates (``count`` [1] holds the updates so far); trainer 1: gradient
    descent with momentum (``velocity``) on the same Jacobian. The state (s, yc, ds, dyc) is
    carried in place; out_all (T, m) receives the outputs before each update;
    the decoupled filters of the truncated Jacobian use the structure of H
    (:func:`dekf_update_lowrank`) when blocks have fewer cells than there are outputs, and
    otherwise ``parallel_filter`` runs the filter's groups on threads
    (:func:`ekf_update_parallel`).
    Returns the first step whose filter lost positive definiteness or produced non-finite
    weights (the weights stay as before that step), or -1.
    """
    P = w.shape[0]
    H = np.zeros((m, P))
    out = np.empty(m)
    e = np.empty(m)
    tmp = np.empty((5 + 2 * S, P))
    n_z = B * S + (n_x if shortcut else 0) + 1
    lowrank = not full and S < m and _groups_within_units(g_start, g_size, P, B, m, n_z)
    dout = np.ones(m)
    for t in range(X.shape[0]):
        step(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, full, X[t], s, yc,
             ds, dyc, out, H, tmp)
        out_all[t] = out
        if weights[t] == 0.0:
            continue
        for k in range(m):
            e[k] = weights[t] * (Y[t, k] - out[k])
        if trainer == 0:
            frac = min(count[0] / anneal, 1.0) if anneal > 0 else 1.0
            r = r0 * (r1 / r0) ** frac
            q = q0 * (q1 / q0) ** frac if q0 > 0 and q1 > 0 else q0 + (q1 - q0) * frac
            backup = w.copy()
            if lowrank:
                if logistic_out:
                    for k in range(m):
                        dout[k] = out[k] * (1.0 - out[k])
                ok = dekf_update_lowrank(w, H, e, dyc, B, S, m, n_z, dout, cov, cov_off,
                                         g_start, g_size, r, q, frozen)
            elif parallel_filter:
                ok = ekf_update_parallel(w, H, e, cov, cov_off, g_start, g_size, r, q, frozen)
            else:
                ok = ekf_update(w, H, e, cov, cov_off, g_start, g_size, r, q, frozen)
            if not ok or not np.all(np.isfinite(w)):
                w[:] = backup
                return t
        else:
            backup, v_backup = w.copy(), velocity.copy()
            for p in range(P):
                if frozen[p]:
                    continue
                grad = 0.0
                for k in range(m):
                    grad += H[k, p] * e[k]
                velocity[p] = momentum * velocity[p] + lr * grad
                w[p] += velocity[p]
            if not np.all(np.isfinite(w)):  # weights and velocity left before the step
                w[:] = backup
                velocity[:] = v_backup
                return t
        count[0] += 1
    return -1
