"""Multi-class losses: ``mt.nn.functional.cross_entropy`` (on logits) and ``nll_loss`` (on
log-probabilities), with PyTorch's semantics.

The input is ``(C)``, ``(N, C)`` or ``(N, C, d1, ..., dk)`` (classes on dim 1). The target is
either class indices of shape ``()`` / ``(N)`` / ``(N, d1, ..., dk)`` (any integer dtype) or, for
``cross_entropy``, class probabilities of the input's own shape (floating point). As PyTorch
decides: a target of the input's shape holds probabilities, any other holds indices.

Cross-entropy is ONE fused Function (log-softmax + loss): its gradient is the thesis's output
delta ``softmax(x) - target``, generalised to ``softmax(x) * sum(q) - q`` for the weighted,
smoothed target row ``q``, and scaled by the reduction; no softmax backward is ever run.

How the options combine (PyTorch's rules): with class indices, sample i with class y_i has
``q_i = (1 - eps) w[y_i] onehot(y_i) + (eps / C) w`` (label smoothing ``eps``, class weights ``w``),
ignored samples (``target == ignore_index``) contribute nothing, and ``'mean'`` divides the sum
by ``sum_i w[y_i]`` over the kept samples (their count without weights; NaN if none is kept).
With probabilities, ``q_i = w * ((1 - eps) t_i + eps / C)``, ``ignore_index`` does not apply and
``'mean'`` divides by the number of samples (N d1 ... dk).

Deviation from PyTorch: negative class weights are rejected (they make the loss unbounded below).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.validation import check_choice, check_float, check_int, check_tensor

from .loss_functions import REDUCTIONS, array_of

if TYPE_CHECKING:
    from minitorch_es.autograd import Context


# ------------------------------------------------------------------------ layout helpers
def _rows(x: np.ndarray) -> np.ndarray:
    """``(C)`` / ``(N, C, d...)`` as ``(M, C)``: one row per sample and position."""
    if x.ndim <= 2:
        return x.reshape(-1, x.shape[-1])  # already rows (the common (N, C) case: no copy)
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def _unrows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of `_rows`."""
    if len(shape) <= 2:
        return rows.reshape(shape)
    return np.moveaxis(rows.reshape((shape[0], *shape[2:], shape[1])), -1, 1)


def _classes(shape: tuple) -> int:
    return shape[1 if len(shape) > 1 else 0]


def _sample_shape(shape: tuple) -> tuple:
    """The shape of the unreduced loss (and of class-index targets)."""
    return () if len(shape) == 1 else (shape[0], *shape[2:])


def _log_softmax_rows(x2: np.ndarray) -> np.ndarray:
    shifted = x2 - x2.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


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
        return loss_rows.reshape(_sample_shape(shape))
    total = loss_rows.sum()
    if reduction == "sum":
        ctx.scale = 1
        return total
    if denominator == 0:  # every target ignored (or weighted 0): NaN, and no gradient at all
        ctx.scale = 0
        return np.full((), np.nan, loss_rows.dtype)
    ctx.scale = 1 / denominator
    return total / denominator


def _row_scale(ctx: Context, grad: np.ndarray) -> np.ndarray:
    """The upstream gradient as a column, one factor per row."""
    if ctx.reduction == "none":
        return grad.reshape(-1, 1)
    return grad * ctx.scale


# --------------------------------------------------------------------------- Functions
class CrossEntropyFunction(Primitive):
    """Cross-entropy of logits against class indices; rows whose target is ``ignore_index``
    contribute nothing."""

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
        logp = _log_softmax_rows(_rows(x))
        t = target.reshape(-1)
        if (
            weight is None
            and not label_smoothing
            and reduction == "mean"
            and not (t == ignore_index).any()
        ):
            # The common case (plain mean over class indices), in a few passes: the thesis's
            # delta softmax - one_hot, divided by the batch.
            ctx.save_for_backward(logp, t)
            ctx.meta, ctx.shape = None, x.shape
            return -logp[np.arange(t.size), t].mean()
        picked, kept, safe_t, w_t = _pick(logp, target, weight, ignore_index)
        loss = -(1 - label_smoothing) * w_t * picked
        if label_smoothing:
            per_class = logp if weight is None else logp * weight
            smooth = label_smoothing / _classes(x.shape) * per_class.sum(axis=1)
            loss = loss - np.where(kept, smooth, 0)
        ctx.save_for_backward(logp, safe_t, kept, w_t)
        ctx.meta = (x.shape, weight, label_smoothing)
        return _finish(loss, w_t.sum(), reduction, x.shape, ctx)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        if ctx.meta is None:
            logp, t = ctx.saved_tensors
            g = np.exp(logp)
            g[np.arange(t.size), t] -= 1
            g *= grad / t.size
            return _unrows(g, ctx.shape), None
        logp, safe_t, kept, w_t = ctx.saved_tensors
        shape, weight, eps = ctx.meta
        classes = logp.shape[1]
        per_class = np.ones(classes, logp.dtype) if weight is None else weight
        off_target = (eps / classes) * per_class  # the smoothing part of every target row
        row_total = (1 - eps) * w_t + kept * float(off_target.sum())  # sum of the row q_i
        g = np.exp(logp) * row_total[:, None]
        g[np.arange(safe_t.size), safe_t] -= (1 - eps) * w_t
        if eps:
            g -= kept[:, None] * off_target
        return _unrows(g * _row_scale(ctx, grad), shape), None


class SoftTargetCrossEntropyFunction(Primitive):
    """Cross-entropy of logits against class probabilities of the same shape."""

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
        classes = _classes(x.shape)
        logp = _log_softmax_rows(_rows(x))
        t = _rows(target.astype(x.dtype, copy=False))
        if label_smoothing:
            t = t * (1 - label_smoothing) + label_smoothing / classes
        q = t if weight is None else t * weight
        ctx.save_for_backward(logp, q)
        ctx.meta = (x.shape, weight, label_smoothing)
        return _finish(-(q * logp).sum(axis=1), logp.shape[0], reduction, x.shape, ctx)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        logp, q = ctx.saved_tensors
        shape, weight, eps = ctx.meta
        scale = _row_scale(ctx, grad)
        need_x, need_t = ctx.needs_input_grad
        gx = gt = None
        if need_x:
            gx = _unrows((np.exp(logp) * q.sum(axis=1, keepdims=True) - q) * scale, shape)
        if need_t:
            dt = -(1 - eps) * (logp if weight is None else logp * weight)
            gt = _unrows(dt * scale, shape)
        return gx, gt


class NLLLossFunction(Primitive):
    """Negative log-likelihood of log-probabilities against class indices."""

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
        picked, _, safe_t, w_t = _pick(_rows(x), target, weight, ignore_index)
        loss = -w_t * picked
        ctx.save_for_backward(safe_t, w_t)
        ctx.shape = x.shape
        return _finish(loss, w_t.sum(), reduction, x.shape, ctx)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        safe_t, w_t = ctx.saved_tensors
        g = np.zeros((safe_t.size, _classes(ctx.shape)), dtype=grad.dtype)
        g[np.arange(safe_t.size), safe_t] = -w_t * _row_scale(ctx, grad).reshape(-1)
        return _unrows(g, ctx.shape), None


# ------------------------------------------------------------------------------ checks
def check_class_input(input: mt.Tensor, op: str) -> mt.Tensor:
    """``input`` if it is a floating-point Tensor with a class dimension."""
    check_tensor(input, "input", op, floating=True)
    if input.ndim == 0:
        raise mt.ShapeError(
            f"{op}: expected an input of shape (C), (N, C) or (N, C, d1, ...) with the classes "
            f"on dim 1, got a 0-d tensor"
        )
    return input


def check_class_weight(weight: mt.Tensor | np.ndarray | None, op: str) -> np.ndarray | None:
    """A 1-D, finite, non-negative weight array (its length is checked against the input)."""
    if weight is None:
        return None
    data = array_of(weight, "weight", op)
    if data.ndim != 1:
        raise mt.ShapeError(
            f"{op}: weight must be a 1-D tensor of per-class weights, got shape {data.shape}"
        )
    bad = ~np.isfinite(data) | (data < 0)
    if bad.any():
        c = int(np.argmax(bad))
        raise ValueError(
            f"{op}: class weights must be finite and non-negative, got {data[c]} for class {c}"
        )
    return data


def class_weight(
    weight: mt.Tensor | np.ndarray | None, input: mt.Tensor, op: str
) -> np.ndarray | None:
    """``weight`` checked against the input's number of classes, in the input's dtype."""
    data = check_class_weight(weight, op)
    if data is None:
        return None
    classes = _classes(input.shape)
    if data.shape[0] != classes:
        raise mt.ShapeError(
            f"{op}: weight has {data.shape[0]} entries but the input of shape "
            f"{input.shape} has {classes} classes (dim 1); give one per class"
        )
    return data.astype(input.dtype, copy=False)


def class_indices(
    target: mt.Tensor | np.ndarray,
    input: mt.Tensor,
    ignore_index: int,
    op: str,
    *,
    probabilities: bool,
) -> np.ndarray:
    """The target as int64 class indices of the right shape, each in [0, C) or ignore_index."""
    data = array_of(target, "target", op)
    expected = _sample_shape(input.shape)
    also = f" (or class probabilities of shape {input.shape})" if probabilities else ""
    if data.dtype.kind not in "iu":
        raise TypeError(
            f"{op}: class-index targets must be integers, got dtype {data.dtype} (target shape "
            f"{data.shape}, input shape {input.shape}); expected integer classes of shape "
            f"{expected}{also}"
        )
    if data.shape != expected:
        raise mt.ShapeError(
            f"{op}: expected a class-index target of shape {expected} for input "
            f"of shape {input.shape}{also}, got shape {data.shape}"
        )
    t = data.astype(np.int64, copy=False)
    classes = _classes(input.shape)
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(
            f"{op}: target class {t[bad].flat[0]} is out of range for {classes} classes "
            f"(expected 0 <= target < {classes}, or ignore_index={ignore_index}); "
            f"{int(bad.sum())} target(s) out of range"
        )
    return t


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
                f".float()); class-index targets have shape {_sample_shape(input.shape)}"
            )
        return SoftTargetCrossEntropyFunction.apply(
            input, target, weight=w, label_smoothing=eps, reduction=reduction
        )
    t = class_indices(target, input, ignore_index, op, probabilities=True)
    return CrossEntropyFunction.apply(
        input, t, weight=w, ignore_index=ignore_index, label_smoothing=eps, reduction=reduction
    )


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
