"""Numba CPU kernels of the leaky-tanh reservoir.

State update (Jaeger et al. 2007), with the drive ``W_in u(t) + W_fb y(t-1) + b``:

    x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + W_in u(t) + W_fb y(t-1) + b)

W is CSR with uint32 ``indptr``/``indices`` (numba then skips negative-index checks). Kernels take
arrays and scalars only.

One sequence: :func:`run_sequence` (serial) and :func:`run_sequence_rows` (rows over threads),
over drives ``drive[t]`` computed by the caller with one GEMM per chunk, writing states into
``states``, which may be the same array as ``drive`` (each row is read before it is
overwritten), so a chunk needs one buffer.
Many sequences, packed (their steps concatenated, longest sequence first, with row offsets
``starts``): :func:`run_packed` and :func:`run_packed_parallel` (one source, compiled serial and
threaded) keep the states of the running
sequences side by side, (N, B) in working arrays, turning the mat-vec into a sparse x dense
product that reads W once a step for all of them; they compute the drives themselves, from the
packed inputs ``[u(t), y(t-1)]`` and their weights ``[W_in, W_fb]`` (CSR too), the same way for
all the sequences side by side (drives computed by a GEMM beforehand were written, then gathered
back into that layout: the gather alone took a fifth of a harvest).
Many configurations of one sparse pattern (spectral radius, input scaling and leak rate per
configuration, the same packed inputs): :func:`run_configs`, groups of configurations side by
side the same way, one group per thread.
"""


import numpy as np
from numba import njit, prange

from .activations import tanh_inplace
from .common.arrays import copy_into
from .common.config import KERNEL, PARALLEL_KERNEL, serial_and_parallel


@njit(**KERNEL)
def _csr_matvec_add(indptr, indices, data, x, add, out, lo, hi):
    """out[i] = (W x)[i] + add[i] for rows lo <= i < hi.

    Four partial sums per row, in a fixed order: the latency chain of one accumulator is broken
    (1.8x faster at N=1000) and the result does not depend on how the compiler vectorizes.
    """
    zero = np.zeros(1, dtype=out.dtype)[0]  # accumulate in the states' precision
    for i in range(lo, hi):
        a0 = a1 = a2 = a3 = zero
        k = indptr[i]
        end = indptr[i + 1]
        while k + 4 <= end:
            a0 += data[k] * x[indices[k]]
            a1 += data[k + 1] * x[indices[k + 1]]
            a2 += data[k + 2] * x[indices[k + 2]]
            a3 += data[k + 3] * x[indices[k + 3]]
            k += 4
        while k < end:
            a0 += data[k] * x[indices[k]]
            k += 1
        out[i] = add[i] + ((a0 + a1) + (a2 + a3))


@njit(**KERNEL)
def _leaky(x_old, act, leak, x_new):
    """x_new = (1 - leak) x_old + leak act (act already through tanh)."""
    keep = 1.0 - leak
    for i in range(x_new.shape[0]):
        x_new[i] = keep * x_old[i] + leak * act[i]


@njit(**KERNEL)
def run_sequence(indptr, indices, data, leak, drive, x, states):
    """Run one sequence serially.

    drive, states: (T, N); x: (N,) initial state, overwritten by the final state.
    """
    n = x.shape[0]
    pre = np.empty(n, dtype=x.dtype)
    em = np.empty(n, dtype=np.float64)
    bits = np.empty(n, dtype=np.int64)
    for t in range(drive.shape[0]):
        _csr_matvec_add(indptr, indices, data, x, drive[t], pre, 0, n)
        tanh_inplace(pre, em, bits)
        _leaky(x, pre, leak, x)
        copy_into(x, states[t])


@njit(**PARALLEL_KERNEL)
def run_sequence_rows(indptr, indices, data, leak, drive, x, states, n_blocks):
    """As :func:`run_sequence`, each step split into ``n_blocks`` blocks of rows run in parallel."""
    n = x.shape[0]
    n_blocks = max(1, min(n_blocks, n))
    bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
    pre = np.empty(n, dtype=x.dtype)
    em = np.empty(n, dtype=np.float64)
    bits = np.empty(n, dtype=np.int64)
    for t in range(drive.shape[0]):
        src = x if t == 0 else states[t - 1]
        dst = states[t]
        drive_t = drive[t]
        for blk in prange(n_blocks):
            lo = bounds[blk]
            hi = bounds[blk + 1]
            _csr_matvec_add(indptr, indices, data, src, drive_t, pre, lo, hi)
            tanh_inplace(pre[lo:hi], em[lo:hi], bits[lo:hi])
            _leaky(src[lo:hi], pre[lo:hi], leak, dst[lo:hi])
    if drive.shape[0] > 0:
        copy_into(states[drive.shape[0] - 1], x)


@njit(inline="always", **KERNEL)
def _add_row_products(indptr, indices, data, cur, i, acc):
    """acc[b] += (W cur[:, b])[i] for every column b of cur (N, B): row i of W is read once for
    all B columns, and the inner loop vectorizes."""
    B = cur.shape[1]
    k = indptr[i]
    end = indptr[i + 1]
    while k + 4 <= end:  # four nonzeros per pass over acc: half the loads and stores of acc
        w0, w1, w2, w3 = data[k], data[k + 1], data[k + 2], data[k + 3]
        r0, r1 = cur[indices[k]], cur[indices[k + 1]]
        r2, r3 = cur[indices[k + 2]], cur[indices[k + 3]]
        for b in range(B):
            acc[b] += (w0 * r0[b] + w1 * r1[b]) + (w2 * r2[b] + w3 * r3[b])
        k += 4
    while k < end:
        w = data[k]
        row = cur[indices[k]]
        for b in range(B):
            acc[b] += w * row[b]
        k += 1


@njit(**KERNEL)
def _packed_step(indptr, indices, data, v_indptr, v_indices, v_data, bias, leak, cur, v, starts,
                 t, nxt, states, pre, em, bits, lo, hi):
    """Step t of the B active sequences of a pack side by side, rows lo <= i < hi.

    cur, nxt, pre: (N, B) working arrays with the states of all active sequences of one unit in a
    row, so each nonzero of W is read once for all B sequences and the inner loop vectorizes; v
    (n_v, B) their inputs ``[u(t), y(t-1)]`` the same way, with weights V (CSR, (N, n_v)) and
    ``bias`` (N,). states (n_rows, N) packed, step t of sequence b in row ``starts[b] + t``. em
    (float64) and bits (int64) are scratch arrays of N * B elements.
    """
    B = cur.shape[1]
    acc = np.empty(B, dtype=pre.dtype)  # a local buffer: LLVM knows it aliases nothing
    for i in range(lo, hi):
        b_i = bias[i]
        for b in range(B):
            acc[b] = b_i
        _add_row_products(v_indptr, v_indices, v_data, v, i, acc)
        _add_row_products(indptr, indices, data, cur, i, acc)
        copy_into(acc, pre[i])
    tanh_inplace(pre[lo:hi].reshape(-1), em[lo * B:hi * B], bits[lo * B:hi * B])
    keep = 1.0 - leak
    for i in range(lo, hi):
        for b in range(B):
            nxt[i, b] = keep * cur[i, b] + leak * pre[i, b]
    for b in range(B):
        row = starts[b] + t
        for i in range(lo, hi):
            states[row, i] = nxt[i, b]


@njit(**KERNEL)
def _buffers(cur, n_v):
    """Working arrays of the packed kernels for the states cur (N, B): cur itself, the next
    states, the pre-activations, the tanh scratch arrays, and the inputs (n_v, B)."""
    n, B = cur.shape
    return (cur, np.empty_like(cur), np.empty_like(cur), np.empty(n * B, dtype=np.float64),
            np.empty(n * B, dtype=np.int64), np.empty((n_v, B), dtype=cur.dtype))


@njit(**KERNEL)
def _retire(starts, t, cur, x):
    """Sequences of a pack that ended before step t (lengths sorted longest first: the last
    columns) write their final states into x; returns how many are still running."""
    B = cur.shape[1]
    while B > 0 and starts[B] - starts[B - 1] <= t:
        B -= 1
        copy_into(cur[:, B], x[B])
    return B


def _run_packed(indptr, indices, data, leak, v_indptr, v_indices, v_data, bias, inputs, starts,
                x, states, n_blocks):
    """Run the B sequences of a pack side by side, each step's rows split into ``n_blocks``
    blocks (run in parallel by :func:`run_packed_parallel`, one after the other by
    :func:`run_packed`).

    W (N, N) is (indptr, indices, data), V (N, n_v) the weights of the inputs (v_indptr,
    v_indices, v_data), bias (N,); inputs (n_rows, n_v) and states (n_rows, N) packed, sequence b
    in rows ``starts[b] .. starts[b + 1]``, the sequences sorted longest first so that the
    running ones are always the first (the working arrays shrink as sequences end); x (B, N)
    initial states, overwritten by the final ones.
    """
    n = x.shape[1]
    n_v = inputs.shape[1]
    n_blocks = max(1, min(n_blocks, n))
    bounds = np.linspace(0, n, n_blocks + 1).astype(np.int64)
    cur, nxt, pre, em, bits, v = _buffers(np.ascontiguousarray(x.T), n_v)
    T = starts[1] - starts[0] if x.shape[0] > 0 else 0
    for t in range(T):
        B = _retire(starts, t, cur, x)
        if B < cur.shape[1]:
            cur, nxt, pre, em, bits, v = _buffers(np.ascontiguousarray(cur[:, :B]), n_v)
        for b in range(B):
            row = starts[b] + t
            for j in range(n_v):
                v[j, b] = inputs[row, j]
        for blk in prange(n_blocks):
            _packed_step(indptr, indices, data, v_indptr, v_indices, v_data, bias, leak, cur, v,
                         starts, t, nxt, states, pre, em, bits, bounds[blk], bounds[blk + 1])
        cur, nxt = nxt, cur
    _retire(starts, T, cur, x)


#: :func:`_run_packed` on one thread (call it with n_blocks=1), and with the blocks of rows on
#: Numba's threads.
run_packed, run_packed_parallel = serial_and_parallel(_run_packed, "run_packed")


@njit(**KERNEL)
def generate(indptr, indices, data, leak, drive, W_loop, W_x, W_sq, out_drive, W_out_loop,
             x, y_prev, states, outputs):
    """Run the reservoir in closed loop, feeding back its own readout.

    At each step t:
        x(t) = (1-a) x(t-1) + a tanh(W x(t-1) + drive[t] + W_loop y(t-1))
        y(t) = W_x x(t) + W_sq x(t)[::2]**2 + out_drive[t] + W_out_loop y(t-1)

    drive (T, N); W_loop (N, m); W_x (m, N); W_sq (m, ceil(N/2)) or (m, 0); out_drive (T, m);
    W_out_loop (m, m); x (N,) and y_prev (m,) are the initial state and output, overwritten by
    the final ones; states (T, N) and outputs (T, m) receive the trajectory.
    """
    n = x.shape[0]
    m = y_prev.shape[0]
    n_sq = W_sq.shape[1]
    pre = np.empty(n, dtype=x.dtype)
    em = np.empty(n, dtype=np.float64)
    bits = np.empty(n, dtype=np.int64)
    y = np.empty(m, dtype=x.dtype)
    for t in range(drive.shape[0]):
        for i in range(n):
            acc = drive[t, i]
            for j in range(m):
                acc += W_loop[i, j] * y_prev[j]
            pre[i] = acc
        _csr_matvec_add(indptr, indices, data, x, pre, pre, 0, n)
        tanh_inplace(pre, em, bits)
        _leaky(x, pre, leak, x)
        copy_into(x, states[t])
        for k in range(m):
            acc = out_drive[t, k]
            for j in range(m):
                acc += W_out_loop[k, j] * y_prev[j]
            for i in range(n):
                acc += W_x[k, i] * x[i]
            for i in range(n_sq):
                acc += W_sq[k, i] * x[2 * i] * x[2 * i]
            y[k] = acc
        copy_into(y, y_prev)
        copy_into(y, outputs[t])


@njit(**PARALLEL_KERNEL)
def generate_many(indptr, indices, data, leak, drive, W_loop, W_x, W_sq, out_drive, W_out_loop,
                  x, y_prev, outputs):
    """B closed loops of :func:`generate` side by side, one per thread: x (B, N) and y_prev
    (B, m) their initial states and outputs (overwritten by the final ones), outputs (B, T, m);
    drive (T, N) and out_drive (T, m) shared. Each loop is that of :func:`generate`, bit for
    bit, whatever the number of threads."""
    for b in prange(x.shape[0]):
        states = np.empty_like(drive)
        generate(indptr, indices, data, leak, drive, W_loop, W_x, W_sq, out_drive, W_out_loop,
                 x[b], y_prev[b], states, outputs[b])


@njit(**KERNEL)
def _config_group(indptr, indices, data, drive, starts, bias, radius, in_scale, leak, x, states,
                  c0, c1):
    """Configurations c0 <= c < c1 of :func:`run_configs` side by side, serially, one sequence
    of the pack after the other: their states (N, B) in working arrays, each nonzero of W read
    once for all of them."""
    B = c1 - c0
    n = x.shape[2]
    dtype = x.dtype
    cur = np.empty((n, B), dtype=dtype)
    nxt = np.empty_like(cur)
    pre = np.empty_like(cur)
    em = np.empty(n * B, dtype=np.float64)
    bits = np.empty(n * B, dtype=np.int64)
    acc = np.empty(B, dtype=dtype)
    r = radius[c0:c1].astype(dtype)
    s = in_scale[c0:c1].astype(dtype)
    a = leak[c0:c1].astype(dtype)
    keep = 1.0 - a
    for q in range(starts.shape[0] - 1):
        for b in range(B):
            copy_into(x[c0 + b, q], cur[:, b])
        for t in range(starts[q], starts[q + 1]):
            for i in range(n):
                acc[:] = 0.0
                _add_row_products(indptr, indices, data, cur, i, acc)
                d = drive[t, i]
                bi = bias[i]
                for b in range(B):
                    pre[i, b] = r[b] * acc[b] + s[b] * d + bi
            tanh_inplace(pre.reshape(-1), em, bits)
            for i in range(n):
                for b in range(B):
                    nxt[i, b] = keep[b] * cur[i, b] + a[b] * pre[i, b]
            for b in range(B):
                for i in range(n):
                    states[c0 + b, t, i] = nxt[i, b]
            cur, nxt = nxt, cur
        for b in range(B):
            copy_into(cur[:, b], x[c0 + b, q])


@njit(**PARALLEL_KERNEL)
def run_configs(indptr, indices, data, drive, starts, bias, radius, in_scale, leak, x, states,
                n_groups):
    """C reservoirs sharing one sparse pattern, run over the same packed sequences.

    ``data`` is W at unit spectral radius and ``drive`` (n_rows, N) = W_in u(t) at unit input
    scale, sequence q in rows ``starts[q] .. starts[q + 1]``; configuration c runs
    x(t) = (1-a_c) x(t-1) + a_c tanh(r_c W x(t-1) + s_c drive[t] + bias) with r_c = radius[c],
    s_c = in_scale[c], a_c = leak[c]. The configurations are split into ``n_groups`` groups run
    in parallel, each side by side (one pass over W a step for the group; 2x faster than one
    sparse mat-vec per configuration). x (C, n_sequences, N): initial states, overwritten by the
    final ones; states (C, n_rows, N).
    """
    C = x.shape[0]
    n_groups = max(1, min(n_groups, C))
    bounds = np.linspace(0, C, n_groups + 1).astype(np.int64)
    for g in prange(n_groups):
        _config_group(indptr, indices, data, drive, starts, bias, radius, in_scale, leak, x,
                      states, bounds[g], bounds[g + 1])
