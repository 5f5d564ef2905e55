"""``mt.nn.functional.scaled_dot_product_attention``: PyTorch's function, as one fused op.

    softmax(query @ key^T * scale + mask) @ value

``attn_mask`` is boolean (True: the position takes part, as in PyTorch) or floating (added to
the scores, differentiable); ``is_causal`` lets query position i see key positions <= i
(top-left aligned when L != S; not together with a mask, as in PyTorch); ``dropout_p`` drops
probabilities (pass 0 in evaluation, as PyTorch says); ``scale`` defaults to 1/sqrt(E);
``enable_gqa`` lets Hq query heads share Hk key/value heads (Hq divisible by Hk).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.errors import ShapeError
from minitorch_es.random import generator

from .arguments import describe_shape, dropout_probability
from .attention_kernels import Attention

if TYPE_CHECKING:
    from minitorch_es import Tensor


def dropout_keep(shape: tuple, p: float, dtype: np.dtype) -> np.ndarray | None:
    """The inverted-dropout multiplier of probability ``p`` (None when p is 0)."""
    if p == 0.0:
        return None
    if p == 1.0:
        return np.zeros(shape, dtype=dtype)
    keep = (generator().random(shape, dtype=np.float64) >= p).astype(dtype)
    keep *= 1.0 / (1.0 - p)
    return keep


def causal_mask(target: int, source: int) -> np.ndarray:
    """True where query position i may attend key position j (j <= i)."""
    return np.tril(np.ones((target, source), dtype=bool))


def _broadcast(what: str, a: tuple, b: tuple, op: str = "scaled_dot_product_attention") -> tuple:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise ShapeError(f"{op}: {what}: shapes {a} and {b} do not broadcast") from None


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, enable_gqa: bool) -> tuple:
    """Shapes of the scores ``(..., Hq, L, S)`` and the query heads per key head."""
    op = "scaled_dot_product_attention"
    q, k, v = (describe_shape(t) for t in (query, key, value))
    for name, shape in (("query", q), ("key", k), ("value", v)):
        if len(shape) < 2:
            raise ShapeError(
                f"{op}: expected {name} with at least 2 dimensions (..., L, E), got {shape}"
            )
    if k[-1] != q[-1]:
        raise ShapeError(
            f"{op}: expected key with last dimension {q[-1]} (the query's embedding size), got "
            f"key shape {k} for query shape {q}"
        )
    if v[-2] != k[-2]:
        raise ShapeError(
            f"{op}: expected value with {k[-2]} positions in dimension -2 (the key's), got value "
            f"shape {v} for key shape {k}"
        )
    if not query.dtype == key.dtype == value.dtype:
        raise TypeError(
            f"{op}: expected query, key and value of one dtype, got {query.dtype}, {key.dtype} "
            f"and {value.dtype}"
        )
    groups = 1
    if enable_gqa and len(q) >= 3 and q[-3] != k[-3]:
        if len(k) < 3 or k[-3] != v[-3] or q[-3] % k[-3]:
            raise ShapeError(
                f"{op}: with enable_gqa the number of query heads (dimension -3, {q[-3]}) must "
                f"be divisible by the number of key and value heads, which must be equal; got "
                f"query {q}, key {k}, value {v}"
            )
        groups = q[-3] // k[-3]
        batch = _broadcast("query and key batch dimensions", q[:-3], k[:-3]) + (q[-3],)
    else:
        batch = _broadcast("query and key batch dimensions", q[:-2], k[:-2])
    _broadcast("key and value batch dimensions", k[:-2], v[:-2])
    return batch + (q[-2], k[-2]), groups


def _mask_parts(attn_mask: object, is_causal: bool, scores: tuple, dtype: np.dtype) -> tuple:
    """``(bias, allowed)``: a floating mask as the added bias, a boolean mask and the causal
    pattern as the positions allowed (None when absent)."""
    op = "scaled_dot_product_attention"
    bias = allowed = None
    if attn_mask is not None and is_causal:
        raise ValueError(f"{op}: explicit attn_mask should not be set when is_causal=True")
    if attn_mask is not None:
        shape = describe_shape(attn_mask)
        mask_dtype = np.dtype(attn_mask.dtype)
        try:
            fits = np.broadcast_shapes(shape, scores) == scores
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(
                f"{op}: expected attn_mask broadcastable to the scores' shape {scores} "
                f"(..., L, S), got {shape}"
            )
        if mask_dtype == np.bool_:
            allowed = np.asarray(
                attn_mask.numpy(force=True) if isinstance(attn_mask, mt.Tensor) else attn_mask
            )
        elif mask_dtype == dtype:
            bias = attn_mask
        else:
            raise TypeError(
                f"{op}: expected attn_mask of dtype bool or {dtype} (the query's), got {mask_dtype}"
            )
    if is_causal:
        allowed = causal_mask(*scores[-2:])
    return bias, allowed


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | np.ndarray | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """``F.scaled_dot_product_attention``: query ``(..., Hq, L, E)``, key ``(..., Hk, S, E)``,
    value ``(..., Hk, S, Ev)`` give ``(..., Hq, L, Ev)``; one fused op with a closed-form
    backward (see the module notes).

        >>> q = mt.randn(2, 4, 5, 8)
        >>> mt.nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True).shape
        torch.Size([2, 4, 5, 8])
    """
    scores, groups = _check_inputs(query, key, value, enable_gqa)
    dtype = np.dtype(query.dtype)
    bias, allowed = _mask_parts(attn_mask, bool(is_causal), scores, dtype)
    p = dropout_probability(dropout_p, "scaled_dot_product_attention")
    scale = 1.0 / math.sqrt(describe_shape(query)[-1]) if scale is None else float(scale)
    out, _ = Attention.apply(
        query,
        key,
        value,
        bias,
        scale=scale,
        allowed=allowed,
        keep=dropout_keep(scores, p, dtype),
        groups=groups,
    )
    return out
