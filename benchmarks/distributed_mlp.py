"""Benchmark: data-parallel ``Trainer.fit`` of the thesis's MNIST MLP (784-64-32-10, ReLU,
cross-entropy, Adam, global batch 128, float32) on 1 and 2 MPI ranks of this machine: seconds
per epoch, scaling efficiency, and the cost model's figures (bytes all-reduced per step, time of
one gradient all-reduce, compute per step).

    python benchmarks/distributed_mlp.py [--data-dir ../shared/data/mnist] [--epochs 3]
        [--ranks 2] [--global-batch 128]

Each configuration is its own ``mpiexec -n R`` job (mpiexec from the ``mpi`` extra, next to the
Python running this script). Every rank uses one BLAS thread, so R ranks use R cores; the
per-rank batch is the global batch / R, so every configuration makes the same updates. A third
run, one rank with the per-rank batch, splits the R-rank step into compute and communication.
The figure per configuration is the median epoch time over ``--epochs`` epochs after one warm-up
epoch.
MNIST is read from --data-dir or $MINITORCH_ES_DATA; without it random data of the same shape.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MNIST_DIR, mnist, mnist_paths  # noqa: E402,I001  (first: pins BLAS threads)
import numpy as np  # noqa: E402

GLOBAL_BATCH = 128


def worker(args) -> None:
    """One rank of an R-rank job: time the epochs, the gradient all-reduce and the steps."""
    import minitorch_es as mt
    from minitorch_es.distributed import DataParallelStrategy

    d = mt.distributed
    ranks = d.world_size()
    data_dir = args.data_dir or MNIST_DIR
    x, y = mnist(data_dir, flat=True)
    source = "MNIST" if mnist_paths(data_dir) else "random data"
    mt.manual_seed(0)
    nn = mt.nn
    model = nn.Sequential(
        nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)
    )
    params = sum(p.numel() for p in model.parameters())
    comm = {"seconds": 0.0, "calls": 0}
    average = DataParallelStrategy.average_gradients

    def timed_average(self, optimizer):  # wall time of the averaging, waiting included
        start = time.perf_counter()
        average(self, optimizer)
        comm["seconds"] += time.perf_counter() - start
        comm["calls"] += 1

    DataParallelStrategy.average_gradients = timed_average
    epochs = []

    class EpochTimer(mt.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            d.barrier()
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            d.barrier()
            epochs.append(time.perf_counter() - self.start)

    trainer = mt.Trainer(
        model,
        mt.optim.Adam(model.parameters(), lr=1e-3),
        "cross_entropy",
        metrics=None,
        callbacks=[EpochTimer()],
    )
    trainer.fit(x, y, epochs=1 + args.epochs, batch_size=args.batch, verbose=0)
    # One isolated all-reduce of a gradient-sized float32 buffer (the cost model's message).
    buf = np.ones(params, np.float32)
    for _ in range(20):
        d.all_reduce(buf, "mean")
    d.barrier()
    start = time.perf_counter()
    for _ in range(200):
        d.all_reduce(buf, "mean")
    allreduce_s = (time.perf_counter() - start) / 200
    if d.is_main():
        print(
            json.dumps(
                {
                    "ranks": ranks,
                    "batch": args.batch,
                    "params": int(params),
                    "data": source,
                    "epoch_s": epochs[1:],
                    "steps": len(trainer._train_loader),
                    "average_s_per_step": comm["seconds"] / max(comm["calls"], 1),
                    "allreduce_s": allreduce_s,
                    "loss": trainer.history.history["loss"][-1],
                }
            )
        )


def launch(ranks: int, batch: int, args) -> dict:
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    cmd = [
        mpiexec,
        "-n",
        str(ranks),
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        "--epochs",
        str(args.epochs),
        "--batch",
        str(batch),
    ]
    cmd += ["--data-dir", args.data_dir] if args.data_dir else []
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{ranks} ranks failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (after 1 warm-up)")
    parser.add_argument("--ranks", type=int, default=2, help="the data-parallel job's ranks")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--global-batch",
        type=int,
        default=GLOBAL_BATCH,
        help="samples per step over all ranks (the thesis: 128)",
    )
    parser.add_argument("--batch", type=int, default=GLOBAL_BATCH, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    n, total = args.ranks, args.global_batch
    local = total // n
    # 1 rank x 128 (baseline), N ranks x 128/N, and 1 rank x 128/N: the N-rank job's per-rank
    # work without any communication, which splits its step time into compute and all-reduce.
    runs = [
        ("1 rank", launch(1, total, args)),
        (f"{n} ranks", launch(n, local, args)),
        (f"1 rank, batch {local}", launch(1, local, args)),
    ]
    print(
        f"MNIST MLP 784-64-32-10, Adam, float32, global batch {total}, 1 BLAS thread per "
        f"rank; median of {args.epochs} epochs after 1 warm-up; data: {runs[0][1]['data']}"
    )
    print(f"{'configuration':<20}{'batch/rank':>11}{'steps':>7}{'s/epoch':>9}{'ms/step':>9}")
    step_ms = {}
    for name, r in runs:
        epoch = statistics.median(r["epoch_s"])
        step_ms[name] = epoch / r["steps"] * 1e3
        print(f"{name:<20}{r['batch']:>11}{r['steps']:>7}{epoch:>9.3f}{step_ms[name]:>9.3f}")
    base, job = (statistics.median(r["epoch_s"]) for _, r in runs[:2])
    speedup = base / job
    print(f"{n} ranks vs 1: speed-up {speedup:.2f}, scaling efficiency {speedup / n:.0%}")
    params, r = runs[0][1]["params"], runs[1][1]
    flops = 6 * params * local  # forward 2 + backward 4 flops per weight and sample
    compute, step = step_ms[f"1 rank, batch {local}"], step_ms[f"{n} ranks"]
    print(
        f"cost model per step of the {n}-rank job: all-reduce {4 * params / 1024:.0f} KiB "
        f"({params} float32 gradients; alone {r['allreduce_s'] * 1e3:.3f} ms = "
        f"{4 * params / r['allreduce_s'] / 1e9:.2f} GB/s) vs compute {flops / 1e6:.0f} MFLOP "
        f"per rank ({compute:.3f} ms measured, Python overhead included); the step takes "
        f"{step:.3f} ms, so communication and waiting cost {step - compute:.3f} ms "
        f"(gradient averaging measured {r['average_s_per_step'] * 1e3:.3f} ms, waiting "
        f"included)"
    )


if __name__ == "__main__":
    main()
