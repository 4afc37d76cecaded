"""numba-rnn: reproductions of published results with ESNs, RTRL and Kalman-trained LSTMs.

Each sub-command runs one experiment, prints its figures beside the published ones, writes the
results as a netCDF file (an xarray.Dataset) and, unless --no-plot, a PNG figure. The
sub-commands are the protocols that the modules of ``experiments`` declare
(:mod:`experiments.protocol`).
"""

import argparse
import pathlib
import sys
import tempfile

from lstm import FilterDivergenceError
from reservoir.common.device import DEVICES
from rtrl import DivergenceError

from .protocol import positive_int, protocols
from .results import save


def build_parser():
    """The argument parser of ``numba-rnn`` (one sub-command per protocol).

    Returns
    -------
    parser : argparse.ArgumentParser
        The parser.
    """
    parser = argparse.ArgumentParser(prog="numba-rnn", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="EXPERIMENT")
    for name, protocol in protocols().items():
        p = sub.add_parser(name, help=protocol.help, description=protocol.doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        for option in protocol.options:
            p.add_argument(option.flag, **{"default": None, **option.kwargs})
        p.add_argument("--seed", type=int, default=0, help="seed of data and model")
        p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("results"),
                       help="folder for the netCDF file and the figure (default: results)")
        p.add_argument("--no-plot", action="store_true", help="skip the PNG figure")
        p.add_argument("--quiet", action="store_true", help="no progress bars")
        p.add_argument("--n-train", type=positive_int, default=None,
                       help="training steps or sequences (default: the protocol's)")
        p.add_argument("--device", default="cpu", choices=DEVICES,
                       help="where the models run (docs/devices.md; default: cpu)")
        if protocol.dtype:
            p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    return parser


def _run_options(protocol, args):
    """The keyword arguments of ``protocol.run`` from the parsed arguments (an option left out
    keeps the run's default)."""
    kw = dict(seed=args.seed, verbose=not args.quiet, device=args.device)
    if protocol.dtype:
        kw["dtype"] = args.dtype
    if args.n_train is not None:
        kw[protocol.n_train] = args.n_train
    for option in protocol.options:
        value = getattr(args, option.dest)
        if value is not None:
            kw[option.keyword] = value
    return kw


def _check_out(folder, command):
    """Fail before computing when the results could not be written to ``folder``. Returns
    whether the folder was made here (then a failed run removes it)."""
    made = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as err:
        raise SystemExit(f"numba-rnn {command}: error: --out {folder} cannot hold the results "
                         f"({err.strerror or err}); give a writable folder.") from err
    return made


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
    protocol = protocols()[args.command]
    kw = _run_options(protocol, args)
    made = _check_out(args.out, args.command)
    try:
        ds = protocol.run(**kw)
    except BaseException as err:
        if made and not any(args.out.iterdir()):
            args.out.rmdir()  # no empty folder left behind
        if isinstance(err, (ValueError, ImportError, FloatingPointError, DivergenceError,
                            FilterDivergenceError, MemoryError)):
            # a bad option value, a missing extra, a diverged training or sizes beyond this
            # machine's memory: its message, without a traceback
            raise SystemExit(f"numba-rnn {args.command}: error: {err}") from err
        if isinstance(err, KeyboardInterrupt):  # Ctrl-C: stopped, nothing written
            print(f"numba-rnn {args.command}: interrupted; no results written.",
                  file=sys.stderr)
            return 130
        raise
    print(protocol.summary(ds))
    stem = args.out / protocol.file_stem(kw)
    print(f"  results: {save(ds, stem.with_suffix('.nc'))}")
    if not args.no_plot and protocol.plot is not None:
        figure = protocol.plot(ds, stem.with_suffix(".png"))
        if figure is not None:
            print(f"  figure: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
