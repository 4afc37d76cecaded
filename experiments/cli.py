"""numba-rnn: reproductions of published reservoir-computing results.

Each sub-command runs one experiment, prints its figures beside the published ones, writes the
results as a netCDF file (an xarray.Dataset) and, unless --no-plot, a PNG figure.
"""

import argparse
import pathlib
import sys

import numpy as np

from . import lorenz, mackey_glass, memory, narma
from .results import save

EXPERIMENTS = {
    "mackey-glass": (mackey_glass, "Mackey-Glass tau=17 NRMSE84 (Jaeger 2001 protocol)"),
    "lorenz": (lorenz, "Lorenz-63 valid prediction time in Lyapunov times"),
    "narma": (narma, "NARMA10 test NRMSE"),
    "memory-capacity": (memory, "memory capacity per reservoir size"),
}


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(prog="numba-rnn", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="EXPERIMENT")
    for name, (module, help_text) in EXPERIMENTS.items():
        p = sub.add_parser(name, help=help_text, description=module.__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--seed", type=int, default=0, help="seed of data and reservoir")
        p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
        p.add_argument("--device", default="cpu", choices=["cpu", "parallel"])
        p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("results"),
                       help="folder for the netCDF file and the figure (default: results)")
        p.add_argument("--no-plot", action="store_true", help="skip the PNG figure")
        p.add_argument("--quiet", action="store_true", help="no progress bars")
        if name == "memory-capacity":
            p.add_argument("--sizes", type=_positive_int, nargs="+", default=[25, 50, 100, 200])
        else:
            p.add_argument("--n-reservoir", type=_positive_int, default=None,
                           help="reservoir units (default: the protocol's)")
        p.add_argument("--n-train", type=_positive_int, default=None,
                       help="training steps (default: the protocol's)")
        if name in ("mackey-glass", "lorenz"):
            p.add_argument("--trials", type=_positive_int, default=None,
                           help="forecasts from this many starting points")
        p.set_defaults(name=name)
    return parser


def _kwargs(args):
    kw = dict(seed=args.seed, dtype=args.dtype, device=args.device, verbose=not args.quiet)
    for option, key in (("n_reservoir", "n_reservoir"), ("n_train", "n_train"),
                        ("trials", "n_trials"), ("sizes", "sizes")):
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
    module = EXPERIMENTS[args.name][0]
    ds = module.run(**_kwargs(args))
    print(module.summary(ds))
    stem = args.out / f"{args.name.replace('-', '_')}_{args.dtype}_seed{args.seed}"
    print(f"  results: {save(ds, stem.with_suffix('.nc'))}")
    if not args.no_plot:
        figure = _plot(args.name, ds, stem)
        if figure is not None:
            print(f"  figure: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
