"""Ridge regressions for many ridge values from one SVD, with their leave-one-out outputs, and
the softmax temperature that makes a ridge classifier's outputs probabilities.

For centred features F (n, p) (the intercept, unpenalised, is then the mean target) and
F = U diag(s) V^T, the fitted outputs are ``mean(Y) + U diag(s^2 / (s^2 + ridge)) U^T Yc`` and
the leverages ``h_i = 1/n + sum_j U_ij^2 s_j^2 / (s_j^2 + ridge)``; the output at i of the model
fitted without row i is ``Y_i - (Y_i - fit_i) / (1 - h_i)`` (Hastie et al., Elements of
Statistical Learning, 7.10). With fewer rows than features (one row per sequence), U and s^2
come from the eigendecomposition of the n x n matrix F F^T instead (as scikit-learn's
RidgeClassifierCV does), and the weights are ``F^T U diag(1 / (s^2 + ridge)) U^T Yc``.
"""

import numpy as np
from scipy.special import softmax

#: Ridge values the classifier chooses from by leave-one-out, on standardised features.
RIDGES = np.logspace(-2, 4, 13)
#: Those the sequence regressor chooses from (standardised features and targets): a smooth
#: target of a few hundred sequences (Tecator's fat content from spectra) calls for values
#: down to 1e-8, far below any a one-hot classification needs.
REGRESSION_RIDGES = np.logspace(-8, 4, 25)


class SVDRidge:
    """The ridge regressions of Y on the centred rows F (an unpenalised intercept, the mean
    target), for any ridge value, and their leave-one-out outputs, from one SVD of F (or, with
    fewer rows than features, one eigendecomposition of F F^T): the accumulator of a
    :class:`~reservoir.readout.Readout` whose rows all come at once (one row per sequence for
    the classifier), with the interface of :class:`~reservoir.readout.QRRidge`.

    Parameters
    ----------
    F : ndarray of shape (n, p)
        Features with zero mean over the rows.
    Y : ndarray of shape (n, m)
        Targets.
    factors : tuple or None, default=None
        ``factorize(F[:, None])[0]`` when already computed (:meth:`each`).
    """

    intercept = True

    def __init__(self, F, Y, factors=None):
        self.n_samples, self.n_features = F.shape[0], F.shape[1] + 1
        self.n_outputs = Y.shape[1]
        self.mean = Y.mean(axis=0)
        self.Y = Y
        self.U, self.s, self.Vt = factorize(F[:, None])[0] if factors is None else factors
        self.F = F if self.Vt is None else None  # the weights' basis F^T U without V^T
        self.UtY = self.U.T @ (Y - self.mean)

    @classmethod
    def each(cls, F, Y):
        """One :class:`SVDRidge` per member k of F (n, M, p) (``F[:, k]``), all factorised
        at once by :func:`factorize`."""
        return [cls(F[:, k], Y, factors) for k, factors in enumerate(factorize(F))]

    def _shrink(self, ridge):
        """s^2 / (s^2 + ridge) (the pseudo-inverse's 0/1 pattern at ridge 0)."""
        if ridge > 0:
            return self.s ** 2 / (self.s ** 2 + ridge)
        return (self.s > self.s.max(initial=0) * 1e-10).astype(float)

    def solve(self, ridge):
        """Weights [intercept; coef] (p + 1, m), or (n_ridges, p + 1, m) for an array of
        ridges (each >= 0)."""
        if np.ndim(ridge):
            return np.stack([self.solve(float(r)) for r in ridge])
        shrink = self._shrink(ridge)
        if self.Vt is None:  # from F F^T: F^T U diag(shrink / s^2) U^T Yc
            inverse = np.divide(shrink, self.s ** 2, out=np.zeros_like(self.s),
                                where=self.s > 0)
            coef = self.F.T @ (self.U @ (inverse[:, None] * self.UtY))
        else:
            inverse = np.divide(shrink, self.s, out=np.zeros_like(self.s), where=self.s > 0)
            coef = self.Vt.T @ (inverse[:, None] * self.UtY)
        return np.vstack([self.mean[None, :], coef])

    def gram(self):
        """[1 F]^T [1 F] (p + 1, p + 1) (the columns of F sum to zero)."""
        G = np.zeros((self.n_features, self.n_features))
        G[0, 0] = self.n_samples
        G[1:, 1:] = self.F.T @ self.F if self.Vt is None else (self.Vt.T * self.s ** 2) @ self.Vt
        return G

    def outputs(self, ridge):
        """Leave-one-out outputs (n, m) for one ridge value (>= 0), or (n_ridges, n, m) for an
        array of them."""
        shrink = np.stack([self._shrink(float(r)) for r in np.ravel(ridge)])[:, None, :]
        fit = self.mean + (self.U * shrink) @ self.UtY
        leverage = 1.0 / len(self.Y) + (self.U ** 2 * shrink).sum(axis=2)
        out = self.Y - (self.Y - fit) / np.maximum(1.0 - leverage, 1e-12)[:, :, None]
        return out if np.ndim(ridge) else out[0]

    def best_ridge(self, ridges, labels=None):
        """The ridge value whose leave-one-out outputs classify ``labels`` (n,) (indices of the
        columns of Y) best: fewest errors, then the least squared error; without labels (a
        regression), the least squared error."""
        out = self.outputs(np.asarray(ridges))
        squared = np.mean((out - self.Y) ** 2, axis=(1, 2))
        if labels is None:
            return float(ridges[np.argmin(squared)])
        errors = np.sum(out.argmax(axis=2) != labels, axis=1)
        return float(ridges[np.lexsort((squared, errors))[0]])


def factorize(F):
    """U (n, r), s (r,) and V^T (r, p) of the thin SVD of each member ``F[:, k]`` of F (n, M,
    p), largest s first; with fewer rows than features, U and s from one batched
    eigendecomposition of the members' F F^T (n, n), the directions whose s^2 is at most
    ``n eps`` times the largest left out (the round-off of F F^T), and V^T None.

    Parameters
    ----------
    F : ndarray of shape (n, M, p)
        The centred features of M members.

    Returns
    -------
    factors : list of M (U, s, Vt) tuples
    """
    n, M, p = F.shape
    if n >= p:
        return [np.linalg.svd(F[:, k], full_matrices=False) for k in range(M)]
    members = F.transpose(1, 0, 2)
    lam, vectors = np.linalg.eigh(members @ members.transpose(0, 2, 1))
    floor = lam[:, -1:] * n * np.finfo(F.dtype).eps
    factors = []
    for k in range(M):
        keep = np.flatnonzero(lam[k] > floor[k])[::-1]
        factors.append((vectors[k][:, keep], np.sqrt(lam[k, keep]), None))
    return factors


def temperatures(outputs, labels):
    """The T > 0 of each member k that minimises the log-loss of ``softmax(T * outputs[k])``
    for ``labels`` (n,), outputs (M, n, m), within [1e-3, 1e3]: Newton's method on the convex
    loss for all members at once, a step that leaves the bracket of the minimum replaced by
    halving the bracket (in log T), to 1e-10 relative.

    Parameters
    ----------
    outputs : ndarray of shape (M, n, m)
        Each member's (leave-one-out) outputs.
    labels : ndarray of shape (n,)
        The right column of each row.

    Returns
    -------
    T : ndarray of shape (M,)
    """
    z_true = outputs[:, np.arange(outputs.shape[1]), labels]
    lo, hi = np.full(len(outputs), np.log(1e-3)), np.full(len(outputs), np.log(1e3))
    T = np.ones(len(outputs))
    for _ in range(200):
        p = softmax(T[:, None, None] * outputs, axis=2)
        mean = np.sum(p * outputs, axis=2)
        slope = np.mean(mean - z_true, axis=1)  # d loss / dT
        curvature = np.mean(np.sum(p * outputs ** 2, axis=2) - mean ** 2, axis=1)
        lo = np.where(slope < 0, np.log(T), lo)
        hi = np.where(slope > 0, np.log(T), hi)
        newton = np.divide(slope, curvature, out=np.zeros_like(T), where=curvature > 0)
        # converged, or the bracket closed (separable outputs: the minimum at the bracket's
        # end, where Newton's steps stay large, the loop ran all 200 halvings)
        done = ((np.abs(newton) <= 1e-10 * T) & ((curvature > 0) | (slope == 0))
                | (hi - lo <= 1e-10))
        if done.all():
            return T
        step = T - newton
        inside = (curvature > 0) & (step >= np.exp(lo)) & (step <= np.exp(hi))
        T = np.where(done, T, np.where(inside, step, np.exp(0.5 * (lo + hi))))
    return T
