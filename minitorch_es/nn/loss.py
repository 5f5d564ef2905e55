"""``Loss``: the base of loss modules (``reduction`` = ``'mean'`` | ``'sum'`` | ``'none'``)."""

from __future__ import annotations

from ..tensor import Tensor
from ..validation import check_choice
from .module import Module

REDUCTIONS = ("mean", "sum", "none")


class Loss(Module):
    """A Module computing ``loss(input, target)``; subclasses call `reduce` on the
    per-element losses.

    A loss declares what the `Trainer` needs to know about it in two class attributes (a plain
    function used as a loss may carry them too): ``task`` is ``"classification"`` (the Trainer's
    ``metrics="auto"`` then reports accuracy), ``"regression"`` or None (unknown), and
    ``from_logits`` says that the input is logits rather than probabilities (metrics named by a
    string are then created with ``from_logits=True``).

        >>> class MeanAbsolute(mt.nn.Loss):
        ...     def forward(self, input, target):
        ...         return self.reduce((input - target).abs())
        >>> MeanAbsolute()(mt.tensor([1., 2.]), mt.tensor([0., 0.]))
        tensor(1.5000)
        >>> MeanAbsolute(reduction="none")(mt.tensor([1., 2.]), mt.tensor([0., 0.]))
        tensor([1., 2.])
    """

    task: str | None = None
    from_logits: bool = False

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        owner = type(self).__name__
        self.reduction = check_choice(reduction, "reduction", owner, choices=REDUCTIONS)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of predictions ``input`` against ``target`` (PyTorch's argument order)."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(input, target)")

    def reduce(self, losses: Tensor) -> Tensor:
        """Apply ``self.reduction`` to a Tensor of per-element losses."""
        if self.reduction == "mean":
            return losses.mean()
        if self.reduction == "sum":
            return losses.sum()
        return losses

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""
