"""numba-rnn: reproductions of published reservoir-computing results.

Each sub-command runs one experiment, prints its figures beside the published ones, writes the
results as a netCDF file (an xarray.Dataset) and, unless --no-plot, a PNG figure.
"""

import argparse
import pathlib
import sys

import numpy as np

from . import lorenz, mackey_glass, memory, narma, rtrl_tasks
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
}
#: Sub-commands of the RTRL experiments (network options instead of reservoir options).
RTRL_TASKS = ("adding", "binary-addition", "reber", "rtrl-vs-esn")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def build_parser():
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
        if name in RTRL_TASKS:
            p.add_argument("--n-hidden", type=_positive_int, default=None,
                           help="recurrent units of the RTRL network")
            p.add_argument("--epochs", type=_positive_int, default=None)
            if name != "rtrl-vs-esn":
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
    return parser


def _kwargs(args):
    kw = dict(seed=args.seed, verbose=not args.quiet)
    if args.name not in RTRL_TASKS:
        kw.update(dtype=args.dtype, device=args.device)
    for option, key in (("n_reservoir", "n_reservoir"), ("n_train", "n_train"),
                        ("trials", "n_trials"), ("sizes", "sizes"), ("n_hidden", "n_hidden"),
                        ("epochs", "epochs"), ("gradient", "gradient"), ("length", "length")):
        value = getattr(args, option, None)
        if value is not None:
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
    args = build_parser().parse_args(argv)
    task = EXPERIMENTS[args.name]
    ds = task.run(**_kwargs(args))
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
