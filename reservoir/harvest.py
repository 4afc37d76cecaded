"""The harvest engine: the reservoir states of many sequences at once, on a device chosen once.

Every path that runs a reservoir over data goes through here: ``fit``, ``partial_fit``,
``predict``, ``transform``, forecasting from a context, and (with their own kernel, on the same
layout) the configuration batches of :mod:`reservoir.batch` behind the grid search.

* :class:`Pack` lays out sequences of any lengths for the kernels: their steps concatenated
  (``n_rows`` rows), the longest sequence first, with row offsets. The kernels run all the
  sequences of a piece side by side, reading each nonzero of W once a step for all of them, and
  drop each sequence when it ends. Pieces hold at most ``CHUNK_BYTES`` of states; a sequence
  longer than that is cut in time, its state carried over.
* :class:`Backend` is the device, resolved once per call (:func:`backend`): ``"cpu"`` (serial
  kernels), ``"parallel"`` (the rows of W split over Numba threads every step), ``"cuda"`` (one
  launch per piece). The CPU and CUDA kernels have the same names (``run_packed``).
* :class:`Harvester` computes the drives ``W_in u(t) + W_fb y(t-1) + b`` (one GEMM a piece) and
  runs the backend's kernel over them, in place.
"""

from dataclasses import dataclass

import numba
import numpy as np

from . import kernels
from .common.config import CHUNK_BYTES
from .common.device import Device, check_device

#: Below this many sequences in a piece, the packed kernel's inner loop is too short to pay: they
#: run one after the other through the single-sequence kernels instead.
MIN_BATCH = 8


class Pack:
    """Sequences packed for the kernels: sequence ``order[k]`` of the caller's list in rows
    ``starts[k] .. starts[k + 1]``, longest first (ties in the caller's order).

    Parameters
    ----------
    lengths : array-like of int, shape (n_sequences,)
        Steps of each sequence (>= 1), in the caller's order.
    """

    def __init__(self, lengths):
        lengths = np.asarray(lengths, dtype=np.int64)
        self.order = np.argsort(-lengths, kind="stable")
        self.lengths = lengths[self.order]
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)]).astype(np.int64)
        self.n_rows = int(self.starts[-1])
        #: time step of every row within its sequence, (n_rows,)
        self.steps = np.arange(self.n_rows) - np.repeat(self.starts[:-1], self.lengths)

    @classmethod
    def of(cls, seqs):
        """The pack of a list of (T_i, ...) arrays."""
        return cls([len(s) for s in seqs])

    def rows(self, seqs, dtype=None):
        """Per-sequence arrays (caller's order) stacked as packed rows, (n_rows, ...); a sequence
        shorter than its length (targets a step short) is padded with zeros."""
        dtype = seqs[0].dtype if dtype is None else dtype
        if len(seqs) == 1 and len(seqs[0]) == self.n_rows:
            return np.ascontiguousarray(seqs[0], dtype=dtype)
        out = np.zeros((self.n_rows,) + seqs[0].shape[1:], dtype=dtype)
        for k, i in enumerate(self.order):
            out[self.starts[k]:self.starts[k] + len(seqs[i])] = seqs[i]
        return out

    def position(self, i):
        """Packed index k of the caller's sequence i."""
        return int(np.flatnonzero(self.order == i)[0])

    def per_row(self, values):
        """A value per sequence (caller's order) repeated for each of its rows, (n_rows,)."""
        return np.repeat(np.asarray(values)[self.order], self.lengths)

    def split(self, rows):
        """Packed rows back into one array per sequence, in the caller's order (views)."""
        out = [None] * len(self.order)
        for k, i in enumerate(self.order):
            out[i] = rows[self.starts[k]:self.starts[k + 1]]
        return out

    def pieces(self, max_rows, cuts=()):
        """Yield the :class:`Piece` s covering every row, in order, each at most ``max_rows`` rows
        (or one sequence's next ``max_rows`` steps), none across a row in ``cuts``."""
        cuts = np.unique(np.asarray([c for c in cuts if 0 < c < self.n_rows], dtype=np.int64))
        r = 0
        while r < self.n_rows:
            k = int(np.searchsorted(self.starts, r, side="right")) - 1
            after = cuts[np.searchsorted(cuts, r, side="right"):]
            limit = min(r + max_rows, int(after[0]) if after.size else self.n_rows)
            end = int(self.starts[k + 1])
            if r > self.starts[k] or end > limit:  # one sequence, cut in time
                end = min(end, limit)
                yield Piece(slice(r, end), slice(k, k + 1), np.array([0, end - r], np.int64))
            else:  # whole sequences k .. j - 1
                j = int(np.searchsorted(self.starts, limit, side="right")) - 1
                end = int(self.starts[j])
                yield Piece(slice(r, end), slice(k, j), self.starts[k:j + 1] - r)
            r = end


@dataclass
class Piece:
    """Packed rows ``rows`` of the sequences ``seqs`` (packed indices), sequence
    ``seqs.start + b`` in rows ``starts[b] .. starts[b + 1]`` of the piece. ``states``
    (n_rows_of_piece, N) is set by :meth:`Harvester.run` (valid until the next piece)."""

    rows: slice
    seqs: slice
    starts: np.ndarray
    states: object = None


class Backend(Device):
    """A device resolved once (a :class:`~reservoir.common.device.Device`) and the reservoir
    kernel that runs packed sequences there.

    Parameters
    ----------
    name : {"cpu", "parallel", "cuda"}
        Where the kernels run.
    n_jobs : int or None
        Numba threads of ``"parallel"`` (None: all cores).
    """

    def run_packed(self, args, states, starts, x, on_device=False):
        """Run the sequences of a piece: ``states`` (n, N) holds their drives and receives their
        states (or, on the GPU with ``on_device``, the returned device array does); x (B, N) the
        initial then final states. ``args`` = (indptr, indices, data, leak)."""
        if self.name == "cuda":
            from . import cuda_kernels

            out = cuda_kernels.run_packed(*args, states, starts, x, keep_on_device=on_device)
            if not on_device:
                states[:] = out
            return out
        parallel = self.name == "parallel"
        if x.shape[0] < MIN_BATCH:
            for b in range(x.shape[0]):
                S = states[starts[b]:starts[b + 1]]
                if parallel:
                    kernels.run_sequence_rows(*args, S, x[b], S, numba.get_num_threads())
                else:
                    kernels.run_sequence(*args, S, x[b], S)
        elif parallel:
            kernels.run_packed_parallel(*args, states, starts, x, states, numba.get_num_threads())
        else:
            kernels.run_packed(*args, states, starts, x, states)
        return states


def backend(device, n_jobs=None, choices=None):
    """The :class:`Backend` of an estimator's ``device`` (``"auto"`` resolved here, a clear
    error for ``"cuda"`` without a GPU)."""
    name = check_device(device) if choices is None else check_device(device, choices)
    return Backend(name, n_jobs)


def input_product(U, W_in, out=None):
    """U @ W_in.T for U (T, n_in) and W_in (N, n_in), into ``out`` (T, N) when given. One input
    (a univariate series) is a broadcast product, the same bits as the GEMM at a third of its
    time (NumPy's matmul with an inner dimension of 1 runs at 1.5 ns an element)."""
    if U.shape[1] == 1:
        return np.multiply(U, W_in[:, 0], out=out)
    return np.matmul(U, W_in.T, out=out)


class Harvester:
    """Runs a reservoir over packed sequences on a backend.

    Parameters
    ----------
    reservoir : reservoir.Reservoir
        The weights (W as CSR, W_in, b, W_fb).
    leak_rate : float
        Leak rate a.
    dtype : numpy type
        Precision of the states (np.float64 or np.float32).
    backend : Backend
        Where the kernels run.
    """

    def __init__(self, reservoir, leak_rate, dtype, backend):
        self.reservoir, self.dtype, self.backend = reservoir, dtype, backend
        self.args = (reservoir.indptr, reservoir.indices, reservoir.data, dtype(leak_rate))
        self.max_rows = max(1, CHUNK_BYTES // (reservoir.n_reservoir * np.dtype(dtype).itemsize))

    def drive(self, U, Y_prev=None, out=None):
        """W_in u(t) + W_fb y(t-1) + b for rows U (T, n_in), Y_prev (T, m) or None; into
        ``out`` (T, N) when given."""
        res = self.reservoir
        drive = input_product(U.astype(self.dtype, copy=False), res.W_in, out)
        drive += res.bias
        if Y_prev is not None:
            drive += Y_prev.astype(self.dtype, copy=False) @ res.W_fb.T
        return drive

    def run(self, pack, U, Y_prev=None, x=None, cuts=(), on_device=False):
        """Yield the pieces of ``pack`` with their states.

        Parameters
        ----------
        pack : Pack
            The layout of the sequences.
        U : ndarray of shape (pack.n_rows, n_in)
            Packed inputs.
        Y_prev : ndarray of shape (pack.n_rows, m), default=None
            Packed fed-back outputs y(t-1) (teacher forcing), or None.
        x : ndarray of shape (n_sequences, N), default=None
            Initial states in packed order (zeros when None), overwritten by the final ones.
        cuts : sequence of int, default=()
            Rows at which pieces must end (snapshots of a readout).
        on_device : bool, default=False
            On the GPU, leave each piece's states there (a device array).

        Yields
        ------
        piece : Piece
            With ``states`` (rows of the piece, N), valid until the next piece.
        """
        N = self.reservoir.n_reservoir
        if x is None:
            x = np.zeros((len(pack.lengths), N), dtype=self.dtype)
        buffer = np.empty((min(self.max_rows, pack.n_rows), N), dtype=self.dtype)
        with self.backend.threads():
            for piece in pack.pieces(self.max_rows, cuts):
                rows = piece.rows
                drive = self.drive(U[rows], None if Y_prev is None else Y_prev[rows],
                                   out=buffer[:rows.stop - rows.start])
                piece.states = self.backend.run_packed(self.args, drive, piece.starts,
                                                       x[piece.seqs], on_device)
                yield piece
