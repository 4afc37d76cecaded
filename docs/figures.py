"""Draw the documentation's figures from the code in this repository (run by ``make docs``).

``python docs/figures.py [OUT]`` writes, into OUT (default docs/img):

- ``mackey_glass_forecast.png``: a 500-unit ESN's 84-step closed-loop forecast of Mackey-Glass;
- ``grid_search_heatmap.png``: a grid search over spectral radius and leak rate;
- ``classification_confusion.png``: ESNClassifier's defaults on Japanese Vowels (confusion
  matrix of the test split; needs the ``archives`` extra);
- ``sunspots_intervals.png``: ``numba-rnn forecast`` of the yearly sunspots with 90% prediction
  intervals (``--interval 0.9``; needs the ``series`` extra);
- ``benchmark_ratios.png``: the headline speed ratios of docs/benchmarks.md (read from
  ``docs/benchmark_ratios.csv``, which the tables there are the source of) as bars;
- ``anbncn_cell_states.png``: the cell states of a DEKF-trained LSTM reading a^n b^n c^n strings
  (the lectures' "typical evolution of activations": one cell counts up over the a's and down
  over the b's).
"""

import csv
import pathlib
import sys
import tempfile

import numpy as np
from sklearn.model_selection import TimeSeriesSplit

from experiments import classify, mackey_glass, plots
from experiments import forecast as forecast_file
from experiments.datasets import mackey_glass as mackey_glass_series
from experiments.search import grid_search
from experiments.sequence_tasks import anbncn
from lstm import KalmanLSTMRegressor, network
from reservoir import ESNRegressor

SYMBOLS = "SabcT"


def forecast(out):
    ds = mackey_glass.run(n_reservoir=500, n_train=2000, n_trials=1, seed=0)
    return plots.forecast_figure(ds, out / "mackey_glass_forecast.png")


def heatmap(out):
    series = mackey_glass_series(1300, squash=True, random_state=0)
    grid = {"spectral_radius": [0.6, 0.8, 1.0, 1.2, 1.4], "leak_rate": [0.1, 0.3, 0.5, 0.7, 0.9],
            "ridge": [1e-10, 1e-6]}
    result = grid_search(ESNRegressor(n_reservoir=100, washout=100, random_state=0), grid,
                         series[:-1, None], series[1:], cv=TimeSeriesSplit(3))
    return plots.heatmap(result.dataset, "spectral_radius", "leak_rate",
                         out / "grid_search_heatmap.png", r2=True)


def confusion(out):
    ds = classify.run("japanese-vowels", seed=0)
    return plots.confusion_figure(ds, out / "classification_confusion.png")


def sunspots_intervals(out):
    from experiments.real_series import load_series

    values = load_series("sunspots")
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "sunspots.csv"
        path.write_text("year,sunspots\n" + "".join(
            f"{1700 + k},{v}\n" for k, v in enumerate(values)))
        ds = forecast_file.run(path, horizon=11, interval=0.9)
    return plots.series_forecast_figure(ds, out / "sunspots_intervals.png")


def benchmark_ratios(out):
    """Horizontal bars of how many times faster numba-rnn runs than each reference (1 = as
    fast), one colour per reference, the legend outside the axes."""
    with open(pathlib.Path(__file__).parent / "benchmark_ratios.csv") as f:
        rows = list(csv.DictReader(f))
    plt = plots._pyplot()
    references = list(dict.fromkeys(r["reference"] for r in rows))
    colours = dict(zip(references, plt.get_cmap("tab10").colors))
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(rows) + 1.2))
    y = np.arange(len(rows))[::-1]
    for k, row in zip(y, rows):
        ax.barh(k, float(row["speedup"]), color=colours[row["reference"]])
        ax.text(float(row["speedup"]), k, f" {float(row['speedup']):.1f}x", va="center",
                fontsize=8)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks(y, [f"{r['group']}: {r['case']}" for r in rows], fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(0.3, 60)
    ax.set_xlabel("times faster than the reference (log scale; 1 = as fast)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[r]) for r in references]
    ax.legend(handles, references, title="reference", fontsize=8, loc="upper left",
              bbox_to_anchor=(1.01, 1.0))
    return plots._save(plt, fig, out / "benchmark_ratios.png")


def cell_states(model, n):
    """Cell states s(t) (steps, cells) and the symbols read, for the string of length n."""
    X, _ = anbncn(n)
    nc = model.n_blocks * model.n_cells
    s, yc, out = np.zeros(nc), np.zeros(nc), np.empty((1, model.n_outputs_))
    states = np.empty((len(X), nc))
    for t in range(len(X)):
        network.forward(model._net(), X[t:t + 1], s, yc, out)
        states[t] = s
    return states, [SYMBOLS[i] for i in X.argmax(axis=1)]


def anbncn_states(out, n_strings=2000, n=8):
    rng = np.random.default_rng(0)
    model = KalmanLSTMRegressor(2, 1, output="logistic", jacobian="truncated", p0=100.0,
                                q=(1e-2, 1e-6), r=(100.0, 1.0), anneal_steps=15 * n_strings,
                                random_state=0)
    for _ in range(n_strings):
        model.partial_fit(*anbncn(int(rng.integers(1, 11))))
    states, symbols = cell_states(model, n)
    plt = plots._pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for k in range(states.shape[1]):
        ax.plot(states[:, k], marker="o", ms=3, label=f"cell {k + 1}")
    ax.set_xticks(range(len(symbols)), symbols)
    ax.set_xlabel(f"symbol read (n = {n})")
    ax.set_ylabel("cell state s(t)")
    ax.set_title(f"DEKF-trained LSTM (2 blocks) after {n_strings} strings of a^n b^n c^n")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return plots._save(plt, fig, out / "anbncn_cell_states.png")


def main(out):
    out = pathlib.Path(out)
    return [forecast(out), heatmap(out), confusion(out), sunspots_intervals(out),
            benchmark_ratios(out), anbncn_states(out)]


if __name__ == "__main__":
    for path in main(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "img"):
        print(path)
