"""All the comparisons in one table: workload, minitorch_es, PyTorch (or the reference named in
the row), the median ratio and its spread.

* training steps of each workload of ``models.py``, interleaved with PyTorch (``training.py``);
* thesis MLP epochs against PyTorch and against hand-written NumPy (``mlp.py``);
* ``Trainer.fit`` against the bare loop (``fit.py``);
* the sequence models' steps, an LSTM and a small GPT (``lstm.py``, ``gpt.py``);
* peak RSS of a training epoch, each library in fresh processes (``memory.py``): the whole
  process's peak, and its growth during training (peak minus the peak before the first step).

Everything runs with ``--threads`` BLAS / PyTorch threads (default 1) and prints the
environment first, with the OpenBLAS kernels NumPy runs: by default those OpenBLAS detects for
the CPU, as PyTorch does for its own (``--openblas-coretype NAME`` chooses them, child processes
included). When the environment set ``OPENBLAS_CORETYPE`` (removed by default), the MLP rows
are measured again in a fresh process with it, so the table shows both. ``--quick`` uses fewer
rounds (a smoke run, not figures to quote).

    python benchmarks/run_all.py [--threads 1] [--openblas-coretype NAME] [--quick]
                                 [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
import fit  # noqa: E402
import gpt  # noqa: E402
import lstm  # noqa: E402
import memory  # noqa: E402
import mlp  # noqa: E402
import training  # noqa: E402

# workload -> (rounds, steps per round); about 2-6 s per library each at full size
TRAINING = {
    "cnn": (25, 10),
    "lenet5-28": (25, 6),
    "lenet5-32": (25, 6),
    "vgg-block": (15, 2),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    parser.add_argument("--memory-runs", type=int, default=2, help="fresh processes each")
    args = parser.parse_args()
    scale = 5 if args.quick else 1
    start = time.perf_counter()
    print("\n".join(common.environment(args.data_dir)))
    rows = []
    for name, (rounds, steps) in TRAINING.items():
        rows.append(training.compare(name, max(3, rounds // scale), steps, args.data_dir))
    rows += mlp.compare(max(3, 7 // scale), args.data_dir)
    if common.ENV_CORETYPE is not None and common.CORETYPE == "auto":
        # What the environment's OPENBLAS_CORETYPE, removed here, would give (a fresh process).
        note = f"NumPy with OPENBLAS_CORETYPE={common.ENV_CORETYPE} (the environment's)"
        rows += mlp.in_child(max(3, 7 // scale), args.data_dir, "inherit", note)
    if common.import_torch() is not None:  # the sequence models need PyTorch's weights
        rows += lstm.compare(max(3, 21 // scale))
        rows += gpt.compare(max(3, 15 // scale))
    rows.append(fit.compare("mlp", max(3, 9 // scale), args.data_dir))
    rows.append(fit.compare("cnn", max(3, 5 // scale), args.data_dir))
    for name in ("cnn", "lenet5-28"):
        results = memory.measure(name, args.memory_runs, 0, args.data_dir)
        rows += [memory.row(name, results), memory.row(name, results, growth=True)]
    print(common.table(rows))
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end: {load}; {time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
