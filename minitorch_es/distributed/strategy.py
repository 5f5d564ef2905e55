"""``DataParallelStrategy``: the Trainer's strategy when the job has more than one rank.

The training loop calls its strategy at a few points (see ``minitorch_es.training.Strategy``);
this one makes ``fit`` data-parallel:

* start: every rank takes rank 0's RNG state and weights (one job, one initialisation), and a
  failure on one rank aborts them all;
* data: the training set is sharded by a `DistributedSampler` (so ``batch_size`` is per rank,
  as PyTorch DDP) and the validation set into disjoint, unpadded shards;
* each step: the batch losses and the (targets, outputs) of the ranks are gathered, so the loss
  and the metrics every rank logs are those of the global batch; the gradients are averaged
  before the optimizer steps, so the weights stay identical; ``stop_training`` set on any rank
  stops every rank;
* end of epoch: weights and buffers (e.g. BatchNorm statistics) are taken from rank 0, then
  the validation loss and metrics are combined over the shards.

Everything a checkpoint stores is therefore the same on every rank, which is what lets rank 0
alone write it and a resumed run continue bit for bit. `strategy_for_world` is the factory this
package installs as the Trainer's default (``minitorch_es.training.set_default_strategy``).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from ..training.strategy import Strategy
from .collectives import all_reduce, broadcast, broadcast_object, reduce_array
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


def _inplace(array: np.ndarray, fn: Callable[[np.ndarray], Any]) -> None:
    """Apply an in-place collective to any array (through a contiguous copy if needed)."""
    if array.flags.c_contiguous and array.flags.writeable:
        fn(array)
    else:
        tmp = np.ascontiguousarray(array)
        fn(tmp)
        array[...] = tmp


class DataParallelStrategy(Strategy):
    """Data-parallel ``fit`` over the ranks of the MPI job (see the module docstring)."""

    def __init__(self) -> None:
        w = world()
        self.rank, self.size = w.rank, w.size
        self.is_main = w.rank == 0
        self.nonfinite_ranks: list[int] = []
        self._gathered = []

    # ---------------------------------------------------------------- start
    @contextlib.contextmanager
    def running(self, model: Module) -> Iterator[None]:
        """Give every rank rank 0's random state and model, and abort every rank if the fit
        fails on one."""
        with abort_on_failure():
            _random.set_state(broadcast_object(_random.get_state()))
            self.broadcast_model(model)
            yield

    @staticmethod
    def broadcast_model(model: Module) -> None:
        """Rank 0's parameters and buffers on every rank."""
        arrays = [p._data for p in model.parameters()] + [b._data for b in model.buffers()]
        for a in arrays:
            if a.dtype.kind in "biuf":
                _inplace(a, lambda buf: broadcast(buf, 0))

    # ----------------------------------------------------------------- data
    def shard(
        self, train_loader: DataLoader, val_loader: DataLoader | None
    ) -> tuple[DataLoader, DataLoader | tuple | None]:
        """``(train, val)`` loaders over this rank's shards."""
        from ..data import DataLoader, DistributedSampler, RandomSampler, SequentialSampler

        sampler = getattr(train_loader, "sampler", None)
        if type(sampler) in (SequentialSampler, RandomSampler) and not (
            getattr(sampler, "replacement", False) or getattr(sampler, "_num_samples", None)
        ):
            sampler = None  # the loader's own order (shuffle or not): sharded below
        if sampler is not None and not isinstance(sampler, DistributedSampler):
            raise ValueError(
                f"fit on {self.size} ranks: the training DataLoader has a "
                f"{type(sampler).__name__} sampler, but data-parallel fit shards the data with "
                f"a DistributedSampler; give the loader a DistributedSampler or pass its dataset"
            )
        if sampler is None:
            # One seed for the whole job (the generators were synchronised by start()).
            seed = int(_random.generator().integers(2**31 - 1))
            sampler = DistributedSampler(
                train_loader.dataset,
                num_replicas=self.size,
                rank=self.rank,
                shuffle=train_loader.shuffle,
                seed=seed,
            )
            train_loader = DataLoader(
                train_loader.dataset,
                batch_size=train_loader.batch_size,
                sampler=sampler,
                drop_last=train_loader.drop_last,
                collate_fn=train_loader.collate_fn,
            )
        return train_loader, (None if val_loader is None else self._shard_eval(val_loader))

    def _shard_eval(self, loader: DataLoader):
        from ..data import DataLoader, Subset

        n = len(loader.dataset)
        if n <= self.rank:
            return ()  # nothing to evaluate here; the rank still joins the reduction
        return DataLoader(
            Subset(loader.dataset, range(self.rank, n, self.size)),
            batch_size=loader.batch_size,
            collate_fn=loader.collate_fn,
        )

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
            pair = (_array(y), _array(output))
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
        """Average the gradients across ranks once (through a DistributedOptimizer if given)."""
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

    def record_evaluation(self, metrics: list[Metric], y: Tensor | None, output: Tensor) -> None:
        """Keep one validation batch's ``(targets, outputs)`` for `reduce_evaluation`."""
        self._gathered.append((_array(y), _array(output)))

    def reduce_evaluation(
        self, total: float, count: int, metrics: list[Metric]
    ) -> tuple[float, int]:
        """The validation loss sum and count over every shard; the metrics get every rank's
        recorded batches (each rank may have a different number of them)."""
        mine, self._gathered = self._gathered, []
        parts = world().comm.allgather((total, count, mine if metrics else None))
        for part in parts:
            for y, out in part[2] or ():
                for m in metrics:
                    m.update_state(Tensor(y), out)
        return math.fsum(p[0] for p in parts), sum(p[1] for p in parts)


def _array(value: Tensor | np.ndarray):
    return value._data if isinstance(value, Tensor) else np.asarray(value)
