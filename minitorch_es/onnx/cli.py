"""``minitorch-es export CHECKPOINT.h5 --out model.onnx``: the model rebuilt from its file
(``mt.load_model``), exported with a dynamic batch size, and summarised in one line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

HELP_SHAPE = (
    "the shape of one sample, without the batch dimension, e.g. 1 28 28 (default: the "
    "checkpoint's input_shape metadata, written by save_checkpoint(..., input_shape=...))"
)


def add_parser(sub: Any) -> None:
    """Add the ``export`` subcommand to the ``minitorch-es`` subparsers."""
    parser = sub.add_parser("export", help="export a checkpoint's model to ONNX")
    parser.add_argument("checkpoint", metavar="CHECKPOINT.h5")
    parser.add_argument("--out", required=True, metavar="FILE.onnx", help="the ONNX file")
    parser.add_argument("--input-shape", nargs="+", type=_size, metavar="N", help=HELP_SHAPE)
    parser.add_argument(
        "--input-dtype", metavar="DTYPE", help="default: the dtype of the model's parameters"
    )
    parser.add_argument("--opset", type=int, metavar="N", help="ONNX opset (default: 20)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """The ``export`` subcommand; returns the exit status."""
    import minitorch_es as mt

    try:
        model = mt.load_model(args.checkpoint)
        shape = args.input_shape or _saved_shape(args.checkpoint)
        dtype = np.dtype(args.input_dtype or _parameter_dtype(model))
        sample = mt.zeros(2, *shape, dtype=dtype)
        proto = mt.onnx.export(
            model,
            sample,
            args.out,
            input_names=["input"],
            dynamic_axes={"input": {0: "batch"}},
            opset_version=args.opset,
        )
    except (ImportError, OSError, ValueError, TypeError, LookupError, RuntimeError) as e:
        print(f"minitorch-es export: {e}", file=sys.stderr)
        return 1
    count = sum(p.numel() for p in model.parameters())
    opset = proto.opset_import[0].version
    inputs = ", ".join(map(_describe, proto.graph.input))
    outputs = ", ".join(map(_describe, proto.graph.output))
    print(f"{args.out}: opset {opset}; inputs {inputs}; outputs {outputs}; {count:,} parameters")
    return 0


def _size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}")
    return value


def _saved_shape(path: str) -> list[int]:
    from ..checkpoint import CheckpointError, load_checkpoint

    shape = load_checkpoint(path, restore_rng=False)["metadata"].get("input_shape")
    if shape is None:
        raise ValueError(
            f"{path!r} does not record the input shape: pass --input-shape (one sample's "
            f"shape without the batch dimension, e.g. --input-shape 1 28 28)"
        )
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape
    ):
        raise CheckpointError(
            f"{path!r}: metadata 'input_shape' must be a list of positive ints, got {shape!r}"
        )
    return shape


def _parameter_dtype(model: Any) -> np.dtype:
    return next((p.dtype for p in model.parameters() if p.dtype.kind == "f"), np.float32)


def _describe(value: Any) -> str:
    """``name[batch, 1, 28, 28] float32`` for a graph input or output."""
    from onnx import helper

    tensor = value.type.tensor_type
    dims = [d.dim_param or str(d.dim_value) for d in tensor.shape.dim]
    dtype = helper.tensor_dtype_to_np_dtype(tensor.elem_type)
    return f"{value.name}[{', '.join(dims)}] {dtype}"
