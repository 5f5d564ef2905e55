"""``mt.nn.functional.multi_head_attention_forward``: PyTorch's multi-head attention on
sequence-first inputs ``(L, N, E)`` (or unbatched ``(L, E)``), with its masks' rules.

Masks: ``key_padding_mask`` ``(N, S)`` and ``attn_mask`` ``(L, S)`` or ``(N * num_heads, L,
S)`` are boolean (True: the position is NOT attended) or floating (added to the scores); both
are merged into one additive mask. ``is_causal`` is a hint that ``attn_mask`` is the causal mask
(which must then be given, as in PyTorch). A row with every key masked yields zeros (PyTorch
gives NaN weights there when ``need_weights`` is True).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.errors import ShapeError

from .arguments import describe_shape
from .attention import causal_mask, dropout_keep
from .attention_kernels import Attention, Split
from .linear import linear

if TYPE_CHECKING:
    from minitorch_es import Tensor

OP = "multi_head_attention_forward"


def _check_ranks(query: Tensor, key: Tensor, value: Tensor, kpm: object, mask: object) -> bool:
    """PyTorch's rank rules; returns whether the input is batched."""
    q, k, v = (len(describe_shape(t)) for t in (query, key, value))
    if q not in (2, 3):
        raise ShapeError(
            f"MultiheadAttention: query should be unbatched 2D or batched 3D, got shape "
            f"{describe_shape(query)}"
        )
    if k != q or v != q:
        raise ShapeError(
            f"MultiheadAttention: for a {q}-D query, expected {q}-D key and value, got key "
            f"{describe_shape(key)} and value {describe_shape(value)}"
        )
    if kpm is not None and len(describe_shape(kpm)) != q - 1:
        raise ShapeError(
            f"MultiheadAttention: for a {q}-D query, expected a {q - 1}-D key_padding_mask, "
            f"got shape {describe_shape(kpm)}"
        )
    if mask is not None and len(describe_shape(mask)) not in (2, 3):
        raise ShapeError(
            f"MultiheadAttention: expected a 2-D or 3-D attn_mask, got shape {describe_shape(mask)}"
        )
    return q == 3


def additive_mask(mask: object, name: str, dtype: np.dtype) -> Tensor | None:
    """A boolean mask (True = masked) as 0 / -inf of ``dtype``; a floating one unchanged."""
    if mask is None:
        return None
    kind = np.dtype(mask.dtype).kind
    if kind == "b":
        values = mask.numpy(force=True) if isinstance(mask, mt.Tensor) else np.asarray(mask)
        return mt.tensor(np.where(values, -np.inf, 0.0).astype(dtype))
    if kind != "f":
        raise TypeError(f"MultiheadAttention: only bool and floating types of {name} are supported")
    if np.dtype(mask.dtype) != dtype:
        raise TypeError(
            f"MultiheadAttention: expected a floating {name} of dtype {dtype} (the query's), got "
            f"{np.dtype(mask.dtype)}"
        )
    return mask if isinstance(mask, mt.Tensor) else mt.tensor(np.asarray(mask))


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """One more key position (a zero: not masked), for ``bias_k`` or ``add_zero_attn``."""
    if mask is None:
        return None
    zeros = mt.zeros(*describe_shape(mask)[:-1], 1, dtype=mask.dtype)
    return mt.cat([mask, zeros], dim=-1)


def _project(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    separate: tuple | None,
) -> list:
    """q, k, v from one packed projection (one product when query is key is value) or from
    three separate weights ``(q_proj_weight, k_proj_weight, v_proj_weight)``."""
    if separate is not None:
        biases = [None] * 3 if in_proj_bias is None else Split.apply(in_proj_bias, parts=3, axis=0)
        return [linear(x, w, b) for x, w, b in zip((query, key, value), separate, biases)]
    if query is key and key is value:
        return list(Split.apply(linear(query, in_proj_weight, in_proj_bias), parts=3, axis=-1))
    weights = Split.apply(in_proj_weight, parts=3, axis=0)
    biases = [None] * 3 if in_proj_bias is None else Split.apply(in_proj_bias, parts=3, axis=0)
    return [linear(x, w, b) for x, w, b in zip((query, key, value), weights, biases)]


def _heads(x: Tensor, heads: int) -> Tensor:
    """``(L, N, E)`` as ``(N, heads, L, E / heads)``."""
    length, batch, embed = x.shape
    return x.reshape(length, batch, heads, embed // heads).permute(1, 2, 0, 3)


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple:
    """``F.multi_head_attention_forward``: returns ``(output, weights)``, ``weights`` None
    unless ``need_weights`` (averaged over heads when ``average_attn_weights``)."""
    batched = _check_ranks(query, key, value, key_padding_mask, attn_mask)
    dtype = np.dtype(query.dtype)
    kpm = additive_mask(key_padding_mask, "key_padding_mask", dtype)
    if not batched:
        query, key, value = map_distinct(lambda x: x.unsqueeze(1), query, key, value)
        kpm = None if kpm is None else kpm.reshape(1, -1)
    length, batch, embed = query.shape
    if embed != embed_dim_to_check:
        raise ShapeError(
            f"MultiheadAttention: expected query with embedding dimension {embed_dim_to_check} "
            f"(embed_dim), got query shape {describe_shape(query)}"
        )
    if embed % num_heads:
        raise ValueError(
            f"MultiheadAttention: embed_dim {embed} not divisible by num_heads {num_heads}"
        )
    head_dim = embed // num_heads
    if describe_shape(key)[:2] != describe_shape(value)[:2] or key.shape[1] != batch:
        raise ShapeError(
            f"MultiheadAttention: expected key and value with the query's batch size {batch} "
            f"and the same sequence length, got key {describe_shape(key)} and value "
            f"{describe_shape(value)}"
        )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "MultiheadAttention: need attn_mask if specifying the is_causal hint; you may use "
            "Transformer.generate_square_subsequent_mask to create it"
        )
    causal = is_causal and kpm is None and not need_weights
    mask = None if causal else additive_mask(attn_mask, "attn_mask", dtype)
    separate = (q_proj_weight, k_proj_weight, v_proj_weight) if use_separate_proj_weight else None
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, separate)
    source = k.shape[0]
    if mask is not None:
        mask = _check_attn_mask(mask, length, source, batch, num_heads)
    if bias_k is not None and bias_v is not None:
        k = mt.cat([k, bias_k.expand(1, batch, embed)], dim=0)
        v = mt.cat([v, bias_v.expand(1, batch, embed)], dim=0)
        mask, kpm = _pad_last(mask), _pad_last(kpm)
    q, k, v = _heads(q, num_heads), _heads(k, num_heads), _heads(v, num_heads)
    k = k if static_k is None else static_k.reshape(batch, num_heads, -1, head_dim)
    v = v if static_v is None else static_v.reshape(batch, num_heads, -1, head_dim)
    if add_zero_attn:
        zeros = mt.zeros(batch, num_heads, 1, head_dim, dtype=dtype)
        k, v = mt.cat([k, zeros], dim=2), mt.cat([v, zeros], dim=2)
        mask, kpm = _pad_last(mask), _pad_last(kpm)
    source = k.shape[2]
    if kpm is not None:
        if describe_shape(kpm) != (batch, source):
            raise ShapeError(
                f"MultiheadAttention: expected key_padding_mask of shape {(batch, source)} "
                f"(batch, source length), got {describe_shape(kpm)}"
            )
        kpm = kpm.reshape(batch, 1, 1, source)
        mask = kpm if mask is None else mask + kpm
    p = float(dropout_p) if training else 0.0
    keep = dropout_keep((batch, num_heads, length, source), p, dtype)
    out, probs = Attention.apply(
        q,
        k,
        v,
        mask,
        scale=1.0 / math.sqrt(head_dim),
        allowed=causal_mask(length, source) if causal else None,
        keep=keep,
    )
    out = out.permute(2, 0, 1, 3).reshape(length, batch, embed)
    out = linear(out, out_proj_weight, out_proj_bias)
    weights = None
    if need_weights:
        weights = probs if keep is None else probs * mt.tensor(keep)
        if average_attn_weights:
            weights = weights.mean(dim=1)
    if not batched:
        out = out.squeeze(1)
        weights = None if weights is None else weights.squeeze(0)
    return out, weights


def map_distinct(fn: Callable, *xs: Tensor) -> tuple:
    """``fn`` applied to each of ``xs``, once per distinct object: inputs that were the same
    object stay one object (so self-attention keeps its one-product projection)."""
    done: dict = {}
    return tuple(done[id(x)] if id(x) in done else done.setdefault(id(x), fn(x)) for x in xs)


def _check_attn_mask(mask: Tensor, length: int, source: int, batch: int, heads: int) -> Tensor:
    """``attn_mask`` ``(L, S)`` or ``(N * heads, L, S)`` as a mask broadcasting against the
    scores ``(N, heads, L, S)``."""
    shape = describe_shape(mask)
    expected = (length, source) if len(shape) == 2 else (batch * heads, length, source)
    if shape != expected:
        raise ShapeError(
            f"MultiheadAttention: expected a {len(shape)}-D attn_mask of shape {expected}, got "
            f"{shape}"
        )
    return mask if len(shape) == 2 else mask.reshape(batch, heads, length, source)
