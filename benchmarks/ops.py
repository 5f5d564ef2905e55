"""Benchmark: per-op overhead, the time of forward + backward of one op on a tiny tensor, in
minitorch_es and (when importable) PyTorch, interleaved in one process. At these sizes the
arithmetic is free and the figure is the framework's bookkeeping: graph nodes, dispatch,
gradient accumulation. Each round times ``--repeats`` calls of the op in each library, the
order alternating; the figures are medians over ``--rounds`` rounds.

    python benchmarks/ops.py [--repeats 500] [--rounds 9] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
import numpy as np  # noqa: E402


def cases(lib, F):
    """name -> (make inputs, op) for a tensor library ``lib`` and its functional module ``F``."""
    shape = (8, 8)
    return {
        "add": (lambda: (lib.randn(*shape, requires_grad=True),) * 2, lambda a, b: a + b),
        "mul": (lambda: (lib.randn(*shape, requires_grad=True),) * 2, lambda a, b: a * b),
        "matmul": (lambda: (lib.randn(*shape, requires_grad=True),) * 2, lambda a, b: a @ b),
        "sum": (lambda: (lib.randn(*shape, requires_grad=True),), lambda a: a.sum()),
        "exp": (lambda: (lib.randn(*shape, requires_grad=True),), lambda a: a.exp()),
        "relu": (lambda: (lib.randn(*shape, requires_grad=True),), lambda a: F.relu(a)),
        "sigmoid": (lambda: (lib.randn(*shape, requires_grad=True),), lambda a: F.sigmoid(a)),
        "softmax": (lambda: (lib.randn(*shape, requires_grad=True),), lambda a: F.softmax(a, 1)),
        "getitem": (lambda: (lib.randn(*shape, requires_grad=True),), lambda a: a[1:5]),
        "reshape": (lambda: (lib.randn(*shape, requires_grad=True),), lambda a: a.reshape(64)),
        "linear": (
            lambda: (
                lib.randn(*shape, requires_grad=True),
                lib.randn(4, 8, requires_grad=True),
                lib.randn(4, requires_grad=True),
            ),
            lambda x, w, b: F.linear(x, w, b),
        ),
        "cross_entropy": (
            lambda: (lib.randn(*shape, requires_grad=True),),
            lambda a: F.cross_entropy(a, _labels(lib)),
        ),
    }


def _labels(lib):
    return lib.tensor(np.arange(8) % 8)


def repeated(make, op, repeats: int):
    """A callable running ``repeats`` forward + backward calls of ``op`` on fixed inputs."""
    inputs = make()

    def run():
        for _ in range(repeats):
            op(*inputs).sum().backward()

    return run


def compare(repeats: int, rounds: int) -> list[common.Row]:
    """One row per op: microseconds per forward + backward, interleaved with PyTorch."""
    import minitorch_es as mt

    ours = cases(mt, mt.nn.functional)
    torch = common.import_torch()
    theirs = cases(torch, torch.nn.functional) if torch is not None else {}
    rows = []
    for name, (make, op) in ours.items():
        contenders = {"minitorch_es": repeated(make, op, repeats)}
        if name in theirs:
            contenders["PyTorch"] = repeated(*theirs[name], repeats)
        label = f"{name} forward + backward"
        rows.append(common.compared(label, contenders, rounds, repeats, unit="us", scale=1e6))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--repeats", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    print("\n".join(common.environment()))
    print("forward + backward of one op on (8, 8) float32 tensors (+ the .sum() to a scalar)")
    print(common.table(compare(args.repeats, args.rounds)))


if __name__ == "__main__":
    main()
