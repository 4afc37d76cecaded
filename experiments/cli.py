"""Command line: ``numba-rnn <experiment> [options]`` (also ``python -m experiments``)."""

import argparse

from . import mackey_glass


def _mackey_glass(args):
    result = mackey_glass.run(n_reservoir=args.n_reservoir, n_train=args.n_train,
                              n_trials=args.trials, seed=args.seed, device=args.device)
    print(mackey_glass.report(result, args.n_reservoir, args.n_train))


def build_parser():
    parser = argparse.ArgumentParser(prog="numba-rnn", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    mg = sub.add_parser("mackey-glass", help="MG17 NRMSE84 (Jaeger 2001 protocol)")
    mg.add_argument("--n-reservoir", type=int, default=1000)
    mg.add_argument("--n-train", type=int, default=3000)
    mg.add_argument("--trials", type=int, default=20)
    mg.add_argument("--seed", type=int, default=0)
    mg.add_argument("--device", default="cpu", choices=["cpu", "parallel"])
    mg.set_defaults(func=_mackey_glass)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
