"""Benchmark: a forward + backward step of a 2-layer LSTM, minitorch_es against PyTorch CPU.

The network: ``LSTM(128, 128, num_layers=2)`` on a sequence of 64 steps, batch 32, float32;
the step is ``output, _ = lstm(x)``, ``(output * g).sum().backward()`` with a fixed cotangent g.
Both libraries hold the same weights (PyTorch's, copied through ``load_state_dict``), and the
outputs are checked to agree before timing. The two run in one process, interleaved round by
round (their order alternating, see ``common.interleave``), after warm-up rounds; the table
gives the medians and the ratio minitorch_es / PyTorch (issue 17's target: <= 1.5). Timed
alongside: the step's matrix products alone, run with NumPy on arrays of the step's shapes
(``products``), the floor of the step with this BLAS, against PyTorch's whole step.

Usage::

    python benchmarks/lstm.py [--rounds 21] [--threads 1] [--openblas-coretype NAME]

``--threads T`` runs both libraries with T threads; the default 1 is the steady comparison on
a shared machine, where multithreaded OpenBLAS stalls on small matrices. On a loaded machine
the wall-clock times swing with the load; the CPU times, and their ratio, are steadier. Not part
of the test suite; ``run_all.py`` includes it.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)

import argparse  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

import minitorch_es as mt  # noqa: E402

WARMUP = 3  # untimed rounds: the first calls allocate and warm the caches

SIZE = {"input_size": 128, "hidden_size": 128, "num_layers": 2}
STEPS, BATCH = 64, 32


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


def compare(rounds: int) -> list[common.Row]:
    """Interleaved steps of both LSTMs (and of the products alone): two rows."""
    torch = common.import_torch()
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

    steps = {
        "minitorch_es": step_ours,
        "PyTorch": step_torch,
        "products": products(STEPS, BATCH, SIZE),
    }
    times = common.interleave(steps, rounds, warmup=WARMUP)
    label = f"LSTM(128, 128, 2 layers), seq {STEPS}, batch {BATCH}, forward + backward"
    return [
        common.Row.timed(label, times, ("minitorch_es", "PyTorch")),
        common.Row.timed(
            f"{label}: its matrix products alone, in NumPy",
            times,
            ("products", "PyTorch"),
            reference="PyTorch's step",
        ),
    ]


def main(description: str = __doc__.splitlines()[0], compare: Callable = compare) -> None:
    """The command line of this benchmark and of ``gpt.py``: the table of ``compare``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rounds", type=int, default=21)
    common.add_common_arguments(parser, data=False)
    args = parser.parse_args()
    print("\n".join(common.environment()))
    print(common.table(compare(args.rounds)))


if __name__ == "__main__":
    main()
