"""Regression losses on Tensors: ``mt.nn.functional.mse_loss``, ``l1_loss``, ``huber_loss``,
``smooth_l1_loss``, and the fused Function they and the binary losses (`binary_losses`) share.

Each call is ONE autograd Function: forward computes the per-element losses and reduces them
(``'mean'`` | ``'sum'`` | ``'none'``) inside; backward computes their closed-form derivatives from
the saved input and target, with the array namespace of the pass (``ctx.xp``), so the same
formula gives the fast first-order gradient and a differentiable one (second derivatives).
Formulas and defaults are PyTorch's.

Deviations from PyTorch, on purpose:
- ``target`` must have exactly the input's shape. PyTorch broadcasts (with a warning), which
  turns the classic (N, 1) predictions vs (N,) targets mistake into an (N, N) loss.
- integer or bool targets are accepted and cast to the input's dtype (PyTorch raises); a float
  target of another precision is cast to the input's dtype too, never promoting the graph.
- the deprecated ``size_average`` / ``reduce`` arguments do not exist; the options after
  ``target`` (or ``weight``) are keyword-only, so a positional call written for PyTorch's
  signature fails loudly instead of binding to the wrong option (``huber_loss`` keeps PyTorch's
  positional ``reduction, delta, weight``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.validation import check_choice, check_float, check_tensor

from .activation_ops import Value

if TYPE_CHECKING:
    from types import ModuleType

    from minitorch_es.autograd import Context


REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------------- shared checks
def array_of(value: mt.Tensor | np.ndarray, name: str, op: str) -> np.ndarray:
    """The array behind a Tensor / ndarray argument, which must be numeric."""
    data = value.numpy(force=True) if isinstance(value, mt.Tensor) else value
    if not isinstance(data, np.ndarray):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    if data.dtype.kind not in "biuf":
        raise TypeError(f"{op}: {name} must hold numbers, got dtype {data.dtype}")
    return data


def check_same_shape(input: mt.Tensor, target: mt.Tensor, op: str) -> None:
    """A target of exactly the input's shape (no silent broadcasting)."""
    shape = array_of(target, "target", op).shape
    if shape != input.shape:
        raise mt.ShapeError(
            f"{op}: target shape {shape} does not match input shape {input.shape}; the shapes "
            f"must be equal (reshape one of them, e.g. target.reshape({list(input.shape)}))"
        )


def broadcast_constant(
    value: mt.Tensor | np.ndarray | None, name: str, input: mt.Tensor, op: str
) -> np.ndarray | None:
    """``weight`` / ``pos_weight`` as an array of the input's dtype that broadcasts to the
    input's shape (None stays None). It is a constant: no gradient flows to it."""
    if value is None:
        return None
    data = array_of(value, name, op)
    try:
        fits = np.broadcast_shapes(data.shape, input.shape) == input.shape
    except ValueError:
        fits = False
    if not fits:
        raise mt.ShapeError(
            f"{op}: {name} of shape {data.shape} does not broadcast to the input's shape "
            f"{input.shape}"
        )
    return data.astype(input.dtype, copy=False)


def operand(value: mt.Tensor | np.ndarray, name: str, input: mt.Tensor, op: str) -> mt.Tensor:
    """``value`` (a target or second input) as a Tensor of ``input``'s shape and dtype; a
    Tensor keeps its graph (the cast is differentiable)."""
    shape = array_of(value, name, op).shape
    if shape != input.shape:
        raise mt.ShapeError(
            f"{op}: {name} shape {shape} does not match input shape {input.shape}; the shapes "
            f"must be equal"
        )
    if not isinstance(value, mt.Tensor):
        return mt.tensor(np.asarray(value), dtype=input.dtype)
    return value if value.dtype == input.dtype else value.to(input.dtype)


def reduce(losses: mt.Tensor, reduction: str, op: str) -> mt.Tensor:
    """``'mean'`` | ``'sum'`` | ``'none'`` of a Tensor of per-element losses (composed losses)."""
    check_choice(reduction, "reduction", op, choices=REDUCTIONS)
    if reduction == "mean":
        return losses.mean()
    return losses.sum() if reduction == "sum" else losses


def reduce_losses(losses: np.ndarray, reduction: str) -> np.ndarray:
    """Mean, sum or the per-element losses themselves. The mean of no losses (an empty batch)
    is NaN, as PyTorch gives, without NumPy's "mean of empty slice" warning."""
    if reduction == "mean":
        return losses.mean() if losses.size else np.full((), np.nan, losses.dtype)
    if reduction == "sum":
        return losses.sum()
    return losses


def per_element_grad(xp: ModuleType, grad: Value, shape: tuple, reduction: str) -> Value:
    """The upstream gradient of a reduced loss, spread back over the per-element losses."""
    if reduction == "none":
        return grad
    if reduction == "mean":
        grad = grad / max(int(np.prod(shape)), 1)
    return xp.broadcast_to(grad, shape)


# --------------------------------------------------------------- the fused Function
class PointwiseLossFunction(Primitive):
    """``reduce(l(x, y))`` for an element-wise loss: ``values(x, y)`` gives the per-element
    losses (forward, on arrays) and ``derivatives(xp, x, y, need_x, need_y)`` their closed-form
    derivatives ``(dl/dx, dl/dy)``, computed in backward from the saved inputs with the array
    namespace ``xp`` (so they can be differentiated again). ``op`` names the loss and
    ``constants`` holds the options its formulas close over (``delta``, ``beta``, ``weight``,
    ``pos_weight``): the ONNX export writes the formula from these two."""

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        y: np.ndarray,
        *,
        values: Callable,
        derivatives: Callable,
        reduction: str,
        op: str,
        constants: dict | None = None,
    ):
        ctx.backward_name = node_name(op, reduction)
        losses = values(x, y.astype(x.dtype, copy=False))
        ctx.save_for_backward(x, y)
        ctx.derivatives, ctx.reduction, ctx.shape = derivatives, reduction, losses.shape
        return reduce_losses(losses, reduction)

    @staticmethod
    def backward(ctx: Context, grad: Value):
        x, y = ctx.saved_tensors
        xp = ctx.xp
        if y.dtype != x.dtype:  # integer or other-precision targets count in the input's dtype
            y = xp.astype(y, x.dtype)
        g = per_element_grad(xp, grad, ctx.shape, ctx.reduction)
        dx, dy = ctx.derivatives(xp, x, y, *ctx.needs_input_grad)
        return (None if dx is None else g * dx), (None if dy is None else g * dy)


# PyTorch's grad_fn names of its loss functions (l1_loss is a composite there).
_NODE_NAMES = {
    "mse_loss": "MseLossBackward0",
    "huber_loss": "HuberLossBackward0",
    "smooth_l1_loss": "SmoothL1LossBackward0",
    "binary_cross_entropy": "BinaryCrossEntropyBackward0",
    "binary_cross_entropy_with_logits": "BinaryCrossEntropyWithLogitsBackward0",
}
_L1_NODES = {"mean": "MeanBackward0", "sum": "SumBackward0", "none": "AbsBackward0"}


def node_name(op: str, reduction: str) -> str:
    """PyTorch's node name for the loss ``op`` (what ``loss.grad_fn`` prints)."""
    if op == "l1_loss":
        return _L1_NODES[reduction]
    return _NODE_NAMES.get(op, "PointwiseLossBackward0")


def _difference_loss(
    op: str,
    input: mt.Tensor,
    target: mt.Tensor,
    reduction: str,
    value: Callable,
    slope: Callable,
    constants: dict | None = None,
) -> mt.Tensor:
    """``reduce(l(x - y))`` from ``value(d)`` (arrays) and ``slope(xp, d) = l'(d)``; dl/dy is
    -dl/dx."""

    def derivatives(xp: ModuleType, x: Value, y: Value, nx: bool, ny: bool):
        dx = slope(xp, x - y) if nx or ny else None
        return (dx if nx else None), (-dx if ny else None)

    check_tensor(input, "input", op, floating=True)
    check_same_shape(input, target, op)
    check_choice(reduction, "reduction", op, choices=REDUCTIONS)
    return PointwiseLossFunction.apply(
        input,
        target,
        values=lambda x, y: value(x - y),
        derivatives=derivatives,
        reduction=reduction,
        op=op,
        constants=constants,
    )


# ------------------------------------------------------------------------ regression
def mse_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    *,
    reduction: str = "mean",
    weight: mt.Tensor | None = None,
) -> mt.Tensor:
    """``(x - y)^2``, reduced (``reduction='sum'`` is the thesis's sum of squared errors).
    ``weight`` (the input's shape) scales each element; ``'mean'`` is then ``sum(w l) /
    sum(w)``, as PyTorch's."""
    if weight is not None:
        unweighted = mse_loss(input, target, reduction="none")
        return _weighted("mse_loss", unweighted, weight, reduction, by_weight=True)
    return _difference_loss(
        "mse_loss", input, target, reduction, lambda d: d * d, lambda xp, d: 2 * d
    )


def l1_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    *,
    reduction: str = "mean",
    weight: mt.Tensor | None = None,
) -> mt.Tensor:
    """``|x - y|``, reduced; the derivative at 0 is 0, as PyTorch. ``weight`` (the input's
    shape) scales each element; ``'mean'`` is then ``sum(w l) / sum(w)``, as PyTorch's."""
    if weight is not None:
        unweighted = l1_loss(input, target, reduction="none")
        return _weighted("l1_loss", unweighted, weight, reduction, by_weight=True)
    return _difference_loss("l1_loss", input, target, reduction, np.abs, lambda xp, d: xp.sign(d))


def huber_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: mt.Tensor | None = None,
) -> mt.Tensor:
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``, with ``d = x - y``.
    ``weight`` (the input's shape) scales each element; ``'mean'`` is then the mean of
    ``w l`` (not divided by ``sum(w)``: PyTorch's rule for this loss)."""
    if weight is not None:
        unweighted = huber_loss(input, target, "none", delta)
        return _weighted("huber_loss", unweighted, weight, reduction, by_weight=False)
    delta = check_float(delta, "delta", "huber_loss", low=0, low_open=True)

    def value(d: np.ndarray) -> np.ndarray:
        return np.where(np.abs(d) < delta, 0.5 * d * d, delta * (np.abs(d) - 0.5 * delta))

    def slope(xp: ModuleType, d: Value) -> Value:
        return xp.where(xp.abs(d) < delta, d, delta * xp.sign(d))

    return _difference_loss("huber_loss", input, target, reduction, value, slope, {"delta": delta})


def _weighted(
    op: str, losses: mt.Tensor, weight: mt.Tensor, reduction: str, by_weight: bool
) -> mt.Tensor:
    """PyTorch's ``weight=`` of a regression loss: ``losses * weight`` reduced; ``'mean'``
    divides by ``weight.sum()`` when ``by_weight`` (mse, l1), by the count otherwise (huber)."""
    if not isinstance(weight, mt.Tensor):
        raise TypeError(f"{op}: weight must be a Tensor or None, got {type(weight).__name__}")
    if weight.shape != losses.shape:
        raise ValueError("Weights and input must have the same size.")
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
        )
    weighted = losses * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    return weighted.sum() / weight.sum() if by_weight else weighted.mean()


def smooth_l1_loss(
    input: mt.Tensor, target: mt.Tensor, *, reduction: str = "mean", beta: float = 1.0
) -> mt.Tensor:
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (L1 for ``beta=0``)."""
    beta = check_float(beta, "beta", "smooth_l1_loss", low=0)
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)

    def value(d: np.ndarray) -> np.ndarray:
        return np.where(np.abs(d) < beta, 0.5 * d * d / beta, np.abs(d) - 0.5 * beta)

    def slope(xp: ModuleType, d: Value) -> Value:
        return xp.where(xp.abs(d) < beta, d / beta, xp.sign(d))

    return _difference_loss(
        "smooth_l1_loss", input, target, reduction, value, slope, {"beta": beta}
    )
