"""Triplet losses: ``F.triplet_margin_loss``, ``F.triplet_margin_with_distance_loss`` and
their Modules (PyTorch's formulas, defaults and errors), composed from differentiable ops
(registered by `margin_losses`, with the same deviations: the positive and negative must have
the anchor's shape, the options PyTorch places after ``size_average`` / ``reduce`` are
keyword-only).

Each pulls an anchor towards its positive and pushes it from its negative until the negative
is ``margin`` farther: ``max(0, margin + d(a, p) - d(a, n))``; with ``swap``, ``d(a, n)`` is
replaced by ``min(d(a, n), d(p, n))`` (the "distance swap" of Balntas et al., 2016).
"""

from __future__ import annotations

from collections.abc import Callable

import minitorch_es as mt
from minitorch_es.nn import Loss
from minitorch_es.validation import check_float, check_tensor

from .loss_functions import operand, reduce
from .vector_functions import pairwise_distance


def _triplet(
    op: str, anchor: mt.Tensor, positive: mt.Tensor, negative: mt.Tensor
) -> tuple[mt.Tensor, mt.Tensor]:
    """``positive`` and ``negative`` checked against the anchor (PyTorch's dimension check
    first, with its wording)."""
    check_tensor(anchor, "anchor", op, floating=True)
    ranks = [getattr(t, "ndim", None) for t in (anchor, positive, negative)]
    if len(set(ranks)) != 1:
        raise mt.ShapeError(
            f"{op}: the anchor, positive, and negative tensors are expected to have the same "
            f"number of dimensions, but got: anchor {ranks[0]}D, positive {ranks[1]}D, and "
            f"negative {ranks[2]}D inputs"
        )
    return operand(positive, "positive", anchor, op), operand(negative, "negative", anchor, op)


def _margin_loss(
    distance: Callable, anchor: mt.Tensor, positive: mt.Tensor, negative: mt.Tensor,
    margin: float, swap: bool, reduction: str, op: str,
) -> mt.Tensor:  # fmt: skip
    d_negative = distance(anchor, negative)
    if swap:
        d_negative = mt.minimum(d_negative, distance(positive, negative))
    return reduce((margin + distance(anchor, positive) - d_negative).clamp_min(0), reduction, op)


def triplet_margin_loss(
    anchor: mt.Tensor,
    positive: mt.Tensor,
    negative: mt.Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    *,
    reduction: str = "mean",
) -> mt.Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the `pairwise_distance`
    ``||x1 - x2 + eps||_p`` along the last dimension.

        >>> a, p, n = mt.tensor([[0., 0.]]), mt.tensor([[1., 0.]]), mt.tensor([[3., 0.]])
        >>> mt.nn.functional.triplet_margin_loss(a, p, n, eps=0.0)
        tensor(0.)
    """
    op = "triplet_margin_loss"
    margin, p = check_float(margin, "margin", op), check_float(p, "p", op, low=0)
    eps = check_float(eps, "eps", op)
    positive, negative = _triplet(op, anchor, positive, negative)

    def distance(x1: mt.Tensor, x2: mt.Tensor) -> mt.Tensor:
        return pairwise_distance(x1, x2, p, eps)

    return _margin_loss(distance, anchor, positive, negative, margin, bool(swap), reduction, op)


def _distance_margin(margin: float, where: str) -> float:
    margin = check_float(margin, "margin", where)
    if margin <= 0:
        raise ValueError(f"{where}: expected margin to be greater than 0, got {margin} instead")
    return margin


def _distance_function(function: Callable | None, where: str) -> Callable:
    if function is None:
        return pairwise_distance
    if not callable(function):
        raise TypeError(
            f"{where}: distance_function must be a callable of two Tensors (or None for "
            f"pairwise_distance), got {type(function).__name__}"
        )
    return function


def triplet_margin_with_distance_loss(
    anchor: mt.Tensor,
    positive: mt.Tensor,
    negative: mt.Tensor,
    *,
    distance_function: Callable | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> mt.Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` for any ``distance_function(x1, x2)`` returning
    one non-negative distance per sample (default `pairwise_distance`); ``margin > 0``."""
    op = "triplet_margin_with_distance_loss"
    margin = _distance_margin(margin, op)
    positive, negative = _triplet(op, anchor, positive, negative)
    distance = _distance_function(distance_function, op)
    return _margin_loss(distance, anchor, positive, negative, margin, bool(swap), reduction, op)


class TripletMarginLoss(Loss):
    """``TripletMarginLoss(margin=1.0, p=2.0, eps=1e-6, swap=False, *, reduction='mean')``:
    `triplet_margin_loss` of ``(anchor, positive, negative)``."""

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        *,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        name = "TripletMarginLoss"
        self.margin, self.p = check_float(margin, "margin", name), check_float(p, "p", name, low=0)
        self.eps, self.swap = check_float(eps, "eps", name), bool(swap)

    def forward(self, anchor: mt.Tensor, positive: mt.Tensor, negative: mt.Tensor) -> mt.Tensor:
        return triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap,
            reduction=self.reduction,
        )  # fmt: skip


class TripletMarginWithDistanceLoss(Loss):
    """``TripletMarginWithDistanceLoss(*, distance_function=None, margin=1.0, swap=False,
    reduction='mean')``: `triplet_margin_with_distance_loss`. A ``distance_function`` other
    than the default is code, not configuration: it is left out of ``get_config()``."""

    config_excluded = ("distance_function",)

    def __init__(
        self,
        *,
        distance_function: Callable | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        name = "TripletMarginWithDistanceLoss"
        _distance_function(distance_function, name)
        self.distance_function = distance_function
        self.margin, self.swap = _distance_margin(margin, name), bool(swap)

    def forward(self, anchor: mt.Tensor, positive: mt.Tensor, negative: mt.Tensor) -> mt.Tensor:
        return triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction,
        )  # fmt: skip


LOSSES = {
    TripletMarginLoss: ("triplet_margin",),
    TripletMarginWithDistanceLoss: ("triplet_margin_with_distance",),
}
FUNCTIONS = {
    "triplet_margin_loss": triplet_margin_loss,
    "triplet_margin_with_distance_loss": triplet_margin_with_distance_loss,
}
