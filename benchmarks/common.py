"""Shared helpers of the benchmarks: data, timing, peak memory, running contenders apart."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np


def mnist_or_random(data_dir: str | None, flat: bool):
    """MNIST scaled to [0, 1] (from ``data_dir`` or $MINITORCH_ES_DATA), else random data of the
    same shape. Returns (x_train, y_train, x_test, y_test, source)."""
    try:
        from minitorch_es.data.datasets import load_mnist

        (xtr, ytr), (xte, yte) = load_mnist(data_dir=data_dir, download=False)
        source = "MNIST"
    except Exception as e:  # noqa: BLE001 - any failure means: fall back to random data
        rng = np.random.default_rng(0)
        xtr = rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8)
        ytr = rng.integers(0, 10, 60000)
        xte = rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8)
        yte = rng.integers(0, 10, 10000)
        source = f"random data ({type(e).__name__}: {str(e).splitlines()[0][:80]})"
    shape = (-1, 784) if flat else (-1, 1, 28, 28)
    prep = lambda x: x.reshape(shape).astype(np.float32) / 255.0  # noqa: E731
    return prep(xtr), ytr.astype(np.int64), prep(xte), yte.astype(np.int64), source


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn, repeats: int, warmup: int = 1) -> tuple[float, list[float]]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def run_isolated(script: str, impl: str, args: list[str]) -> dict | None:
    """Run one contender in its own process (so peak memory is its own); None if it failed."""
    cmd = [sys.executable, script, "--impl", impl, "--json", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        err = (proc.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  {impl}: failed ({err})")
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True
