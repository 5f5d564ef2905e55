"""Multi-class and multi-label losses over scores ``(N, C)`` or ``(C)``:
``F.multilabel_soft_margin_loss``, ``F.multi_margin_loss``, ``F.multilabel_margin_loss`` and
their Modules (PyTorch's formulas, defaults and errors); registered by `losses`.

Each is composed from differentiable ops. The class targets of the two margin losses choose
which scores are compared, a constant mask computed from them: those two do not export to
ONNX (the export refuses them with an error); ``multilabel_soft_margin_loss`` does. As the
other losses, the deprecated ``size_average`` / ``reduce`` do not exist and the options PyTorch
places after them are keyword-only.
"""

from __future__ import annotations

import numpy as np

import minitorch_es as mt
from minitorch_es.nn import Loss
from minitorch_es.validation import check_float, check_tensor

from .activation_ops import softplus_of
from .class_targets import class_weight
from .loss_functions import array_of, broadcast_constant, operand, reduce


def _scores(input: mt.Tensor, op: str) -> mt.Tensor:
    check_tensor(input, "input", op, floating=True)
    if input.ndim not in (1, 2):
        raise mt.ShapeError(
            f"{op}: expected scores of shape (C) or (N, C), got shape {tuple(input.shape)}"
        )
    return input


def _class_targets(target: mt.Tensor, shape: tuple, low: int, classes: int, op: str) -> np.ndarray:
    """Integer targets of ``shape``, each in ``[low, classes)``, as an int64 array."""
    t = array_of(target, "target", op)
    if t.dtype.kind not in "iu" or t.shape != shape:
        raise TypeError(
            f"{op}: expected integer class targets of shape {shape}, got dtype {t.dtype} and "
            f"shape {t.shape}"
        )
    bad = (t < low) | (t >= classes)
    if bad.any():
        raise IndexError(
            f"{op}: target {t[bad].flat[0]} is out of range for {classes} classes (expected "
            f"{low} <= target < {classes})"
        )
    return t.astype(np.int64, copy=False)


def _check_p(p: int, where: str) -> int:
    if p not in (1, 2) or isinstance(p, bool):
        raise ValueError(f"{where}: only p == 1 and p == 2 supported, got p={p!r}")
    return p


def _weight(weight: mt.Tensor | np.ndarray | None, owner: str) -> np.ndarray | None:
    return None if weight is None else array_of(weight, "weight", owner)


def multilabel_soft_margin_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    weight: mt.Tensor | np.ndarray | None = None,
    *,
    reduction: str = "mean",
) -> mt.Tensor:
    """The mean over classes of ``-w (y log sigmoid(x) + (1 - y) log sigmoid(-x))`` (the
    binary cross-entropy of each label, on logits), one loss per sample; ``weight`` broadcasts
    to the input."""
    op = "multilabel_soft_margin_loss"
    input = _scores(input, op)
    y = operand(target, "target", input, op)
    w = broadcast_constant(weight, "weight", input, op)
    losses = y * softplus_of(-input) + (1 - y) * softplus_of(input)
    if w is not None:
        losses = losses * mt.tensor(w)
    return reduce(losses.sum(-1) / input.shape[-1], reduction, op)


def multi_margin_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: mt.Tensor | np.ndarray | None = None,
    *,
    reduction: str = "mean",
) -> mt.Tensor:
    """The multi-class hinge loss: per sample, ``sum_{j != y} w_y max(0, margin - x_y +
    x_j)^p / C`` for the class ``y`` of each sample (``p`` is 1 or 2)."""
    op = "multi_margin_loss"
    input = _scores(input, op)
    p, margin = _check_p(p, op), check_float(margin, "margin", op)
    w = class_weight(weight, input, op)
    classes = input.shape[-1]
    t = _class_targets(target, tuple(input.shape[:-1]), 0, classes, op)
    chosen = np.eye(classes, dtype=bool)[t]  # the target class of each sample, (N, C)
    x_target = (input * mt.tensor(chosen.astype(input.dtype))).sum(-1, keepdim=True)
    hinge = (margin - x_target + input).relu()  # relu: no gradient at 0, as PyTorch's z > 0
    hinge = mt.where(mt.tensor(~chosen), hinge if p == 1 else hinge * hinge, 0.0)
    losses = hinge.sum(-1) / classes
    if w is not None:
        losses = losses * mt.tensor(w[t])
    return reduce(losses, reduction, op)


def multilabel_margin_loss(
    input: mt.Tensor, target: mt.Tensor, *, reduction: str = "mean"
) -> mt.Tensor:
    """The multi-label hinge loss: per sample, ``sum_{j, k} max(0, 1 - (x_j - x_k)) / C``
    over its target classes ``j`` and the other classes ``k``. ``target`` has the input's
    shape and lists the target classes first, ended by -1 (the rest is ignored)."""
    op = "multilabel_margin_loss"
    input = _scores(input, op)
    classes = input.shape[-1]
    t = _class_targets(target, tuple(input.shape), -1, classes, op)
    listed = np.cumprod(t != -1, axis=-1).astype(bool)  # the targets before the first -1
    rows = t.reshape(-1, classes)
    is_target = np.zeros(rows.shape, bool)
    for row, mask, flags in zip(rows, listed.reshape(rows.shape), is_target):
        flags[row[mask]] = True
    is_target = is_target.reshape(t.shape)
    picks = np.eye(classes)[np.where(listed, t, 0)] * listed[..., None]  # (..., T, C)
    x_listed = mt.tensor(picks.astype(input.dtype)) @ input.unsqueeze(-1)  # (..., T, 1)
    hinge = (1 - x_listed + input.unsqueeze(-2)).relu()  # (..., T, C)
    pairs = listed[..., :, None] & ~is_target[..., None, :]
    losses = (hinge * mt.tensor(pairs.astype(input.dtype))).sum((-2, -1)) / classes
    return reduce(losses, reduction, op)


class MultiLabelSoftMarginLoss(Loss):
    """``MultiLabelSoftMarginLoss(weight=None, *, reduction='mean')``:
    `multilabel_soft_margin_loss` of logits against 0/1 labels."""

    task, from_logits = "classification", True

    def __init__(
        self, weight: mt.Tensor | np.ndarray | None = None, *, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _weight(weight, "MultiLabelSoftMarginLoss"))

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return multilabel_soft_margin_loss(input, target, self.weight, reduction=self.reduction)


class MultiMarginLoss(Loss):
    """``MultiMarginLoss(p=1, margin=1.0, weight=None, *, reduction='mean')``:
    `multi_margin_loss` of scores against class indices."""

    task = "classification"

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: mt.Tensor | np.ndarray | None = None,
        *,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        self.p, self.margin = (
            _check_p(p, "MultiMarginLoss"),
            check_float(margin, "margin", "MultiMarginLoss"),
        )
        self.register_buffer("weight", _weight(weight, "MultiMarginLoss"))

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return multi_margin_loss(
            input, target, self.p, self.margin, self.weight, reduction=self.reduction
        )


class MultiLabelMarginLoss(Loss):
    """``MultiLabelMarginLoss(*, reduction='mean')``: `multilabel_margin_loss`."""

    task = "classification"

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return multilabel_margin_loss(input, target, reduction=self.reduction)


LOSSES = {
    MultiLabelSoftMarginLoss: ("multilabel_soft_margin",),
    MultiMarginLoss: ("multi_margin",),
    MultiLabelMarginLoss: ("multilabel_margin",),
}
FUNCTIONS = {
    "multilabel_soft_margin_loss": multilabel_soft_margin_loss,
    "multi_margin_loss": multi_margin_loss,
    "multilabel_margin_loss": multilabel_margin_loss,
}
