"""``TransformerEncoder``, ``TransformerDecoder`` and ``Transformer`` (PyTorch's): stacks of
copies of a layer (``layers.0``, ``layers.1`` ...), an optional final norm, and the whole
encoder-decoder model with ``generate_square_subsequent_mask``."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module, ModuleList
from minitorch_es.validation import check_int

from .arguments import describe_shape
from .normalization import LayerNorm
from .options import check_device
from .transformer_layers import TransformerDecoderLayer, TransformerEncoderLayer

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor


def square_subsequent_mask(size: int, dtype: DTypeLike | None = None) -> Tensor:
    """``(size, size)``: 0 on and below the diagonal, -inf above (position i sees j <= i)."""
    dtype = np.dtype(mt.get_default_dtype() if dtype is None else dtype)
    if dtype == np.bool_:
        return mt.tensor(np.triu(np.ones((size, size), dtype=bool), 1))
    return mt.tensor(np.triu(np.full((size, size), -np.inf, dtype=dtype), 1))


def detect_causal(mask: object, is_causal: bool | None, size: int) -> bool:
    """PyTorch's ``_detect_is_causal_mask``: the hint, or (when None) whether ``mask`` is the
    square subsequent mask."""
    if is_causal is not None or mask is None:
        return bool(is_causal)
    values = mask.numpy(force=True) if isinstance(mask, mt.Tensor) else np.asarray(mask)
    if values.shape != (size, size):
        return False
    expected = square_subsequent_mask(size, values.dtype).numpy(force=True)
    return bool(np.array_equal(values, expected))


def sequence_length(x: Tensor, layers: ModuleList) -> int:
    """The sequence length of ``x`` given the layers' ``batch_first`` (PyTorch's
    ``_get_seq_len``)."""
    shape = describe_shape(x)
    attention = getattr(layers[0], "self_attn", None) if len(layers) else None
    batch_first = getattr(attention, "batch_first", False)
    return shape[1] if len(shape) == 3 and batch_first else shape[0]


def _clones(layer: Module, count: int) -> ModuleList:
    return ModuleList([copy.deepcopy(layer) for _ in range(count)])


class TransformerEncoder(Module):
    """``num_layers`` copies of ``encoder_layer`` then ``norm``: ``TransformerEncoder(
    encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True)``
    (the last two are accepted for PyTorch compatibility: there are no nested tensors).
    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``."""

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.num_layers = check_int(num_layers, "num_layers", "TransformerEncoder", low=0)
        self.layers = _clones(encoder_layer, self.num_layers)
        self.norm = norm

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        is_causal = detect_causal(mask, is_causal, sequence_length(src, self.layers))
        out = src
        for layer in self.layers:
            out = layer(
                out, src_mask=mask, is_causal=is_causal, src_key_padding_mask=src_key_padding_mask
            )
        return out if self.norm is None else self.norm(out)


class TransformerDecoder(Module):
    """``num_layers`` copies of ``decoder_layer`` then ``norm``: ``TransformerDecoder(
    decoder_layer, num_layers, norm=None)``. ``forward(tgt, memory, tgt_mask=None,
    memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    tgt_is_causal=None, memory_is_causal=False)``."""

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.num_layers = check_int(num_layers, "num_layers", "TransformerDecoder", low=0)
        self.layers = _clones(decoder_layer, self.num_layers)
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        length = sequence_length(tgt, self.layers)
        tgt_is_causal = detect_causal(tgt_mask, tgt_is_causal, length)
        out = tgt
        for layer in self.layers:
            out = layer(
                out,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        return out if self.norm is None else self.norm(out)


class Transformer(Module):
    """The encoder-decoder Transformer: ``Transformer(d_model=512, nhead=8,
    num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048, dropout=0.1,
    activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
    batch_first=False, norm_first=False, bias=True, dtype=None)``; every weight matrix is
    Xavier-uniform initialised, as in PyTorch.

        >>> model = mt.nn.Transformer(16, 2, 1, 1, dim_feedforward=32, batch_first=True)
        >>> mask = mt.nn.Transformer.generate_square_subsequent_mask(4)
        >>> model(mt.randn(2, 6, 16), mt.randn(2, 4, 16), tgt_mask=mask).shape
        torch.Size([2, 4, 16])
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        check_device(device, "Transformer")
        options = dict(
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation=activation,
            layer_norm_eps=layer_norm_eps,
            batch_first=batch_first,
            norm_first=norm_first,
            bias=bias,
            dtype=dtype,
        )

        def norm() -> LayerNorm:
            return LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)

        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, **options)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm())
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, **options)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm())
        self.d_model, self.nhead, self.batch_first = d_model, nhead, bool(batch_first)
        for p in self.parameters():
            if p.ndim > 1:
                mt.nn.init.xavier_uniform_(p)

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        s, t = describe_shape(src), describe_shape(tgt)
        axis = 0 if self.batch_first else 1
        if len(s) == 3 and (len(t) != 3 or s[axis] != t[axis]):
            raise ShapeError(
                f"Transformer: the batch number of src and tgt must be equal (dimension {axis}), "
                f"got src {s} and tgt {t}"
            )
        if s[-1:] != (self.d_model,) or t[-1:] != (self.d_model,):
            raise ShapeError(
                f"Transformer: the feature number of src and tgt must be equal to d_model "
                f"({self.d_model}), got src {s} and tgt {t}"
            )
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(
        sz: int, device: object = None, dtype: DTypeLike | None = None
    ) -> Tensor:
        """The causal mask ``(sz, sz)``: 0 on and below the diagonal, -inf above (float, the
        default dtype unless ``dtype``), as PyTorch's."""
        mt.devices.check_device(device)
        return square_subsequent_mask(
            check_int(sz, "sz", "generate_square_subsequent_mask", low=0), dtype
        )
