"""Multi-class losses: ``mt.nn.functional.cross_entropy`` (on logits) and ``nll_loss`` (on
log-probabilities), with PyTorch's semantics.

The input is ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dk)`` (classes on dim 1). The target is
either class indices of shape ``()`` / ``(N)`` / ``(N, d1, ..., dk)`` (any integer dtype) or, for
``cross_entropy``, class probabilities of the input's own shape (floating point). As PyTorch
decides: a target of the input's shape holds probabilities, any other holds indices.

Cross-entropy is ONE fused Function (log-softmax + loss): its gradient is the thesis's output
delta ``softmax(x) - target``, generalised to ``softmax(x) * sum(q) - q`` for the weighted,
smoothed target row ``q``, and scaled by the reduction; no softmax backward is ever run (the
log-softmax is an extra output, see the Functions below, so the formula is differentiable
twice).

How the options combine (PyTorch's rules): with class indices, sample i with class y_i has
``q_i = (1 - eps) w[y_i] onehot(y_i) + (eps / C) w`` (label smoothing ``eps``, class weights ``w``),
ignored samples (``target == ignore_index``) contribute nothing, and ``'mean'`` divides the sum
by ``sum_i w[y_i]`` over the kept samples (their count without weights; NaN if none is kept).
With probabilities, ``q_i = w * ((1 - eps) t_i + eps / C)``, ``ignore_index`` does not apply and
``'mean'`` divides by the number of samples (N d1 ... dk).

Deviation from PyTorch: negative class weights are rejected (they make the loss unbounded below).
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.validation import check_choice, check_float, check_int

from .activation_ops import Value, log_softmax_backward
from .class_targets import (
    check_class_input,
    class_count,
    class_indices,
    class_weight,
    sample_shape,
)
from .loss_functions import REDUCTIONS, array_of

if TYPE_CHECKING:
    from types import ModuleType

    from minitorch_es.autograd import Context


# ------------------------------------------------------------------------ layout helpers
def _rows(xp: ModuleType, x: Value) -> Value:
    """``(C)`` / ``(N, C, d...)`` as ``(M, C)``: one row per sample and position."""
    classes = x.shape[-1] if x.ndim <= 2 else x.shape[1]
    if x.ndim <= 2:
        return xp.reshape(x, (-1, classes))  # already rows (the common (N, C) case: no copy)
    return xp.reshape(xp.moveaxis(x, 1, -1), (-1, classes))


def _unrows(xp: ModuleType, rows: Value, shape: tuple) -> Value:
    """The inverse of `_rows`."""
    if len(shape) <= 2:
        return xp.reshape(rows, shape)
    return xp.moveaxis(xp.reshape(rows, (shape[0], *shape[2:], shape[1])), -1, 1)


# Shifting every row by the batch's largest logit is as exact as by the row's own maximum while
# no row falls far below it (then a row's sum of exponentials stays above exp(-16)).
_SAFE_ROW_SUM = math.exp(-16)


def _log_softmax_rows(x2: np.ndarray) -> np.ndarray:
    """``log_softmax`` of each row of ``(M, C)``. The exponentials are shifted by the largest
    logit of all (a reduction along short rows, per row, is several times slower) and summed
    by a matrix-vector product; when a row falls too far below that shift (or on inf/NaN), by
    each row's maximum, the textbook way."""
    if x2.size:
        shifted = x2 - x2.max()
        sums = np.exp(shifted) @ _ones(x2.shape[1], x2.dtype)
        if sums.min() > _SAFE_ROW_SUM:  # False for NaN
            return shifted - np.log(sums)[:, None]
    shifted = x2 - x2.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@functools.lru_cache(maxsize=64)
def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones


def _pick(rows: np.ndarray, target: np.ndarray, weight: np.ndarray | None, ignore_index: int):
    """Per row: the entry at the target class, the kept mask, the class index (0 where
    ignored, so it can index) and the target's weight; ignored rows get entry and weight 0."""
    t = target.reshape(-1)
    kept = t != ignore_index
    safe_t = np.where(kept, t, 0)
    picked = np.where(kept, rows[np.arange(t.size), safe_t], 0)
    w_t = kept.astype(rows.dtype) if weight is None else np.where(kept, weight[safe_t], 0)
    return picked, kept, safe_t, w_t


def _finish(
    loss_rows: np.ndarray, denominator: float, reduction: str, shape: tuple[int, ...], ctx: Context
):
    """Reduce the per-row losses and remember how to scale the per-row gradients."""
    ctx.reduction = reduction
    if reduction == "none":
        return loss_rows.reshape(sample_shape(shape))
    total = loss_rows.sum()
    if reduction == "sum":
        ctx.scale = 1
        return total
    if denominator == 0:  # every target ignored (or weighted 0): NaN, and no gradient at all
        ctx.scale = 0
        return np.full((), np.nan, loss_rows.dtype)
    ctx.scale = 1 / float(denominator)
    return total / denominator


def _row_scale(ctx: Context, grad: Value) -> Value:
    """The upstream gradient as a column, one factor per row."""
    if ctx.reduction == "none":
        return grad.reshape(-1, 1)
    return grad * ctx.scale


# --------------------------------------------------------------------------- Functions
# The two cross-entropies return the log-softmax rows as a second, internal output (the
# functional forms keep only the loss): backward needs the softmax, which depends on the
# logits, so it is read back from an output (one exponential, as fast as saving it) and the
# same formula is differentiable twice. The log-softmax output gets a gradient only from a
# graph of the gradient; it then flows back through `log_softmax_backward`.
def _through_log_softmax(xp: ModuleType, gx: Value | None, grad_logp: Value | None, s: Value):
    """``gx`` (rows) plus the gradient that reached the log-softmax output, if any."""
    if grad_logp is None:
        return gx
    through = log_softmax_backward(xp, grad_logp, s, 1)
    return through if gx is None else gx + through


class CrossEntropyFunction(Primitive):
    """Cross-entropy of logits against class indices; rows whose target is ``ignore_index``
    contribute nothing. Returns ``(loss, log-softmax rows)``."""

    backward_name = "NllLossBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        target: np.ndarray,
        *,
        weight: np.ndarray | None,
        ignore_index: int,
        label_smoothing: float,
        reduction: str,
    ):
        logp = _log_softmax_rows(_rows(np, x))
        t = target.reshape(-1)
        ctx.save_for_backward(logp)
        ctx.set_materialize_grads(False)
        ctx.shape = x.shape
        if (
            weight is None
            and not label_smoothing
            and reduction == "mean"
            and t.size  # an empty batch takes the general path: NaN, as PyTorch
            and not (t == ignore_index).any()
        ):
            # The common case (plain mean over class indices), in a few passes: the thesis's
            # delta softmax - one_hot, divided by the batch.
            ctx.reduction, ctx.scale = "mean", 1 / t.size
            ctx.targets = (t, 1, None, None)
            # sum / n is what ndarray.mean computes (float32 sum, then a division), without
            # its ~3 us of Python.
            return -(logp[np.arange(t.size), t].sum() / t.size), logp
        picked, kept, safe_t, w_t = _pick(logp, target, weight, ignore_index)
        loss = -(1 - label_smoothing) * w_t * picked
        smoothing = row_total = None
        if label_smoothing:
            classes = class_count(x.shape)
            per_class = np.ones(classes, logp.dtype) if weight is None else weight
            off_target = (label_smoothing / classes) * per_class  # in every target row q_i
            loss = loss - np.where(kept, (logp * off_target).sum(axis=1), 0)
            smoothing = kept[:, None] * off_target
            row_total = ((1 - label_smoothing) * w_t + kept * off_target.sum())[:, None]
        elif weight is not None or not kept.all():
            row_total = w_t[:, None]
        ctx.targets = (safe_t, (1 - label_smoothing) * w_t, smoothing, row_total)
        return _finish(loss, w_t.sum(), reduction, x.shape, ctx), logp

    @staticmethod
    def backward(ctx: Context, grad: Value | None, grad_logp: Value | None):
        (logp,) = ctx.saved_tensors
        xp = ctx.xp
        s = xp.exp(logp)
        gx = None
        if grad is not None:
            # d loss_i / d x_i = softmax_i * sum(q_i) - q_i for the target row q_i (a constant).
            safe_t, on_target, smoothing, row_total = ctx.targets
            q = np.zeros(logp.shape, dtype=logp.dtype)
            q[np.arange(safe_t.size), safe_t] = on_target
            if smoothing is not None:
                q += smoothing
            gx = ((s if row_total is None else s * row_total) - q) * _row_scale(ctx, grad)
        return _unrows(xp, _through_log_softmax(xp, gx, grad_logp, s), ctx.shape), None


class SoftTargetCrossEntropyFunction(Primitive):
    """Cross-entropy of logits against class probabilities of the same shape (the target may
    require grad). Returns ``(loss, log-softmax rows)``."""

    backward_name = "DivBackward1"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        target: np.ndarray,
        *,
        weight: np.ndarray | None,
        label_smoothing: float,
        reduction: str,
    ):
        logp = _log_softmax_rows(_rows(np, x))
        q = _soft_target_rows(np, x.dtype, target, weight, label_smoothing)
        ctx.save_for_backward(logp, target)
        ctx.set_materialize_grads(False)
        ctx.meta = (x.shape, weight, label_smoothing)
        loss = _finish(-(q * logp).sum(axis=1), logp.shape[0], reduction, x.shape, ctx)
        return loss, logp

    @staticmethod
    def backward(ctx: Context, grad: Value | None, grad_logp: Value | None):
        logp, target = ctx.saved_tensors
        shape, weight, eps = ctx.meta
        xp = ctx.xp
        need_x, need_t = ctx.needs_input_grad
        s = xp.exp(logp) if need_x else None
        gx = gt = None
        if grad is not None:
            scale = _row_scale(ctx, grad)
            if need_x:
                q = _soft_target_rows(xp, logp.dtype, target, weight, eps)
                gx = (s * xp.sum(q, axis=1, keepdims=True) - q) * scale
            if need_t:
                dt = -(1 - eps) * (logp if weight is None else logp * weight)
                gt = _unrows(xp, dt * scale, shape)
        if need_x:
            gx = _unrows(xp, _through_log_softmax(xp, gx, grad_logp, s), shape)
        return gx, gt


def _soft_target_rows(
    xp: ModuleType, dtype: np.dtype, target: Value, weight: np.ndarray | None, eps: float
) -> Value:
    """The weighted, smoothed target rows ``q_i = w ((1 - eps) t_i + eps / C)``."""
    if target.dtype != dtype:
        target = xp.astype(target, dtype)
    q = _rows(xp, target)
    if eps:
        q = q * (1 - eps) + eps / q.shape[1]
    return q if weight is None else q * weight


class NLLLossFunction(Primitive):
    """Negative log-likelihood of log-probabilities against class indices."""

    backward_name = "NllLossBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        target: np.ndarray,
        *,
        weight: np.ndarray | None,
        ignore_index: int,
        reduction: str,
    ):
        picked, _, safe_t, w_t = _pick(_rows(np, x), target, weight, ignore_index)
        ctx.safe_t, ctx.w_t, ctx.shape = safe_t, w_t, x.shape
        return _finish(-w_t * picked, w_t.sum(), reduction, x.shape, ctx)

    @staticmethod
    def backward(ctx: Context, grad: Value):
        safe_t, rows = ctx.safe_t, ctx.safe_t.size
        picked = _row_scale(ctx, grad).reshape(-1) * -ctx.w_t  # d loss / d x at each target
        g = ctx.xp.index_add((rows, class_count(ctx.shape)), (np.arange(rows), safe_t), picked)
        return _unrows(ctx.xp, g, ctx.shape), None


# -------------------------------------------------------------------------- functional
def cross_entropy(
    input: mt.Tensor,
    target: mt.Tensor,
    weight: mt.Tensor | np.ndarray | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> mt.Tensor:
    """Cross-entropy between logits ``input`` and class indices or class probabilities
    (``-log softmax(x)[y]``, weighted and smoothed as described in the module docstring).

    The options after ``weight`` are keyword-only: PyTorch's deprecated ``size_average`` /
    ``reduce`` do not exist, so a positional call written for PyTorch fails instead of binding
    to the wrong option."""
    op = "cross_entropy"
    check_class_input(input, op)
    reduction = check_choice(reduction, "reduction", op, choices=REDUCTIONS)
    ignore_index = check_int(ignore_index, "ignore_index", op)
    eps = check_float(label_smoothing, "label_smoothing", op, low=0, high=1)
    w = class_weight(weight, input, op)
    data = array_of(target, "target", op)
    if data.shape == input.shape:  # PyTorch's rule: the input's shape means probabilities
        if data.dtype.kind != "f":
            raise TypeError(
                f"{op}: a target of the input's shape {input.shape} holds class probabilities "
                f"and must be floating point, got dtype {data.dtype} (a one-hot array from "
                f"mt.data.one_hot is int64 as in PyTorch: pass dtype=mt.float32, or call "
                f".float()); class-index targets have shape {sample_shape(input.shape)}"
            )
        return SoftTargetCrossEntropyFunction.apply(
            input, target, weight=w, label_smoothing=eps, reduction=reduction
        )[0]
    t = class_indices(target, input, ignore_index, op, probabilities=True)
    return CrossEntropyFunction.apply(
        input, t, weight=w, ignore_index=ignore_index, label_smoothing=eps, reduction=reduction
    )[0]


def nll_loss(
    input: mt.Tensor,
    target: mt.Tensor,
    weight: mt.Tensor | np.ndarray | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> mt.Tensor:
    """Negative log-likelihood ``-w[y] x[y]`` of log-probabilities ``input`` (e.g. the output
    of ``log_softmax``) against class indices; ``'mean'`` divides by ``sum w[y]`` over the
    targets that are not ``ignore_index``. Options after ``weight`` are keyword-only."""
    op = "nll_loss"
    check_class_input(input, op)
    reduction = check_choice(reduction, "reduction", op, choices=REDUCTIONS)
    ignore_index = check_int(ignore_index, "ignore_index", op)
    w = class_weight(weight, input, op)
    t = class_indices(target, input, ignore_index, op, probabilities=False)
    return NLLLossFunction.apply(input, t, weight=w, ignore_index=ignore_index, reduction=reduction)
