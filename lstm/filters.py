"""The (decoupled) extended Kalman filters that train the LSTM, as Numba kernels.

The weights fall into groups (one for the global EKF; the blocks and the output units for the
block-decoupled filter; the nodes for the node-decoupled one), group g being
``w[g_start[g]:g_start[g] + g_size[g]]`` with covariance ``cov[cov_off[g]:]`` as
(g_size, g_size). The estimator chooses the update once (:data:`GENERIC`, :data:`PARALLEL` or
:data:`LOWRANK`) and runs the training loop compiled with it (:func:`lstm.kernels.train`), which
calls its entry in :data:`UPDATES`.
"""

from collections import namedtuple

import numpy as np
from numba import njit, prange

from reservoir.common.arrays import copy_into, copy_matrix
from reservoir.common.config import KERNEL, serial_and_parallel

#: The filter's updates: the generic one (:func:`ekf_update`), the same with its groups on
#: threads (:func:`ekf_update_parallel`), and the one that uses the structure of H of the
#: truncated Jacobian (:func:`dekf_update_lowrank`).
GENERIC, PARALLEL, LOWRANK = 0, 1, 2

#: The filter: covariances ``cov`` of the groups (flat), their offsets ``cov_off``, the groups'
#: ``g_start`` and ``g_size``, the ``frozen`` (P,) weights and the update ``kind``.
Filter = namedtuple("Filter", "cov cov_off g_start g_size frozen kind")


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
    zeroed). Returns False if a covariance lost positive definiteness (a non-positive diagonal)
    or H P H^T overflowed (the weights and covariances then left as they were).
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
        np.dot(Hg, Pg, HPg)  # into the kept buffers: no temporary a group and step
        np.dot(HPg, Hg.T, parts[g])
    A = np.eye(m) * r
    for g in range(n_g):
        A += parts[g]
    if not np.all(np.isfinite(A)):  # H P H^T overflowed: the filter diverged at this step
        return False
    A = np.linalg.inv(A)
    Ae = A @ e
    ok = np.ones(n_g, dtype=np.bool_)
    for g in prange(n_g):
        a, n = g_start[g], g_size[g]
        Pg = cov[cov_off[g]:cov_off[g] + n * n].reshape((n, n))
        HPg = HP[a * m:(a + n) * m].reshape((m, n))
        # K = P H^T A, so K e = (H P)^T (A e) and K H P = (H P)^T A (H P): symmetric
        dw = HPg.T @ Ae
        for i in range(n):
            w[a + i] += dw[i]
        ok[g] = _finish_group(Pg, HPg.T @ (A @ HPg), q)
    return ok.all()


#: :func:`_ekf_update` with its groups one after the other, and on threads.
ekf_update, ekf_update_parallel = serial_and_parallel(_ekf_update, "ekf_update")


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
    to round-off (tested). Returns False if a covariance lost positive definiteness or H P H^T
    overflowed (the weights and covariances then left as they were).
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
    if not np.all(np.isfinite(A)):  # H P H^T overflowed: the filter diverged at this step
        return False
    A = np.linalg.inv(A)
    Ae = A @ e
    Ms = np.empty((B, S, S))  # C_j^T A C_j
    CAe = np.empty((B, S))  # C_j^T A e
    for j in range(B):
        C = np.ascontiguousarray(Cs[j])
        copy_matrix(C.T @ A @ C, Ms[j])
        copy_into(C.T @ Ae, CAe[j])
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
def groups_within_units(g_start, g_size, P, B, m, n_z):
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
def update_lowrank(w, H, e, dyc, B, S, m, n_z, dout, filt, r, q):
    """One filter step by :func:`dekf_update_lowrank` with measurement noise r and process
    noise q; False if a covariance lost positive definiteness or H P H^T overflowed. The
    updates of :data:`UPDATES` take the same arguments."""
    return dekf_update_lowrank(w, H, e, dyc, B, S, m, n_z, dout, filt.cov, filt.cov_off,
                               filt.g_start, filt.g_size, r, q, filt.frozen)


@njit(**KERNEL)
def update_parallel(w, H, e, dyc, B, S, m, n_z, dout, filt, r, q):
    """One filter step by :func:`ekf_update_parallel` (as :func:`update_lowrank`)."""
    return ekf_update_parallel(w, H, e, filt.cov, filt.cov_off, filt.g_start, filt.g_size, r, q,
                               filt.frozen)


@njit(**KERNEL)
def update_generic(w, H, e, dyc, B, S, m, n_z, dout, filt, r, q):
    """One filter step by :func:`ekf_update` (as :func:`update_lowrank`)."""
    return ekf_update(w, H, e, filt.cov, filt.cov_off, filt.g_start, filt.g_size, r, q,
                      filt.frozen)


#: The update of each kind.
UPDATES = {GENERIC: update_generic, PARALLEL: update_parallel, LOWRANK: update_lowrank}
