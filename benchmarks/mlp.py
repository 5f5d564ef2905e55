"""Benchmark: one epoch of the thesis's MNIST MLP (784-64-32-10, ReLU, cross-entropy, Adam,
batch 128, float32), in minitorch_es, in hand-written NumPy (the floor) and in PyTorch (when
importable). Each contender runs in its own process; the figures are the median seconds per epoch
over several epochs after a warm-up epoch, and the process's peak RSS.

    python benchmarks/mlp.py [--data-dir ../shared/data/mnist] [--epochs 5] [--threads 2]

MNIST is read from --data-dir or $MINITORCH_ES_DATA; without it random data of the same shape is
used (the timing is the same).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import median_time, mnist_or_random, peak_rss_mb, run_isolated, torch_available  # noqa: E402

BATCH = 128


def bench_minitorch(x, y, epochs):
    import minitorch_es as mt
    from minitorch_es.data import DataLoader, TensorDataset

    mt.manual_seed(0)
    nn = mt.nn
    model = nn.Sequential(
        nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)
    )
    opt = mt.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=BATCH, shuffle=True)

    def epoch():
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()

    return median_time(epoch, epochs)


def bench_numpy(x, y, epochs):
    """The floor: the same network by hand, parameters and gradients in one buffer each."""
    rng = np.random.default_rng(0)
    shapes = [(784, 64), (64,), (64, 32), (32,), (32, 10), (10,)]
    sizes = [int(np.prod(s)) for s in shapes]
    flat = np.empty(sum(sizes), np.float32)
    grad = np.zeros_like(flat)
    m, v = np.zeros_like(flat), np.zeros_like(flat)
    views, gviews, off = [], [], 0
    for s, n in zip(shapes, sizes):
        views.append(flat[off : off + n].reshape(s))
        gviews.append(grad[off : off + n].reshape(s))
        off += n
    for w, s in zip(views, shapes):
        bound = 1 / np.sqrt(s[0]) if len(s) == 2 else 0.1
        w[...] = rng.uniform(-bound, bound, s)
    w1, b1, w2, b2, w3, b3 = views
    g1, gb1, g2, gb2, g3, gb3 = gviews
    state = {"t": 0}
    n = len(x)

    def epoch():
        nonlocal m, v, flat  # updated in place; nonlocal only because `x -= y` rebinds names
        perm = rng.permutation(n)
        for i in range(0, n, BATCH):
            idx = perm[i : i + BATCH]
            xb, yb = x[idx], y[idx]
            z1 = xb @ w1 + b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ w2 + b2
            a2 = np.maximum(z2, 0)
            z3 = a2 @ w3 + b3
            z3 -= z3.max(axis=1, keepdims=True)
            p = np.exp(z3)
            p /= p.sum(axis=1, keepdims=True)
            p[np.arange(len(yb)), yb] -= 1
            d3 = p / len(yb)
            np.matmul(a2.T, d3, out=g3)
            d3.sum(axis=0, out=gb3)
            d2 = d3 @ w3.T
            d2 *= a2 > 0
            np.matmul(a1.T, d2, out=g2)
            d2.sum(axis=0, out=gb2)
            d1 = d2 @ w2.T
            d1 *= a1 > 0
            np.matmul(xb.T, d1, out=g1)
            d1.sum(axis=0, out=gb1)
            state["t"] += 1
            t = state["t"]
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            step = 1e-3 / (1 - 0.9**t)
            denom = np.sqrt(v / (1 - 0.999**t))
            denom += 1e-8
            flat -= step * m / denom

    return median_time(epoch, epochs)


def bench_torch(x, y, epochs, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(
        nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    n = len(xt)

    def epoch():
        perm = torch.randperm(n)
        for i in range(0, n, BATCH):
            idx = perm[i : i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()

    return median_time(epoch, epochs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs (after 1 warm-up)")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch intra-op threads")
    parser.add_argument("--impl", default="all", choices=["all", "minitorch", "numpy", "torch"])
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.impl != "all":
        x, y, _, _, source = mnist_or_random(args.data_dir, flat=True)
        if args.impl == "torch":
            med, times = bench_torch(x, y, args.epochs, args.threads)
        else:
            med, times = (bench_minitorch if args.impl == "minitorch" else bench_numpy)(
                x, y, args.epochs
            )
        print(
            json.dumps(
                {"median_s": med, "times": times, "peak_rss_mb": peak_rss_mb(), "data": source}
            )
        )
        return

    extra = ["--epochs", str(args.epochs), "--threads", str(args.threads)]
    if args.data_dir:
        extra += ["--data-dir", args.data_dir]
    impls = ["minitorch", "numpy"] + (["torch"] if torch_available() else [])
    results = {impl: run_isolated(__file__, impl, extra) for impl in impls}
    print(
        f"MNIST MLP 784-64-32-10, Adam, batch {BATCH}, float32; median of {args.epochs} epochs "
        f"after 1 warm-up; data: {next(r for r in results.values() if r)['data']}"
    )
    print(f"{'implementation':<22}{'s/epoch':>10}{'peak RSS MB':>14}")
    for impl, r in results.items():
        if r:
            print(f"{impl:<22}{r['median_s']:>10.3f}{r['peak_rss_mb']:>14.0f}")
    mt_r = results.get("minitorch")
    if mt_r:
        for other in ("numpy", "torch"):
            if results.get(other):
                ratio = mt_r["median_s"] / results[other]["median_s"]
                print(
                    f"minitorch / {other}: {ratio:.2f}x time, "
                    f"{mt_r['peak_rss_mb'] / results[other]['peak_rss_mb']:.2f}x peak memory"
                )
    if not torch_available():
        print("PyTorch is not importable: `pip install torch==2.13.0` to compare against it")


if __name__ == "__main__":
    main()
