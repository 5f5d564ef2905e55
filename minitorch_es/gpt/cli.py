"""``minitorch-es gpt --data FILE``: train a character-level GPT on any UTF-8 text, report the
validation loss in bits per character and print a sample; ``--resume`` continues a run,
``--generate`` only samples from a finished one."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

DEFAULT_PROMPT = "La red neuronal"


def add_parser(sub: Any) -> None:
    """Add the ``gpt`` subcommand to the ``minitorch-es`` subparsers."""
    p = sub.add_parser("gpt", help="train a character-level GPT on a text file and sample from it")
    p.add_argument("--data", metavar="FILE", help="UTF-8 text to train on")
    p.add_argument("--out", default="gpt-run", metavar="DIR", help="run directory (%(default)s)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--generate", action="store_true", help="only sample from the run in --out")
    model = p.add_argument_group("model")
    model.add_argument("--context", type=int, default=64, help="positions seen (%(default)s)")
    model.add_argument("--d-model", type=int, default=128, help="width (%(default)s)")
    model.add_argument("--heads", type=int, default=4, help="attention heads (%(default)s)")
    model.add_argument("--layers", type=int, default=4, help="Transformer blocks (%(default)s)")
    model.add_argument("--dropout", type=float, default=0.1, help="(%(default)s)")
    fit = p.add_argument_group("training")
    fit.add_argument("--epochs", type=int, default=20, help="at most (%(default)s)")
    fit.add_argument("--minutes", type=float, help="stop after the epoch that ends past this")
    fit.add_argument("--batch-size", type=int, default=32, help="(%(default)s)")
    fit.add_argument("--lr", type=float, default=2e-3, help="AdamW learning rate (%(default)s)")
    fit.add_argument(
        "--stride", type=int, default=16, help="between training windows (%(default)s)"
    )
    fit.add_argument("--val-fraction", type=float, default=0.1, help="held-out tail (%(default)s)")
    fit.add_argument("--seed", type=int, default=0, help="(%(default)s)")
    gen = p.add_argument_group("sampling")
    gen.add_argument("--prompt", default=DEFAULT_PROMPT, help="(default: %(default)r)")
    gen.add_argument(
        "--sample", type=int, default=400, metavar="N", help="characters (%(default)s)"
    )
    gen.add_argument("--temperature", type=float, default=0.8, help="(%(default)s)")
    gen.add_argument("--top-k", type=int, default=10, help="(%(default)s; 0: all)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """The ``gpt`` subcommand; returns the exit status."""
    import minitorch_es as mt

    from .data import read_text
    from .train import TrainConfig, bits_per_character, load_run, sample_text, train

    try:
        if args.generate:
            model, tokenizer, _ = load_run(args.out)
        else:
            if not args.data:
                raise ValueError("--data FILE is required to train (or use --generate)")
            config = TrainConfig(
                epochs=args.epochs,
                batch_size=args.batch_size,
                lr=args.lr,
                stride=args.stride,
                val_fraction=args.val_fraction,
                minutes=args.minutes,
                seed=args.seed,
            )
            model_args = {
                "context": args.context,
                "d_model": args.d_model,
                "nhead": args.heads,
                "num_layers": args.layers,
                "dropout": args.dropout,
            }
            text = read_text(args.data)
            start = time.perf_counter()
            model, tokenizer, history = train(text, args.out, model_args, config, args.resume)
            seconds = time.perf_counter() - start
            val = history.history["val_loss"][-1]
            count = sum(p.numel() for p in model.parameters())
            print(
                f"{len(history.history['val_loss'])} epochs in {seconds:.0f} s, {count:,} "
                f"parameters: validation loss {val:.4f} nats = "
                f"{bits_per_character(val):.3f} bits per character"
            )
        mt.manual_seed(args.seed)
        top_k = args.top_k or None
        text = sample_text(model, tokenizer, args.prompt, args.sample, args.temperature, top_k)
    except (ValueError, OSError, mt.ShapeError, mt.checkpoint.CheckpointError) as e:
        print(f"minitorch-es gpt: {e}", file=sys.stderr)
        return 1
    print(f"--- sample (temperature {args.temperature}, top_k {top_k}) ---")
    print(text)
    return 0
