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
* :class:`Harvester` runs the backend's kernels over a piece: ``run_packed`` from the packed
  inputs (the kernels compute the drives ``W_in u(t) + W_fb y(t-1) + b`` of all the sequences
  side by side), or, for fewer than :data:`MIN_BATCH` sequences, ``run_sequences`` over drives
  computed beforehand (GEMMs over fixed parts of the piece's rows, on the backend's threads), in
  place; :class:`Configurations` does the same for many configurations of one sparse pattern
  (the engine of :mod:`reservoir.batch`).
"""

from dataclasses import dataclass

import numba
import numpy as np

from . import kernels
from .common.config import CHUNK_BYTES
from .common.device import Device, check_device, one_blas_thread, resolve, thread_map
from .weights import kernel_csr

#: Parameters that may differ between configurations run side by side (:class:`Configurations`).
PER_CONFIG = ("spectral_radius", "input_scaling", "leak_rate")
#: Below this many sequences in a piece, the packed kernel's inner loop is too short to pay: they
#: run one after the other through the single-sequence kernels instead.
MIN_BATCH = 8
#: Sequences side by side that a piece keeps when whole sequences would leave fewer: a group
#: of this many then runs in time windows (the side-by-side kernel reads W once a step for all
#: of them: 256 side by side ran 11% faster than ~100 in float32 at N=1000).
MIN_SIDE = 256
#: Rows of each part of the drives that :meth:`Harvester.drive` computes on its own (one GEMM,
#: on one of the backend's threads).
DRIVE_ROWS = 2048
#: Drive elements (rows x units) from which the parts run on the backend's threads: below, the
#: pool's hand-over (about 85 us a call) costs more than the threads save, and they run in turn.
THREADED_DRIVE = 1 << 21


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
        """Yield the :class:`Piece` s covering every row, each at most ``max_rows`` rows.

        Whole sequences go together while at least :data:`MIN_SIDE` of them fit in a piece;
        otherwise a group of up to :data:`MIN_SIDE` sequences (and ``max_rows``) runs in time
        windows (all of them
        side by side, each window as many steps as fit), its states carried from window to
        window. A single sequence's windows end at every step in ``cuts`` (one-sequence packs
        only: snapshots of a readout).
        """
        n_seq = len(self.lengths)
        cuts = np.unique(np.asarray([c for c in cuts if 0 < c < self.n_rows], dtype=np.int64))
        if cuts.size and n_seq > 1:
            raise ValueError("cuts need a pack of one sequence.")
        k = 0
        while k < n_seq:
            j = int(np.searchsorted(self.starts, self.starts[k] + max_rows, side="right")) - 1
            if not cuts.size and (j - k >= MIN_SIDE or (j == n_seq and j > k)):
                # whole sequences k .. j - 1
                yield Piece(slice(int(self.starts[k]), int(self.starts[j])), slice(k, j),
                            self.starts[k:j + 1] - self.starts[k], 0)
                k = j
                continue
            g = min(n_seq, k + min(MIN_SIDE, max_rows))  # the group k .. g - 1, in windows
            t0 = 0
            while True:
                running = k + int(np.sum(self.lengths[k:g] > t0))
                if running == k:
                    break
                t1 = t0 + max(1, max_rows // (running - k))
                after = cuts[cuts > t0]
                if after.size:
                    t1 = min(t1, int(after[0]))
                yield self._window(k, running, t0, t1)
                t0 = t1
            k = g

    def _window(self, k0, k1, t0, t1):
        """The piece of steps t0 .. t1 of the packed sequences k0 .. k1 - 1 (all longer than
        t0): contiguous rows for one sequence, else their rows' indices."""
        first = self.starts[k0:k1] + t0
        counts = np.minimum(self.lengths[k0:k1], t1) - t0
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        if k1 - k0 == 1:
            rows = slice(int(first[0]), int(first[0] + counts[0]))
        else:
            rows = np.repeat(first - starts[:-1], counts) + np.arange(starts[-1])
        return Piece(rows, slice(k0, k1), starts, t0)


@dataclass
class Piece:
    """Packed rows ``rows`` (a slice, or the rows' indices) of the sequences ``seqs`` (packed
    indices) from their step ``t0``: sequence ``seqs.start + b`` in rows ``starts[b] ..
    starts[b + 1]`` of the piece. ``states`` (n_rows of the piece, N) is set by
    :meth:`Harvester.run` (valid until the next piece)."""

    rows: object
    seqs: slice
    starts: np.ndarray
    t0: int
    states: object = None

    @property
    def n_rows(self):
        """Rows of the piece."""
        return int(self.starts[-1])


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

    def packs(self, n_sequences):
        """Whether a piece of ``n_sequences`` runs through :meth:`run_packed` (the sequences side
        by side) rather than :meth:`run_sequences`: always on the GPU, from :data:`MIN_BATCH`
        sequences on the CPU."""
        return self.name == "cuda" or n_sequences >= MIN_BATCH

    def run_packed(self, args, inputs, starts, x, states, on_device=False):
        """Run the sequences of a piece side by side from their packed ``inputs`` (n, n_v):
        ``args`` = (indptr, indices, data, leak, v_indptr, v_indices, v_data, bias), the
        reservoir and the weights of the inputs (:meth:`Harvester.input_weights`); x (B, N) the
        initial then final states. The states go into ``states`` (n, N), or on the GPU with
        ``on_device`` into the returned device array; returns them."""
        if self.name == "cuda":
            from . import cuda_kernels

            out = cuda_kernels.run_packed(*args, inputs, starts, x, keep_on_device=on_device)
            if not on_device:
                states[:] = out
            return out
        if self.name == "parallel":
            kernels.run_packed_parallel(*args, inputs, starts, x, states, numba.get_num_threads())
        else:
            kernels.run_packed(*args, inputs, starts, x, states, 1)
        return states

    def run_sequences(self, args, states, starts, x):
        """Run the sequences of a piece one after the other on the CPU: ``states`` (n, N) holds
        their drives and receives their states; ``args`` = (indptr, indices, data, leak); x
        (B, N) the initial then final states."""
        for b in range(x.shape[0]):
            S = states[starts[b]:starts[b + 1]]
            if self.name == "parallel":
                kernels.run_sequence_rows(*args, S, x[b], S, numba.get_num_threads())
            else:
                kernels.run_sequence(*args, S, x[b], S)
        return states


def backend(device, n_jobs=None):
    """The :class:`Backend` of an estimator's ``device`` (``"auto"`` resolved here, a clear
    error for ``"cuda"`` without a GPU)."""
    return Backend(check_device(device), n_jobs)


def in_parts(part, shape, workers):
    """Call ``part(rows)`` for the slices of :data:`DRIVE_ROWS` rows of an array of ``shape``
    (rows, columns): on ``workers`` threads from :data:`THREADED_DRIVE` elements, else in turn.
    The parts are the same either way, and so are the bits of what they compute. BLAS runs on
    one thread here whatever the readout's size: a drive's GEMM (an inner dimension of a few
    inputs) gains little from BLAS's threads, and NumPy's OpenBLAS threads spin after it on
    the cores that the harvest and SciPy's LAPACK (the QR readout) need: 270 sequences at
    N=500 fitted in 84-108 ms instead of 152-171 ms."""
    threads = workers if shape[0] * shape[1] >= THREADED_DRIVE else 1
    with one_blas_thread():
        thread_map(lambda start: part(slice(start, start + DRIVE_ROWS)),
                   range(0, shape[0], DRIVE_ROWS), threads)


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
        self._input_weights = {}

    def input_weights(self, feedback):
        """The weights of the packed kernels' inputs ``[u(t)]``, or ``[u(t), y(t-1)]`` with
        ``feedback``: (v_indptr, v_indices, v_data, bias), the nonzeros of ``W_in`` (or
        ``[W_in, W_fb]``) as CSR with uint32 indices, and the bias."""
        if feedback not in self._input_weights:
            res = self.reservoir
            V = np.hstack([res.W_in, res.W_fb]) if feedback else res.W_in
            self._input_weights[feedback] = kernel_csr(V, self.dtype) + (res.bias,)
        return self._input_weights[feedback]

    def drive(self, U, Y_prev=None, out=None):
        """W_in u(t) + W_fb y(t-1) + b for rows U (T, n_in), Y_prev (T, m) or None; into
        ``out`` (T, N) when given. Computed in parts of :data:`DRIVE_ROWS` rows, on the
        backend's threads from :data:`THREADED_DRIVE` elements: the same parts on any device
        and at any size, so the same bits."""
        res = self.reservoir
        U = U.astype(self.dtype, copy=False)
        if Y_prev is not None:
            Y_prev = Y_prev.astype(self.dtype, copy=False)
        if out is None:
            out = np.empty((U.shape[0], res.n_reservoir), dtype=self.dtype)

        def part(rows):
            drive = input_product(U[rows], res.W_in, out[rows])
            drive += res.bias
            if Y_prev is not None:
                drive += Y_prev[rows] @ res.W_fb.T

        in_parts(part, out.shape, self.backend.workers)
        return out

    def run(self, pack, U, Y_prev=None, x=None, cuts=(), on_device=False, out=None):
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
        out : ndarray of shape (pack.n_rows, N), default=None
            Where to keep every state (a piece of contiguous rows runs in place there); without
            it the pieces share one buffer.

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
                in_place = out is not None and isinstance(rows, slice)  # else copied there
                states = out[rows] if in_place else buffer[:piece.n_rows]
                Y_rows = None if Y_prev is None else Y_prev[rows]
                if self.backend.packs(len(piece.starts) - 1):
                    inputs = U[rows] if Y_rows is None else np.hstack([U[rows], Y_rows])
                    piece.states = self.backend.run_packed(
                        self.args + self.input_weights(Y_rows is not None),
                        inputs.astype(self.dtype, copy=False), piece.starts, x[piece.seqs],
                        states, on_device)
                else:
                    piece.states = self.backend.run_sequences(
                        self.args, self.drive(U[rows], Y_rows, out=states), piece.starts,
                        x[piece.seqs])
                if out is not None and not in_place:
                    out[rows] = piece.states
                yield piece


class Configurations:
    """Runs C configurations of one unit reservoir (see :mod:`reservoir.batch`) over packed
    sequences, piece by piece, on the device of the first model
    (:func:`reservoir.kernels.run_configs` or its CUDA twin).

    Parameters
    ----------
    unit : reservoir.Reservoir
        The shared draws at unit spectral radius and input scale.
    models : list of estimators
        The configurations (their ``spectral_radius``, ``input_scaling`` and ``leak_rate``).
    """

    def __init__(self, unit, models):
        base = models[0]
        self.unit, self.dtype = unit, base._dtype
        self.device = resolve(base.device, base.n_jobs)
        self.on_gpu = self.device.name == "cuda"
        self.config = tuple(np.array([getattr(m, name) for m in models], dtype=np.float64)
                            for name in PER_CONFIG)
        C, N = len(models), base.n_reservoir
        self.max_rows = max(1, CHUNK_BYTES // (C * N * np.dtype(self.dtype).itemsize))
        self.shape = (C, N)
        self._final = {}

    def run(self, pack, U, cuts=()):
        """Yield ``(piece, states)`` with states (C, rows of the piece, N), valid until the next
        piece. Final states are kept for :meth:`final`."""
        C, N = self.shape
        buffer = None if self.on_gpu else \
            np.empty(C * min(self.max_rows, pack.n_rows) * N, dtype=self.dtype)
        carry = None  # the states of the group running in time windows, (C, n, N)
        for piece in pack.pieces(self.max_rows, cuts):
            k0, k1 = piece.seqs.start, piece.seqs.stop
            x = np.zeros((C, k1 - k0, N), dtype=self.dtype) if piece.t0 == 0 else \
                np.ascontiguousarray(carry[:, :k1 - k0])
            states = self._run_piece(U[piece.rows], piece.starts, x, buffer)
            carry = x
            for k in range(k0, k1):
                self._final[k] = x[:, k - k0]
            yield piece, states

    def final(self, pack, i):
        """Final states (C, N) of the caller's sequence i."""
        return self._final[pack.position(i)]

    def _run_piece(self, U, starts, x, buffer):
        unit, (radius, scale, leak) = self.unit, self.config
        if self.on_gpu:
            from . import cuda_kernels

            states, x[:] = cuda_kernels.run_configs(
                unit.indptr, unit.indices, unit.data, unit.W_in, unit.bias,
                np.ascontiguousarray(U, dtype=self.dtype), starts, radius, scale, leak, x)
            return states
        C, _, N = x.shape
        states = buffer[:C * U.shape[0] * N].reshape(C, U.shape[0], N)
        drive = np.empty((U.shape[0], N), dtype=self.dtype)

        def part(rows):  # U comes in the model's dtype (Pack.rows): straight into the drive
            input_product(U[rows], unit.W_in, drive[rows])

        in_parts(part, drive.shape, self.device.workers)
        kernels.run_configs(unit.indptr, unit.indices, unit.data, drive, starts, unit.bias,
                            radius, scale, leak, x, states, numba.get_num_threads())
        return states
