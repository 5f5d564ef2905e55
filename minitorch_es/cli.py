"""The ``minitorch-es`` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

DESCRIPTION = (
    "minitorch_es, a PyTorch-style deep-learning framework in Python + NumPy: run the "
    "thesis's experiments, a demo, list the plugins or describe a checkpoint."
)


def _demo(args: argparse.Namespace) -> int:
    from .demos import train_xor

    pred, losses = train_xor(seed=args.seed)
    print("XOR with plain Tensor operations (2-5-1 sigmoid network, gradient descent, lr 1)")
    for inputs, p in zip(["0 0", "0 1", "1 0", "1 1"], pred.numpy().ravel()):
        print(f"  {inputs} -> {p:.3f}")
    print(f"final MSE loss after {len(losses)} epochs: {losses[-1]:.5f}")
    return 0


def _plugins(args: argparse.Namespace) -> int:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # failures are listed in the output itself
        from .plugin_manager import describe

        try:
            print(describe(kind=args.kind))
        except ValueError as e:
            print(f"minitorch-es plugins: {e}", file=sys.stderr)
            return 2
    return 0


def _inspect(args: argparse.Namespace) -> int:
    from .checkpoint import CheckpointError, describe

    try:
        report = describe(args.path)  # verified whole before anything is printed
    except CheckpointError as e:
        print(f"minitorch-es inspect: {e}", file=sys.stderr)
        return 1
    print(report, flush=True)  # a closed pipe (`| head -3`) raises here, handled by main()
    return 0


def _thesis(args: argparse.Namespace) -> int:
    import shlex

    from .thesis import RunConfig, check_names, main

    try:
        names = check_names(args.experiments, args.skip)
    except ValueError as e:
        print(f"minitorch-es thesis: {e}", file=sys.stderr)
        return 2
    if args.data_dir is not None and not os.path.isdir(args.data_dir):
        print(
            f"minitorch-es thesis: no directory {args.data_dir} (--data-dir names the one "
            f"holding the MNIST files)",
            file=sys.stderr,
        )
        return 2
    config = RunConfig(
        out_dir=args.out,
        quick=args.quick,
        seed=args.seed,
        data_dir=args.data_dir,
        verify=not args.no_verify,
        download=not args.no_download,
        progress=not args.no_progress,
    )
    return main(names, config, command=shlex.join(["minitorch-es", *args.argv]))


def build_parser() -> argparse.ArgumentParser:
    """The ``minitorch-es`` argument parser with its subcommands."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="minitorch-es", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"minitorch-es {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="train XOR with plain Tensor operations")
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_demo)
    plugins = sub.add_parser("plugins", help="list registered entries, providers and failures")
    plugins.add_argument(
        "--kind", help="only entries of this kind (layer, optimizer, loss, callback ...)"
    )
    plugins.set_defaults(func=_plugins)
    inspect = sub.add_parser(
        "inspect", help="verify a checkpoint file and describe what it holds (exit 1 if bad)"
    )
    inspect.add_argument("path")
    inspect.set_defaults(func=_inspect)
    thesis = sub.add_parser(
        "thesis",
        help="run the thesis's experiments; print the comparison "
        "table and write DIR/report.md with the figures",
    )
    thesis.add_argument(
        "experiments",
        nargs="*",
        metavar="EXPERIMENT",
        help="regression, moons, xor, mnist, figures (default: all)",
    )
    thesis.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="EXPERIMENT",
        help="leave this experiment out (repeatable), e.g. --skip mnist without MNIST",
    )
    thesis.add_argument(
        "--out",
        default="thesis-report",
        metavar="DIR",
        help="directory for report.md and the PNG figures (default: %(default)s)",
    )
    thesis.add_argument("--quick", action="store_true", help="few epochs, MNIST subset (< 1 min)")
    thesis.add_argument(
        "--data-dir",
        metavar="DIR",
        help="directory holding the MNIST IDX files (default: $MINITORCH_ES_DATA, then the "
        "user cache, where MNIST is downloaded)",
    )
    thesis.add_argument(
        "--seed", type=int, default=0, help="seed for initial weights and shuffling (default: 0)"
    )
    thesis.add_argument(
        "--no-verify",
        action="store_true",
        help="skip the SHA-256 check of the MNIST files (your own files)",
    )
    thesis.add_argument("--no-download", action="store_true", help="never download MNIST")
    thesis.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress output (bars on a terminal, a line every 10 s in a log)",
    )
    thesis.set_defaults(func=_thesis)
    from .onnx.cli import add_parser as add_export

    add_export(sub)  # `minitorch-es export`: its options and body live in minitorch_es/onnx/cli.py
    from .gpt.cli import add_parser as add_gpt

    add_gpt(sub)  # `minitorch-es gpt`: the character-level GPT, in minitorch_es/gpt/cli.py
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``minitorch-es`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return args.func(args)
    except BrokenPipeError:  # the reader went away (`minitorch-es plugins | head -3`)
        # Python flushes stdout at exit and would report the broken pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
