"""``Strategy``: how a Trainer's training is spread over processes.

The training loop always holds one and calls it at fixed points; this base class is the local
strategy (one process), where every call does the obvious nothing: the data is not sharded, a
batch's loss and metrics are this process's own, gradients are not averaged. A data-parallel
strategy (``minitorch_es.distributed.DataParallelStrategy``) overrides the calls to shard the
data, average gradients and combine logs across processes, in the spirit of Lightning's
strategies and Keras's distribution API.

A Trainer created without ``strategy=`` takes `default_strategy()`: the local one, unless a
factory was installed with `set_default_strategy` (``minitorch_es.distributed`` installs one that
picks the data-parallel strategy when the job was launched on several ranks).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..data import DataLoader
    from ..nn import Module
    from ..optim import Optimizer
    from ..tensor import Tensor
    from .metric import Metric


class Strategy:
    """The local strategy, and the interface of every other one (see the module notes)."""

    #: Whether this process prints and writes files (rank 0 of a data-parallel job).
    is_main: bool = True

    @contextlib.contextmanager
    def running(self, model: Module) -> Iterator[None]:
        """Around a whole ``fit``: set the processes up (e.g. one initial model) and tear them
        down if the fit fails."""
        yield

    def shard(
        self, train_loader: DataLoader, val_loader: DataLoader | None
    ) -> tuple[DataLoader, Any]:
        """``(train, val)`` loaders over this process's part of the data."""
        return train_loader, val_loader

    def batch_loss(
        self, value: float, n: int, y: Tensor | None, output: Tensor, metrics: list[Metric]
    ) -> tuple:
        """``(sum of losses, number of samples, mean loss)`` of the step's whole batch, given
        this process's mean ``value`` over its ``n`` samples (a strategy that combines
        processes keeps ``y`` and ``output`` for the ``metrics``)."""
        return value * n, n, value

    def average_gradients(self, optimizer: Optimizer) -> None:
        """Make every process's gradients the average over the processes (before the step)."""

    def update_metrics(self, metrics: list[Metric], y: Tensor | None, output: Tensor) -> None:
        """Feed the step's batch (every process's part) to the metrics."""
        for m in metrics:
            m.update_state(y, output.numpy(force=True))

    def nonfinite_where(self) -> str:
        """Where a non-finite loss came from, for the error message (e.g. ``" on rank 1"``)."""
        return ""

    def any(self, flag: bool) -> bool:
        """True on every process if ``flag`` is true on one (e.g. ``stop_training``)."""
        return bool(flag)

    def end_of_epoch(self, model: Module) -> None:
        """Bring the processes' models in line before validation and checkpoints."""

    # ------------------------------------------------------- evaluation
    @contextlib.contextmanager
    def evaluating(self, model: Module) -> Iterator[None]:
        """Around ``evaluate`` / ``predict``: bring the processes' models in line first."""
        yield

    def evaluation_batches(self, loader: Iterable[Any]) -> Iterable[tuple[int, Any]]:
        """``(index, batch)`` for this process's batches of an evaluation: all of them here;
        a data-parallel strategy gives each process every N-th batch."""
        return enumerate(loader)

    def evaluation_record(
        self,
        index: int,
        loss_sum: float,
        n: int,
        y: Tensor | None,
        output: Tensor,
        metrics: list[Metric],
    ) -> Any:
        """What `reduce_evaluation` needs of evaluation batch ``index`` (``loss_sum`` is its
        loss times its ``n`` samples); here the metrics take the batch at once."""
        for m in metrics:
            m.update_state(y, output.numpy(force=True))
        return loss_sum, n

    def reduce_evaluation(self, records: list, metrics: list[Metric]) -> tuple[float, int]:
        """``(sum of losses, number of samples)`` of the evaluation over every process, the
        losses added in batch order (the metrics get every process's batches)."""
        total, count = 0.0, 0
        for loss_sum, n in records:
            total += loss_sum
            count += n
        return total, count

    def gather_outputs(self, outputs: list[tuple[int, Any]]) -> list:
        """The outputs of every batch of a prediction, in batch order, from
        ``(index, output)`` pairs of this process."""
        return [out for _, out in outputs]


def _local() -> Strategy:
    return Strategy()


_default_factory: Callable[[], Strategy] = _local


def set_default_strategy(factory: Callable[[], Strategy] | None) -> None:
    """Install ``factory`` (called with no argument) as the maker of the strategy a Trainer
    gets when none is given; None restores the local strategy."""
    global _default_factory
    _default_factory = _local if factory is None else factory


def default_strategy() -> Strategy:
    """The strategy a Trainer created without ``strategy=`` gets."""
    strategy = _default_factory()
    if not isinstance(strategy, Strategy):
        raise TypeError(
            f"the default strategy factory {_default_factory!r} returned "
            f"{type(strategy).__name__}, not a minitorch_es.training.Strategy"
        )
    return strategy


def resolve_strategy(strategy: Strategy | None) -> Strategy:
    """``strategy`` itself, or the default one for None."""
    if strategy is None:
        return default_strategy()
    if not isinstance(strategy, Strategy):
        raise TypeError(
            f"Trainer: strategy must be a minitorch_es.training.Strategy or None, got "
            f"{type(strategy).__name__}"
        )
    return strategy


def within_strategy(fit: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``Trainer.fit`` so that it runs inside its strategy's `Strategy.running`."""

    @functools.wraps(fit)
    def wrapper(trainer: Any, *args, **kwargs):
        with trainer.strategy.running(trainer.model):
            return fit(trainer, *args, **kwargs)

    return wrapper
