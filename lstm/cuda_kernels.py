"""CUDA kernels (numba-cuda) of the Kalman-trained LSTM: the forward pass of many sequences, and
the two costly parts of a training step, the Jacobian update and the (decoupled) EKF update.

Training keeps on the GPU what grows with the number of weights P: the Jacobian ds/dw, dy_c/dw
(n_cells x P, double-buffered), the output Jacobian H (m x P) and the group covariances (sum of
the squared group sizes); one thread per weight column (or covariance row, grid-stride). Each
step the host runs the O(B n_u) forward step (:func:`lstm.network.forward_step`), uploads what it
recorded as one vector (``rec``: see :func:`jacobian_kernel`), inverts the m x m innovation matrix
and reads the weights back. The arithmetic mirrors :func:`lstm.network.jacobian` and
:func:`lstm.filters.ekf_update` term by term; :func:`train` has the arguments of
:func:`lstm.kernels.train`.
"""

import math

import numpy as np
from numba import cuda

from reservoir.common import config
from reservoir.common.cuda import flat_launch, grid_blocks

from . import kernels, network


@cuda.jit
def jacobian_kernel(w, B, S, n_x, m, shortcut, peepholes, forget, full, rec, frozen, ds_prev,
                    dyc_prev, ds, dyc, H):
    """Column p of ds, dyc (nc, P) and H (m, P) for one step; frozen columns of H are zeroed.

    ``rec`` holds what :func:`lstm.network.forward_step` recorded, one after the other: u (n_u),
    x (n_x), gates (B x 3), cells (nc x 5), s (nc), y_c (nc) and dout (m).

    The nets of block j are visited in the order of the forward step: input gate, forget gate,
    the S cells, output gate (``net`` z = 0, 1, 3.., 2 of the block's weight layout); each one's
    derivative over weight p starts as the direct term (plus, for the full Jacobian, the
    recurrent terms through y_c(t-1)). Device functions are avoided: numba-cuda compiles those
    only with a GPU present, and the kernels must compile to PTX without one.
    """
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    n_z = nc + (n_x if shortcut else 0) + 1
    P = w.shape[0]
    o_x = n_u
    o_gates = o_x + n_x
    o_cells = o_gates + 3 * B
    o_s = o_cells + 5 * nc
    o_yc = o_s + nc
    o_dout = o_yc + nc
    for p in range(cuda.grid(1), P, cuda.gridsize(1)):
        jp = p // PB
        for j in range(B):
            if not full and j != jp:
                for v in range(S):
                    ds[j * S + v, p] = 0.0
                    dyc[j * S + v, p] = 0.0
                continue
            off = j * PB
            pi = off + n_u * (3 + S)
            y_in = rec[o_gates + 3 * j]
            y_phi = rec[o_gates + 3 * j + 1]
            y_out = rec[o_gates + 3 * j + 2]
            d_in = 0.0
            d_phi = 0.0
            for k in range(3 + S):
                z = k if k < 2 else (2 if k == 2 + S else k + 1)  # in, phi, cells, out
                if z == 1 and not forget:
                    continue
                n_off = off + n_u * z
                d = 0.0
                if n_off <= p < n_off + n_u:
                    d += rec[p - n_off]
                if full:
                    for r in range(nc):
                        c_w = w[n_off + n_x + r]
                        if c_w != 0.0:
                            d += c_w * dyc_prev[r, p]
                if z < 3:  # a gate: peepholes, then the logistic derivative
                    y = y_in if z == 0 else (y_phi if z == 1 else y_out)
                    if peepholes:
                        for v in range(S):
                            c = j * S + v
                            if p == pi + z * S + v:
                                d += rec[o_s + c] if z == 2 else rec[o_cells + 5 * c]
                            d += w[pi + z * S + v] * (ds[c, p] if z == 2 else ds_prev[c, p])
                    d *= y * (1.0 - y)
                if z == 0:
                    d_in = d
                elif z == 1:
                    d_phi = d
                elif z == 2:
                    for v in range(S):
                        c = j * S + v
                        dyc[c, p] = d * rec[o_cells + 5 * c + 3] + \
                            (y_out * rec[o_cells + 5 * c + 4]) * ds[c, p]
                else:
                    c = j * S + z - 3
                    ds[c, p] = d_phi * rec[o_cells + 5 * c] + y_phi * ds_prev[c, p] + \
                        d_in * rec[o_cells + 5 * c + 1] + (y_in * rec[o_cells + 5 * c + 2]) * d
        o_off = B * PB
        for k in range(m):
            row = o_off + k * n_z
            acc = 0.0
            for r in range(nc):
                if p == row + r:
                    acc += rec[o_yc + r]
                acc += w[row + r] * dyc[r, p]
            if shortcut and row + nc <= p < row + nc + n_x:
                acc += rec[o_x + p - row - nc]
            if p == row + n_z - 1:
                acc += 1.0
            H[k, p] = 0.0 if frozen[p] else acc * rec[o_dout + k]


@cuda.jit
def hp_kernel(H, cov, cov_off, g_start, g_size, group, HP):
    """HP[:, a:a+n] = H[:, a:a+n] P_g for every group g (one thread per entry of HP)."""
    m, P = H.shape
    for idx in range(cuda.grid(1), m * P, cuda.gridsize(1)):
        k = idx // P
        p = idx % P
        g = group[p]
        a = g_start[g]
        n = g_size[g]
        i = p - a
        base = cov_off[g]
        acc = 0.0
        for q in range(n):
            acc += H[k, a + q] * cov[base + q * n + i]
        HP[k, p] = acc


@cuda.jit
def innovation_kernel(HP, H, out):
    """out = sum_g HP_g H_g^T (m, m): the innovation matrix less R."""
    m, P = H.shape
    for idx in range(cuda.grid(1), m * m, cuda.gridsize(1)):
        k = idx // m
        l = idx % m
        acc = 0.0
        for p in range(P):
            acc += HP[k, p] * H[l, p]
        out[k, l] = acc


@cuda.jit
def gain_kernel(w, HP, A, Ae, AHP):
    """w += HP^T (A e) (the filter's weight update) and AHP = A HP, per weight column."""
    m, P = HP.shape
    for p in range(cuda.grid(1), P, cuda.gridsize(1)):
        acc = 0.0
        for k in range(m):
            acc += HP[k, p] * Ae[k]
            t = 0.0
            for l in range(m):
                t += A[k, l] * HP[l, p]
            AHP[k, p] = t
        w[p] += acc


@cuda.jit
def covariance_kernel(cov, cov_off, g_start, g_size, group, HP, AHP, q, cov_new, bad):
    """Row p of its group's P_g - HP_g^T A HP_g + q I, symmetrised as the CPU filter does, into
    cov_new; bad[0] = 1 when a diagonal entry is not positive."""
    m, P = HP.shape
    for p in range(cuda.grid(1), P, cuda.gridsize(1)):
        g = group[p]
        a = g_start[g]
        n = g_size[g]
        i = p - a
        base = cov_off[g]
        for jj in range(n):
            t_ij = 0.0
            t_ji = 0.0
            for l in range(m):
                t_ij += HP[l, a + i] * AHP[l, a + jj]
                t_ji += HP[l, a + jj] * AHP[l, a + i]
            v_ij = cov[base + i * n + jj] - t_ij
            v_ji = cov[base + jj * n + i] - t_ji
            if jj == i:
                v = v_ij + q
                if not v > 0.0:
                    bad[0] = 1
            elif i < jj:
                v = 0.5 * (v_ij + v_ji)
            else:
                v = 0.5 * (v_ji + v_ij)
            cov_new[base + i * n + jj] = v


@cuda.jit
def forward_kernel(w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash, X, lengths,
                   s, yc, u, out):
    """Outputs out (n_seq, T, m) of padded sequences X (n_seq, T, n_x) of the given lengths, one
    thread per sequence, each from the state (s, yc) (n_seq, nc) with scratch u (n_seq, n_u)."""
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    n_z = nc + (n_x if shortcut else 0) + 1
    for q in range(cuda.grid(1), X.shape[0], cuda.gridsize(1)):
        for t in range(lengths[q]):
            for i in range(n_x):
                u[q, i] = X[q, t, i]
            for r in range(nc):
                u[q, n_x + r] = yc[q, r]
            u[q, n_u - 1] = 1.0
            for j in range(B):
                off = j * PB
                pi = off + n_u * (3 + S)
                net_i = 0.0
                net_f = 0.0
                for i in range(n_u):
                    net_i += w[off + i] * u[q, i]
                    net_f += w[off + n_u + i] * u[q, i]
                if peepholes:
                    for v in range(S):
                        net_i += w[pi + v] * s[q, j * S + v]
                        net_f += w[pi + S + v] * s[q, j * S + v]
                y_in = 1.0 / (1.0 + math.exp(-net_i))
                y_phi = 1.0 / (1.0 + math.exp(-net_f)) if forget else 1.0
                for v in range(S):
                    c_off = off + n_u * (3 + v)
                    net = 0.0
                    for i in range(n_u):
                        net += w[c_off + i] * u[q, i]
                    # network.squash_g and squash_h, inline: a device function here would
                    # need a GPU to compile, and the PTX tests run without one
                    if squash == network.IDENTITY:
                        g = net
                    elif squash == network.LOGISTIC:
                        g = 2.0 * math.tanh(0.5 * net)
                    else:
                        g = math.tanh(net)
                    s[q, j * S + v] = y_phi * s[q, j * S + v] + y_in * g
                net_o = 0.0
                for i in range(n_u):
                    net_o += w[off + 2 * n_u + i] * u[q, i]
                if peepholes:
                    for v in range(S):
                        net_o += w[pi + 2 * S + v] * s[q, j * S + v]
                y_out = 1.0 / (1.0 + math.exp(-net_o))
                for v in range(S):
                    sv = s[q, j * S + v]
                    if squash == network.IDENTITY:
                        hs = sv
                    elif squash == network.LOGISTIC:
                        hs = math.tanh(0.5 * sv)
                    else:
                        hs = math.tanh(sv)
                    yc[q, j * S + v] = y_out * hs
            o_off = B * PB
            for k in range(m):
                row = o_off + k * n_z
                net = w[row + n_z - 1]
                for r in range(nc):
                    net += w[row + r] * yc[q, r]
                if shortcut:
                    for i in range(n_x):
                        net += w[row + nc + i] * X[q, t, i]
                out[q, t, k] = 1.0 / (1.0 + math.exp(-net)) if logistic_out else net



def forward(net, X_seqs):
    """Outputs (n_steps, m) of the network ``net`` (a :class:`lstm.network.Net`) for every
    sequence of ``X_seqs``, each from a zero state, all sequences at once (one GPU thread
    each)."""
    w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash = net
    n, nc = len(X_seqs), B * S
    lengths = np.array([len(x) for x in X_seqs], dtype=np.int64)
    X = np.zeros((n, int(lengths.max()), n_x))
    for q, x in enumerate(X_seqs):
        X[q, :len(x)] = x
    out = cuda.device_array((n, X.shape[1], m))
    forward_kernel[flat_launch(n)](
        cuda.to_device(w), B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash,
        cuda.to_device(X), cuda.to_device(lengths), cuda.to_device(np.zeros((n, nc))),
        cuda.to_device(np.zeros((n, nc))), cuda.device_array((n, n_x + nc + 1)), out)
    host = out.copy_to_host()
    return [host[q, :lengths[q]] for q in range(n)]


def train(net, full, X, Y, weights, state, trainer, filt, schedule, sgd, out_all):
    """:func:`lstm.kernels.train` with the Jacobian and the filter on the GPU: same arguments
    (the filter's ``kind`` has no use here: one update serves all), same updates in place, same
    return value."""
    w, B, S, n_x, m, shortcut, logistic_out, peepholes, forget, squash = net
    s, yc, ds, dyc = state
    cov, cov_off, g_start, g_size, frozen, _ = filt
    r0, r1, q0, q1, anneal, count = schedule
    lr, momentum, velocity = sgd
    P = w.shape[0]
    groups = np.repeat(np.arange(g_start.size), g_size).astype(np.int64)
    d_w = cuda.to_device(w)
    d_frozen = cuda.to_device(frozen)
    d_ds, d_dyc = cuda.to_device(ds), cuda.to_device(dyc)
    d_ds2, d_dyc2 = cuda.device_array_like(ds), cuda.device_array_like(dyc)
    d_cov, d_cov2 = cuda.to_device(cov), cuda.device_array_like(cov)
    d_cov_off, d_start = cuda.to_device(cov_off), cuda.to_device(g_start)
    d_size, d_group = cuda.to_device(g_size), cuda.to_device(groups)
    d_H, d_HP, d_AHP = (cuda.device_array((m, P)) for _ in range(3))
    d_inn = cuda.device_array((m, m))
    d_bad = cuda.to_device(np.zeros(1, np.int64))
    rec = network.record(B, S, n_x, m)
    u, gates, cells, out, dout = rec
    threads = config.CUDA_THREADS
    cols, entries = grid_blocks(P), grid_blocks(m * P)
    failed = -1
    for t in range(X.shape[0]):
        network.forward_step(net, X[t], s, yc, rec)
        out_all[t] = out
        record = np.concatenate([u, X[t], gates.ravel(), cells.ravel(), s, yc, dout])
        jacobian_kernel[cols, threads](d_w, B, S, n_x, m, shortcut, peepholes, forget, full,
                                       cuda.to_device(record), d_frozen, d_ds, d_dyc, d_ds2, d_dyc2,
                                       d_H)
        d_ds, d_ds2, d_dyc, d_dyc2 = d_ds2, d_ds, d_dyc2, d_dyc
        if weights[t] == 0.0:
            continue
        e = weights[t] * (Y[t] - out)
        if trainer == kernels.FILTER:
            frac = min(count[0] / anneal, 1.0) if anneal > 0 else 1.0
            r = r0 * (r1 / r0) ** frac
            q = q0 * (q1 / q0) ** frac if q0 > 0 and q1 > 0 else q0 + (q1 - q0) * frac
            hp_kernel[entries, threads](d_H, d_cov, d_cov_off, d_start, d_size, d_group, d_HP)
            innovation_kernel[flat_launch(m * m)](d_HP, d_H, d_inn)
            innovation = np.eye(m) * r + d_inn.copy_to_host()
            if not np.all(np.isfinite(innovation)):  # H P H^T overflowed, as on the CPU
                failed = t
                break
            A = np.linalg.inv(innovation)
            gain_kernel[cols, threads](d_w, d_HP, cuda.to_device(A), cuda.to_device(A @ e),
                                       d_AHP)
            covariance_kernel[cols, threads](d_cov, d_cov_off, d_start, d_size, d_group, d_HP,
                                             d_AHP, q, d_cov2, d_bad)
            d_cov, d_cov2 = d_cov2, d_cov
            new = d_w.copy_to_host()
            if d_bad.copy_to_host()[0] or not np.all(np.isfinite(new)):
                failed = t
                break
            w[:] = new
        else:
            H = d_H.copy_to_host()
            step = np.where(frozen, velocity, momentum * velocity + lr * (e @ H))
            new = np.where(frozen, w, w + step)
            if not np.all(np.isfinite(new)):  # weights and velocity left before the step
                failed = t
                break
            velocity[:] = step
            w[:] = new
            d_w = cuda.to_device(w)
        count[0] += 1
    d_ds.copy_to_host(ds)
    d_dyc.copy_to_host(dyc)
    d_cov.copy_to_host(cov)
    return failed
