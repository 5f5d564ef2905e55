"""Benchmark: per-op overhead, the time of forward + backward of one op on a tiny tensor, in
minitorch_es and (when importable) PyTorch. At these sizes the arithmetic is free and the
figure is the framework's bookkeeping: graph nodes, dispatch, gradient accumulation.

    python benchmarks/ops.py [--repeats 2000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import torch_available  # noqa: E402


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


def measure(make, op, repeats: int) -> float:
    inputs = make()
    for _ in range(20):
        op(*inputs).sum().backward()
    t = time.perf_counter()
    for _ in range(repeats):
        op(*inputs).sum().backward()
    return (time.perf_counter() - t) / repeats * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args()
    import minitorch_es as mt

    ours = cases(mt, mt.nn.functional)
    theirs = {}
    if torch_available():
        import torch

        torch.set_num_threads(1)
        theirs = cases(torch, torch.nn.functional)
    print(
        "forward + backward of one op on (8, 8) float32 tensors (+ the .sum() to a scalar), "
        "microseconds per call"
    )
    print(f"{'op':<16}{'minitorch_es':>14}{'pytorch':>10}{'ratio':>8}")
    for name, (make, op) in ours.items():
        us = measure(make, op, args.repeats)
        if name in theirs:
            ref = measure(*theirs[name], args.repeats)
            print(f"{name:<16}{us:>14.1f}{ref:>10.1f}{us / ref:>8.2f}")
        else:
            print(f"{name:<16}{us:>14.1f}{'-':>10}{'-':>8}")


if __name__ == "__main__":
    main()
