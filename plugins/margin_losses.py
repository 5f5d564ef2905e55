"""Margin and embedding losses: ``F.margin_ranking_loss``, ``F.hinge_embedding_loss``,
``F.soft_margin_loss``, ``F.cosine_embedding_loss`` and their Modules (PyTorch's formulas and
defaults), registered by `losses` with the triplet losses (`triplet_losses`).

Each is composed from differentiable Tensor ops that give PyTorch's values and derivatives
exactly (``clamp_min``, ``where``, a softplus with no threshold), so first and second
derivatives and the ONNX export come from those ops. As the other losses (`loss_functions`):
targets and second inputs must have the first input's shape (no silent broadcasting), a target
of another dtype is cast to the input's, the deprecated ``size_average`` / ``reduce`` do not
exist and the options PyTorch places after them are keyword-only. ``soft_margin_loss`` is the
stable ``softplus(-y x)``: finite where PyTorch's ``log1p(exp(-y x))`` overflows.
"""

from __future__ import annotations

import minitorch_es as mt
from minitorch_es.nn import Loss
from minitorch_es.validation import check_float, check_tensor

from . import triplet_losses as T
from .activation_ops import softplus_of
from .loss_functions import array_of, operand, reduce

# PyTorch's epsilon added to each squared norm of cosine_embedding_loss.
_COSINE_EPSILON = 1e-12


# ----------------------------------------------------------------------- functionals
def margin_ranking_loss(
    input1: mt.Tensor,
    input2: mt.Tensor,
    target: mt.Tensor,
    margin: float = 0.0,
    *,
    reduction: str = "mean",
) -> mt.Tensor:
    """``max(0, -y (x1 - x2) + margin)``: ``y = 1`` asks for ``x1`` ranked above ``x2`` by
    ``margin``, ``y = -1`` the reverse.

        >>> F = mt.nn.functional
        >>> F.margin_ranking_loss(mt.tensor([2., 0.]), mt.tensor([1., 1.]), mt.tensor([1., 1.]))
        tensor(0.5000)
    """
    op = "margin_ranking_loss"
    check_tensor(input1, "input1", op, floating=True)
    margin = check_float(margin, "margin", op)
    x2, y = operand(input2, "input2", input1, op), operand(target, "target", input1, op)
    return reduce((-y * (input1 - x2) + margin).clamp_min(0), reduction, op)


def hinge_embedding_loss(
    input: mt.Tensor, target: mt.Tensor, margin: float = 1.0, *, reduction: str = "mean"
) -> mt.Tensor:
    """``x`` where ``y = 1``, ``max(0, margin - x)`` where ``y = -1`` (``x`` is typically a
    distance). As PyTorch, a target that is neither 1 nor -1 adds both terms."""
    op = "hinge_embedding_loss"
    check_tensor(input, "input", op, floating=True)
    margin = check_float(margin, "margin", op)
    y = operand(target, "target", input, op)
    zero = mt.zeros((), dtype=input.dtype)
    below = mt.where(y.detach() != 1, (margin - input).clamp_min(0), zero)
    return reduce(below + mt.where(y.detach() != -1, input, zero), reduction, op)


def soft_margin_loss(input: mt.Tensor, target: mt.Tensor, *, reduction: str = "mean") -> mt.Tensor:
    """``log(1 + exp(-y x))``, computed as the stable ``softplus(-y x)``; the mean is over
    every element. Differentiable in the target too."""
    op = "soft_margin_loss"
    check_tensor(input, "input", op, floating=True)
    y = operand(target, "target", input, op)
    return reduce(softplus_of(-y * input), reduction, op)


def cosine_embedding_loss(
    input1: mt.Tensor,
    input2: mt.Tensor,
    target: mt.Tensor,
    margin: float = 0.0,
    *,
    reduction: str = "mean",
) -> mt.Tensor:
    """``1 - cos(x1, x2)`` where ``y = 1``, ``max(0, cos(x1, x2) - margin)`` where ``y = -1``
    (0 for any other target), for rows ``(N, D)`` with targets ``(N)`` or one pair ``(D)`` with
    a 0-d target. The cosine is PyTorch's: ``x1 . x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))``.
    """
    op = "cosine_embedding_loss"
    check_tensor(input1, "input1", op, floating=True)
    margin = check_float(margin, "margin", op)
    x2 = operand(input2, "input2", input1, op)
    t = target if isinstance(target, mt.Tensor) else mt.tensor(array_of(target, "target", op))
    if t.ndim > 1 or input1.ndim != t.ndim + 1 or input1.shape[:-1] != t.shape:
        raise mt.ShapeError(
            f"{op}: expected inputs (N, D) with a target (N), or inputs (D) with a 0-d target; "
            f"got inputs of shape {tuple(input1.shape)} and a target of shape {tuple(t.shape)}"
        )
    dim = t.ndim
    squares1 = (input1 * input1).sum(dim) + _COSINE_EPSILON
    squares2 = (x2 * x2).sum(dim) + _COSINE_EPSILON
    cos = (input1 * x2).sum(dim) / (squares1 * squares2).sqrt()
    zero = mt.zeros((), dtype=input1.dtype)
    t = t.detach()
    similar = mt.where(t == 1, 1 - cos, zero)
    dissimilar = mt.where(t == -1, (cos - margin).clamp_min(0), zero)
    return reduce(similar + dissimilar, reduction, op)


# --------------------------------------------------------------------------- Modules
class _WithMargin(Loss):
    """A loss Module with a ``margin`` option besides ``reduction``."""

    def __init__(self, margin: float, reduction: str) -> None:
        super().__init__(reduction)
        self.margin = check_float(margin, "margin", type(self).__name__)


class _PairWithMargin(_WithMargin):
    """A loss of ``(input1, input2, target)`` computed by its class's ``function``."""

    function: staticmethod

    def __init__(self, margin: float = 0.0, *, reduction: str = "mean") -> None:
        super().__init__(margin, reduction)

    def forward(self, input1: mt.Tensor, input2: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return self.function(input1, input2, target, self.margin, reduction=self.reduction)


class MarginRankingLoss(_PairWithMargin):
    """``MarginRankingLoss(margin=0.0, *, reduction='mean')``: `margin_ranking_loss` of
    ``(input1, input2, target)``."""

    function = staticmethod(margin_ranking_loss)


class HingeEmbeddingLoss(_WithMargin):
    """``HingeEmbeddingLoss(margin=1.0, *, reduction='mean')``: `hinge_embedding_loss`."""

    def __init__(self, margin: float = 1.0, *, reduction: str = "mean") -> None:
        super().__init__(margin, reduction)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class SoftMarginLoss(Loss):
    """``SoftMarginLoss(*, reduction='mean')``: `soft_margin_loss`, the logistic loss of
    logits against targets of 1 and -1."""

    task, from_logits = "classification", True

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_PairWithMargin):
    """``CosineEmbeddingLoss(margin=0.0, *, reduction='mean')``: `cosine_embedding_loss` of
    ``(input1, input2, target)``."""

    function = staticmethod(cosine_embedding_loss)


LOSSES = {
    MarginRankingLoss: ("margin_ranking",),
    HingeEmbeddingLoss: ("hinge_embedding",),
    SoftMarginLoss: ("soft_margin",),
    CosineEmbeddingLoss: ("cosine_embedding",),
    **T.LOSSES,
}
FUNCTIONS = {
    "margin_ranking_loss": margin_ranking_loss,
    "hinge_embedding_loss": hinge_embedding_loss,
    "soft_margin_loss": soft_margin_loss,
    "cosine_embedding_loss": cosine_embedding_loss,
    **T.FUNCTIONS,
}
