"""The embedded Reber grammar (Hochreiter & Schmidhuber 1997): an online RTRL network, and the
lectures' table of DEKF-, NDEKF-, SGD-LSTM and RTRL trained string by string."""

import numpy as np
import xarray as xr

from lstm import KalmanLSTMRegressor
from reservoir.common.progress import Progress
from rtrl import RTRLRegressor

from .protocol import Option, Protocol, positive_int
from .results import finish
from .sequence_tasks import embedded_reber
from .timing import Timer
from .training import fill_doc, rtrl_model


@fill_doc
def run(n_hidden=12, n_train=2000, n_test=500, epochs=10, learning_rate=3e-3, gradient="rtrl",
        seed=0, device="cpu", verbose=False):
    """Embedded Reber grammar with an online RTRL network.

    A string is predicted correctly when, at every step, the outputs above 0.5 are exactly the
    symbols that may come next; the penultimate step (T or P, decided by the second symbol) is the
    long-term part and is reported on its own.

    Parameters
    ----------
    n_hidden : int, default=12
        Recurrent units.
    {rtrl_sequences}
    epochs : int, default=10
        Passes over the training sequences.
    learning_rate : float, default=0.003
        Adam step size.
    {rtrl_gradient}
    {seed}
    {device}
    {verbose}

    {returns_dataset}
    """
    X, Y, _ = embedded_reber(n_train, random_state=seed)
    Xt, Yt, _ = embedded_reber(n_test, random_state=seed + 1000)
    model = rtrl_model(n_hidden, learning_rate, epochs, gradient, seed, verbose, device)
    with Timer() as fit_time:
        model.fit(X, Y)
    preds = model.predict(Xt)
    whole = np.array([np.array_equal(p > 0.5, y > 0.5) for p, y in zip(preds, Yt)])
    last = np.array([np.array_equal(p[-2] > 0.5, y[-2] > 0.5) for p, y in zip(preds, Yt)])
    ds = xr.Dataset({"string_correct": ("sequence", whole.astype(np.int8)),
                     "penultimate_correct": ("sequence", last.astype(np.int8))},
                    coords={"sequence": np.arange(n_test)})
    return finish(ds, "Embedded Reber grammar", "reber", dict(
        string_accuracy=float(whole.mean()), penultimate_accuracy=float(last.mean()),
        n_hidden=n_hidden, n_train=n_train, n_test=n_test, epochs=epochs,
        learning_rate=learning_rate, gradient=gradient, seed=seed,
        fit_seconds=fit_time.seconds))


@fill_doc
def summary(ds):
    """Text report of :func:`run`.

    {summary}
    """
    a = ds.attrs
    return "\n".join([
        f"Embedded Reber grammar: RTRL ({a['gradient']}) with {a['n_hidden']} units, "
        f"{a['epochs']} x {a['n_train']} training strings",
        f"  strings predicted correctly: {a['string_accuracy']:.1%}; penultimate symbol: "
        f"{a['penultimate_accuracy']:.1%} (chance 50%)   (fit {a['fit_seconds']:.1f} s)",
        "  published: RTRL with 12 units succeeds in some fraction of runs after 25,000 strings; "
        "LSTM 97-100% (Hochreiter & Schmidhuber 1997)"])


@fill_doc
def run_lstm(n_seeds=10, n_strings=5000, check_every=250, n_test=200, seed=0, device="cpu",
             verbose=False):
    """Embedded Reber grammar: DEKF-LSTM, NDEKF-LSTM, SGD-LSTM and RTRL trained online.

    As tabled in the lectures (Hochreiter & Schmidhuber 1997): DEKF-LSTM (4 blocks x 2 cells),
    NDEKF-LSTM (the same network, node-decoupled filter), SGD-LSTM (the same network, gradient
    descent with momentum) and RTRL (12 units), string by string. A run succeeds
    when all ``n_test`` test strings are predicted correctly (outputs above 0.5 exactly the possible
    next symbols at every step).

    Parameters
    ----------
    n_seeds : int, default=10
        Number of networks, one per seed.
    n_strings : int, default=5000
        Training strings per network.
    check_every : int, default=250
        Strings between tests.
    n_test : int, default=200
        Test strings.
    {first_seed}
    {device}
    {verbose}

    Returns
    -------
    ds : xarray.Dataset
        Over ``model`` (the LSTM's trainers "dekf", "ndekf", "sgd", and "rtrl") and ``seed``:
        ``strings_to_success``; over ``model``: ``success_rate``.
    """
    X_test, Y_test, _ = embedded_reber(n_test, random_state=10_000)

    def solved(model):
        return all(np.array_equal(p > 0.5, y > 0.5) for p, y in zip(model.predict(X_test), Y_test))

    def make(trainer, s):
        if trainer == "rtrl":
            return RTRLRegressor(12, learning_rate=3e-3, reset_state=True, device=device,
                                 random_state=s)
        return KalmanLSTMRegressor(4, 2, output="logistic", trainer=trainer, p0=100.0,
                                   jacobian="truncated", q=(1e-2, 1e-6), r=(100.0, 1.0),
                                   anneal_steps=10 * n_strings, learning_rate=0.1, momentum=0.9,
                                   device=device, random_state=s)

    models = ("dekf", "ndekf", "sgd", "rtrl")
    strings = np.full((len(models), n_seeds), -1, dtype=np.int32)
    with Progress(len(models) * n_seeds * n_strings, "strings", enabled=verbose, unit="") as bar:
        for a, trainer in enumerate(models):
            for b, s in enumerate(range(seed, seed + n_seeds)):
                X, Y, _ = embedded_reber(n_strings, random_state=s)
                model = make(trainer, s)
                for i, (x, y) in enumerate(zip(X, Y), start=1):
                    model.partial_fit(x, y)
                    bar.update()
                    if i % check_every == 0 and solved(model):
                        strings[a, b] = i
                        bar.update(n_strings - i)
                        break
    ds = xr.Dataset({"strings_to_success": (("model", "seed"), strings,
                                            {"long_name": "training strings until every test "
                                                          "string was right (-1: never)"}),
                     "success_rate": ("model", (strings >= 0).mean(axis=1),
                                      {"long_name": "fraction of seeds that succeeded"})},
                    coords={"model": list(models), "seed": np.arange(seed, seed + n_seeds)})
    title = "Embedded Reber grammar: DEKF-LSTM, NDEKF-LSTM, SGD-LSTM, RTRL"
    return finish(ds, title, "reber-lstm", dict(
        n_seeds=n_seeds, n_strings=n_strings, n_test=n_test, seed=seed))


@fill_doc
def summary_lstm(ds):
    """Text report of :func:`run_lstm`.

    {summary}
    """
    a = ds.attrs
    lines = [f"Embedded Reber grammar, {a['n_seeds']} seeds, at most {a['n_strings']} strings:"]
    for t in ds.model.values:
        runs = ds["strings_to_success"].sel(model=t).values
        done = runs[runs >= 0]
        mean = f"{done.mean():.0f}" if done.size else "-"
        rate = float(ds["success_rate"].sel(model=t))
        lines.append(f"  {t:5s} success {rate:.0%}, "
                     f"mean strings to success {mean}")
    lines.append("  published: LSTM 97-100% after 8,440-39,740 strings; RTRL (12 units) succeeds "
                 "in some fraction of runs (Hochreiter & Schmidhuber 1997)")
    return "\n".join(lines)



PROTOCOLS = [
    Protocol("reber", "RTRL on the embedded Reber grammar", run, summary, options=(
        Option("--n-hidden", dict(type=positive_int, help="recurrent units")),
        Option("--epochs", dict(type=positive_int, help="passes over the training strings")),
        Option("--gradient", dict(choices=["rtrl", "uoro", "snap1"])))),
    Protocol("reber-lstm", "embedded Reber grammar: DEKF-, NDEKF- and SGD-LSTM vs RTRL",
             run_lstm, summary_lstm, n_train="n_strings",
             options=(Option("--seeds", dict(type=positive_int, help="networks trained"),
                             key="n_seeds"),)),
]
