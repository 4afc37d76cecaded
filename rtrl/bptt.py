"""Backpropagation through time, in plain numpy: the reference that RTRL is checked against."""

import numpy as np

from reservoir.common.docstrings import filler


def _f(net, activation):
    if activation == "tanh":
        v = np.tanh(net)
        return v, 1.0 - v * v
    v = 1.0 / (1.0 + np.exp(-net))
    return v, v * (1.0 - v)


fill_doc = filler({
    "rtrl_network": """\
W_in : ndarray of shape (n_hidden, n_inputs)
    Input weights.
W_rec : ndarray of shape (n_hidden, n_hidden)
    Recurrent weights.
b : ndarray of shape (n_hidden,)
    Hidden bias.
W_out : ndarray of shape (n_outputs, n_hidden)
    Output weights.
b_out : ndarray of shape (n_outputs,)
    Output bias.
X : ndarray of shape (T, n_inputs)
    Inputs x(t).
Y : ndarray of shape (T, n_outputs)
    Targets d(t).
leak_rate : float, default=1.0
    Leak rate a in (0, 1].
activation : {"tanh", "logistic"}, default="tanh"
    Unit nonlinearity f.""",
    "rtrl_gradient": """\
loss : float
    L.
grads : tuple of ndarray
    ``(dW_in, dW_rec, db, dW_out, db_out)``, each shaped like its weights.""",
})


@fill_doc
def bptt_gradient(W_in, W_rec, b, W_out, b_out, X, Y, leak_rate=1.0, activation="tanh"):
    """Loss 1/2 sum_t ||y(t) - d(t)||^2 and its exact gradient by a backward pass through time.

    The plain numpy reference of :func:`rtrl.gradient` (same network and shapes).

    Parameters
    ----------
    {rtrl_network}

    Returns
    -------
    {rtrl_gradient}
    """
    a = leak_rate
    T, n = X.shape[0], W_rec.shape[0]
    H = np.zeros((T + 1, n))  # H[t + 1] = h(t), H[0] = h(-1) = 0
    Dv = np.zeros((T, n))
    for t in range(T):
        net = W_in @ X[t] + W_rec @ H[t] + b
        fh, Dv[t] = _f(net, activation)
        H[t + 1] = (1 - a) * H[t] + a * fh
    E = H[1:] @ W_out.T + b_out - Y
    loss = 0.5 * np.sum(E ** 2)
    dW_in, dW_rec, db = np.zeros_like(W_in), np.zeros_like(W_rec), np.zeros_like(b)
    dh_next = np.zeros(n)  # dL/dh(t+1) through the recurrence
    dnet_next = np.zeros(n)
    for t in range(T - 1, -1, -1):
        # h(t+1) depends on h(t) directly (1-a) and through net(t+1) (W_rec)
        dh = W_out.T @ E[t] + (1 - a) * dh_next + W_rec.T @ dnet_next
        dnet = a * Dv[t] * dh
        dW_in += np.outer(dnet, X[t])
        dW_rec += np.outer(dnet, H[t])
        db += dnet
        dh_next, dnet_next = dh, dnet
    return loss, (dW_in, dW_rec, db, E.T @ H[1:], E.sum(axis=0))
