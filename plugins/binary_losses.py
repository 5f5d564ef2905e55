"""Binary losses on Tensors: ``mt.nn.functional.binary_cross_entropy`` (on probabilities) and
``binary_cross_entropy_with_logits`` (on logits), each one `PointwiseLossFunction` call, with
PyTorch's formulas and defaults and the deviations listed in `loss_functions`; in addition,
``binary_cross_entropy`` checks that its input and target lie in [0, 1].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.validation import check_choice, check_tensor

from .activation_math import softplus_array
from .activation_ops import Value, sigmoid_of, softplus_of
from .loss_functions import (
    REDUCTIONS,
    PointwiseLossFunction,
    array_of,
    broadcast_constant,
    check_same_shape,
)

if TYPE_CHECKING:
    from types import ModuleType


def _check_unit_interval(array: np.ndarray, name: str, op: str) -> None:
    if array.size and not (array.min() >= 0 and array.max() <= 1):  # also catches NaN
        raise ValueError(
            f"{op}: all elements of {name} should be between 0 and 1, got values in "
            f"[{array.min()}, {array.max()}]"
        )


def binary_cross_entropy(
    input: mt.Tensor,
    target: mt.Tensor,
    weight: mt.Tensor | np.ndarray | None = None,
    *,
    reduction: str = "mean",
) -> mt.Tensor:
    """``-w (y log x + (1 - y) log(1 - x))`` for probabilities ``x``; each log is clamped at
    -100, exactly as PyTorch, so ``x`` of exactly 0 or 1 gives a finite loss."""
    op = "binary_cross_entropy"
    check_tensor(input, "input", op, floating=True)
    check_same_shape(input, target, op)
    _check_unit_interval(input.numpy(force=True), "input", op)
    _check_unit_interval(array_of(target, "target", op), "target", op)
    w = broadcast_constant(weight, "weight", input, op)
    scale = 1 if w is None else w

    def values(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):  # log(0) = -inf is then clamped to -100
            log_x, log_1mx = np.maximum(np.log(x), -100), np.maximum(np.log1p(-x), -100)
        return -scale * (y * log_x + (1 - y) * log_1mx)

    def derivatives(xp: ModuleType, x: Value, y: Value, nx: bool, ny: bool):
        dx = scale * (x - y) / xp.maximum(x * (1 - x), 1e-12) if nx else None  # PyTorch's eps
        if not ny:
            return dx, None
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped to -100 as in forward
            return dx, scale * (xp.maximum(xp.log(1 - x), -100.0) - xp.maximum(xp.log(x), -100.0))

    return PointwiseLossFunction.apply(
        input,
        target,
        values=values,
        derivatives=derivatives,
        reduction=check_choice(reduction, "reduction", op, choices=REDUCTIONS),
        op=op,
        constants={"weight": w},
    )


def binary_cross_entropy_with_logits(
    input: mt.Tensor,
    target: mt.Tensor,
    weight: mt.Tensor | np.ndarray | None = None,
    *,
    reduction: str = "mean",
    pos_weight: mt.Tensor | np.ndarray | None = None,
) -> mt.Tensor:
    """``w (p y softplus(-x) + (1 - y) softplus(x))`` = ``-w (p y log s(x) + (1 - y)
    log(1 - s(x)))`` for logits ``x``: the stable form of sigmoid + BCE (no overflow at any
    ``|x|``). ``pos_weight`` ``p`` weighs the positive term and broadcasts along the last
    (class) dimension. The gradient is ``w (s(x) - y)`` when ``p = 1``."""
    op = "binary_cross_entropy_with_logits"
    check_tensor(input, "input", op, floating=True)
    check_same_shape(input, target, op)
    w = broadcast_constant(weight, "weight", input, op)
    p = broadcast_constant(pos_weight, "pos_weight", input, op)

    scale = 1 if w is None else w

    def values(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        py = y if p is None else p * y
        return scale * (py * softplus_array(-x) + (1 - y) * softplus_array(x))

    def derivatives(xp: ModuleType, x: Value, y: Value, nx: bool, ny: bool):
        dx = dy = None
        if nx:
            s = sigmoid_of(x)
            dx = scale * ((1 - y) * s - (y if p is None else p * y) * (1 - s))
        if ny:
            dy = scale * ((1 if p is None else p) * softplus_of(-x) - softplus_of(x))
        return dx, dy

    return PointwiseLossFunction.apply(
        input,
        target,
        values=values,
        derivatives=derivatives,
        reduction=check_choice(reduction, "reduction", op, choices=REDUCTIONS),
        op=op,
        constants={"weight": w, "pos_weight": p},
    )
