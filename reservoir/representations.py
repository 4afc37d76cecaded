"""Fixed-size vectors of variable-length sequences, from their reservoir states (for classifying
whole sequences: :class:`reservoir.ESNClassifier`).

Computed while the harvest engine streams the packed states (:mod:`reservoir.harvest`), for all
sequences of a piece at once, without keeping the states:

* ``"last"``: the state at the last step x(T-1) (N,);
* ``"mean"``: the mean state over the steps after the washout (N,);
* ``"last_mean"``: both, concatenated (2N,);
* ``"model"``: the reservoir model space (Bianchi et al. 2020, IEEE TNNLS 32(5)): the states
  projected on their first D principal components (fitted on the training states) z(t), and a
  ridge regression per sequence predicting its next input u(t+1) from [1, z(t)] (penalty
  ``space_ridge`` on every weight); its weights ((D + 1) n_inputs,) are the sequence's vector.

An ensemble's members (a block-diagonal reservoir, :func:`reservoir.weights.block_diagonal`)
each give their own vector, from their own block of units.
"""

import numpy as np
from numba import njit

from .common.config import KERNEL

REPRESENTATIONS = ("last", "mean", "last_mean", "model")


@njit(**KERNEL)
def add_sums(S, begin, stop, out):
    """out[b] += the sum of the rows begin[b] .. stop[b] - 1 of S (n, N); out (B, N)."""
    for b in range(out.shape[0]):
        for r in range(begin[b], stop[b]):
            for j in range(S.shape[1]):
                out[b, j] += S[r, j]


@njit(**KERNEL)
def add_model_rows(Z, V, begin, stop, G, B):
    """Accumulate, for each member k and sequence b, the normal equations of the regression of
    V on [1, Z[k]] over its rows begin[b] .. stop[b] - 1: G[k, b] (D + 1, D + 1) += [1 z]^T
    [1 z] (lower triangle only) and B[k, b] (D + 1, m) += [1 z]^T v, for Z (M, n, D) and V
    (n, m). Every entry adds its rows' products one by one in row order; four rows a pass
    (each entry of G read and written once for the four)."""
    D, m = Z.shape[2], V.shape[1]
    for k in range(G.shape[0]):
        for b in range(G.shape[1]):
            r = begin[b]
            while r + 4 <= stop[b]:
                z0, z1, z2, z3 = Z[k, r], Z[k, r + 1], Z[k, r + 2], Z[k, r + 3]
                v0, v1, v2, v3 = V[r], V[r + 1], V[r + 2], V[r + 3]
                G[k, b, 0, 0] += 4.0
                for c in range(m):
                    B[k, b, 0, c] = (((B[k, b, 0, c] + v0[c]) + v1[c]) + v2[c]) + v3[c]
                for i in range(D):
                    a0, a1, a2, a3 = z0[i], z1[i], z2[i], z3[i]
                    G[k, b, i + 1, 0] = (((G[k, b, i + 1, 0] + a0) + a1) + a2) + a3
                    row = G[k, b, i + 1]
                    for j in range(i + 1):
                        g = row[j + 1] + a0 * z0[j]
                        g += a1 * z1[j]
                        g += a2 * z2[j]
                        row[j + 1] = g + a3 * z3[j]
                    for c in range(m):
                        g = B[k, b, i + 1, c] + a0 * v0[c]
                        g += a1 * v1[c]
                        g += a2 * v2[c]
                        B[k, b, i + 1, c] = g + a3 * v3[c]
                r += 4
            for t in range(r, stop[b]):
                G[k, b, 0, 0] += 1.0
                for c in range(m):
                    B[k, b, 0, c] += V[t, c]
                for i in range(D):
                    zi = Z[k, t, i]
                    G[k, b, i + 1, 0] += zi
                    for j in range(i + 1):
                        G[k, b, i + 1, j + 1] += zi * Z[k, t, j]
                    for c in range(m):
                        B[k, b, i + 1, c] += zi * V[t, c]


@njit(**KERNEL)
def solve_models(G, B, done, ridge, out):
    """out[d, k] = vec((G[k, b] + ridge I)^-1 B[k, b]) for each member k and sequence
    b = done[d], by Cholesky; G (M, n_b, q, q) holds the lower triangles (as
    :func:`add_model_rows` leaves them), B (M, n_b, q, m), out (n_done, M, q * m) row-major
    (weight of feature i for input c at i * m + c). ridge > 0."""
    q, m = B.shape[2], B.shape[3]
    L = np.empty((q, q))
    W = np.empty((q, m))
    for k in range(G.shape[0]):
        for d in range(done.shape[0]):
            b = done[d]
            for i in range(q):  # Cholesky A = L L^T of A = G + ridge I, lower triangle
                for j in range(i + 1):
                    s = G[k, b, i, j] + (ridge if i == j else 0.0)
                    for c in range(j):
                        s -= L[i, c] * L[j, c]
                    L[i, j] = np.sqrt(s) if i == j else s / L[j, j]
            for i in range(q):  # L y = B, every input's column at once
                for c in range(m):
                    W[i, c] = B[k, b, i, c]
                for j in range(i):
                    for c in range(m):
                        W[i, c] -= L[i, j] * W[j, c]
                for c in range(m):
                    W[i, c] /= L[i, i]
            for i in range(q - 1, -1, -1):  # L^T w = y
                for j in range(i + 1, q):
                    for c in range(m):
                        W[i, c] -= L[j, i] * W[j, c]
                for c in range(m):
                    W[i, c] /= L[i, i]
            for i in range(q):
                for c in range(m):
                    out[d, k, i * m + c] = W[i, c]


def n_dimensions(kind, n_units, n_components, n_inputs):
    """Length of one member's vector."""
    if kind == "model":
        return (min(n_components, n_units) + 1) * n_inputs
    return 2 * n_units if kind == "last_mean" else n_units


class Projection:
    """Principal axes of each member's states (the model space's reduction), fitted by
    streaming: :meth:`add` the states after the washout, then :meth:`fit`.

    Parameters
    ----------
    n_members : int
        Members side by side (blocks of ``n_units`` columns of the states).
    n_units : int
        Units N of a member.
    n_components : int
        Axes D kept (at most N).
    """

    def __init__(self, n_members, n_units, n_components):
        self.n_members, self.n_units = n_members, n_units
        self.n_components = min(n_components, n_units)
        self.count = 0
        self.sums = np.zeros((n_members, n_units))
        self.squares = np.zeros((n_members, n_units, n_units))

    def add(self, S):
        """Add states S (n, n_members * N)."""
        S = S.astype(np.float64, copy=False)
        self.count += S.shape[0]
        blocks = S.reshape(S.shape[0], self.n_members, self.n_units)
        self.sums += blocks.sum(axis=0)
        for k in range(self.n_members):  # B^T B of each member: a symmetric product (syrk)
            B = S[:, k * self.n_units:(k + 1) * self.n_units]
            self.squares[k] += B.T @ B

    def fit(self):
        """Returns (mean (n_members, N), axes (n_members, N, D)), the axes by decreasing
        variance (each axis's sign fixed: largest entry positive)."""
        mean = self.sums / self.count
        cov = self.squares / self.count - mean[:, :, None] * mean[:, None, :]
        top = np.linalg.eigh(cov)[1][:, :, ::-1][:, :, :self.n_components]
        rows = np.argmax(np.abs(top), axis=1)  # (n_members, D): each axis's largest entry
        signs = np.sign(np.take_along_axis(top, rows[:, None, :], axis=1))
        return mean, top * np.where(signs == 0, 1.0, signs)


class Summaries:
    """One vector per sequence and member, accumulated over the pieces of a harvest.

    Parameters
    ----------
    kind : {"last", "mean", "last_mean", "model"}
        The representation (see the module).
    pack : reservoir.harvest.Pack
        The layout of the harvest.
    U : ndarray of shape (pack.n_rows, n_inputs)
        The packed inputs (the model space's targets are the next ones).
    washout : int
        Steps of each sequence left out of the mean and the model space.
    n_members, n_units : int
        Members side by side, units of each.
    projection : tuple (mean, axes), default=None
        For ``"model"``: what :meth:`Projection.fit` returned.
    space_ridge : float, default=1.0
        For ``"model"``: the penalty of each sequence's regression.
    """

    def __init__(self, kind, pack, U, washout, n_members, n_units, projection=None,
                 space_ridge=1.0):
        self.kind, self.pack, self.washout = kind, pack, washout
        self.n_members, self.n_units = n_members, n_units
        n_seq, width = len(pack.lengths), n_members * n_units
        if kind in ("last", "last_mean"):
            self.last = np.zeros((n_seq, width))
        if kind in ("mean", "last_mean"):
            self.sums = np.zeros((n_seq, width))
        if kind == "model":
            self.mean, self.axes = projection
            self.space_ridge = float(space_ridge)
            D, m = self.axes.shape[2], U.shape[1]
            self.next_inputs = np.zeros_like(U, dtype=np.float64)  # u(t + 1), packed
            self.next_inputs[:-1] = U[1:]
            self.models = np.zeros((n_seq, n_members, (D + 1) * m))
            self._open = None  # (first packed sequence, G, B) of a group running in windows

    def add(self, piece):
        """Add the states of one :class:`~reservoir.harvest.Piece`."""
        S, k0, k1 = piece.states, piece.seqs.start, piece.seqs.stop
        starts, t0 = piece.starts, piece.t0
        counts = np.diff(starts)
        ends_here = self.pack.lengths[k0:k1] == t0 + counts  # sequences that end in this piece
        if hasattr(self, "last"):
            self.last[k0:k1][ends_here] = S[starts[1:][ends_here] - 1]
        begin = starts[:-1] + max(0, self.washout - t0)
        if hasattr(self, "sums"):
            add_sums(S, begin, starts[1:], self.sums[k0:k1])
        if self.kind == "model":
            stop = starts[:-1] + np.minimum(counts, self.pack.lengths[k0:k1] - 1 - t0)
            self._add_model(piece, S, begin, np.maximum(stop, begin), ends_here)

    def _add_model(self, piece, S, begin, stop, ends_here):
        k0, k1 = piece.seqs.start, piece.seqs.stop
        M, N, D, m = self.n_members, self.n_units, self.axes.shape[2], self.next_inputs.shape[1]
        if piece.t0 == 0:
            G = np.zeros((M, k1 - k0, D + 1, D + 1))
            B = np.zeros((M, k1 - k0, D + 1, m))
            self._open = (k0, G, B)
        first, G, B = self._open
        G, B = G[:, k0 - first:k1 - first], B[:, k0 - first:k1 - first]
        # (S - mean) axes of every member at once, without state-sized temporaries:
        # S axes - mean axes, one product per member's block of columns
        blocks = S.reshape(S.shape[0], M, N).transpose(1, 0, 2)
        Z = np.matmul(blocks, self.axes) - np.matmul(self.mean[:, None, :], self.axes)
        add_model_rows(Z, self.next_inputs[piece.rows], begin, stop, G, B)
        done = np.flatnonzero(ends_here)
        out = np.empty((done.size, M, (D + 1) * m))
        solve_models(G, B, done, self.space_ridge, out)
        self.models[k0 + done] = out

    def result(self):
        """The vectors (n_sequences, n_members, dimensions), in the caller's order."""
        n_seq, M, N = len(self.pack.lengths), self.n_members, self.n_units
        parts = []
        if hasattr(self, "last"):
            parts.append(self.last.reshape(n_seq, M, N))
        if hasattr(self, "sums"):
            counts = np.maximum(self.pack.lengths - self.washout, 1)
            parts.append((self.sums / counts[:, None]).reshape(n_seq, M, N))
        if self.kind == "model":
            parts.append(self.models)
        packed = np.concatenate(parts, axis=2)
        out = np.empty_like(packed)
        out[self.pack.order] = packed
        return out
