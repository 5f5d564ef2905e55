"""Benchmark: a forward + backward step of a 2-layer LSTM, minitorch_es against PyTorch CPU.

The network: ``LSTM(128, 128, num_layers=2)`` on a sequence of 64 steps, batch 32, float32;
the step is ``output, _ = lstm(x)``, ``(output * g).sum().backward()`` with a fixed cotangent g.
Both libraries hold the same weights (PyTorch's, copied through ``load_state_dict``), and the
outputs are checked to agree before timing. The two run in one process, interleaved round by
round (their order alternating), after warm-up rounds; reported are the median wall-clock and
CPU (``time.process_time``) times and the ratio minitorch_es / PyTorch (target <= 1.5).
Timed alongside: the step's matrix products alone, run with NumPy on arrays of the step's
shapes (``products``), the floor of the step with this BLAS, and its ratio to PyTorch.

Usage::

    python benchmarks/lstm.py [--rounds 15] [--threads 1] [--json]

``--threads T`` runs both libraries with T threads (OpenBLAS through ``OPENBLAS_NUM_THREADS``,
set before NumPy is imported, and ``torch.set_num_threads``); the default 1 is the steady
comparison on a shared machine, where multithreaded OpenBLAS stalls on small matrices. On a
loaded machine the wall-clock times swing with the load (``uptime`` is printed); the CPU
times, and their ratio, are steadier. Not part of the test suite.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import minitorch_es as mt  # noqa: E402

SIZE = {"input_size": 128, "hidden_size": 128, "num_layers": 2}
STEPS, BATCH = 64, 32


def load() -> str:
    """The 1-minute load average, as ``uptime`` reports it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(steps: dict, rounds: int, warmup: int = 3) -> dict:
    """Run the named step functions interleaved (alternating order) and collect wall and CPU
    seconds per round."""
    names = list(steps)
    for _ in range(warmup):
        for name in names:
            steps[name]()
    times = {name: {"wall": [], "cpu": []} for name in names}
    for r in range(rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            wall, cpu = time.perf_counter(), time.process_time()
            steps[name]()
            times[name]["cpu"].append(time.process_time() - cpu)
            times[name]["wall"].append(time.perf_counter() - wall)
    return times


def summary(times: dict, ours: str = "minitorch_es", theirs: str = "torch") -> dict:
    """Medians in milliseconds and the ratios ours / theirs."""
    out = {}
    for kind in ("wall", "cpu"):
        a = statistics.median(times[ours][kind])
        b = statistics.median(times[theirs][kind])
        out[kind] = {ours: a * 1e3, theirs: b * 1e3, "ratio": a / b}
    return out


def report(title: str, result: dict, before: str, rounds: int) -> None:
    print(title)
    print(f"  load average before: {before}; after: {load()}; {rounds} rounds, medians")
    for kind, r in result.items():
        print(
            f"  {kind:4s}  minitorch_es {r['minitorch_es']:8.1f} ms   torch {r['torch']:8.1f} ms"
            f"   ratio {r['ratio']:.2f}"
        )


def arguments(description: str) -> argparse.Namespace:
    """The benchmarks' command line: ``--rounds``, ``--threads``, ``--openblas-coretype``,
    ``--json``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=15)
    common.add_common_arguments(parser, data=False)
    parser.add_argument("--json", action="store_true", help="print one JSON line as well")
    return parser.parse_args()


def compare(name: str, title: str, steps: dict, args: argparse.Namespace) -> dict:
    """Time the steps (``{"minitorch_es": ..., "torch": ...}`` and any others, reported as
    well against torch), print the report (and a JSON line with ``--json``); returns the
    summary."""
    print("\n".join(common.environment()))
    before = load()
    times = measure(steps, args.rounds)
    result = summary(times)
    report(f"{title}, {args.threads} thread(s)", result, before, args.rounds)
    for other in set(steps) - {"minitorch_es", "torch"}:
        cpu = summary(times, ours=other)["cpu"]
        print(f"  {other}: cpu {cpu[other]:.1f} ms, ratio to torch {cpu['ratio']:.2f}")
    if args.json:
        print(json.dumps({"benchmark": name, "threads": args.threads, **result}))
    return result


def products(steps: int, batch: int, size: dict) -> Callable[[], None]:
    """The matrix products of the LSTM step alone, on arrays of its shapes (float32): per layer,
    forward the input projection and one recurrent product per step; backward one recurrent
    product per step (none for the first, h0 needing no gradient), the two weight gradients,
    and the input gradient except for the first layer (whose input needs none)."""
    rng = np.random.default_rng(1)
    hidden, gates = size["hidden_size"], 4 * size["hidden_size"]

    def array(*shape):
        return rng.standard_normal(shape, dtype=np.float32)

    # input_size = hidden_size in the benchmark: one weight shape serves both products
    x, w, dz = (
        array(steps * batch, size["input_size"]),
        array(gates, hidden),
        array(steps * batch, gates),
    )
    h, dz_t = array(batch, hidden), array(batch, gates)

    def run():
        for _ in range(size["num_layers"]):
            x @ w.T
            for _ in range(steps):
                h @ w.T
        for layer in range(size["num_layers"]):
            for _ in range(steps - 1):
                dz_t @ w
            dz.T @ x, dz.T @ x
            if layer:
                dz @ w

    return run


def main() -> int:
    args = arguments("LSTM forward+backward: minitorch_es vs PyTorch")
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(**SIZE)
    ours = mt.nn.LSTM(**SIZE)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((STEPS, BATCH, SIZE["input_size"])).astype(np.float32)
    g = rng.standard_normal((STEPS, BATCH, SIZE["hidden_size"])).astype(np.float32)
    xm, gm, xt, gt = mt.tensor(x), mt.tensor(g), torch.tensor(x), torch.tensor(g)
    agree = np.abs(ours(xm)[0].numpy(force=True) - theirs(xt)[0].detach().numpy()).max()
    assert agree < 1e-4, f"the two LSTMs disagree by {agree}"

    def step_ours():
        out, _ = ours(xm)
        (out * gm).sum().backward()

    def step_torch():
        out, _ = theirs(xt)
        (out * gt).sum().backward()

    title = (
        f"LSTM(128, 128, num_layers=2), seq {STEPS}, batch {BATCH}, forward+backward, "
        f"torch {torch.__version__}"
    )
    steps = {
        "minitorch_es": step_ours,
        "torch": step_torch,
        "products": products(STEPS, BATCH, SIZE),
    }
    compare("lstm", title, steps, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
