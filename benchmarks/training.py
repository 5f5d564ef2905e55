"""Benchmark: training steps of a workload (see ``models.py``) in minitorch_es and in PyTorch,
interleaved in one process.

Both libraries start from the same weights and take the same batches in the same order (each
step: gather the batch with NumPy, forward, cross-entropy, zero_grad, backward, Adam step). A
round times ``--batches`` consecutive steps of each library, the order alternating from round
to round; the figure is the median time per step over ``--rounds`` rounds, and the ratio's
spread is the interquartile range of the per-round ratios.

    python benchmarks/training.py --workload cnn [--rounds 20] [--batches 10] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
import numpy as np  # noqa: E402
from models import WORKLOADS  # noqa: E402


class Batches:
    """Index arrays of successive batches over shuffled epochs (the same for every library)."""

    def __init__(self, n: int, batch_size: int, seed: int = 0) -> None:
        self.n, self.batch_size, self.rng = n, batch_size, np.random.default_rng(seed)
        self.order, self.pos = self.rng.permutation(n), 0

    def next(self) -> np.ndarray:
        if self.pos + self.batch_size > self.n:
            self.order, self.pos = self.rng.permutation(self.n), 0
        self.pos += self.batch_size
        return self.order[self.pos - self.batch_size : self.pos]


def train_step(lib, model, x, y, lr: float = 1e-3):
    """``step(idx) -> loss``: one Adam step of ``model`` on the batch ``x[idx], y[idx]``,
    written once for both libraries (``lib`` is ``minitorch_es`` or ``torch``)."""
    optimizer = lib.optim.Adam(model.parameters(), lr=lr)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step(idx):
        loss = loss_fn(model(lib.from_numpy(x[idx])), lib.from_numpy(y[idx]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def minitorch_step(workload, x, y):
    """A minitorch_es model of ``workload`` (seed 0) and its `train_step`."""
    import minitorch_es as mt

    mt.manual_seed(0)
    model = workload.build(mt.nn)
    return model, train_step(mt, model, x, y)


def torch_model(torch, build, state: dict | None = None):
    """The PyTorch model ``build(torch.nn)``, loaded with the minitorch_es ``state`` if
    given (the same initial weights)."""
    model = build(torch.nn)
    if state is not None:
        model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    return model


def torch_step(torch, workload, x, y, state: dict | None = None):
    """The PyTorch model of ``workload`` (see `torch_model`) and its `train_step`."""
    model = torch_model(torch, workload.build, state)
    return model, train_step(torch, model, x, y)


def compare(name: str, rounds: int, batches: int, data_dir: str = common.MNIST_DIR) -> common.Row:
    """Interleaved training of workload ``name`` in both libraries: time per step."""
    workload = WORKLOADS[name]
    x, y = workload.data(data_dir)
    model, ours = minitorch_step(workload, x, y)
    steps = {"minitorch_es": ours}
    torch = common.import_torch()
    if torch is not None:
        _, steps["PyTorch"] = torch_step(torch, workload, x, y, model.state_dict())
    cursors = {lib: Batches(len(x), workload.batch_size) for lib in steps}
    first = {lib: steps[lib](cursors[lib].next()) for lib in steps}
    print(f"  {name}: first-step loss " + ", ".join(f"{k} {v:.4f}" for k, v in first.items()))

    def block(lib):
        return lambda: [steps[lib](cursors[lib].next()) for _ in range(batches)]

    label = f"{workload.description}, train step (batch {workload.batch_size})"
    return common.compared(label, {lib: block(lib) for lib in steps}, rounds, batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--workload", default="cnn", choices=sorted(WORKLOADS))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--batches", type=int, default=10, help="steps per library per round")
    args = parser.parse_args()
    print("\n".join(common.environment(args.data_dir)))
    row = compare(args.workload, args.rounds, args.batches, args.data_dir)
    print(common.table([row]))


if __name__ == "__main__":
    main()
