"""The ridge value chosen by blocked cross-validation over the readout's training rows
(``ridge=None``), from the accumulators alone: no row is kept.

The rows arrive in time order; :class:`BlockedRidge` sums them in :data:`N_BLOCKS` contiguous
blocks (:class:`~reservoir.readout.GramRidge` sums each). Each block is scored by the weights
solved from the others' sums (the total less the block's), for every value of :data:`RIDGES`
from one eigendecomposition per block, and the value with the least squared error over all
blocks is chosen. Contiguous blocks, not shuffled rows, because a reservoir's neighbouring rows
are alike: a row's neighbours in training would flatter small ridge values (as generalised
cross-validation does when the rows are barely more than the features: a 300-unit ESN on 300
rows chose 1e-5 by GCV, test R^2 -5.4; blocked, 0.1 and 0.94).
"""

import numpy as np

from .common.device import readout_threads, thread_map
from .common.memory import check_fits
from .readout import GramRidge, QRRidge, Readout, check_readout_memory

#: Contiguous blocks of the training rows, each left out once.
N_BLOCKS = 5
#: The ridge values compared: half-decades from 1e-10 to 1e4.
RIDGES = np.logspace(-10, 4, 29)
#: The ridge of a readout with fewer than two training rows (nothing to cross-validate).
FEW_ROWS_RIDGE = 1.0


class BlockedRidge:
    """A ridge accumulator (the interface of :class:`~reservoir.readout.QRRidge`) that also
    keeps the sums of its rows (:class:`~reservoir.readout.GramRidge`) in :data:`N_BLOCKS`
    contiguous blocks, in the order the rows are added, for :meth:`errors`.

    With ``solver="qr"`` the rows go to a QR accumulator too, which solves the readout (the
    blocks' sums only compare ridge values: their normal equations cost an eigendecomposition
    per block, where merging triangles and an SVD per block cost 3.5 times as much at 1000
    features); with ``"gram"`` the blocks' sums are the readout's.

    Parameters
    ----------
    solver : {"qr", "gram"}
        The accumulator of the readout (:data:`~reservoir.readout.SOLVERS`).
    n_features, n_outputs : int
        Columns p of the design rows, and targets m.
    intercept : bool
        Whether the first column is the constant 1 (not penalised).
    n_rows : int
        The rows that will be added (the blocks' edges); more go to the last block.
    """

    def __init__(self, solver, n_features, n_outputs, intercept, n_rows):
        self.n_features, self.n_outputs, self.intercept = n_features, n_outputs, intercept
        k = max(1, min(N_BLOCKS, n_rows))
        check_readout_memory(n_features, n_features + n_outputs)  # what any readout needs
        check_fits(8 * (k + 3) * n_features ** 2, f"Choosing the ridge (ridge=None) over "
                   f"{n_features} features", "Set ridge to a number, or use fewer features.")
        self.edges = np.linspace(0, n_rows, k + 1).astype(int)
        self.edges[-1] = np.iinfo(np.int64).max
        self.blocks = [GramRidge(n_features, n_outputs, intercept) for _ in range(k)]
        self.main = QRRidge(n_features, n_outputs, intercept) if solver == "qr" else None
        self.n_samples = 0
        self.workers = 1  # the updates' threads, for the folds' solves

    def update(self, F, Y, workers=1):
        """Add the rows F (T, p) with targets Y (T, m)."""
        self.workers = workers
        if self.main is not None:
            self.main.update(F, Y, workers)
        self._route(F.shape[0], lambda acc, rows: acc.update(F[rows], Y[rows], workers))

    def update_blocks(self, blocks, Y, workers=1):
        """Add the rows ``F = [1, *blocks]`` (the constant only with ``intercept``) with targets
        Y (T, m)."""
        self.workers = workers
        if self.main is not None:
            self.main.update_blocks(blocks, Y, workers)
        self._route(Y.shape[0], lambda acc, rows: acc.update_blocks(
            [b[rows] for b in blocks], Y[rows], workers))

    def _route(self, T, add):
        start = self.n_samples
        for acc, lo, hi in zip(self.blocks, self.edges[:-1], self.edges[1:]):
            lo, hi = max(lo, start), min(hi, start + T)
            if hi > lo:
                add(acc, slice(lo - start, hi - start))
        self.n_samples += T

    def errors(self, ridges):
        """Squared errors (n_ridges,) of every block under the weights of each ridge value
        solved from the other blocks' sums (one eigendecomposition each), summed over the
        blocks."""
        total, ridges = self._sums(), np.asarray(ridges, dtype=np.float64)

        def error(block):
            return block.squared_errors(total.merged(block, sign=-1).solve(ridges))

        # the blocks side by side, each on one BLAS thread (the same bits on any threads, and
        # no BLAS thread left spinning on the cores the next harvest needs)
        return np.sum(thread_map(error, self.blocks, readout_threads(
            self.workers, self.n_features), one_blas=True), axis=0)

    def _sums(self):
        acc = self.blocks[0]
        for block in self.blocks[1:]:
            acc = acc.merged(block)
        return acc

    def merged(self):
        """The readout's accumulator of all the rows."""
        return self.main if self.main is not None else self._sums()

    def solve(self, ridge):
        """Weights of all the rows (see :meth:`~reservoir.readout.QRRidge.solve`)."""
        return self.merged().solve(ridge)

    def gram(self):
        """``F^T F`` (p, p) of all the rows."""
        return self.merged().gram()


def choose_ridge(readout):
    """(ridge, readout of all the rows) for a :class:`~reservoir.readout.Readout` of a
    :class:`BlockedRidge`: the value of :data:`RIDGES` with the least blocked cross-validation
    error (:data:`FEW_ROWS_RIDGE` below two rows)."""
    blocked = readout.accumulator
    if blocked.n_samples < 2 or len(blocked.blocks) < 2:
        return FEW_ROWS_RIDGE, Readout(blocked.merged())
    errors = blocked.errors(RIDGES)
    return float(RIDGES[np.nanargmin(errors)]), Readout(blocked.merged())
