"""Recurrent layers and cells, attention and Transformer layers exported to ONNX, run in ONNX
Runtime at two batch sizes and compared with minitorch_es (float32, max abs difference)."""

import numpy as np
import pytest
from onnx_helpers import check, op_types

import minitorch_es as mt

nn = mt.nn
ATOL = 1e-5


def seq(rng, *shape):
    return rng.normal(size=shape).astype(np.float32)


class Flat(nn.Module):
    """The module's outputs as a flat tuple (``(output, (h_n, c_n))`` -> three outputs)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, *xs):
        out = self.inner(*xs)
        return tuple(_flat(out))


def _flat(value):
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _flat(v)]
    return [value]


class Unbatch(nn.Module):
    """The module on one unbatched sample (the exporter's batch axis stays the input's)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return tuple(_flat(self.inner(x[0])))


@pytest.mark.parametrize(
    "cls,options",
    [
        (nn.LSTM, {}),
        (nn.LSTM, {"num_layers": 2, "bidirectional": True}),
        (nn.LSTM, {"bias": False}),
        (nn.GRU, {"num_layers": 2}),
        (nn.GRU, {"bidirectional": True, "bias": False}),
        (nn.RNN, {}),
        (nn.RNN, {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
    ],
)
def test_recurrent_layers_batch_first(rng, cls, options):
    layer = cls(3, 4, batch_first=True, **options)
    proto = check(Flat(layer), seq(rng, 2, 5, 3), atol=ATOL)
    assert cls.__name__ in op_types(proto)


def test_lstm_sequence_first_with_initial_states(rng):
    layer = nn.LSTM(3, 4, num_layers=2)

    class WithStates(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = layer

        def forward(self, x, h, c):
            return tuple(_flat(self.lstm(x, (h, c))))

    x, h, c = seq(rng, 5, 2, 3), seq(rng, 2, 2, 4), seq(rng, 2, 2, 4)
    check(WithStates(), x, h, c, dynamic=False, atol=ATOL)


def test_unbatched_recurrent_layer_and_cells(rng):
    check(Unbatch(nn.GRU(3, 4, num_layers=2)), seq(rng, 1, 5, 3), dynamic=False, atol=ATOL)
    for cls in (nn.RNNCell, nn.LSTMCell, nn.GRUCell):
        check(Flat(cls(3, 4)), seq(rng, 2, 3), atol=ATOL)
        check(Unbatch(cls(3, 4)), seq(rng, 1, 3), dynamic=False, atol=ATOL)


def test_multihead_attention_and_transformer_layers(rng):
    x = seq(rng, 2, 6, 8)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.mha = mha

        def forward(self, x):
            return self.mha(x, x, x)

    proto = check(Flat(SelfAttention()), x, atol=ATOL)
    assert {"Softmax", "Split"} <= set(op_types(proto))
    assert type(mha.out_proj) is nn.NonDynamicallyQuantizableLinear  # PyTorch's out_proj class
    check(mha.out_proj, x, atol=ATOL)
    encoder = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    check(encoder, x, atol=ATOL)
    check(nn.TransformerEncoder(encoder, num_layers=2), x, atol=ATOL)


def test_transformer_decoders(rng):
    x, memory = seq(rng, 2, 5, 8), seq(rng, 2, 3, 8)
    layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    check(layer, x, memory, others=(seq(rng, 4, 5, 8), seq(rng, 4, 3, 8)), atol=ATOL)
    stack = nn.TransformerDecoder(layer, num_layers=2, norm=nn.LayerNorm(8))
    check(stack, x, memory, others=(seq(rng, 4, 5, 8), seq(rng, 4, 3, 8)), atol=ATOL)


def test_causal_attention_with_a_fully_masked_row(rng):
    q = seq(rng, 2, 3, 4, 5)
    mask = np.ones((4, 4), dtype=bool)
    mask[1] = False

    class Masked(nn.Module):
        def forward(self, q):
            return nn.functional.scaled_dot_product_attention(q, q, q, attn_mask=mt.tensor(mask))

    class Causal(nn.Module):
        def forward(self, q):
            return nn.functional.scaled_dot_product_attention(q, q, q, is_causal=True)

    check(Masked(), q, atol=ATOL)
    check(Causal(), q, atol=ATOL)


def test_what_cannot_be_exported(rng):
    with pytest.raises(mt.onnx.ExportError, match="proj_size"):
        check(Flat(nn.LSTM(3, 4, proj_size=2)), seq(rng, 5, 2, 3))
