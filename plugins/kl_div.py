"""The Kullback-Leibler divergence: ``F.kl_div`` and ``nn.KLDivLoss`` (PyTorch's formulas).

``input`` holds log-probabilities; ``target`` probabilities (or log-probabilities with
``log_target=True``). Per element, ``target * (log(target) - input)`` (0 where the target is
0), or ``exp(target) * (target - input)``. Reductions: ``'mean'`` over every element (with
PyTorch's warning that it is not the divergence's definition), ``'batchmean'`` (the sum over
the batch size: the divergence itself), ``'sum'``, ``'none'``.

As the other losses (`loss_functions`): the target must have the input's shape, a target of
another dtype is cast to the input's, the options are keyword-only and the deprecated
``size_average`` / ``reduce`` do not exist. The gradient of a zero target (``log_target=False``)
is taken as 0 (PyTorch's is NaN).
"""

from __future__ import annotations

import math

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.errors import warn
from minitorch_es.nn import Loss
from minitorch_es.validation import check_choice, check_tensor

from .loss_functions import check_same_shape

REDUCTIONS = ("none", "batchmean", "sum", "mean")
_MEAN_WARNING = (
    "kl_div: reduction: 'mean' divides the total loss by both the batch size and the support "
    "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
    "definition.'mean' will be changed to behave the same as 'batchmean' in the next major "
    "release."
)


class KLDivPointwise(Primitive):
    """The per-element divergence; backward from the saved input and target (``ctx.xp``), so
    it differentiates again."""

    ieee_silent = True  # log(0) and 0 * log(0): inf and NaN, silently

    @staticmethod
    def forward(ctx: mt.autograd.Context, x: np.ndarray, t: np.ndarray, *, log_target: bool):
        ctx.save_for_backward(x, t)
        ctx.log_target = log_target
        if log_target:
            return np.exp(t) * (t - x)
        with np.errstate(divide="ignore", invalid="ignore"):  # log of 0 (masked) or < 0 (NaN)
            return np.where(t != 0, t * np.log(np.where(t != 0, t, 1)), 0) - t * x

    @staticmethod
    def backward(ctx: mt.autograd.Context, grad: np.ndarray):
        x, t = ctx.saved_tensors
        xp = ctx.xp
        if ctx.log_target:
            p = xp.exp(t)
            return -grad * p, grad * p * (t - x + 1)
        gt = None
        if ctx.needs_input_grad[1]:
            present = ctx.saved_arrays[1] != 0  # a constant of the derivative
            gt = grad * xp.where(present, xp.log(xp.where(present, t, 1)) + 1 - x, 0)
        return -grad * t, gt


def kl_div(
    input: mt.Tensor, target: mt.Tensor, *, reduction: str = "mean", log_target: bool = False
) -> mt.Tensor:
    """``F.kl_div``: the divergence of ``target`` from the distribution whose log-probabilities
    are ``input``.

        >>> p = mt.tensor([[0.25, 0.75]])
        >>> mt.nn.functional.kl_div(p.log(), p, reduction="batchmean")
        tensor(0.)
    """
    op = "kl_div"
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: {reduction} is not a valid value for reduction {REDUCTIONS}")
    check_tensor(input, "input", op, floating=True)
    check_same_shape(input, target, op)
    if isinstance(target, mt.Tensor) and target.dtype != input.dtype:
        target = target.to(input.dtype)
    elif not isinstance(target, mt.Tensor):
        target = mt.tensor(np.asarray(target), dtype=input.dtype)
    losses = KLDivPointwise.apply(input, target, log_target=bool(log_target))
    if reduction == "mean":
        warn(_MEAN_WARNING, UserWarning)
        return losses.mean()
    if reduction == "batchmean":
        return _batch_mean(losses)
    return losses.sum() if reduction == "sum" else losses


def _batch_mean(losses: mt.Tensor) -> mt.Tensor:
    """The sum over the batch size ``N`` (dim 0), computed as the mean over every element times
    the size of one sample: that size does not change with ``N``, so an ONNX export with a
    dynamic batch holds it as a constant (``N`` itself is not)."""
    sample = math.prod(losses.shape[1:])
    if losses.ndim == 0 or sample == 0:  # a scalar is its own batch; no elements sum to 0
        return losses.sum()
    return losses.mean() if sample == 1 else losses.mean() * sample


class KLDivLoss(Loss):
    """The Kullback-Leibler divergence loss (see `kl_div`): ``KLDivLoss(*, reduction='mean',
    log_target=False)``; use ``reduction='batchmean'`` for the divergence itself."""

    def __init__(self, *, reduction: str = "mean", log_target: bool = False) -> None:
        check_choice(reduction, "reduction", "KLDivLoss", choices=REDUCTIONS)
        super().__init__()  # Loss knows PyTorch's three reductions; 'batchmean' is KL's own
        self.reduction, self.log_target = reduction, bool(log_target)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
