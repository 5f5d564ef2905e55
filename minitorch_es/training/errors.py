"""Errors raised by the training engine."""

from __future__ import annotations


class TrainingError(RuntimeError):
    """Training cannot go on (bad data for ``fit``, an inconsistent resume state ...)."""


class NonFiniteLossError(TrainingError, FloatingPointError):
    """The loss became NaN or Inf. ``epoch`` and ``step`` are 1-based (the epoch as printed by
    the progress line, the batch within that epoch); ``global_step`` counts optimizer steps
    taken before the failing batch. The failing batch was not applied to the weights."""

    def __init__(
        self, message: str, *, epoch: int, step: int, global_step: int, loss: float
    ) -> None:
        super().__init__(message)
        self.epoch, self.step, self.global_step, self.loss = epoch, step, global_step, loss
