"""Benchmark: a small MNIST CNN trained with minitorch_es (and, if installed, with PyTorch).

The network: Conv2d(1, 8, 3) -> ReLU -> MaxPool2d(2) -> Conv2d(8, 16, 3) -> ReLU ->
MaxPool2d(2) -> Flatten -> Linear(400, 10), trained with Adam(lr=1e-3), batch size 128 and
CrossEntropyLoss in a plain PyTorch-style loop (forward, loss, zero_grad, backward, step);
``--lr`` changes the learning rate (default 1e-3); ``--width 2`` doubles the channels (16/32),
which with ``--lr 2e-3`` is the configuration that reaches the 98.5 % accuracy target.

Usage::

    python benchmarks/cnn.py [--data-dir DIR] [--epochs N] [--batch-size B] [--max-batches K]
                             [--threads T] [--no-torch] [--seed S]

MNIST is read with ``mt.data.datasets.load_mnist(data_dir=..., download=False)`` from
``--data-dir`` or ``$MINITORCH_ES_DATA`` (e.g. ``/work/shared/data/mnist``); when it cannot be
loaded, random data of the same shape is used (the accuracy is then meaningless).

Reported: seconds per 10,000 training images (the median batch time after 5 warm-up batches,
scaled to 10,000 images), test accuracy after the epochs (target >= 98.5 % within 2 epochs) and,
when ``torch`` is importable, the same figures for PyTorch (same initial weights, same batch
order) and the time ratio minitorch_es / PyTorch (target <= 2.0). ``--max-batches`` caps the
batches per epoch for a quick run. ``--threads T`` runs both libraries with T threads (NumPy's
BLAS through ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``/``MKL_NUM_THREADS``, which must be set
before NumPy is imported, and ``torch.set_num_threads``); by default each library uses its own
default. On a loaded machine multithreaded OpenBLAS can stall on small matrices, which makes
``--threads 1`` the steadier comparison. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

if __name__ == "__main__" and "--threads" in sys.argv[:-1]:
    # BLAS reads its thread count once, when NumPy is first imported: set it before that.
    _threads = sys.argv[sys.argv.index("--threads") + 1]
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads

import numpy as np  # noqa: E402

import minitorch_es as mt  # noqa: E402

WARMUP = 5


def load_data(data_dir):
    """Normalised float32 ``(N, 1, 28, 28)`` images and int64 labels (or random stand-ins)."""
    try:
        (xtr, ytr), (xte, yte) = mt.data.datasets.load_mnist(data_dir=data_dir, download=False)
        source = "MNIST"
    except Exception as e:  # noqa: BLE001 - any failure falls back to random data
        print(f"MNIST unavailable ({type(e).__name__}: {e}); using random data")
        rng = np.random.default_rng(0)
        xtr, ytr = rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8), rng.integers(0, 10, 60000)
        xte, yte = rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8), rng.integers(0, 10, 10000)
        source = "random"

    def prep(x):
        return ((x.astype(np.float32) / 255.0 - 0.1307) / 0.3081).reshape(-1, 1, 28, 28)

    return prep(xtr), ytr.astype(np.int64), prep(xte), yte.astype(np.int64), source


def build_model(nn, width: int = 1):
    """The benchmark CNN in library ``nn`` (minitorch_es's or torch's); ``width`` multiplies the
    channels (1: the issue's 8/16-channel network; 2: 16/32 channels for the accuracy target)."""
    c1, c2 = 8 * width, 16 * width
    return nn.Sequential(
        nn.Conv2d(1, c1, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * 25, 10),
    )


def batches(n, batch_size, epoch, seed, max_batches):
    order = np.random.default_rng(seed + epoch).permutation(n)
    starts = range(0, n, batch_size)
    if max_batches:
        starts = list(starts)[:max_batches]
    for s in starts:
        yield order[s : s + batch_size]


def train_minitorch(data, args):
    xtr, ytr, xte, yte, _ = data
    mt.manual_seed(args.seed)
    model = build_model(mt.nn, args.width)
    init = {k: v.copy() for k, v in model.state_dict().items()}
    loss_fn = mt.nn.CrossEntropyLoss()
    opt = mt.optim.Adam(model.parameters(), lr=args.lr)
    times, accuracies = [], []
    for epoch in range(args.epochs):
        model.train()
        for idx in batches(len(xtr), args.batch_size, epoch, args.seed, args.max_batches):
            t0 = time.perf_counter()
            x, y = mt.from_numpy(xtr[idx]), mt.from_numpy(ytr[idx])
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
        model.eval()
        correct = 0
        with mt.no_grad():
            for s in range(0, len(xte), 1000):
                pred = model(mt.from_numpy(xte[s : s + 1000])).data.argmax(axis=1)
                correct += int((pred == yte[s : s + 1000]).sum())
        accuracies.append(correct / len(xte))
    return times, accuracies, init


def train_torch(data, args, init):
    import torch

    xtr, ytr, xte, yte, _ = data
    torch.manual_seed(args.seed)
    nn = torch.nn
    model = build_model(nn, args.width)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in init.items()})
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    times, accuracies = [], []
    for epoch in range(args.epochs):
        model.train()
        for idx in batches(len(xtr), args.batch_size, epoch, args.seed, args.max_batches):
            t0 = time.perf_counter()
            x, y = torch.from_numpy(xtr[idx]), torch.from_numpy(ytr[idx])
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            pred = model(torch.from_numpy(xte)).argmax(dim=1).numpy()
        accuracies.append(float((pred == yte).mean()))
    return times, accuracies


def describe(accuracies) -> str:
    per_epoch = ", ".join(f"{a:.2%}" for a in accuracies)
    return f"test accuracy {accuracies[-1]:.2%} (after each epoch: {per_epoch})"


def per_10k(times, batch_size):
    return statistics.median(times[WARMUP:] or times) * 10000 / batch_size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("MINITORCH_ES_DATA"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    parser.add_argument("--max-batches", type=int, default=0, help="cap per epoch (0 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--width",
        type=int,
        default=1,
        help="channel multiplier (2 = 16/32 channels, for the accuracy target)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for both libraries (default: each library's default)",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    args = parser.parse_args(argv)

    data = load_data(args.data_dir)
    print(
        f"data: {data[4]}, train {data[0].shape}, test {data[2].shape}; epochs {args.epochs}, "
        f"batch {args.batch_size}"
    )
    t0 = time.perf_counter()
    times, accuracies, init = train_minitorch(data, args)
    ours = per_10k(times, args.batch_size)
    print(
        f"minitorch_es: {ours:.3f} s / 10k images (median of {len(times)} batches), "
        f"{describe(accuracies)}, wall {time.perf_counter() - t0:.1f} s"
    )
    if args.no_torch:
        return
    try:
        import torch
    except ImportError:
        print("torch not importable: no comparison")
        return
    if args.threads:
        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    ttimes, taccuracies = train_torch(data, args, init)
    theirs = per_10k(ttimes, args.batch_size)
    print(
        f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads): {theirs:.3f} s / 10k "
        f"images, {describe(taccuracies)}, wall {time.perf_counter() - t0:.1f} s"
    )
    print(f"ratio minitorch_es / PyTorch: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
