"""Benchmark: the thesis CNN trained to accuracy on MNIST, minitorch_es and PyTorch in lockstep.

The network (``models.thesis_cnn``): Conv2d(1, 8, 3) -> ReLU -> MaxPool2d(2) -> Conv2d(8, 16,
3) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(400, 10), Adam, cross-entropy, batch 128;
``--width 2`` doubles the channels (16/32), which with ``--lr 2e-3`` reaches the 98.5 % test
accuracy target within 2 epochs. Both libraries start from the same weights and take the same
batches; they train in alternating blocks of ``--block`` steps (the order alternating from
block to block), so both see the same machine load. Reported: the median time per 10,000
training images with the spread of the per-block ratios, and the test accuracy after each
epoch.

    python benchmarks/cnn.py [--epochs 2] [--width 1] [--lr 1e-3] [--max-batches 0]
                             [--block 10] [--threads 1] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
import numpy as np  # noqa: E402
from models import thesis_cnn  # noqa: E402
from training import torch_model, train_step  # noqa: E402


def predictor(lib, model):
    """``predict(x) -> labels`` in eval mode, without a graph (either library)."""

    def predict(x):
        model.eval()
        with lib.no_grad():
            scores = np.asarray(model(lib.from_numpy(x)))
        model.train()
        return scores.argmax(axis=1)

    return predict


def trainers(args, xtr, ytr):
    """``{library: (step(idx), predict(x))}``, both models with the same initial weights."""
    import minitorch_es as mt

    mt.manual_seed(args.seed)
    model = thesis_cnn(mt.nn, args.width)
    libs = {"minitorch_es": (mt, model)}
    torch = common.import_torch()
    if torch is not None:
        build = lambda nn: thesis_cnn(nn, args.width)  # noqa: E731
        libs["PyTorch"] = (torch, torch_model(torch, build, model.state_dict()))
    return {
        name: (train_step(lib, m, xtr, ytr, args.lr), predictor(lib, m))
        for name, (lib, m) in libs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    parser.add_argument("--width", type=int, default=1, help="channel multiplier")
    parser.add_argument("--max-batches", type=int, default=0, help="cap per epoch (0 = all)")
    parser.add_argument("--block", type=int, default=10, help="steps per library per block")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("\n".join(common.environment(args.data_dir)))
    xtr, ytr = common.mnist(args.data_dir)
    xte, yte = common.mnist(args.data_dir, split="t10k")
    libs = trainers(args, xtr, ytr)
    times = {lib: {"wall": [], "cpu": []} for lib in libs}
    accuracy = {lib: [] for lib in libs}
    for epoch in range(args.epochs):
        order = np.random.default_rng(args.seed + epoch).permutation(len(xtr))
        batches = [order[s : s + args.batch_size] for s in range(0, len(xtr), args.batch_size)]
        batches = batches[: args.max_batches or None]
        for b, start in enumerate(range(0, len(batches), args.block)):
            block = batches[start : start + args.block]
            names = list(libs) if b % 2 == 0 else list(libs)[::-1]
            for lib in names:
                wall, cpu = time.perf_counter(), time.process_time()
                for idx in block:
                    libs[lib][0](idx)
                if epoch or b:  # the very first block is a warm-up
                    per_10k = 10000 / args.batch_size / len(block)
                    times[lib]["wall"].append((time.perf_counter() - wall) * per_10k)
                    times[lib]["cpu"].append((time.process_time() - cpu) * per_10k)
        for lib, (_, predict) in libs.items():
            pred = np.concatenate([predict(xte[s : s + 1000]) for s in range(0, len(xte), 1000)])
            accuracy[lib].append(float((pred == yte).mean()))
    for lib, acc in accuracy.items():
        print(f"  {lib}: test accuracy after each epoch " + ", ".join(f"{a:.2%}" for a in acc))
    times.setdefault("PyTorch", times["minitorch_es"])  # without PyTorch: against itself
    label = f"thesis CNN (width {args.width}), training, per 10,000 images"
    pair = ("minitorch_es", "PyTorch")
    print(common.table([common.Row.timed(label, times, pair, unit="s", scale=1.0)]))


if __name__ == "__main__":
    main()
