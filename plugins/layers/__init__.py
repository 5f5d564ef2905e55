"""Built-in layers (kind ``"layer"``, published as ``mt.nn.<Name>``) and their functional forms
(``mt.nn.functional.conv2d`` ...), registered through the same hook as any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt

from .allocator import keep_freed_memory
from .attention import scaled_dot_product_attention
from .catalog import MORE_FUNCTIONAL, MORE_LAYERS
from .conv import Conv2d, conv2d
from .dropout import Dropout, dropout
from .embedding import Embedding, embedding
from .linear import Linear, NonDynamicallyQuantizableLinear, linear
from .multihead import MultiheadAttention
from .multihead_functional import multi_head_attention_forward
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, batch_norm, layer_norm
from .pooling import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    MaxPool2d,
    adaptive_avg_pool2d,
    avg_pool2d,
    max_pool2d,
)
from .recurrent import GRU, LSTM, RNN
from .recurrent_cells import GRUCell, LSTMCell, RNNCell
from .reshaping import Flatten, Identity, Unflatten
from .transformer import Transformer, TransformerDecoder, TransformerEncoder
from .transformer_layers import TransformerDecoderLayer, TransformerEncoderLayer

if TYPE_CHECKING:
    from minitorch_es.registry import Registry

LAYERS = {
    "Linear": (Linear, ("Dense",)),
    "NonDynamicallyQuantizableLinear": (NonDynamicallyQuantizableLinear, ()),
    "Conv2d": (Conv2d, ()),  # Keras's "Conv2D" is the same name once normalised
    "MaxPool2d": (MaxPool2d, ("MaxPooling2D",)),
    "AvgPool2d": (AvgPool2d, ("AveragePooling2D",)),
    "AdaptiveAvgPool2d": (AdaptiveAvgPool2d, ()),
    "Flatten": (Flatten, ()),
    "Unflatten": (Unflatten, ()),
    "Identity": (Identity, ()),
    "Dropout": (Dropout, ()),
    "BatchNorm1d": (BatchNorm1d, ()),
    "BatchNorm2d": (BatchNorm2d, ()),
    "LayerNorm": (LayerNorm, ("LayerNormalization",)),
    "Embedding": (Embedding, ()),
    "RNN": (RNN, ()),
    "LSTM": (LSTM, ()),
    "GRU": (GRU, ()),
    "RNNCell": (RNNCell, ()),
    "LSTMCell": (LSTMCell, ()),
    "GRUCell": (GRUCell, ()),
    "MultiheadAttention": (MultiheadAttention, ()),
    "TransformerEncoderLayer": (TransformerEncoderLayer, ()),
    "TransformerDecoderLayer": (TransformerDecoderLayer, ()),
    "TransformerEncoder": (TransformerEncoder, ()),
    "TransformerDecoder": (TransformerDecoder, ()),
    "Transformer": (Transformer, ()),
    **MORE_LAYERS,
}

FUNCTIONAL = {
    "linear": linear,
    "conv2d": conv2d,
    "max_pool2d": max_pool2d,
    "avg_pool2d": avg_pool2d,
    "adaptive_avg_pool2d": adaptive_avg_pool2d,
    "dropout": dropout,
    "batch_norm": batch_norm,
    "layer_norm": layer_norm,
    "embedding": embedding,
    "scaled_dot_product_attention": scaled_dot_product_attention,
    "multi_head_attention_forward": multi_head_attention_forward,
    **MORE_FUNCTIONAL,
}


# The layers' kernels free and reallocate tens of MB per training step: keep that memory in the
# process instead of page-faulting it back every step (see allocator.py).
keep_freed_memory()


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register the layers and export their functional forms to ``mt.nn.functional``."""
    for name, (cls, aliases) in LAYERS.items():
        registry.add("layer", name, cls, aliases=aliases)
    for name, fn in FUNCTIONAL.items():
        registry.export("nn.functional", name, fn)
