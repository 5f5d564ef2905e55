"""``Loss``: the base of loss modules (``reduction`` = ``'mean'`` | ``'sum'`` | ``'none'``)."""

from __future__ import annotations

from .module import Module

REDUCTIONS = ("mean", "sum", "none")


class Loss(Module):
    """A Module computing ``loss(input, target)``; subclasses call :meth:`reduce` on the
    per-element losses."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(
                f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, got {reduction!r}"
            )
        self.reduction = reduction

    def forward(self, input, target):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(input, target)")

    def reduce(self, losses):
        """Apply ``self.reduction`` to a Tensor of per-element losses."""
        if self.reduction == "mean":
            return losses.mean()
        if self.reduction == "sum":
            return losses.sum()
        return losses

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""
