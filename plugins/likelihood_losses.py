"""Negative log-likelihoods of a predicted distribution: ``F.poisson_nll_loss`` /
``nn.PoissonNLLLoss`` (counts, with a predicted rate) and ``F.gaussian_nll_loss`` /
``nn.GaussianNLLLoss`` (values, with a predicted mean and variance), with PyTorch's formulas,
defaults, variance-shape rules and errors; registered by `losses`.

Both are composed from differentiable ops (first and second derivatives in every argument,
and an ONNX export through those ops). As the other losses (`loss_functions`): the target must
have the input's shape, a target of another dtype is cast to the input's, and the options
PyTorch places after the deprecated ``size_average`` / ``reduce`` (which do not exist here) are
keyword-only. Where PyTorch's gradient with respect to a zero target of ``full=True`` is NaN
(``log(0)`` inside a masked term), it is 0 here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Loss
from minitorch_es.validation import check_choice, check_float, check_tensor

from .activation_ops import Value
from .loss_functions import REDUCTIONS, array_of, operand, reduce

if TYPE_CHECKING:
    from minitorch_es.autograd import Context

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class VarianceClamp(Primitive):
    """``max(var, eps)`` in value, with the identity's gradient: PyTorch clamps the variance
    of `gaussian_nll_loss` in place under no_grad, so its gradient passes as if unclamped."""

    backward_name = "CloneBackward0"  # PyTorch's node: the clone it then clamps

    @staticmethod
    def forward(ctx: Context, var: np.ndarray, *, eps: float) -> np.ndarray:
        return np.maximum(var, np.asarray(eps, var.dtype))

    @staticmethod
    def backward(ctx: Context, grad: Value) -> Value:
        return grad


def poisson_nll_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    log_input: bool = True,
    full: bool = False,
    *,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> mt.Tensor:
    """``exp(x) - y x`` for a log-rate ``x`` (``log_input=True``), else ``x - y log(x + eps)``
    for a rate ``x``; ``full=True`` adds Stirling's approximation of ``log(y!)``,
    ``y log y - y + log(2 pi y) / 2``, for targets above 1.

        >>> F = mt.nn.functional
        >>> F.poisson_nll_loss(mt.tensor([0.0]), mt.tensor([1.0]))
        tensor(1.)
    """
    op = "poisson_nll_loss"
    check_tensor(input, "input", op, floating=True)
    eps = check_float(eps, "eps", op)
    y = operand(target, "target", input, op)
    if log_input:
        losses = input.exp() - y * input
    else:
        losses = input - y * (input + eps).log()
    if full:
        above = y.detach() > 1  # Stirling's term counts only there (PyTorch's mask)
        safe = mt.where(above, y, mt.full((), 2.0, dtype=input.dtype))  # no log(0) elsewhere
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        losses = losses + mt.where(above, stirling, mt.zeros((), dtype=input.dtype))
    return reduce(losses, reduction, op)


def _variance(var: mt.Tensor | float, input: mt.Tensor, op: str) -> mt.Tensor:
    """``var`` as a Tensor that broadcasts to the input by PyTorch's rules: the input's shape,
    that shape without its last dim (one variance per sample), or the input's number of dims
    with exactly one mismatched dim, of size 1 there; a float is one variance for all."""
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"{op}: var has negative entry/entries, got {var}")
        return mt.tensor(float(var), dtype=input.dtype)  # a 0-d Tensor broadcasts anywhere
    data = array_of(var, "var", op)
    if data.size and np.nanmin(data) < 0:
        raise ValueError(
            f"{op}: var has negative entry/entries (the smallest is {np.nanmin(data)})"
        )
    var = var if isinstance(var, mt.Tensor) else mt.tensor(data, dtype=input.dtype)
    shape, wanted = tuple(var.shape), tuple(input.shape)
    if shape == wanted:
        return var
    if shape == wanted[:-1]:
        return var.unsqueeze(-1)
    if len(shape) == len(wanted) and sum(v for i, v in zip(wanted, shape) if i != v) == 1:
        return var
    raise ValueError(
        f"{op}: var is of incorrect size: expected the input's shape {wanted}, that shape "
        f"without its last dim {wanted[:-1]}, or one dim of size 1 in place of the input's; "
        f"got {shape}"
    )


def gaussian_nll_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    var: mt.Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> mt.Tensor:
    """``(log(v) + (x - y)^2 / v) / 2`` (plus ``log(2 pi) / 2`` with ``full``) for a predicted
    mean ``x`` and variance ``v``; ``v`` is clamped at ``eps`` in value, as PyTorch does it
    (under no_grad: the gradient flows to ``var`` as if it were not clamped)."""
    op = "gaussian_nll_loss"
    check_tensor(input, "input", op, floating=True)
    eps = check_float(eps, "eps", op)
    var = _variance(var, input, op)
    check_choice(reduction, "reduction", op, choices=REDUCTIONS)  # after var, as PyTorch
    y = operand(target, "target", input, op)
    if var.dtype != input.dtype:
        var = var.to(input.dtype)
    clamped = VarianceClamp.apply(var, eps=eps)
    losses = 0.5 * (clamped.log() + (input - y) ** 2 / clamped)
    if full:
        losses = losses + _HALF_LOG_2PI
    return reduce(losses, reduction, op)


class PoissonNLLLoss(Loss):
    """``PoissonNLLLoss(log_input=True, full=False, *, eps=1e-8, reduction='mean')``:
    `poisson_nll_loss` of a predicted (log-)rate against counts."""

    task = "regression"

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        *,
        eps: float = 1e-8,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        self.log_input, self.full = bool(log_input), bool(full)
        self.eps = check_float(eps, "eps", "PoissonNLLLoss")

    def forward(self, log_input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return poisson_nll_loss(
            log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction
        )


class GaussianNLLLoss(Loss):
    """``GaussianNLLLoss(*, full=False, eps=1e-6, reduction='mean')``: `gaussian_nll_loss` of
    ``(input, target, var)``."""

    task = "regression"

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full, self.eps = bool(full), check_float(eps, "eps", "GaussianNLLLoss")

    def forward(self, input: mt.Tensor, target: mt.Tensor, var: mt.Tensor | float) -> mt.Tensor:
        return gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)


LOSSES = {PoissonNLLLoss: ("poisson_nll", "poisson"), GaussianNLLLoss: ("gaussian_nll",)}
FUNCTIONS = {"poisson_nll_loss": poisson_nll_loss, "gaussian_nll_loss": gaussian_nll_loss}
