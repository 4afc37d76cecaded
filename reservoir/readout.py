"""Linear readouts trained by ridge regression, streamed chunk by chunk, and by RLS.

Design matrix rows are ``f(t) = [1, u(t), x(t), x(t)[::2]**2]`` (the constant only with an
intercept, the squares only when asked). The ridge convention: minimise
``||Y - F w||^2 + ridge ||w_penalised||^2``, i.e. ``ridge`` is added to ``F^T F`` unscaled by the
number of samples, and the intercept (when there is one) is not penalised.

* :class:`QRRidge` keeps the triangular factor R of F and ``Q^T Y`` (tall-skinny QR: each chunk is
  stacked under the current R and refactorised, LAPACK's triangular-pentagonal QR), so memory is
  O(p^2) whatever the length. It solves each ridge value by the QR factorisation of
  ``[R; sqrt(ridge) I]`` (again triangular-pentagonal: about 1 ms at p = 300), or, for longer
  sweeps, through one SVD of R shared by all values (about 13 ms at p = 300); both are accurate
  for tiny ridge values, where the normal equations square the condition number.
* :class:`GramRidge` accumulates ``F^T F`` and ``F^T Y``; faster, fine for larger ridge values.
* :func:`rls_update`: recursive least squares with a forgetting factor, for online learning.
"""

import numpy as np
import scipy.linalg as sla
from numba import njit

from . import lapack
from .common.config import KERNEL
from .common.device import SMALL_BLAS, one_blas_thread, readout_threads, thread_map
from .common.docstrings import filler
from .common.memory import check_fits

#: A QR update from SMALL_BLAS features of at least QR_TALL times as many rows as its triangle's
#: size is a tall-skinny QR over ``max(2, rows // (QR_TALL * size))`` equal parts of its rows, at
#: most QR_MAX_PARTS (below, one LAPACK call on BLAS's threads: parts shorter than twice the
#: triangle's size cost more in merges than two threads gain).
QR_TALL = 4
QR_MAX_PARTS = 8

#: Ridge values a QRRidge solves one by one (each by a QR of [R; sqrt(ridge) I]) between two
#: updates before it switches to one SVD of R for all further values: a 302 x 302 SVD costs as
#: much as about ten such solves.
DIRECT_SOLVES = 8


def n_features(n_inputs, n_reservoir, squares, intercept):
    """Number of columns of the design matrix."""
    return int(intercept) + n_inputs + n_reservoir + (squares * ((n_reservoir + 1) // 2))


def feature_blocks(inputs, states, squares):
    """The column blocks of the design matrix after its constant: ``[u(t), x(t)]`` and, with
    ``squares``, ``x(t)[::2]**2``; inputs (T, n_in), states (T, N)."""
    return [inputs, states] + ([states[:, ::2] ** 2] if squares else [])


def stack_blocks(blocks, intercept, dtype=None):
    """``[1, *blocks]`` (the constant only with ``intercept``) as one (T, p) matrix: blocks
    (T, p_i), cast to ``dtype`` when given (the constant has the last block's dtype)."""
    blocks = [np.asarray(b, dtype=dtype) for b in blocks]
    ones = [np.ones((blocks[-1].shape[0], 1), dtype=blocks[-1].dtype)] if intercept else []
    return np.concatenate(ones + blocks, axis=1)


def design_matrix(inputs, states, squares, intercept):
    """Rows ``[1, u(t), x(t), x(t)[::2]**2]``: inputs (T, n_in), states (T, N) -> (T, p)."""
    return stack_blocks(feature_blocks(inputs, states, squares), intercept)


def _as_ridges(ridge):
    ridges = np.atleast_1d(np.asarray(ridge, dtype=np.float64))
    if ridges.ndim != 1 or np.any(~np.isfinite(ridges)) or np.any(ridges < 0):
        raise ValueError("ridge must be a finite number >= 0 (or a 1-D array of them), got "
                         f"{ridge!r}.")
    return ridges

#: Docstring sections shared by the two accumulators (same interface).
fill_doc = filler({
    "accumulator_parameters": """\
Parameters
----------
n_features : int
    Number of columns p of the design matrix F.
n_outputs : int
    Number of targets m.
intercept : bool
    Whether the first column of F is the constant 1 (then not penalised).""",
    "update_parameters": """\
Parameters
----------
F : ndarray of shape (T, p)
    Design-matrix rows.
Y : ndarray of shape (T, m)
    Their targets.
workers : int or None, default=1
    Threads for the parts of an update from :data:`~reservoir.common.device.SMALL_BLAS`
    features (:class:`QRRidge`'s tall-skinny parts, :class:`GramRidge`'s column tiles; see
    :func:`~reservoir.common.device.readout_threads`).""",
    "blocks_parameters": """\
Parameters
----------
blocks : list of ndarray of shape (T, p_i)
    The column blocks of F after its constant (:func:`feature_blocks`).
Y : ndarray of shape (T, m)
    Their targets.
workers : int or None, default=1
    Threads for the update (None: all cores; -k: all but k - 1). :class:`GramRidge` sums
    parts of :data:`PART_ROWS` rows on them, or from
    :data:`~reservoir.common.device.SMALL_BLAS` features the products of column tiles;
    :class:`QRRidge` factorises parts of a tall update's rows on them from SMALL_BLAS features
    (see :data:`QR_TALL`; other updates are one LAPACK call).""",
    "solve_sections": """\
Parameters
----------
ridge : float or ndarray of shape (n_ridges,)
    Penalty (>= 0), or several.

Returns
-------
weights : ndarray of shape (p, m), or (n_ridges, p, m) for an array of ridges
    The readout weights for each ridge value. What a solve computes (the weights of each of
    up to ``DIRECT_SOLVES`` values, or the decomposition that more values share) is kept
    until the next update, so asking again for the same values costs no new factorization.""",
})


def check_readout_memory(n_features, n):
    """Refuse an accumulator whose (n, n) matrix and the solve's two more of its size (an SVD's
    factors, or an eigendecomposition's) exceed this machine's memory."""
    check_fits(3 * 8 * n * n, f"A ridge readout over {n_features} features", "Use fewer "
               "features: for an ESN, fewer units (n_reservoir); for NVAR, fewer delays or a "
               "lower degree.")


@fill_doc
class QRRidge:
    """Streamed QR accumulator for the ridge readout.

    ``update(F, Y)`` with F (T, p) and Y (T, m), any number of times; ``solve(ridge)`` returns
    the weights (p, m), or (n_ridges, p, m) when ``ridge`` is a 1-D array. With ``intercept`` the
    first column of F is the constant 1 and is not penalised.

    {accumulator_parameters}
    """

    def __init__(self, n_features, n_outputs, intercept):
        self.n_features, self.n_outputs, self.intercept = n_features, n_outputs, intercept
        self.n_samples = 0
        n = n_features + n_outputs
        check_readout_memory(n_features, n)
        self._RQ = np.zeros((n, n))  # the triangle [R | Q^T Y; 0 | *], zero before any row
        self._svd = None  # SVD of R, kept for ridge sweeps until the next update
        self._direct = {}  # ridge value -> weights, solved one by one since the last update

    def update(self, F, Y, workers=1):
        """Add the rows F (T, p) with targets Y (T, m).

        {update_parameters}
        """
        if F.shape[0] == 0:
            return
        F = np.asarray(F, dtype=np.float64)
        Y = np.asarray(Y, dtype=np.float64).reshape(F.shape[0], self.n_outputs)
        if self.n_features >= SMALL_BLAS and F.shape[0] >= QR_TALL * self._RQ.shape[0]:
            self._RQ = self._tall_skinny(F, Y, workers)
        else:  # QR of [triangle; F Y] that skips the triangle's zeros (without the GIL)
            self._RQ = _checked(*lapack.qr_append(lapack.DTPQRT, self._RQ, F, Y))
        self.n_samples += F.shape[0]
        self._svd = None
        self._direct = {}

    def _tall_skinny(self, F, Y, workers):
        """The triangle of ``[R; F Y]`` by a tall-skinny QR (see :data:`QR_TALL`): the rows in
        equal parts, each factorised on one BLAS thread (the first stacked under the current
        triangle), then the parts' triangles merged pairwise, level by level
        (:func:`reservoir.lapack.stack_triangles`), on
        :func:`~reservoir.common.device.readout_threads`. The same parts and pairs on any
        threads, so the same bits; and BLAS's own threads are never woken, so none spins after
        the update on the cores that the next harvest needs (back-to-back QR fits of 270 short
        sequences at N=500 on ``"parallel"`` took 143 ms where fits spaced by 0.2 s took 94
        ms). Two parts on two threads ran faster than LAPACK on two BLAS threads: 38-40 against
        43-65 ms at 4989 x 522, 158 against 215 ms at 4989 x 1031."""
        n = self._RQ.shape[0]
        parts = min(QR_MAX_PARTS, max(2, F.shape[0] // (QR_TALL * n)))
        edges = np.linspace(0, F.shape[0], parts + 1).astype(int)
        threads = readout_threads(workers)

        def factor(k):
            top = self._RQ if k == 0 else np.zeros((n, n))
            rows = slice(edges[k], edges[k + 1])
            return _checked(*lapack.qr_append(lapack.DTPQRT, top, F[rows], Y[rows]))

        def merge(k):
            return _checked(*lapack.stack_triangles(lapack.DTPQRT, triangles[k],
                                                     triangles[k + 1]))

        triangles = thread_map(factor, range(parts), threads, one_blas=True)
        while len(triangles) > 1:
            merged = thread_map(merge, range(0, len(triangles) - 1, 2), threads, one_blas=True)
            triangles = merged + triangles[2 * len(merged):]
        return triangles[0]

    def update_blocks(self, blocks, Y, workers=1):
        """Add the rows ``F = [1, *blocks]`` (the constant only with ``intercept``) with targets
        Y (T, m).

        {blocks_parameters}
        """
        self.update(stack_blocks(blocks, self.intercept, np.float64), Y, workers)

    def factors(self):
        """R (p, p) upper triangular with ``R^T R = F^T F``, and ``Q^T Y`` (p, m)."""
        p = self.n_features
        return self._RQ[:p, :p].copy(), self._RQ[:p, p:].copy()

    def gram(self):
        """``F^T F`` (p, p) from the factor."""
        R, _ = self.factors()
        return R.T @ R

    def solve(self, ridge):
        """Ridge weights minimising ``||Y - F w||^2 + ridge ||w||^2`` (intercept unpenalised).

        {solve_sections}
        """
        ridges = _as_ridges(ridge)
        if self._svd is None:
            out = _solve_each(self, ridges, lambda new: all(lam > 0 for lam in new),
                              self._solve_direct)
            if out is not None:
                return out if np.ndim(ridge) else out[0]
            R, QtY = self.factors()
            c = int(self.intercept)
            # With an intercept, the first row of [R | Q^T Y] fixes the constant once the other
            # weights are known; the other rows are an ordinary ridge problem.
            U, s, Vt = np.linalg.svd(R[c:, c:], full_matrices=False)
            self._svd = (s, Vt, U.T @ QtY[c:])
        s, Vt, UtY = self._svd
        out = np.stack([self._with_intercept(Vt.T @ (_filter(s, lam)[:, None] * UtY))
                        for lam in ridges])
        return out if np.ndim(ridge) else out[0]

    def _solve_direct(self, lam):
        """Weights (p, m) for one ridge value lam > 0 from the QR factorisation of
        [R, Q^T Y; sqrt(lam) I, 0] (the penalised rows only), on one BLAS thread: on BLAS's
        threads a fit's last solve left them spinning on the cores the next fit needed
        (back-to-back QR fits of 270 short sequences at N=500: 104-132 ms against 65 ms). A
        search's many solves run side by side instead (:mod:`experiments.search`), faster than
        one after the other on BLAS's threads (60 solves at p = 302 and 1002: 0.45 s on two BLAS
        threads, 0.64 s on one)."""
        R, QtY = self.factors()
        c = int(self.intercept)
        with one_blas_thread():
            w = _checked(*lapack.ridge_qr(
                lapack.DTPQRT, np.ascontiguousarray(R[c:, c:]), np.ascontiguousarray(QtY[c:]),
                float(lam)))
        return self._with_intercept(w)

    def _with_intercept(self, w):
        """Weights (p, m) from the penalised ones w: with an intercept, the first row of
        [R | Q^T Y] fixes the constant once the other weights are known."""
        if not self.intercept:
            return w
        R, QtY = self._RQ[0, :self.n_features], self._RQ[0, self.n_features:]
        return np.concatenate([((QtY - R[1:] @ w) / R[0])[None, :], w])


def _solve_each(acc, ridges, direct, solve_one):
    """Weights (n_ridges, p, m) of an accumulator's ridge values solved one by one by
    ``solve_one(lam)`` and kept in ``acc._direct`` until its next update, when ``direct(new)``
    holds for the values not solved yet and at most :data:`DIRECT_SOLVES` values are solved in
    all; None otherwise (then the caller decomposes once for every value)."""
    new = {float(lam) for lam in ridges} - set(acc._direct)
    if len(acc._direct) + len(new) > DIRECT_SOLVES or not direct(new):
        return None
    for lam in new:
        acc._direct[lam] = solve_one(lam)
    return np.stack([acc._direct[float(lam)] for lam in ridges])


def _checked(result, info):
    if info != 0:
        raise np.linalg.LinAlgError(f"LAPACK dtpqrt failed (info={info}).")
    return result


#: Rows of each part whose sums :meth:`GramRidge.update_blocks` computes on its own (on one of
#: its ``workers``).
PART_ROWS = 4096
#: Most columns of the tiles whose products :meth:`GramRidge.update_blocks` computes each in one
#: BLAS call, from :data:`~reservoir.common.device.SMALL_BLAS` features.
TILE_COLUMNS = 256


@fill_doc
class GramRidge:
    """Streamed Gram-matrix accumulator for the ridge readout (same interface as QRRidge).

    Faster than :class:`QRRidge` but loses half the digits of tiny ridge values (normal
    equations). ``solve`` takes up to :data:`DIRECT_SOLVES` ridge values between two updates
    each by a Cholesky factorisation of the centred Gram matrix plus ``ridge I`` (0.5 ms at
    p = 300), when every eigenvalue of that matrix is provably above the rank cutoff (then the
    eigendecomposition would keep every direction: :func:`_full_rank_cholesky`); other values
    share one eigendecomposition (10 ms at p = 300, 90-120 ms at p = 1000).

    {accumulator_parameters}
    """

    def __init__(self, n_features, n_outputs, intercept):
        self.n_features, self.n_outputs, self.intercept = n_features, n_outputs, intercept
        self.n_samples = 0
        check_readout_memory(n_features, n_features)
        self._G = np.zeros((n_features, n_features))
        self._FtY = np.zeros((n_features, n_outputs))
        self._YtY = np.zeros((n_outputs, n_outputs))
        self._eig = None  # eigendecomposition for ridge sweeps, kept until the next update
        self._direct = {}  # ridge value -> weights, solved one by one since the last update

    def update(self, F, Y, workers=1):
        """Add the rows F (T, p) with targets Y (T, m).

        {update_parameters}
        """
        if self.n_features >= SMALL_BLAS:
            self.add(*self._tiled_sums([F], Y, workers, constant=False), F.shape[0], Y.T @ Y)
        else:
            self.add(F.T @ F, F.T @ Y, F.shape[0], Y.T @ Y)

    def update_blocks(self, blocks, Y, workers=1):
        """Add the rows ``F = [1, *blocks]`` (the constant only with ``intercept``) with targets
        Y (T, m), block by block: the same sums as :meth:`update` without copying the blocks into
        one matrix (each diagonal block ``B^T B`` a symmetric product). From two parts of
        :data:`PART_ROWS` rows, below :data:`~reservoir.common.device.SMALL_BLAS` features, the
        parts' sums run on ``workers`` threads; from SMALL_BLAS features, the products of column
        tiles (:meth:`_tiled_sums`). Either way the same parts on any number of threads, each on
        one BLAS thread, so the same bits (BLAS's own threads sum some products in another
        order than one thread).

        {blocks_parameters}
        """
        blocks = [np.asarray(b, dtype=np.float64) for b in blocks]
        T, YtY = Y.shape[0], Y.T @ Y
        if self.n_features >= SMALL_BLAS:
            self.add(*self._tiled_sums(blocks, Y, workers, self.intercept), T, YtY)
            return
        if T < 2 * PART_ROWS:
            self.add(*self._sums(blocks, Y), T, YtY)
            return
        edges = np.append(np.arange(0, T, PART_ROWS), T)
        parts = thread_map(lambda k: self._sums([b[edges[k]:edges[k + 1]] for b in blocks],
                                                Y[edges[k]:edges[k + 1]]),
                           range(len(edges) - 1), workers, one_blas=True)
        FtF, FtY = parts[0]
        for part_FtF, part_FtY in parts[1:]:  # in order: the same bits on any threads
            FtF += part_FtF
            FtY += part_FtY
        self.add(FtF, FtY, T, YtY)

    def _sums(self, blocks, Y):
        """``F^T F`` (p, p) and ``F^T Y`` (p, m) of the rows ``F = [1, *blocks]``: each block's
        symmetric product with itself, and one product with all the columns before it and the
        targets (``[Y, 1, earlier blocks]``), so that each block's rows are read twice, not once
        per product (the states of 270 short sequences at N=500: 3.0 -> 1.7 ms besides their
        14 ms symmetric product)."""
        c, m = int(self.intercept), self.n_outputs
        edges = np.cumsum([c] + [b.shape[1] for b in blocks])
        FtF = np.empty((self.n_features, self.n_features))
        FtY = np.empty((self.n_features, m))
        partners = np.empty((Y.shape[0], m + edges[-2]))
        partners[:, :m] = Y
        if c:
            partners[:, m] = 1.0
            FtF[0, 0] = Y.shape[0]
            FtY[0] = Y.sum(axis=0)
        for i, Bi in enumerate(blocks):
            rows = slice(edges[i], edges[i + 1])
            FtF[rows, rows] = Bi.T @ Bi
            products = Bi.T @ partners[:, :m + edges[i]]
            FtY[rows] = products[:, :m]
            FtF[rows, :edges[i]] = products[:, m:]
            FtF[:edges[i], rows] = products[:, m:].T
            if i + 1 < len(blocks):
                partners[:, m + edges[i]:m + edges[i + 1]] = Bi
        return FtF, FtY

    def _tiled_sums(self, blocks, Y, workers, constant):
        """``F^T F`` (p, p) and ``F^T Y`` (p, m) of the rows ``F = [1, *blocks]`` (the constant
        only with ``constant``) as products of column tiles of at most :data:`TILE_COLUMNS`
        columns (each tile's symmetric product with itself and its product with ``[Y, 1]``, and
        one product for each pair of tiles), every product one BLAS call on one BLAS thread, the
        largest first on :func:`~reservoir.common.device.readout_threads`. The same tiles on any
        threads, so the same bits; and
        BLAS's own threads are never woken, so none of them spins after the sums on the cores
        that the next harvest's threads need (OpenBLAS's busy-wait about 0.1 s: back-to-back
        fits of 270 short sequences at N=500 on ``"parallel"`` took 100 ms instead of 48)."""
        c, m, p = int(constant), self.n_outputs, self.n_features
        tiles = []  # (columns of F, the block's columns there)
        first = c
        for B in blocks:
            edges = np.linspace(0, B.shape[1], -(-B.shape[1] // TILE_COLUMNS) + 1).astype(int)
            tiles += [(slice(first + lo, first + hi), B[:, lo:hi])
                      for lo, hi in zip(edges[:-1], edges[1:])]
            first += B.shape[1]
        partners = np.empty((Y.shape[0], m + c))
        partners[:, :m] = Y
        partners[:, m:] = 1.0
        FtF = np.empty((p, p))
        FtY = np.empty((p, m))
        if c:
            FtF[0, 0] = Y.shape[0]
            FtY[0] = Y.sum(axis=0)

        def diagonal(k):
            cols, tile = tiles[k]
            FtF[cols, cols] = tile.T @ tile
            products = tile.T @ partners
            FtY[cols] = products[:, :m]
            FtF[cols, :c] = products[:, m:]
            FtF[:c, cols] = products[:, m:].T

        def pair(k, j):
            (rows, tile), (cols, other) = tiles[k], tiles[j]
            FtF[rows, cols] = tile.T @ other
            FtF[cols, rows] = FtF[rows, cols].T

        widths = [tile.shape[1] for _, tile in tiles]
        tasks = [(w * (w / 2 + m + c), diagonal, (k,)) for k, w in enumerate(widths)]
        tasks += [(widths[k] * widths[j], pair, (k, j))
                  for k in range(len(tiles)) for j in range(k)]
        tasks.sort(key=lambda task: -task[0])
        thread_map(lambda task: task[1](*task[2]), tasks, readout_threads(workers), one_blas=True)
        return FtF, FtY

    def add(self, FtF, FtY, n_samples, YtY):
        """Add precomputed ``F^T F``, ``F^T Y`` and ``Y^T Y`` (e.g. accumulated on a GPU).

        Parameters
        ----------
        FtF : ndarray of shape (p, p)
            ``F^T F`` of the new rows.
        FtY : ndarray of shape (p, m)
            ``F^T Y`` of the new rows.
        n_samples : int
            Number of rows they summarise.
        YtY : ndarray of shape (m, m)
            ``Y^T Y`` of the new rows (for :meth:`squared_errors`).
        """
        self._G += FtF
        self._FtY += FtY
        self._YtY += YtY
        self.n_samples += n_samples
        self._eig = None
        self._direct = {}

    def gram(self):
        """``F^T F`` (p, p) of all rows so far (a copy)."""
        return self._G.copy()

    def solve(self, ridge):
        """Ridge weights minimising ``||Y - F w||^2 + ridge ||w||^2`` (intercept unpenalised).

        {solve_sections}
        """
        ridges = _as_ridges(ridge)
        Gc, bc = self._centred()
        if self._eig is None:
            factors = {}  # ridge value -> Cholesky factor of Gc + ridge I, where it keeps all

            def keeps_all(new):
                for lam in new:
                    factors[lam] = _full_rank_cholesky(Gc, lam)
                    if factors[lam] is None:
                        return False
                return True

            def cholesky(lam):
                with one_blas_thread():
                    w = sla.cho_solve(factors[lam], bc, check_finite=False)
                return self._with_intercept(w)

            out = _solve_each(self, ridges, keeps_all, cholesky)
            if out is not None:
                return out if np.ndim(ridge) else out[0]
            s, V = np.linalg.eigh(Gc)
            s = np.maximum(s, 0.0)
            self._eig = (s, V, V.T @ bc)
        s, V, Vtb = self._eig
        out = np.empty((ridges.size, self.n_features, self.n_outputs))
        for i, lam in enumerate(ridges):
            with np.errstate(divide="ignore"):
                inv = np.where(s + lam > _cutoff(s), 1.0 / (s + lam), 0.0)
            out[i] = self._with_intercept(V @ (inv[:, None] * Vtb))
        return out if np.ndim(ridge) else out[0]

    def _centred(self):
        """The penalised block of the normal equations: with an intercept, the Gram matrix and
        right-hand side centred (the unpenalised constant eliminated)."""
        G, b = self._G, self._FtY
        if not self.intercept:
            return G, b
        n, g0 = G[0, 0], G[0, 1:]
        return G[1:, 1:] - np.outer(g0, g0) / n, b[1:] - np.outer(g0, b[0]) / n

    def _with_intercept(self, w):
        """Weights (p, m) from the penalised ones w: the constant fixed by the first normal
        equation."""
        if not self.intercept:
            return w
        G, b = self._G, self._FtY
        return np.concatenate([((b[0] - G[0, 1:] @ w) / G[0, 0])[None, :], w])

    def merged(self, other, sign=1):
        """The accumulator of this one's rows and another's (both unchanged): their sums.

        Parameters
        ----------
        other : GramRidge
            The other rows' accumulator (the same features and outputs).
        sign : {1, -1}, default=1
            -1: this one's rows but ``other``'s, which it holds (a block left out).

        Returns
        -------
        accumulator : GramRidge
        """
        out = GramRidge(self.n_features, self.n_outputs, self.intercept)
        out.add(self._G + sign * other._G, self._FtY + sign * other._FtY,
                self.n_samples + sign * other.n_samples, self._YtY + sign * other._YtY)
        return out

    def squared_errors(self, W):
        """Sums of squared errors ``||Y - F w||^2`` over the rows and outputs, from the sums
        alone: ``tr(Y^T Y) - 2 tr(w^T F^T Y) + tr(w^T F^T F w)`` (accurate to the sums'
        round-off).

        Parameters
        ----------
        W : ndarray of shape (n_ridges, p, m)
            Weights, as :meth:`solve` returns them for several ridge values.

        Returns
        -------
        errors : ndarray of shape (n_ridges,)
        """
        return (np.trace(self._YtY) - 2 * np.sum(W * self._FtY, axis=(1, 2))
                + np.sum(W * (self._G @ W), axis=(1, 2)))


#: How far above the eigendecomposition's cutoff the bound on the smallest eigenvalue of the
#: Gram matrix plus the ridge must be for a Cholesky solve to stand in for it: far from the
#: cutoff, the round-off of the bound cannot decide whether a direction is kept.
CUTOFF_MARGIN = 1e3


def _full_rank_cholesky(G, lam):
    """The Cholesky factor (``scipy.linalg.cho_factor``'s) of ``G + lam I`` for a symmetric
    positive semi-definite G (p, p), when every eigenvalue of ``G + lam I`` is provably above
    the cutoff of :func:`_cutoff` (then the eigendecomposition would keep every direction and
    solve the same system); else None. The cutoff is at most ``||G||_F p eps`` (the Frobenius
    norm bounds the largest eigenvalue); above it, ``lam`` alone keeps every direction. Below
    it, the smallest eigenvalue is at least ``1 / ||L^-1||_F^2`` for the factor L (as
    ``||A^-1||_2 = ||L^-1||_2^2``); a Cholesky and a triangular inverse (p^3 / 3 flops each:
    3.5 ms at p = 512, against 18-24 ms for the eigendecomposition) decide. SciPy's LAPACK runs
    on one BLAS thread here: SciPy and NumPy load an OpenBLAS each, and the threads of one spin
    after its calls on the cores that the other's threads need (a Cholesky at p = 513 after the
    Gram sums took 62 ms instead of 2 ms, and slowed the next fit's sums twofold)."""
    p = G.shape[0]
    with one_blas_thread():  # the norm too: NumPy's is a BLAS dot product, threaded at this size
        floor = np.linalg.norm(G) * p * np.finfo(np.float64).eps
        try:
            factor = sla.cho_factor(G + lam * np.eye(p), lower=True, check_finite=False)
        except np.linalg.LinAlgError:  # not positive definite: a direction to drop
            return None
        if lam > floor:
            return factor
        inverse, info = sla.lapack.dtrtri(factor[0], lower=1)
    bound = 1.0 / np.sum(np.tril(inverse) ** 2) if info == 0 else 0.0
    return factor if bound > CUTOFF_MARGIN * floor else None


def _cutoff(values):
    """Values at or below this are treated as zero (rank deficiency), as numpy's lstsq does."""
    return values.max(initial=0.0) * values.size * np.finfo(np.float64).eps


def _filter(s, lam):
    """Ridge filter factors ``s / (s^2 + lam)`` of singular values s (pseudo-inverse at lam=0)."""
    keep = (s > _cutoff(s)) | ((s > 0) & (lam > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(keep, s / (s * s + lam), 0.0)


SOLVERS = {"qr": QRRidge, "gram": GramRidge}


class Readout:
    """A fitted ridge readout (``readout_`` of the ESN estimators): the accumulated training rows
    (a :class:`QRRidge` factor or :class:`GramRidge` matrix), from which the weights of any ridge
    value follow without new states; a sweep of many values shares one factorization.

    Parameters
    ----------
    accumulator : QRRidge or GramRidge
        The accumulated design rows ``[1?, u(t), x(t), squares?]`` and their targets.

    Examples
    --------
    >>> import numpy as np
    >>> from reservoir import ESNRegressor
    >>> u = np.random.default_rng(0).uniform(-1, 1, size=(300, 1))
    >>> model = ESNRegressor(n_reservoir=50, washout=20, random_state=0).fit(u[:-1], u[1:, 0])
    >>> coef, intercept = model.readout_.coef_for([1e-8, 1e-4, 1e-2])
    >>> coef.shape, intercept.shape
    ((3, 1, 51), (3, 1))
    """

    def __init__(self, accumulator):
        self.accumulator = accumulator

    @property
    def n_samples(self):
        """Number of training rows accumulated."""
        return self.accumulator.n_samples

    def gram(self):
        """``F^T F`` (p, p) of the training rows."""
        return self.accumulator.gram()

    def coef_for(self, ridge):
        """Readout weights for one ridge value or several.

        Parameters
        ----------
        ridge : float or array-like of shape (n_ridges,)
            Penalties (>= 0).

        Returns
        -------
        coef : ndarray of shape (n_outputs, n_features_out), or (n_ridges, ...) for several
            Weights of the features (the estimator's ``coef_``).
        intercept : ndarray of shape (n_outputs,), or (n_ridges, n_outputs) for several
            Constant terms (zeros without an intercept).
        """
        W = self.accumulator.solve(np.asarray(ridge, dtype=np.float64) if np.ndim(ridge)
                                   else ridge)
        c = int(self.accumulator.intercept)
        coef = np.ascontiguousarray(np.swapaxes(W[..., c:, :], -1, -2))
        intercept = W[..., 0, :].copy() if c else np.zeros(W.shape[:-2] + W.shape[-1:])
        return coef, intercept


@njit(**KERNEL)
def rls_update(P, W, F, Y, forgetting, ridge, first, t0):
    """Recursive least squares over the rows of F (T, p) and Y (T, m), in place; returns the
    row at which it stopped (P no longer positive definite or finite), or -1.

    P (p, p) is the inverse correlation matrix R^-1, symmetric to the last bit (the kernel
    relies on it and keeps it so), W (p, m) the readout weights; ``forgetting``
    in (0, 1] discounts old samples. Per row f with target y:
    ``k = P f / (forgetting + f^T P f)``, ``W += k (y - W^T f)^T``,
    ``P = (P - k (P f)^T) / forgetting``.

    With ``forgetting`` < 1 the penalty ``ridge`` on the weights first .. p - 1 would fade with
    the old rows, and P grow without bound along the directions recent rows leave unexcited
    (covariance windup: NaN within thousands of steps). So after each row one of them, in turn
    (the (t0 + t)-th of the cycle, t0 the rows before this call), gets ``ridge (1 - forgetting **
    n)`` added to R (n = p - first; a rank-one update of P and W): each weight's penalty comes
    back to ``ridge`` once a cycle of n rows and fades by at most forgetting^n in between, so
    with a memory 1 / (1 - forgetting) of many rows W solves min sum_i forgetting^(T-i)
    |y_i - W^T f_i|^2 + ridge |W|^2 nearly (a 100-unit ESN over 10,000 rows: test errors
    0.2% above that problem's exact solution at forgetting 0.999, 3% below it at 0.99).
    """
    p = P.shape[0]
    m = W.shape[1]
    n = p - first
    alpha = ridge * (1.0 - forgetting ** n) if forgetting < 1.0 and n > 0 else 0.0
    T = F.shape[0]
    Pf, Pn = np.zeros(p, dtype=P.dtype), np.zeros(p, dtype=P.dtype)
    q = np.zeros(p, dtype=P.dtype)
    if T == 0:
        return -1
    # P f as a sum of P's rows (axpys, which vectorize; the same sums as P's rows times f,
    # in the same order, since P is symmetric to the last bit)
    for j in range(p):
        fj = F[0, j]
        for i in range(p):
            Pf[i] += P[j, i] * fj
    for t in range(T):
        f = F[t]
        denom = forgetting
        for i in range(p):
            denom += f[i] * Pf[i]
        if not (denom > 0.0 and denom < np.inf):
            return t
        for k in range(m):
            err = Y[t, k]
            for i in range(p):
                err -= W[i, k] * f[i]
            for i in range(p):
                W[i, k] += Pf[i] / denom * err
        # P = (P - Pf Pf^T / denom) / forgetting, each product Pf[i] Pf[j] formed alike for
        # (i, j) and (j, i): P stays symmetric to the last bit (its drift from symmetry is
        # what makes plain RLS diverge with forgetting < 1); with forgetting < 1 then R +=
        # alpha e_c e_c^T, fused: P -= h q q^T, W -= h q W[c] (h = 0 otherwise)
        g = 1.0 / denom
        h = 0.0
        if alpha > 0.0:
            c = first + (t0 + t) % n
            for i in range(p):  # q: column c of the P above
                q[i] = (P[i, c] - (Pf[i] * Pf[c]) * g) / forgetting
            h = alpha / (1.0 + alpha * q[c])
            for k in range(m):
                wc = W[c, k]
                for i in range(p):
                    W[i, k] -= h * q[i] * wc
        Pn[:] = 0.0
        for i in range(p):  # one pass over P: its update, and P f of the next row
            pi, qi = Pf[i], q[i]
            fi = F[t + 1, i] if t + 1 < T else 0.0
            for j in range(p):
                v = (P[i, j] - (pi * Pf[j]) * g) / forgetting - (qi * q[j]) * h
                P[i, j] = v
                Pn[j] += v * fi
        Pf, Pn = Pn, Pf
    return -1
