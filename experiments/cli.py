"""numba-rnn: reproductions of published results with ESNs, RTRL and Kalman-trained LSTMs.

Each sub-command runs one experiment, prints its figures beside the published ones, writes the
results as a netCDF file (an xarray.Dataset) and, unless --no-plot, a PNG figure.
"""

import argparse
import pathlib
import sys

import numpy as np

from lstm import FilterDivergenceError
from lstm.estimator import TRAINERS
from rtrl import DivergenceError

from . import lorenz, lstm_tasks, mackey_glass, memory, narma, rtrl_tasks
from .results import save


class _Task:
    """An experiment of the command line: its run and summary functions and its help."""

    def __init__(self, run, summary, help_text, doc):
        self.run, self.summary, self.help, self.doc = run, summary, help_text, doc


def _module(module, help_text):
    return _Task(module.run, module.summary, help_text, module.__doc__)


EXPERIMENTS = {
    "mackey-glass": _module(mackey_glass, "Mackey-Glass tau=17 NRMSE84 (Jaeger 2001 protocol)"),
    "lorenz": _module(lorenz, "Lorenz-63 valid prediction time in Lyapunov times"),
    "narma": _module(narma, "NARMA10 test NRMSE"),
    "memory-capacity": _module(memory, "memory capacity per reservoir size"),
    "adding": _Task(rtrl_tasks.run_adding, rtrl_tasks.summary_adding,
                    "RTRL on the adding problem", rtrl_tasks.run_adding.__doc__),
    "binary-addition": _Task(rtrl_tasks.run_binary_addition, rtrl_tasks.summary_binary_addition,
                             "RTRL on binary addition", rtrl_tasks.run_binary_addition.__doc__),
    "reber": _Task(rtrl_tasks.run_reber, rtrl_tasks.summary_reber,
                   "RTRL on the embedded Reber grammar", rtrl_tasks.run_reber.__doc__),
    "rtrl-vs-esn": _Task(rtrl_tasks.run_chaotic, rtrl_tasks.summary_chaotic,
                         "Mackey-Glass one-step forecasts: RTRL vs ESN",
                         rtrl_tasks.run_chaotic.__doc__),
    "anbncn": _module(lstm_tasks, "Kalman-trained LSTM on a^n b^n c^n: generalisation"),
    "reber-lstm": _Task(lstm_tasks.run_reber, lstm_tasks.summary_reber,
                        "embedded Reber grammar: DEKF-, NDEKF- and SGD-LSTM vs RTRL",
                        lstm_tasks.run_reber.__doc__),
    "lstm-vs-esn": _Task(lstm_tasks.run_chaotic, lstm_tasks.summary_chaotic,
                         "Mackey-Glass one-step forecasts: DEKF-LSTM vs ESN",
                         lstm_tasks.run_chaotic.__doc__),
}
#: Sub-commands of the RTRL experiments (network options instead of reservoir options).
RTRL_TASKS = ("adding", "binary-addition", "reber", "rtrl-vs-esn", "lstm-vs-esn")


SEARCH_TASKS = ("mackey-glass", "narma")


def _grid_item(text):
    """``name=v1,v2,...``, ``name=start:stop:num`` (linear) or ``name=start:stop:num:log``."""
    name, sep, spec = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected name=values, got {text!r}")
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) not in (3, 4) or (len(parts) == 4 and parts[3] != "log"):
                raise ValueError
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            values = (np.geomspace if len(parts) == 4 else np.linspace)(start, stop, num)
            values = [float(v) for v in values]
        else:
            values = [float(v) for v in spec.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"cannot read {text!r}: use name=v1,v2, name=start:stop:num or "
            "name=start:stop:num:log") from None
    if name in ("n_reservoir", "washout"):
        values = [int(v) for v in values]
    return name, values


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def build_parser():
    """The argument parser of ``numba-rnn`` (one sub-command per experiment).

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser.
    """
    parser = argparse.ArgumentParser(prog="numba-rnn", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="EXPERIMENT")
    for name, task in EXPERIMENTS.items():
        p = sub.add_parser(name, help=task.help, description=task.doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--seed", type=int, default=0, help="seed of data and model")
        p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("results"),
                       help="folder for the netCDF file and the figure (default: results)")
        p.add_argument("--no-plot", action="store_true", help="skip the PNG figure")
        p.add_argument("--quiet", action="store_true", help="no progress bars")
        p.add_argument("--n-train", type=_positive_int, default=None,
                       help="training steps or sequences (default: the protocol's)")
        if name == "reber-lstm":
            p.add_argument("--seeds", type=_positive_int, default=None)
            p.set_defaults(name=name, dtype="float64")
            continue
        if name == "anbncn":
            p.add_argument("--seeds", type=_positive_int, default=None, help="networks trained")
            p.add_argument("--trainer", choices=TRAINERS, default=None)
            p.add_argument("--language", choices=["anbncn", "anbn"], default=None)
            p.add_argument("--max-n", type=_positive_int, default=None,
                           help="largest n of the generalisation test")
            p.add_argument("--forget-gate", action=argparse.BooleanOptionalAction, default=None,
                           help="LSTM with forget gates (default: without)")
            p.add_argument("--peepholes", action=argparse.BooleanOptionalAction, default=None,
                           help="LSTM with peephole connections (default: without)")
            p.add_argument("--jacobian", choices=["truncated", "full"], default=None)
            p.add_argument("--input-gate-bias", type=float, default=None,
                           help="initial input gate bias of block j is this times j + 1")
            p.add_argument("--init-scale", type=float, default=None,
                           help="initial weights of the blocks are uniform in +-this")
            p.add_argument("--r-end", type=float, default=None,
                           help="the filter's measurement noise is annealed from 100 to this")
            p.add_argument("--q-end", type=float, default=None,
                           help="the filter's process noise is annealed from 1e-2 to this")
            p.set_defaults(name=name, dtype="float64")
            continue
        if name in RTRL_TASKS:
            if name == "lstm-vs-esn":
                p.add_argument("--n-blocks", type=_positive_int, default=None)
            else:
                p.add_argument("--n-hidden", type=_positive_int, default=None,
                               help="recurrent units of the RTRL network")
            p.add_argument("--epochs", type=_positive_int, default=None)
            if name not in ("rtrl-vs-esn", "lstm-vs-esn"):
                p.add_argument("--gradient", choices=["rtrl", "uoro", "snap1"], default=None)
            if name == "adding":
                p.add_argument("--length", type=_positive_int, default=None,
                               help="sequence length T")
            p.set_defaults(name=name, dtype="float64")
            continue
        p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
        p.add_argument("--device", default="cpu", choices=["cpu", "parallel", "cuda", "auto"])
        if name == "memory-capacity":
            p.add_argument("--sizes", type=_positive_int, nargs="+", default=[25, 50, 100, 200])
        else:
            p.add_argument("--n-reservoir", type=_positive_int, default=None,
                           help="reservoir units (default: the protocol's)")
        if name in ("mackey-glass", "lorenz"):
            p.add_argument("--trials", type=_positive_int, default=None,
                           help="forecasts from this many starting points")
        p.set_defaults(name=name)
    p = sub.add_parser("search", help="fast grid search of reservoir hyperparameters",
                       description="Grid search with time-series cross-validation; writes the "
                       "results as a netCDF Dataset (one dimension per parameter) and a heat map.")
    p.add_argument("task", choices=SEARCH_TASKS, help="mackey-glass: ESNForecaster one step "
                   "ahead on MG17; narma: ESNRegressor on NARMA10 (scores: R^2)")
    p.add_argument("--grid", type=_grid_item, nargs="+", required=True,
                   help="e.g. spectral_radius=0.5:1.5:5 leak_rate=0.2,0.5,1 "
                   "ridge=1e-12:1e-6:4:log")
    p.add_argument("--n-reservoir", type=_positive_int, default=300)
    p.add_argument("--n-train", type=_positive_int, default=3000, help="steps of the series")
    p.add_argument("--splits", type=_positive_int, default=3, help="TimeSeriesSplit folds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("results"))
    p.add_argument("--no-plot", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(name="search")
    return parser


def _search(args):
    from sklearn.model_selection import TimeSeriesSplit

    from reservoir import ESNForecaster, ESNRegressor

    from .datasets import mackey_glass, narma
    from .search import grid_search

    grid = dict(args.grid)
    if args.task == "mackey-glass":
        X, y = mackey_glass(args.n_train, squash=True, random_state=args.seed), None
        estimator = ESNForecaster(args.n_reservoir, washout=100, random_state=args.seed)
    else:
        u, y = narma(args.n_train, random_state=args.seed)
        X = u[:, None]
        estimator = ESNRegressor(args.n_reservoir, washout=100, random_state=args.seed)
    unknown = set(grid) - set(estimator.get_params())
    if unknown:
        raise SystemExit(f"numba-rnn search: unknown parameter(s) {sorted(unknown)} of "
                         f"{type(estimator).__name__}")
    result = grid_search(estimator, grid, X, y, cv=TimeSeriesSplit(args.splits),
                         verbose=not args.quiet)
    ds = result.dataset
    print(f"Grid search, {args.task}: {ds['mean_test_score'].size} configurations x "
          f"{args.splits} folds")
    print(f"  best score {result.best_score_:.10g} at {result.best_params_}")
    stem = args.out / f"search_{args.task.replace('-', '_')}_seed{args.seed}"
    print(f"  results: {save(ds, stem.with_suffix('.nc'))}")
    names = [k for k in grid if len(grid[k]) > 1]
    if not args.no_plot and len(names) >= 2:
        from . import plots

        figure = plots.heatmap(ds, names[0], names[1], stem.with_suffix(".png"), r2=True)
        print(f"  figure: {figure}")
    return 0


def _kwargs(args):
    kw = dict(seed=args.seed, verbose=not args.quiet)
    if args.name not in RTRL_TASKS + ("anbncn", "reber-lstm"):
        kw.update(dtype=args.dtype, device=args.device)
    for option, key in (("n_reservoir", "n_reservoir"), ("n_train", "n_train"),
                        ("trials", "n_trials"), ("sizes", "sizes"), ("n_hidden", "n_hidden"),
                        ("epochs", "epochs"), ("gradient", "gradient"), ("length", "length"),
                        ("seeds", "n_seeds"), ("trainer", "trainer"), ("n_blocks", "n_blocks"),
                        ("language", "language"), ("max_n", "max_n"),
                        ("forget_gate", "forget_gate"), ("peepholes", "peepholes"),
                        ("jacobian", "jacobian"), ("input_gate_bias", "input_gate_bias"),
                        ("init_scale", "init_scale"), ("r_end", "r_end"),
                        ("q_end", "q_end")):
        value = getattr(args, option, None)
        if value is not None:
            if args.name in ("anbncn", "reber-lstm") and key == "n_train":
                key = "n_strings"  # the training set is a number of strings
            kw[key] = tuple(value) if option == "sizes" else value
    return kw


def _plot(name, ds, stem):
    from . import plots

    if name == "mackey-glass":
        return plots.forecast_figure(ds, stem.with_suffix(".png"), ylabel="y")
    if name == "lorenz":
        best = int(np.argmax(ds["valid_time"].values))
        steps = int(round(float(ds["valid_time"][best]) / ds.attrs["lyapunov_exponent"]
                          / ds.attrs["dt"]))
        return plots.forecast_figure(ds, stem.with_suffix(".png"), variable="x", trial=best,
                                     valid_steps=steps, ylabel="x")
    return None


def main(argv=None):
    """Run the command line ``numba-rnn`` (also ``python -m experiments``).

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments (None: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        Exit status (0 on success).
    """
    args = build_parser().parse_args(argv)
    try:
        if args.name == "search":
            return _search(args)
        task = EXPERIMENTS[args.name]
        ds = task.run(**_kwargs(args))
    except (ValueError, DivergenceError, FilterDivergenceError) as err:
        # a bad option value or a diverged training: its message, without a traceback
        raise SystemExit(f"numba-rnn {args.name}: error: {err}") from err
    print(task.summary(ds))
    stem = args.out / f"{args.name.replace('-', '_')}_{args.dtype}_seed{args.seed}"
    print(f"  results: {save(ds, stem.with_suffix('.nc'))}")
    if not args.no_plot:
        figure = _plot(args.name, ds, stem)
        if figure is not None:
            print(f"  figure: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
