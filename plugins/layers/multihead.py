"""``MultiheadAttention``: PyTorch's ``nn.MultiheadAttention`` (parameters, state-dict layout,
initialisation, masks and outputs); the computation is `multi_head_attention_forward`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import describe_shape, dropout_probability
from .linear import NonDynamicallyQuantizableLinear
from .multihead_functional import map_distinct, multi_head_attention_forward
from .options import check_device, new_parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads of ``embed_dim / num_heads`` features each:
    ``MultiheadAttention(embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
    add_zero_attn=False, kdim=None, vdim=None, batch_first=False, dtype=None)``.

    Parameters as PyTorch: ``in_proj_weight`` ``(3 E, E)`` (or ``q_proj_weight``,
    ``k_proj_weight``, ``v_proj_weight`` when kdim or vdim differ from E), ``in_proj_bias``,
    ``bias_k`` / ``bias_v`` ``(1, 1, E)`` with ``add_bias_kv``, and the child ``out_proj``
    (a Linear). ``forward(query, key, value, key_padding_mask=None, need_weights=True,
    attn_mask=None, average_attn_weights=True, is_causal=False)`` returns ``(output,
    weights)``; sequence-first ``(L, N, E)`` inputs, ``(N, L, E)`` with ``batch_first``, or
    unbatched ``(L, E)``.

        >>> mha = mt.nn.MultiheadAttention(16, 4, batch_first=True)
        >>> x = mt.randn(2, 5, 16)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (torch.Size([2, 5, 16]), torch.Size([2, 5, 5]))
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        name = "MultiheadAttention"
        check_device(device, name)
        self.embed_dim = check_int(embed_dim, "embed_dim", name, low=1)
        self.num_heads = check_int(num_heads, "num_heads", name, low=1)
        self.kdim = self.embed_dim if kdim is None else check_int(kdim, "kdim", name, low=1)
        self.vdim = self.embed_dim if vdim is None else check_int(vdim, "vdim", name, low=1)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout = dropout_probability(dropout, name)
        self.batch_first, self.add_zero_attn = bool(batch_first), bool(add_zero_attn)
        self.head_dim = self.embed_dim // self.num_heads
        if self.head_dim * self.num_heads != self.embed_dim:
            raise ValueError(
                f"{name}: embed_dim must be divisible by num_heads, got embed_dim="
                f"{self.embed_dim} and num_heads={self.num_heads}"
            )
        e = self.embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = new_parameter((3 * e, e), dtype)
            for unused in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(unused, None)
        else:
            self.q_proj_weight = new_parameter((e, e), dtype)
            self.k_proj_weight = new_parameter((e, self.kdim), dtype)
            self.v_proj_weight = new_parameter((e, self.vdim), dtype)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = new_parameter((3 * e,), dtype)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(e, e, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = new_parameter((1, 1, e), dtype)
            self.bias_v = new_parameter((1, 1, e), dtype)
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's: Xavier-uniform projections, zero biases, Xavier-normal bias_k/bias_v
        (out_proj.weight keeps Linear's default)."""
        init = mt.nn.init
        for w in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if w is not None:
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        for b in (self.bias_k, self.bias_v):
            if b is not None:
                init.xavier_normal_(b)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple:
        batched = len(describe_shape(query)) == 3
        if self.batch_first and batched:
            query, key, value = map_distinct(lambda x: x.transpose(0, 1), query, key, value)
        self._check_feature_sizes(key, value)
        out, weights = multi_head_attention_forward(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            training=self.training,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            use_separate_proj_weight=not self._qkv_same_embed_dim,
            q_proj_weight=self.q_proj_weight,
            k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
        )
        if self.batch_first and batched:
            out = out.transpose(0, 1)
        return out, weights

    def _check_feature_sizes(self, key: Tensor, value: Tensor) -> None:
        for what, x, size in (("key", key, self.kdim), ("value", value, self.vdim)):
            shape = describe_shape(x)
            if not shape or shape[-1] != size:
                raise mt.ShapeError(
                    f"MultiheadAttention: expected {what} with last dimension {size} "
                    f"({'kdim' if what == 'key' else 'vdim'}), got shape {shape}"
                )
