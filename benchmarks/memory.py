"""Benchmark: peak resident memory of one training epoch, each library in a fresh process.

Each run is a new Python process that imports one library only (minitorch_es or PyTorch), reads
the workload's data with NumPy, trains one epoch (or ``--batches`` steps) and reports its peak
RSS (``ru_maxrss``) and the RSS it had before the first step. The runs alternate between the
libraries, ``--runs`` times each; the figures are medians.

    python benchmarks/memory.py --workload cnn [--runs 2] [--batches 0] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
from models import WORKLOADS  # noqa: E402

LIBRARIES = ("minitorch_es", "PyTorch")


def child(args) -> None:
    """One epoch of ``args.workload`` with ``args.library``; prints the RSS figures as JSON."""
    from training import Batches, minitorch_step, torch_step

    workload = WORKLOADS[args.workload]
    x, y = workload.data(args.data_dir)
    if args.library == "minitorch_es":
        _, step = minitorch_step(workload, x, y)
    else:
        _, step = torch_step(common.import_torch(), workload, x, y)
    before = common.peak_rss_mb()
    batches = Batches(len(x), workload.batch_size)
    for _ in range(args.batches or len(x) // workload.batch_size):
        step(batches.next())
    print(json.dumps({"peak_rss_mb": common.peak_rss_mb(), "before_training_mb": before}))


def measure(workload: str, runs: int, batches: int = 0, data_dir: str = common.MNIST_DIR):
    """Peak RSS (MB) of ``runs`` fresh processes per library: ``{library: [figures]}``."""
    out = {lib: [] for lib in LIBRARIES if lib == "minitorch_es" or common.import_torch()}
    script = os.path.abspath(__file__)
    for r in range(runs):
        for lib in out if r % 2 == 0 else list(out)[::-1]:
            cmd = [sys.executable, script, "--child", "--library", lib, "--workload", workload]
            cmd += ["--batches", str(batches), "--threads", str(common.THREADS)]
            cmd += ["--data-dir", data_dir]
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise RuntimeError(f"memory child {lib} failed:\n{proc.stderr[-2000:]}")
            out[lib].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def row(workload: str, results: dict, growth: bool = False) -> common.Row:
    """The peak RSS of each library's processes, or with ``growth`` its increase during the
    training (the peak minus the peak before the first step)."""
    peaks = {
        lib: [r["peak_rss_mb"] - (r["before_training_mb"] if growth else 0) for r in rs]
        for lib, rs in results.items()
    }
    theirs = peaks.get("PyTorch", peaks["minitorch_es"])
    what = "peak RSS growth during a training epoch" if growth else "peak RSS of a training epoch"
    name = f"{WORKLOADS[workload].description}, {what} (fresh process)"
    return common.Row(name, peaks["minitorch_es"], theirs, "MB", 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--workload", default="cnn", choices=sorted(WORKLOADS))
    parser.add_argument("--runs", type=int, default=2, help="processes per library")
    parser.add_argument("--batches", type=int, default=0, help="steps per run (0: one epoch)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--library", choices=LIBRARIES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    print("\n".join(common.environment(args.data_dir)))
    results = measure(args.workload, args.runs, args.batches, args.data_dir)
    for lib, rs in results.items():
        before = ", ".join(f"{r['before_training_mb']:.0f}" for r in rs)
        print(f"  {lib}: RSS before the first step {before} MB")
    print(common.table([row(args.workload, results)]))


if __name__ == "__main__":
    main()
