"""The fused kernel of scaled dot-product attention, and a split op for packed projections.

``Attention`` computes ``softmax(q k^T * scale + bias, masked) @ v`` in one node. Its backward
is the closed form (with ``P`` the probabilities, ``W = P * keep`` after dropout):

    dv = W^T dO,   dP = (dO v^T) * keep,   dS = P * (dP - rowsum(dP * P)),
    dq = dS k * scale,   dk = dS^T q * scale,   dbias = dS (summed to the bias's shape).

The probabilities are a second output (multi-head attention returns them as its weights), so
backward reads them from an output and is differentiable again; the masks and the dropout
mask are constants. A row whose every position is masked gets probabilities 0 (and output 0),
as PyTorch's scaled_dot_product_attention. Grouped-query attention (``groups`` > 1 query heads
per key/value head) reshapes the query heads into groups instead of repeating k and v.
"""

from __future__ import annotations

import numpy as np

from minitorch_es.autograd import Primitive


def _grouped(q, groups: int):
    """``(..., Hq, L, E)`` as ``(..., Hq / groups, groups, L, E)``."""
    if groups == 1:
        return q
    return q.reshape(q.shape[:-3] + (q.shape[-3] // groups, groups) + q.shape[-2:])


def _ungrouped(a, groups: int):
    """The inverse of `_grouped`."""
    if groups == 1:
        return a
    return a.reshape(a.shape[:-4] + (a.shape[-4] * a.shape[-3],) + a.shape[-2:])


def _shared(kv, groups: int, xp):
    """Key/value heads broadcast over the query heads of their group."""
    return kv if groups == 1 else xp.expand_dims(kv, -3)


def _summed(grad, groups: int, shape: tuple, xp):
    """A key/value gradient computed per query head, summed over the group and broadcasting."""
    if groups > 1:
        grad = xp.sum(grad, axis=-3)
    return xp.unbroadcast(grad, shape)


def softmax_rows(scores: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; a row that is -inf everywhere gives zeros, not NaN."""
    top = scores.max(axis=-1, keepdims=True)
    top[~np.isfinite(top)] = 0
    e = np.exp(scores - top)
    total = e.sum(axis=-1, keepdims=True)
    total[total == 0] = 1
    e /= total
    return e


class Attention(Primitive):
    """``softmax(q k^T * scale + bias)`` (positions where ``allowed`` is False excluded) times
    ``v``; ``keep`` is the dropout mask (already scaled by 1 / (1 - p)). Outputs: the attention
    output ``(..., Hq, L, Ev)`` and the probabilities ``(..., Hq, L, S)``."""

    @staticmethod
    def forward(ctx, q, k, v, bias=None, *, scale, allowed=None, keep=None, groups=1):
        scores = _ungrouped(
            _grouped(q, groups) @ np.swapaxes(_shared(k, groups, np), -1, -2), groups
        )
        scores *= scale
        if bias is not None:
            scores = scores + bias
        if allowed is not None:
            scores = np.where(allowed, scores, -np.inf)
        probs = softmax_rows(scores)
        weights = probs if keep is None else probs * keep
        out = _ungrouped(_grouped(weights, groups) @ _shared(v, groups, np), groups)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(q, k, v, probs)
        ctx.spec = (scale, keep, groups, None if bias is None else bias.shape)
        return out, probs

    @staticmethod
    def backward(ctx, g_out, g_probs):
        xp = ctx.xp
        q, k, v, probs = ctx.saved_tensors
        scale, keep, groups, bias_shape = ctx.spec
        need_q, need_k, need_v, *need_bias = ctx.needs_input_grad
        dq = dk = dv = None
        d_probs = g_probs
        if g_out is not None:
            if need_v:
                weights = probs if keep is None else probs * keep
                dv = xp.matrix_transpose(_grouped(weights, groups)) @ _grouped(g_out, groups)
                dv = _summed(dv, groups, v.shape, xp)
            d_weights = _ungrouped(
                _grouped(g_out, groups) @ xp.matrix_transpose(_shared(v, groups, xp)), groups
            )
            d_weights = d_weights if keep is None else d_weights * keep
            d_probs = d_weights if d_probs is None else d_probs + d_weights
        d_scores = probs * (d_probs - xp.sum(d_probs * probs, axis=-1, keepdims=True))
        if need_q:
            dq = _ungrouped(_grouped(d_scores, groups) @ _shared(k, groups, xp), groups)
            dq = xp.unbroadcast(dq * scale, q.shape)
        if need_k:
            dk = xp.matrix_transpose(_grouped(d_scores, groups)) @ _grouped(q, groups)
            dk = _summed(dk, groups, k.shape, xp) * scale
        d_bias = xp.unbroadcast(d_scores, bias_shape) if need_bias and need_bias[0] else None
        return (dq, dk, dv, d_bias)[: len(ctx.needs_input_grad)]


class Split(Primitive):
    """``x`` cut into equal parts along ``axis`` (views); backward concatenates the parts'
    gradients (zeros for a part that got none)."""

    @staticmethod
    def forward(ctx, x, *, parts, axis):
        ctx.set_materialize_grads(False)
        ctx.axis = axis
        return tuple(np.split(x, parts, axis=axis))

    @staticmethod
    def backward(ctx, *grads):
        xp = ctx.xp
        zeros = xp.zeros_like(next(g for g in grads if g is not None))
        return xp.concat([zeros if g is None else g for g in grads], axis=ctx.axis)
