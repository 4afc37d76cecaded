"""Plain-numpy reference implementations, written for clarity, that the kernels are tested
against."""

import numpy as np


def reservoir_states(W, W_in, b, leak, U, W_fb=None, Y_prev=None, x0=None):
    """x(t) = (1-a) x(t-1) + a tanh(W x(t-1) + W_in u(t) + W_fb y(t-1) + b), dense W."""
    x = np.zeros(W.shape[0]) if x0 is None else np.array(x0, dtype=float)
    out = []
    for t in range(U.shape[0]):
        pre = W @ x + W_in @ U[t] + b
        if W_fb is not None:
            pre = pre + W_fb @ Y_prev[t]
        x = (1 - leak) * x + leak * np.tanh(pre)
        out.append(x)
    return np.array(out).reshape(U.shape[0], W.shape[0])


def features(U, S, squares=False, intercept=True):
    cols = ([np.ones((len(S), 1))] if intercept else []) + [U, S]
    if squares:
        cols.append(S[:, ::2] ** 2)
    return np.hstack(cols)


def ridge(F, Y, lam, intercept=True):
    """argmin ||Y - F w||^2 + lam ||w[1:] if intercept else w||^2, by lstsq on the augmented
    system."""
    p = F.shape[1]
    pen = np.sqrt(lam) * np.eye(p)
    if intercept:
        pen = pen[1:]
    A = np.vstack([F, pen])
    B = np.vstack([Y, np.zeros((pen.shape[0], Y.shape[1]))])
    return np.linalg.lstsq(A, B, rcond=None)[0]


def rls(F, Y, P, W, forgetting, ridge=0.0, first=0, t0=0):
    """Recursive least squares, one row at a time, by the inverses themselves: R = P^-1 and
    b = R W become forgetting R + f f^T and forgetting b + f y^T, then with forgetting < 1
    R gains ridge (1 - forgetting^n) on the diagonal entry first + (t0 + t) % n (n = p -
    first), and P = R^-1, W = P b."""
    R = np.linalg.inv(P)
    b = R @ W
    n = len(R) - first
    for t, (f, y) in enumerate(zip(F, Y)):
        R = forgetting * R + np.outer(f, f)
        b = forgetting * b + np.outer(f, y)
        if forgetting < 1:
            c = first + (t0 + t) % n
            R[c, c] += ridge * (1 - forgetting ** n)
    P = np.linalg.inv(R)
    return P, P @ b


def closed_loop(W, leak, drive, W_loop, W_x, W_sq, out_drive, W_out_loop, x, y):
    """Reference for kernels.generate."""
    xs, ys = [], []
    for t in range(drive.shape[0]):
        x = (1 - leak) * x + leak * np.tanh(W @ x + drive[t] + W_loop @ y)
        y = W_x @ x + W_sq @ (x[::2] ** 2)[: W_sq.shape[1]] + out_drive[t] + W_out_loop @ y
        xs.append(x)
        ys.append(y)
    return np.array(xs), np.array(ys)


def rtrl_sensitivities(W_in, W_rec, b, X, leak=1.0):
    """dh(T-1)/dTheta by the textbook recursion with an explicit Kronecker product:
    M(t) = (1-a) M(t-1) + a D(t) (W_rec M(t-1) + kron(I_n, z(t)^T)), Theta = [W_in | W_rec | b]."""
    n = W_rec.shape[0]
    h = np.zeros(n)
    nz = W_in.shape[1] + n + 1
    M = np.zeros((n, n * nz))
    for x in X:
        z = np.concatenate([x, h, [1.0]])
        v = np.tanh(W_in @ x + W_rec @ h + b)
        D = np.diag(1 - v ** 2)
        M = (1 - leak) * M + leak * D @ (W_rec @ M + np.kron(np.eye(n), z[None, :]))
        h = (1 - leak) * h + leak * v
    return M


def rtrl_online_sgd(W_in, W_rec, b, W_out, b_out, X, Y, lr, leak=1.0):
    """Online RTRL with an SGD step after every time step, textbook form: the sensitivities
    follow the recursion of :func:`rtrl_sensitivities` with the weights of each step, the
    gradient is e^T W_out M(t) for Theta and e h^T, e for the readout. Returns the weights."""
    W_in, W_rec, b, W_out, b_out = (a.astype(float) for a in (W_in, W_rec, b, W_out, b_out))
    n, n_in = W_in.shape
    h = np.zeros(n)
    M = np.zeros((n, n * (n_in + n + 1)))
    for x, d in zip(X, Y):
        z = np.concatenate([x, h, [1.0]])
        v = np.tanh(W_in @ x + W_rec @ h + b)
        D = np.diag(1 - v ** 2)
        M = (1 - leak) * M + leak * D @ (W_rec @ M + np.kron(np.eye(n), z[None, :]))
        h = (1 - leak) * h + leak * v
        e = W_out @ h + b_out - d
        g_theta = ((W_out.T @ e) @ M).reshape(n, -1)
        g_out = np.outer(e, h)
        W_in = W_in - lr * g_theta[:, :n_in]
        W_rec = W_rec - lr * g_theta[:, n_in:n_in + n]
        b = b - lr * g_theta[:, -1]
        W_out, b_out = W_out - lr * g_out, b_out - lr * e
    return W_in, W_rec, b, W_out, b_out


def lstm_outputs(w, B, S, n_x, m, X, shortcut=False, logistic_out=False, peepholes=True,
                 forget=True, yc_fixed=None, squash="tanh"):
    """Plain-numpy LSTM (layout of lstm.kernels). With ``yc_fixed`` (T, nc) the gates and cells
    see those recurrent inputs instead of the network's own y_c(t-1). ``squash``: "tanh",
    "identity" or "logistic" (g = 4 sigma - 2, h = 2 sigma - 1). Returns (outputs, yc)."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    g, h = {"tanh": (np.tanh, np.tanh), "identity": (lambda v: v, lambda v: v),
            "logistic": (lambda v: 4 * sig(v) - 2, lambda v: 2 * sig(v) - 1)}[squash]
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    n_z = nc + (n_x if shortcut else 0) + 1
    s, yc = np.zeros(nc), np.zeros(nc)
    outs, ycs = [], []
    for t, x in enumerate(X):
        rec = yc if yc_fixed is None else yc_fixed[t]
        u = np.concatenate([x, rec, [1.0]])
        s_new, yc_new = s.copy(), yc.copy()
        for j in range(B):
            blk = w[j * PB:(j + 1) * PB]
            cells = slice(j * S, (j + 1) * S)
            p_in, p_phi, p_out = (blk[n_u * (3 + S) + k * S:n_u * (3 + S) + (k + 1) * S]
                                  for k in range(3))
            y_in = sig(blk[:n_u] @ u + peepholes * (p_in @ s[cells]))
            y_phi = sig(blk[n_u:2 * n_u] @ u + peepholes * (p_phi @ s[cells])) if forget else 1.0
            Wc = blk[3 * n_u:(3 + S) * n_u].reshape(S, n_u)
            s_new[cells] = y_phi * s[cells] + y_in * g(Wc @ u)
            y_out = sig(blk[2 * n_u:3 * n_u] @ u + peepholes * (p_out @ s_new[cells]))
            yc_new[cells] = y_out * h(s_new[cells])
        s, yc = s_new, yc_new
        Wo = w[B * PB:].reshape(m, n_z)
        z = np.concatenate([yc] + ([x] if shortcut else []) + [[1.0]])
        o = Wo @ z
        outs.append(sig(o) if logistic_out else o)
        ycs.append(yc)
    return np.array(outs), np.array(ycs)


def lstm_node_groups(B, S, n_x, m, shortcut=False):
    """Index arrays of the node-decoupled filter's weight groups, named from the layout of
    :func:`lstm_outputs`: per block its input, forget and output gate rows and each cell input
    row, then its input-, forget- and output-gate peepholes; then each output unit's row."""
    nc = B * S
    n_u = n_x + nc + 1
    PB = n_u * (3 + S) + 3 * S
    n_z = nc + (n_x if shortcut else 0) + 1
    groups = []
    for j in range(B):
        rows = [np.arange(j * PB + k * n_u, j * PB + (k + 1) * n_u) for k in range(3 + S)]
        peep = j * PB + n_u * (3 + S)
        groups += rows + [np.arange(peep + k * S, peep + (k + 1) * S) for k in range(3)]
    return groups + [np.arange(B * PB + k * n_z, B * PB + (k + 1) * n_z) for k in range(m)]


def decoupled_ekf(w, H, e, Ps, groups, r, q, frozen):
    """One decoupled EKF step in plain numpy: A = (r I + sum_g H_g P_g H_g^T)^-1,
    K_g = P_g H_g^T A, w_g += K_g e, P_g -= K_g H_g P_g - q I (frozen weights: zero columns
    of H). Updates w and the list of covariances Ps in place."""
    H = np.where(frozen, 0.0, H)
    A = np.linalg.inv(r * np.eye(len(e)) + sum(H[:, g] @ P @ H[:, g].T
                                               for g, P in zip(groups, Ps)))
    for g, P in zip(groups, Ps):
        K = P @ H[:, g].T @ A
        w[g] += K @ e
        P -= K @ H[:, g] @ P - q * np.eye(len(g))


def sequence_vectors(S, U, kind, washout, mean=None, axes=None, space_ridge=1.0):
    """The vector of one sequence's states S (T, N) and inputs U (T, n_in): last state, mean
    after the washout, both, or the model space (ridge of u(t+1) on [1, (x(t) - mean) @ axes]
    for washout <= t < T - 1, penalty on every weight, flattened row-major)."""
    if kind == "model":
        Z = np.hstack([np.ones((len(S), 1)), (S - mean) @ axes])[washout:-1]
        V = U[washout + 1:]
        return np.linalg.solve(Z.T @ Z + space_ridge * np.eye(Z.shape[1]), Z.T @ V).ravel()
    parts = {"last": [S[-1]], "mean": [S[washout:].mean(axis=0)],
             "last_mean": [S[-1], S[washout:].mean(axis=0)]}[kind]
    return np.concatenate(parts)


def leave_one_out(F, Y, lam):
    """Outputs at each row i of the ridge (unpenalised intercept) fitted without row i."""
    out = np.empty_like(Y)
    for i in range(len(F)):
        keep = np.arange(len(F)) != i
        A = np.hstack([np.ones((keep.sum(), 1)), F[keep]])
        w = ridge(A, Y[keep], lam)
        out[i] = np.r_[1.0, F[i]] @ w
    return out


def nvar_features(S, delays, skip, degree):
    """[linear features, monomials of degree 2..degree] of every step of S (T, d): the linear
    features s(t), s(t - skip), ... (zeros before the start), the monomials in
    itertools.combinations_with_replacement order, degree by degree."""
    import itertools

    T, d = S.shape
    padded = np.vstack([np.zeros(((delays - 1) * skip, d)), S])
    rows = []
    for t in range(T):
        lin = np.concatenate([padded[t + (delays - 1) * skip - j * skip] for j in range(delays)])
        mono = [np.prod(lin[list(c)]) for k in range(2, degree + 1)
                for c in itertools.combinations_with_replacement(range(len(lin)), k)]
        rows.append(np.concatenate([lin, mono]))
    return np.array(rows)


def nvar_closed_loop(history, W, delays, skip, degree, horizon, increment=True):
    """Closed loop (horizon, d) of an NVAR whose readout W ((1 + n_features), d: intercept row
    first) maps the features of the newest step of ``history`` (oldest first) to the next value
    (or its increment), fed back one step at a time."""
    w = (delays - 1) * skip + 1
    steps, out = list(history[-w:]), []
    for _ in range(horizon):
        f = nvar_features(np.array(steps[-w:]), delays, skip, degree)[-1]
        y = W[0] + f @ W[1:] + (steps[-1] if increment else 0)
        out.append(y)
        steps.append(y)
    return np.array(out)


def guessed_outputs(W_h, W_y, X, act="logistic"):
    """Outputs (T, m) of the fully connected network of rtrl.guessing (architecture A1):
    h(t) = f(W_h [x; h(t-1); y(t-1); 1]), y(t) = sigma(W_y [x; h(t); y(t-1); 1])."""
    f = np.tanh if act == "tanh" else (lambda v: 1.0 / (1.0 + np.exp(-v)))
    h, y = np.zeros(W_h.shape[0]), np.zeros(W_y.shape[0])
    out = np.empty((len(X), W_y.shape[0]))
    for t, x in enumerate(X):
        h = f(W_h @ np.concatenate([x, h, y, [1.0]]))
        y = 1.0 / (1.0 + np.exp(-(W_y @ np.concatenate([x, h, y, [1.0]]))))
        out[t] = y
    return out


def blocked_ridge_errors(F, Y, ridges, n_blocks, intercept=True):
    """Squared errors (n_ridges,) of each of n_blocks contiguous blocks of the rows under the
    ridge weights fitted on the other rows, summed over the blocks."""
    edges = np.linspace(0, len(F), n_blocks + 1).astype(int)
    out = np.zeros(len(ridges))
    for lo, hi in zip(edges[:-1], edges[1:]):
        train = np.r_[0:lo, hi:len(F)]
        for i, lam in enumerate(ridges):
            w = ridge(F[train], Y[train], lam, intercept)
            out[i] += np.sum((Y[lo:hi] - F[lo:hi] @ w) ** 2)
    return out


def seasonal_means(series, period):
    """Mean of each phase t mod period over series (lists of (n_steps, d) arrays, each
    starting at phase 0), by a loop over the steps."""
    sums = np.zeros((period, series[0].shape[1]))
    counts = np.zeros(period)
    for s in series:
        for t, row in enumerate(s):
            sums[t % period] += row
            counts[t % period] += 1
    return sums / counts[:, None]
