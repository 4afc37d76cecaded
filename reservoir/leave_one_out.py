"""Leave-one-out outputs of a ridge regression for many ridge values from one SVD, and the
softmax temperature that makes a ridge classifier's outputs probabilities.

For centred features F (n, p) (the intercept, unpenalised, is then the mean target) and
F = U diag(s) V^T, the fitted outputs are ``mean(Y) + U diag(s^2 / (s^2 + ridge)) U^T Yc`` and
the leverages ``h_i = 1/n + sum_j U_ij^2 s_j^2 / (s_j^2 + ridge)``; the output at i of the model
fitted without row i is ``Y_i - (Y_i - fit_i) / (1 - h_i)`` (Hastie et al., Elements of
Statistical Learning, 7.10).
"""

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax

#: Ridge values the classifier chooses from by leave-one-out, on standardised features.
RIDGES = np.logspace(-2, 4, 13)


class LeaveOneOut:
    """Leave-one-out outputs of the ridge regressions of Y on F.

    Parameters
    ----------
    F : ndarray of shape (n, p)
        Features with zero mean over the rows.
    Y : ndarray of shape (n, m)
        Targets.
    """

    def __init__(self, F, Y):
        self.mean = Y.mean(axis=0)
        self.Y = Y
        self.U, self.s, _ = np.linalg.svd(F, full_matrices=False)
        self.UtY = self.U.T @ (Y - self.mean)

    def outputs(self, ridge):
        """Leave-one-out outputs (n, m) for one ridge value (>= 0)."""
        shrink = self.s ** 2 / (self.s ** 2 + ridge) if ridge > 0 else \
            (self.s > self.s.max(initial=0) * 1e-10).astype(float)
        fit = self.mean + (self.U * shrink) @ self.UtY
        leverage = 1.0 / len(self.Y) + (self.U ** 2) @ shrink
        return self.Y - (self.Y - fit) / np.maximum(1.0 - leverage, 1e-12)[:, None]

    def best_ridge(self, ridges, labels):
        """The ridge value whose leave-one-out outputs classify ``labels`` (n,) (indices of the
        columns of Y) best: fewest errors, then the least squared error."""
        keys = []
        for ridge in ridges:
            out = self.outputs(ridge)
            keys.append((int(np.sum(out.argmax(axis=1) != labels)),
                         float(np.mean((out - self.Y) ** 2))))
        return float(ridges[min(range(len(ridges)), key=keys.__getitem__)])


def temperature(outputs, labels):
    """The T > 0 that minimises the log-loss of ``softmax(T * outputs)`` (n, m) for ``labels``
    (n,) (searched in [1e-3, 1e3])."""
    rows = np.arange(len(labels))

    def loss(log_t):
        return -np.mean(log_softmax(np.exp(log_t) * outputs, axis=1)[rows, labels])

    return float(np.exp(minimize_scalar(loss, bounds=(np.log(1e-3), np.log(1e3)),
                                        method="bounded").x))
