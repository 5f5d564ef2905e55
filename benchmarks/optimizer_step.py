"""Benchmark: optimizer step and zero_grad time for the same number of parameters split into 10
or 1,000 tensors. With the parameter arena both cost the same handful of whole-buffer NumPy
calls; PyTorch (when importable, foreach implementation) is shown for comparison.

    python benchmarks/optimizer_step.py [--total 100000] [--repeats 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import torch_available  # noqa: E402


def time_minitorch(name: str, n_tensors: int, total: int, repeats: int) -> float:
    import minitorch_es as mt

    size = total // n_tensors
    params = [mt.nn.Parameter(mt.randn(size)) for _ in range(n_tensors)]
    kwargs = {"momentum": 0.9} if name == "sgd" else {}
    opt = mt.registry.create("optimizer", name, params=params, lr=1e-3, **kwargs)
    grads = np.random.default_rng(0).standard_normal(size).astype(np.float32)
    for p in params:
        p.grad = grads
    opt.step()
    t = time.perf_counter()
    for _ in range(repeats):
        opt.step()
    return (time.perf_counter() - t) / repeats * 1e6


def time_torch(name: str, n_tensors: int, total: int, repeats: int) -> float:
    import torch

    size = total // n_tensors
    params = [torch.nn.Parameter(torch.randn(size)) for _ in range(n_tensors)]
    cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD}[name]
    kwargs = {"momentum": 0.9} if name == "sgd" else {}
    opt = cls(params, lr=1e-3, **kwargs)
    for p in params:
        p.grad = torch.randn(size)
    opt.step()
    t = time.perf_counter()
    for _ in range(repeats):
        opt.step()
    return (time.perf_counter() - t) / repeats * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=100_000, help="parameters in all")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    have_torch = torch_available()
    if have_torch:
        import torch

        torch.set_num_threads(2)
    print(f"optimizer.step() for {args.total:,} parameters, microseconds per step")
    print(f"{'optimizer':<10}{'tensors':>9}{'minitorch_es':>14}{'pytorch':>10}")
    for name in ("sgd", "adam"):
        for n in (10, 1000):
            ours = time_minitorch(name, n, args.total, args.repeats)
            ref = time_torch(name, n, args.total, args.repeats) if have_torch else float("nan")
            print(f"{name:<10}{n:>9}{ours:>14.1f}{ref:>10.1f}")


if __name__ == "__main__":
    main()
