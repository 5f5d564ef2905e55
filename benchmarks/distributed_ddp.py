"""Benchmark: DistributedDataParallel on 1 and 2 MPI ranks of this machine, for the thesis's
MNIST MLP (784-64-32-10) and the small CNN of benchmarks/cnn.py, with and without bucketing.

    python benchmarks/distributed_ddp.py [--data-dir ../shared/data/mnist] [--steps 150]
        [--models mlp cnn] [--global-batch 128 1024] [--repeats 3]

For each model and global batch G it runs, each as its own ``mpiexec -n R`` job (one BLAS
thread per rank), a PyTorch-style loop (forward, ``loss.backward()``, ``optimizer.step()``) on
G samples per step:

* ``1 rank``: no communication, batch G;
* ``2 ranks, buckets``: DDP with small buckets (``bucket_cap_mb=0.01``: the last layers' bucket
  is all-reduced while backward computes the first layer's gradients);
* ``2 ranks, one bucket``: DDP with the default 25 MiB cap, which holds the whole model: its one
  all-reduce starts when the last gradient is ready (no overlap);
* ``2 ranks, after backward``: no DDP; one all-reduce of the optimizer's gradient arena after
  ``backward()`` (what ``Trainer.fit`` and ``DistributedOptimizer`` do).

Per configuration it prints the median milliseconds per step, of ``backward()`` plus the
gradient communication, and of the communication left to wait for at the end of backward
(DDP's final wait, or the whole all-reduce after backward), over the steps after a warm-up
(rank 0's; every rank runs the same), the speed-up over 1 rank and the scaling efficiency
(speed-up / ranks). With ``--repeats`` the jobs are run several times, interleaved, and the
median of the runs' figures is shown with their range. On a machine shared with other work the
waits are mostly for a rank that lost its core; ``--percentile 10`` then shows the steps
during which both ranks ran.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cnn import build_model as build_cnn  # noqa: E402
from common import mnist_or_random  # noqa: E402

VARIANTS = {  # name -> (ranks, DDP bucket_cap_mb or None for an all-reduce after backward)
    "1 rank": (1, None),
    "2 ranks, buckets": (2, 0.01),
    "2 ranks, one bucket": (2, 25),
    "2 ranks, after backward": (2, None),
}


def build(model: str, nn):
    if model == "mlp":
        return nn.Sequential(
            nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)
        )
    return build_cnn(nn)


def worker(args) -> None:
    """One rank of one configuration: time ``args.steps`` steps after a warm-up."""
    import minitorch_es as mt
    import minitorch_es.distributed as dist
    from minitorch_es.distributed import reducer as reducer_module
    from minitorch_es.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    x, y, _, _, source = mnist_or_random(args.data_dir, flat=args.model == "mlp")
    per_rank = args.global_batch // size
    mt.manual_seed(0)
    net = build(args.model, mt.nn)
    cap = VARIANTS[args.variant][1]
    model = DDP(net, bucket_cap_mb=cap) if size > 1 and cap is not None else net
    opt = mt.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = mt.nn.CrossEntropyLoss()
    waited = []  # DDP's final wait for its buckets, per step
    finalize = reducer_module.Reducer._finalize

    def timed_finalize(self):
        start = time.perf_counter()
        finalize(self)
        waited.append(time.perf_counter() - start)

    reducer_module.Reducer._finalize = timed_finalize
    steps, backward, exposed = [], [], []
    n_batches = len(x) // args.global_batch
    for step in range(args.warmup + args.steps):
        k = step % n_batches
        rows = slice(
            k * args.global_batch + rank * per_rank, k * args.global_batch + (rank + 1) * per_rank
        )
        xb, yb = mt.tensor(x[rows]), mt.tensor(y[rows])
        if step == args.warmup:
            dist.barrier()
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        if size > 1 and cap is None:
            dist.average_gradients(opt)
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        steps.append(t4 - t0)
        backward.append(t3 - t1)
        exposed.append((t3 - t2) if cap is None else (waited[-1] if waited else 0.0))
    steps, backward, exposed = (v[args.warmup :] for v in (steps, backward, exposed))
    buckets = len(model.reducer.buckets) if isinstance(model, DDP) and model.reducer else 0
    if rank == 0:
        params = sum(p.numel() for p in net.parameters())
        pick = np.percentile if args.percentile else (lambda v, _: statistics.median(v))
        ms = lambda v: float(pick(v, args.percentile)) * 1e3  # noqa: E731
        print(
            json.dumps(
                {
                    "params": int(params),
                    "buckets": buckets,
                    "data": source,
                    "step_ms": ms(steps),
                    "backward_ms": ms(backward),
                    "exposed_ms": ms(exposed),
                }
            )
        )


def launch(args, model: str, batch: int, variant: str) -> dict:
    ranks = VARIANTS[variant][0]
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    cmd = [mpiexec, "-n", str(ranks), sys.executable, os.path.abspath(__file__), "--worker"]
    cmd += ["--model", model, "--global-batch", str(batch), "--variant", variant]
    cmd += ["--steps", str(args.steps), "--warmup", str(args.warmup)]
    cmd += ["--percentile", str(args.percentile)]
    cmd += ["--data-dir", args.data_dir] if args.data_dir else []
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{model} {variant} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summary(values: list[float]) -> str:
    mid = statistics.median(values)
    return f"{mid:.2f}" if len(values) == 1 else f"{mid:.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--steps", type=int, default=150, help="timed steps per run")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--models", nargs="+", default=["mlp", "cnn"], choices=["mlp", "cnn"])
    parser.add_argument("--global-batch", nargs="+", type=int, default=[128, 1024])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each configuration")
    parser.add_argument(
        "--percentile",
        type=float,
        default=0,
        help="report this percentile of the steps instead of the median (e.g. 10 on a busy "
        "machine: the steps during which both ranks had a core)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", default="mlp", help=argparse.SUPPRESS)
    parser.add_argument("--variant", default="1 rank", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        args.global_batch = args.global_batch[0]
        worker(args)
        return
    load = os.getloadavg()[0]
    print(f"load average before the runs: {load:.1f} on {os.cpu_count()} cores")
    for model in args.models:
        for batch in args.global_batch:
            runs = {v: [] for v in VARIANTS}
            for _ in range(args.repeats):  # interleaved, so a busy moment hits every variant
                for variant in VARIANTS:
                    runs[variant].append(launch(args, model, batch, variant))
            first = runs["1 rank"][0]
            kib = 4 * first["params"] / 1024
            print(
                f"\n{model.upper()} ({first['params']:,} parameters, {kib:.0f} KiB of float32 "
                f"gradients), global batch {batch}, {first['data']}"
            )
            print(
                f"{'configuration':<26}{'buckets':>8}{'ms/step':>24}{'backward+comm ms':>24}"
                f"{'exposed comm ms':>20}{'speed-up':>10}{'efficiency':>12}"
            )
            base = statistics.median(r["step_ms"] for r in runs["1 rank"])
            for variant, results in runs.items():
                step = [r["step_ms"] for r in results]
                speedup = base / statistics.median(step)
                ranks = VARIANTS[variant][0]
                print(
                    f"{variant:<26}{results[0]['buckets']:>8}{summary(step):>24}"
                    f"{summary([r['backward_ms'] for r in results]):>24}"
                    f"{summary([r['exposed_ms'] for r in results]):>20}{speedup:>10.2f}"
                    f"{speedup / ranks:>12.0%}"
                )
    print(f"\nload average after the runs: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
