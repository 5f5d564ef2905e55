"""Evaluation and prediction shared out over the ranks, with exactly one process's results.

Rank ``r`` of ``N`` computes evaluation batches ``r, r + N, r + 2N, ...`` -- the very batches a
single process would form, so each batch's outputs and loss are bit for bit those of one
process. The records are then gathered on every rank and combined in batch order: losses added
one batch after the other as one process adds them, metrics updated batch by batch in order,
predictions concatenated in order. So ``evaluate`` and ``predict`` on N ranks return exactly
what they return on one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor
from .rendezvous import agree
from .world import abort_on_failure, world

if TYPE_CHECKING:
    from ..nn import Module
    from ..training.metric import Metric


def as_array(value: Tensor | np.ndarray | None) -> np.ndarray | None:
    """A Tensor's array (or any value as an array; None stays None), to send to other ranks."""
    if value is None:
        return None
    return value._data if isinstance(value, Tensor) else np.asarray(value)


def _sequential(loader: Any) -> bool:
    """Whether ``loader`` is a plain DataLoader reading its dataset in order, so that this
    rank's batches can be read without reading the others'."""
    from ..data import DataLoader

    return (
        type(loader) is DataLoader
        and loader._sequential
        and loader.batch_size is not None
        and not loader.drop_last
    )


class ShardedEvaluation:
    """The evaluation calls of `DataParallelStrategy` (see the module notes)."""

    rank: int
    size: int

    @contextlib.contextmanager
    def evaluating(self, model: Module) -> Iterator[None]:
        """Rank 0's model on every rank, and a failure on one rank ends them all. ``evaluate``
        and ``predict`` are collective: a checked rendezvous first makes a call that only some
        ranks make (behind ``if rank == 0``) an error instead of a hang."""
        with abort_on_failure():
            agree("evaluate or predict")
            self.broadcast_model(model)
            yield

    def evaluation_batches(self, loader: Iterable[Any]) -> Iterable[tuple[int, Any]]:
        """``(index, batch)`` of this rank's batches: every ``size``-th from ``rank``."""
        if not _sequential(loader):  # read every batch, keep this rank's
            return ((k, b) for k, b in enumerate(loader) if k % self.size == self.rank)
        from ..data import DataLoader, Subset

        b, n = loader.batch_size, len(loader.dataset)
        mine = range(self.rank, -(-n // b), self.size)
        rows = [i for k in mine for i in range(k * b, min(n, (k + 1) * b))]
        if not rows:
            return ()
        local = DataLoader(Subset(loader.dataset, rows), batch_size=b, collate_fn=loader.collate_fn)
        return zip(mine, local)

    def evaluation_record(
        self,
        index: int,
        loss_sum: float,
        n: int,
        y: Tensor | None,
        output: Tensor,
        metrics: list[Metric],
    ) -> tuple:
        """Batch ``index``'s loss and, for the metrics, its targets and outputs."""
        pair = (as_array(y), as_array(output)) if metrics else None
        return index, loss_sum, n, pair

    def reduce_evaluation(self, records: list, metrics: list[Metric]) -> tuple[float, int]:
        """Every rank's records in batch order: losses summed as one process sums them,
        metrics updated batch by batch."""
        ordered = sorted(r for part in world().comm.allgather(records) for r in part)
        total, count = 0.0, 0
        for _, loss_sum, n, pair in ordered:
            total += loss_sum
            count += n
            for m in metrics:
                m.update_state(None if pair[0] is None else Tensor(pair[0]), pair[1])
        return total, count

    def gather_outputs(self, outputs: list[tuple[int, Any]]) -> list:
        """Every rank's ``(index, output)`` pairs, as outputs in batch order."""
        everyone = world().comm.allgather(outputs)
        return [out for _, out in sorted((p for part in everyone for p in part), key=_first)]


def _first(pair: tuple) -> int:
    return pair[0]
