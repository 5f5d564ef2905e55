"""``TransformerEncoderLayer`` and ``TransformerDecoderLayer`` (PyTorch's, with its submodule
names, so state dicts are interchangeable: ``self_attn``, ``multihead_attn``, ``linear1``,
``linear2``, ``norm1``..``norm3``, ``dropout``, ``dropout1``..``dropout3``).

Post-norm (``norm_first=False``, the original Transformer): ``x = norm(x + block(x))``;
pre-norm (``norm_first=True``): ``x = x + block(norm(x))``. The feed-forward block is
``linear2(dropout(activation(linear1(x))))``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import minitorch_es as mt
from minitorch_es.nn import Module

from .dropout import Dropout
from .linear import Linear
from .multihead import MultiheadAttention
from .normalization import LayerNorm
from .options import check_device, setup_activation

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor


class _Layer(Module):
    """What both layers share: the feed-forward block, norms and dropouts."""

    ff_dropout = "dropout2"  # the dropout after the feed-forward block (PyTorch's names)

    def _setup(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int,
        dropout: float,
        activation: Any,
        layer_norm_eps: float,
        batch_first: bool,
        norm_first: bool,
        bias: bool,
        dtype: DTypeLike | None,
        norms: int,
    ) -> None:
        attention = dict(dropout=dropout, bias=bias, batch_first=batch_first, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, **attention)
        if norms == 3:
            self.multihead_attn = MultiheadAttention(d_model, nhead, **attention)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dtype)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dtype)
        self.norm_first = bool(norm_first)
        for i in range(1, norms + 1):
            setattr(
                self, f"norm{i}", LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            )
        for i in range(1, norms + 1):
            setattr(self, f"dropout{i}", Dropout(dropout))
        setup_activation(self, activation)

    def _sa_block(self, x: Tensor, mask: object, padding: object, is_causal: bool) -> Tensor:
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=mask,
            key_padding_mask=padding,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(x)

    def _ff_block(self, x: Tensor) -> Tensor:
        out = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return getattr(self, self.ff_dropout)(out)


class TransformerEncoderLayer(_Layer):
    """Self-attention and a feed-forward block: ``TransformerEncoderLayer(d_model, nhead,
    dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
    batch_first=False, norm_first=False, bias=True, dtype=None)``; ``activation`` is a name
    (``"relu"``, ``"gelu"`` or any registered activation) or a callable.
    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``.

        >>> layer = mt.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, batch_first=True)
        >>> layer(mt.randn(2, 5, 16)).shape
        torch.Size([2, 5, 16])
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self._setup(
            d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
            batch_first, norm_first, bias, dtype, norms=2,
        )  # fmt: skip

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))


class TransformerDecoderLayer(_Layer):
    """Self-attention, attention over the encoder's output (``memory``) and a feed-forward
    block, with `TransformerEncoderLayer`'s arguments. ``forward(tgt, memory, tgt_mask=None,
    memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    tgt_is_causal=False, memory_is_causal=False)``.

        >>> layer = mt.nn.TransformerDecoderLayer(16, 4, dim_feedforward=32)
        >>> layer(mt.randn(5, 2, 16), mt.randn(7, 2, 16)).shape
        torch.Size([5, 2, 16])
    """

    ff_dropout = "dropout3"

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        check_device(device, type(self).__name__)
        self._setup(
            d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
            batch_first, norm_first, bias, dtype, norms=3,
        )  # fmt: skip

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x = tgt
        cross = (memory, memory_mask, memory_key_padding_mask, memory_is_causal)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), *cross)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, *cross))
        return self.norm3(x + self._ff_block(x))

    def _mha_block(
        self, x: Tensor, memory: Tensor, mask: object, padding: object, is_causal: bool
    ) -> Tensor:
        x = self.multihead_attn(
            x,
            memory,
            memory,
            attn_mask=mask,
            key_padding_mask=padding,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout2(x)
