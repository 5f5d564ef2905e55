"""Benchmark: epochs of the thesis's MNIST MLP (784-64-32-10, ReLU, cross-entropy, Adam, batch
128, float32) in minitorch_es, in hand-written NumPy (the floor: what the same arithmetic costs
without a framework) and in PyTorch, interleaved in one process.

Every contender takes the same batches (gathered from the same shuffled order with NumPy); a
round runs one epoch of each, the order alternating from round to round; the figures are the
median epoch times and the spread of the per-round ratios. Peak memory is measured apart, in
fresh processes (``memory.py --workload mlp``).

    python benchmarks/mlp.py [--rounds 5] [--threads 1] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
import numpy as np  # noqa: E402
from models import WORKLOADS  # noqa: E402
from training import Batches, minitorch_step, torch_step  # noqa: E402


def numpy_step(x, y):
    """The floor: the same network by hand, parameters and gradients in one buffer each."""
    rng = np.random.default_rng(0)
    shapes = [(784, 64), (64,), (64, 32), (32,), (32, 10), (10,)]
    sizes = [int(np.prod(s)) for s in shapes]
    flat, grad = np.empty(sum(sizes), np.float32), np.zeros(sum(sizes), np.float32)
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

    def step(idx):
        xb, yb = x[idx], y[idx]
        a1 = np.maximum(xb @ w1 + b1, 0)
        a2 = np.maximum(a1 @ w2 + b2, 0)
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
        m[...] = 0.9 * m + 0.1 * grad
        v[...] = 0.999 * v + 0.001 * grad * grad
        denom = np.sqrt(v / (1 - 0.999**t)) + 1e-8
        flat[...] -= (1e-3 / (1 - 0.9**t)) * m / denom

    return step


def compare(rounds: int, data_dir: str = common.MNIST_DIR) -> list[common.Row]:
    """Interleaved epochs: rows minitorch_es vs PyTorch and minitorch_es vs NumPy."""
    workload = WORKLOADS["mlp"]
    x, y = workload.data(data_dir)
    model, ours = minitorch_step(workload, x, y)
    steps = {"minitorch_es": ours, "NumPy": numpy_step(x, y)}
    torch = common.import_torch()
    if torch is not None:
        _, steps["PyTorch"] = torch_step(torch, workload, x, y, model.state_dict())
    per_epoch = len(x) // workload.batch_size
    cursors = {name: Batches(len(x), workload.batch_size) for name in steps}

    def epoch(name):
        return lambda: [steps[name](cursors[name].next()) for _ in range(per_epoch)]

    times = common.interleave({name: epoch(name) for name in steps}, rounds)
    label = f"{workload.description}, epoch ({per_epoch} steps of {workload.batch_size})"
    seconds = dict(unit="s", scale=1.0)
    rows = [
        common.Row.timed(
            label, times, ("minitorch_es", "NumPy"), reference="NumPy floor", **seconds
        )
    ]
    if "PyTorch" in times:
        rows.insert(0, common.Row.timed(label, times, ("minitorch_es", "PyTorch"), **seconds))
    return rows


def in_child(rounds: int, data_dir: str, coretype: str, note: str) -> list[common.Row]:
    """`compare` in a fresh process whose OpenBLAS runs ``coretype`` (``inherit``: the
    environment's), its rows labelled with ``note``: OpenBLAS chooses its kernels once."""
    script = os.path.abspath(__file__)
    cmd = [sys.executable, script, "--rounds", str(rounds), "--threads", str(common.THREADS)]
    cmd += ["--openblas-coretype", coretype, "--data-dir", data_dir, "--json"]
    env = dict(os.environ)
    if coretype == "inherit" and common.ENV_CORETYPE is not None:
        env["OPENBLAS_CORETYPE"] = common.ENV_CORETYPE
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"mlp.py child failed:\n{proc.stderr[-2000:]}")
    rows = [common.Row(**r) for r in json.loads(proc.stdout.strip().splitlines()[-1])]
    for row in rows:
        row.workload += f"; {note}"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--rounds", type=int, default=5, help="epochs per contender")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # see in_child
    args = parser.parse_args()
    rows = compare(args.rounds, args.data_dir)
    if args.json:
        print(json.dumps([dataclasses.asdict(r) for r in rows]))
        return
    print("\n".join(common.environment(args.data_dir)))
    print(common.table(rows))


if __name__ == "__main__":
    main()
