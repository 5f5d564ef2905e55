"""Benchmark: ``Trainer.fit`` against the bare PyTorch-style loop it wraps, in minitorch_es.

One epoch of a workload (see ``models.py``; the thesis MLP by default) either as
``trainer.fit(x, y, epochs=1, batch_size=B, verbose=0)`` — Keras's defaults: loss tracking and
the ``accuracy`` metric that ``metrics="auto"`` picks for cross-entropy, History, a shuffled
DataLoader built from the arrays — or as the bare loop over a shuffled ``DataLoader`` (forward,
loss, zero_grad, backward, step). Epochs alternate between the two; the figure is the median
epoch time and the spread of the per-round ratios.

    python benchmarks/fit.py [--workload mlp] [--rounds 7] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402,I001  (first: it pins the BLAS threads before NumPy loads)
from models import WORKLOADS  # noqa: E402


def compare(name: str, rounds: int, data_dir: str = common.MNIST_DIR) -> common.Row:
    """Interleaved epochs of ``fit`` and of the bare loop on workload ``name``."""
    import minitorch_es as mt
    from minitorch_es.data import DataLoader, TensorDataset

    workload = WORKLOADS[name]
    x, y = workload.data(data_dir)
    mt.manual_seed(0)
    fit_model, loop_model = workload.build(mt.nn), workload.build(mt.nn)
    loop_model.load_state_dict(fit_model.state_dict())
    trainer = mt.Trainer(fit_model, optimizer=mt.optim.Adam(fit_model.parameters(), lr=1e-3))
    optimizer = mt.optim.Adam(loop_model.parameters(), lr=1e-3)
    loss_fn = mt.nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=workload.batch_size, shuffle=True)

    def fit_epoch():
        trainer.fit(x, y, epochs=1, batch_size=workload.batch_size, verbose=0)

    def loop_epoch():
        for xb, yb in loader:
            loss = loss_fn(loop_model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    label = f"{workload.description}, epoch: fit vs bare loop"
    contenders = {"fit": fit_epoch, "loop": loop_epoch}
    options = dict(pair=("fit", "loop"), unit="s", scale=1.0, reference="bare loop")
    return common.compared(label, contenders, rounds, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_arguments(parser)
    parser.add_argument("--workload", default="mlp", choices=sorted(WORKLOADS))
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print("\n".join(common.environment(args.data_dir)))
    print(common.table([compare(args.workload, args.rounds, args.data_dir)]))


if __name__ == "__main__":
    main()
