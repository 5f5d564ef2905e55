"""Benchmark: optimizer step time for the same number of parameters split into 10 or 1,000
tensors, in minitorch_es and PyTorch (default, foreach implementation), interleaved in one
process. With the parameter arena both splits cost minitorch_es the same handful of
whole-buffer NumPy calls. Each round times ``--repeats`` steps of each library, the order
alternating; the figures are medians over ``--rounds`` rounds.

    python benchmarks/optimizer_step.py [--total 100000] [--repeats 100] [--rounds 9]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
import numpy as np  # noqa: E402


def minitorch_steps(name: str, n_tensors: int, total: int, repeats: int):
    import minitorch_es as mt

    size = total // n_tensors
    params = [mt.nn.Parameter(mt.randn(size)) for _ in range(n_tensors)]
    kwargs = {"momentum": 0.9} if name == "sgd" else {}
    opt = mt.registry.create("optimizer", name, params=params, lr=1e-3, **kwargs)
    grads = np.random.default_rng(0).standard_normal(size).astype(np.float32)
    for p in params:
        p.grad = grads
    opt.step()
    return lambda: [opt.step() for _ in range(repeats)]


def torch_steps(torch, name: str, n_tensors: int, total: int, repeats: int):
    size = total // n_tensors
    params = [torch.nn.Parameter(torch.randn(size)) for _ in range(n_tensors)]
    cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[name]
    kwargs = {"momentum": 0.9} if name == "sgd" else {}
    opt = cls(params, lr=1e-3, **kwargs)
    for p in params:
        p.grad = torch.randn(size)
    opt.step()
    return lambda: [opt.step() for _ in range(repeats)]


def compare(total: int, repeats: int, rounds: int) -> list[common.Row]:
    torch = common.import_torch()
    rows = []
    for name in ("sgd", "adam"):
        for n in (10, 1000):
            contenders = {"minitorch_es": minitorch_steps(name, n, total, repeats)}
            if torch is not None:
                contenders["PyTorch"] = torch_steps(torch, name, n, total, repeats)
            label = f"{name} step, {total:,} parameters in {n} tensors"
            rows.append(common.compared(label, contenders, rounds, repeats, unit="us", scale=1e6))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--total", type=int, default=100_000, help="parameters in all")
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    print("\n".join(common.environment()))
    print(common.table(compare(args.total, args.repeats, args.rounds)))


if __name__ == "__main__":
    main()
