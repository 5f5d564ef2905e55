"""The ``minitorch-es`` command."""

from __future__ import annotations

import argparse
import sys


def _demo(args) -> int:
    from .demos import train_xor

    pred, losses = train_xor(seed=args.seed)
    print("XOR with plain Tensor operations (2-5-1 sigmoid network, gradient descent, lr 1)")
    for inputs, p in zip(["0 0", "0 1", "1 0", "1 1"], pred.numpy().ravel()):
        print(f"  {inputs} -> {p:.3f}")
    print(f"final MSE loss after {len(losses)} epochs: {losses[-1]:.5f}")
    return 0


def _plugins(args) -> int:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # failures are listed in the output itself
        from .plugin_manager import describe

        print(describe())
    return 0


def _inspect(args) -> int:
    from .checkpoint import CheckpointError, describe

    try:
        print(describe(args.path))
    except CheckpointError as e:
        print(f"minitorch-es inspect: {e}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="minitorch-es", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train XOR with plain Tensor operations")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_demo)
    plugins = sub.add_parser("plugins", help="list registered entries, providers and failures")
    plugins.set_defaults(func=_plugins)
    inspect = sub.add_parser("inspect", help="describe what a checkpoint file holds")
    inspect.add_argument("path")
    inspect.set_defaults(func=_inspect)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
