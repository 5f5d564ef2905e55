"""``DataParallelStrategy``: the Trainer's strategy when the job has more than one rank.

The training loop calls its strategy at a few points (see ``minitorch_es.training.Strategy``);
this one makes ``fit`` data-parallel:

* start: every rank takes rank 0's RNG state and weights (one job, one initialisation), and a
  failure on one rank aborts them all;
* data: each epoch's order of the training set is drawn as one process draws it and rank ``r``
  takes every N-th sample of it (``minitorch_es.data.shard.ShardSampler``), so ``batch_size``
  is per rank, as in PyTorch DDP, and N ranks with ``batch_size`` b make the steps of one
  process with N * b, shuffled or not (a loader with a `DistributedSampler` is kept as it is);
* each step: the batch losses and the (targets, outputs) of the ranks are gathered, so the loss
  and the metrics every rank logs are those of the global batch; the gradients are averaged
  before the optimizer steps, so the weights stay identical; ``stop_training`` set on any rank
  stops every rank;
* end of epoch: weights and buffers (e.g. BatchNorm statistics) are taken from rank 0, then
  each rank validates every N-th batch and the results are combined in batch order, exactly
  those of one process (``minitorch_es.distributed.evaluation``, also behind ``evaluate`` and
  ``predict``).

Everything a checkpoint stores is therefore the same on every rank, which is what lets rank 0
alone write it and a resumed run continue bit for bit. `strategy_for_world` is the factory this
package installs as the Trainer's default (``minitorch_es.training.set_default_strategy``).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from ..training.strategy import Strategy
from .collectives import all_reduce, broadcast, broadcast_object, reduce_array
from .ddp import DistributedDataParallel
from .evaluation import ShardedEvaluation, as_array
from .optimizer import DistributedOptimizer, average_gradients
from .world import abort_on_failure, world

if TYPE_CHECKING:
    from ..data import DataLoader
    from ..nn import Module
    from ..optim import Optimizer
    from ..training.metric import Metric


def strategy_for_world() -> Strategy:
    """The local strategy in a world of one, a `DataParallelStrategy` otherwise."""
    return Strategy() if world().size == 1 else DataParallelStrategy()


class DataParallelStrategy(ShardedEvaluation, Strategy):
    """Data-parallel ``fit`` over the ranks of the MPI job (see the module docstring)."""

    def __init__(self) -> None:
        w = world()
        self.rank, self.size = w.rank, w.size
        self.is_main = w.rank == 0
        self.nonfinite_ranks: list[int] = []
        self._gathered = []
        self._model_averages = False  # a DistributedDataParallel model averages by itself

    # ---------------------------------------------------------------- start
    @contextlib.contextmanager
    def running(self, model: Module) -> Iterator[None]:
        """Give every rank rank 0's random state and model, and abort every rank if the fit
        fails on one."""
        with abort_on_failure():
            _random.set_state(broadcast_object(_random.get_state()))
            self.broadcast_model(model)
            self._model_averages = isinstance(model, DistributedDataParallel)
            yield

    @staticmethod
    def broadcast_model(model: Module) -> None:
        """Rank 0's parameters and buffers on every rank."""
        for t in [*model.parameters(), *model.buffers()]:
            if t._data.dtype.kind in "biuf":
                broadcast(t, 0)

    # ----------------------------------------------------------------- data
    def shard(
        self, train_loader: DataLoader, val_loader: DataLoader | None
    ) -> tuple[DataLoader, DataLoader | None]:
        """``(train, val)``: the training loader over this rank's part of each epoch's order
        (see the module notes); the validation loader as it is (`evaluation_batches` shares
        its batches out)."""
        from ..data import DataLoader, DistributedSampler, RandomSampler, SequentialSampler
        from ..data.shard import ShardSampler

        sampler = getattr(train_loader, "sampler", None)
        if isinstance(sampler, DistributedSampler):
            return train_loader, val_loader
        plain = type(sampler) in (SequentialSampler, RandomSampler) and not (
            getattr(sampler, "replacement", False) or getattr(sampler, "_num_samples", None)
        )
        if not plain or getattr(train_loader, "_user_batches", False):
            raise ValueError(
                f"fit on {self.size} ranks: the training DataLoader has a "
                f"{type(sampler).__name__} sampler, but data-parallel fit shards the loader's "
                f"own order (shuffle=True or False) or keeps a DistributedSampler; give the "
                f"loader one of those or pass its dataset"
            )
        shards = ShardSampler(
            sampler, self.size, self.rank, agree=lambda order: broadcast(order, 0)
        )
        train_loader = DataLoader(
            train_loader.dataset,
            batch_size=train_loader.batch_size,
            sampler=shards,
            drop_last=train_loader.drop_last,
            collate_fn=train_loader.collate_fn,
        )
        return train_loader, val_loader

    # ------------------------------------------------------------ each step
    def batch_loss(
        self, value: float, n: int, y: Tensor | None, output: Tensor, metrics: list[Metric]
    ) -> tuple:
        """The global ``(sum of losses, number of samples, mean)`` of this step; remembers every
        rank's ``(targets, outputs)`` for `update_metrics`. A non-finite loss on any rank
        makes the sum NaN everywhere (`nonfinite_ranks` says where)."""
        finite = math.isfinite(value)
        if not metrics:  # the common case: a small float64 sum instead of pickled objects
            buf = np.zeros(2 + self.size)
            buf[0], buf[1], buf[2 + self.rank] = (value * n if finite else 0.0), n, not finite
            all_reduce(buf, "sum")
            self.nonfinite_ranks = [int(r) for r in np.flatnonzero(buf[2:])]
            self._gathered = []
            total, count = float(buf[0]), int(buf[1])
        else:
            pair = (as_array(y), as_array(output))
            parts = world().comm.allgather((value * n if finite else 0.0, n, finite, pair))
            self.nonfinite_ranks = [r for r, part in enumerate(parts) if not part[2]]
            self._gathered = [part[3] for part in parts]
            total = math.fsum(part[0] for part in parts)
            count = sum(part[1] for part in parts)
        if self.nonfinite_ranks:
            total = float("nan")
        return total, count, total / count

    def update_metrics(self, metrics: list[Metric], y: Tensor | None, output: Tensor) -> None:
        """Feed every rank's part of the global batch (gathered by `batch_loss`) to the
        metrics, in rank order."""
        for pair in self._gathered:
            if pair is not None:
                for m in metrics:
                    m.update_state(Tensor(pair[0]), pair[1])
        self._gathered = []

    def nonfinite_where(self) -> str:
        """``" on rank 2"`` / ``" on ranks 0, 3"`` for a non-finite loss message, or ``""``."""
        ranks = self.nonfinite_ranks
        if not ranks:
            return ""
        return (
            f" on rank {ranks[0]}" if len(ranks) == 1 else f" on ranks {', '.join(map(str, ranks))}"
        )

    def average_gradients(self, optimizer: Optimizer) -> None:
        """Average the gradients across ranks once (through a DistributedOptimizer if given;
        a DistributedDataParallel model has done it during backward)."""
        if self._model_averages:
            return
        if isinstance(optimizer, DistributedOptimizer):
            optimizer.synchronize()  # its step() must not average a second time
        else:
            average_gradients(optimizer)

    def any(self, flag: bool) -> bool:
        """True on every rank if ``flag`` is true on some rank."""
        return bool(reduce_array(np.array([bool(flag)]), "max")[0])

    # ----------------------------------------------------------- validation
    def end_of_epoch(self, model: Module) -> None:
        """Rank 0's weights and buffers everywhere before validation and checkpoints: the
        buffers (running statistics) were updated by each rank's own batches, and the weights
        stay identical only as long as every rank's all-reduce returns the same bits."""
        self.broadcast_model(model)
