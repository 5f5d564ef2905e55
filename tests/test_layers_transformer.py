"""Transformer layers, stacks and the encoder-decoder model: PyTorch parity (outputs and
gradients, float64, through fixtures), state-dict layout, config, masks and errors."""

import numpy as np
import pytest
from module_parity import check_module

import minitorch_es as mt
from minitorch_es.errors import ShapeError

RNG = np.random.default_rng(5)
CAUSAL5 = np.triu(np.full((5, 5), -np.inf), 1)


def data(*shape):
    return RNG.standard_normal(shape)


PADDING = np.zeros((2, 5), dtype=bool)
PADDING[1, 3:] = True
LAYER = {"d_model": 8, "nhead": 2, "dim_feedforward": 12, "dropout": 0.1}

CASES = {
    "encoder_layer_post_norm_relu": (
        "TransformerEncoderLayer", LAYER, {"src": (5, 2, 8)},
        lambda m, t: m(t["src"]),
    ),
    "encoder_layer_pre_norm_gelu_masks": (
        "TransformerEncoderLayer",
        {**LAYER, "activation": "gelu", "norm_first": True, "batch_first": True},
        {"src": (2, 5, 8), "mask": CAUSAL5, "padding": PADDING},
        lambda m, t: m(t["src"], src_mask=t["mask"], src_key_padding_mask=t["padding"]),
    ),
    "encoder_layer_no_bias_causal_hint": (
        "TransformerEncoderLayer", {**LAYER, "bias": False, "layer_norm_eps": 1e-3},
        {"src": (5, 2, 8), "mask": CAUSAL5},
        lambda m, t: m(t["src"], src_mask=t["mask"], is_causal=True),
    ),
    "decoder_layer_post_norm": (
        "TransformerDecoderLayer", LAYER, {"tgt": (5, 2, 8), "memory": (4, 2, 8)},
        lambda m, t: m(t["tgt"], t["memory"]),
    ),
    "decoder_layer_pre_norm_masks": (
        "TransformerDecoderLayer", {**LAYER, "norm_first": True, "batch_first": True},
        {"tgt": (2, 5, 8), "memory": (2, 5, 8), "mask": CAUSAL5, "padding": PADDING},
        lambda m, t: m(t["tgt"], t["memory"], tgt_mask=t["mask"], tgt_is_causal=True,
                       memory_key_padding_mask=t["padding"]),
    ),
    "decoder_layer_unbatched": (
        "TransformerDecoderLayer", LAYER, {"tgt": (5, 8), "memory": (3, 8)},
        lambda m, t: m(t["tgt"], t["memory"]),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_matches_pytorch(case):
    cls, config, shapes, call = CASES[case]
    inputs = {k: (v if isinstance(v, np.ndarray) else data(*v)) for k, v in shapes.items()}
    if "mask" in inputs:  # a constant, not a differentiable input
        inputs["mask"] = CAUSAL5
    check_module(f"transformer/{case}", cls, config, inputs, call)


def _stack(lib, cls, layer_cls, layers, **config):
    layer = getattr(lib.nn, layer_cls)(**config)
    return getattr(lib.nn, cls)(layer, layers, norm=lib.nn.LayerNorm(config["d_model"]))


def test_encoder_stack_matches_pytorch():
    inputs = {"src": data(2, 5, 8), "mask": CAUSAL5, "padding": PADDING}
    config = {**LAYER, "batch_first": True, "norm_first": True}
    check_module(
        "transformer/encoder_stack",
        "TransformerEncoder",
        {},
        inputs,
        lambda m, t: m(t["src"], mask=t["mask"], src_key_padding_mask=t["padding"]),
        build=lambda lib: _stack(lib, "TransformerEncoder", "TransformerEncoderLayer", 2, **config),
        build_torch=lambda torch: _stack(
            torch, "TransformerEncoder", "TransformerEncoderLayer", 2, **config
        ),
    )


def test_decoder_stack_matches_pytorch():
    inputs = {"tgt": data(5, 2, 8), "memory": data(4, 2, 8), "mask": CAUSAL5}
    check_module(
        "transformer/decoder_stack",
        "TransformerDecoder",
        {},
        inputs,
        lambda m, t: m(t["tgt"], t["memory"], tgt_mask=t["mask"]),
        build=lambda lib: _stack(lib, "TransformerDecoder", "TransformerDecoderLayer", 2, **LAYER),
        build_torch=lambda torch: _stack(
            torch, "TransformerDecoder", "TransformerDecoderLayer", 2, **LAYER
        ),
    )


def test_transformer_matches_pytorch():
    config = {**LAYER, "num_encoder_layers": 2, "num_decoder_layers": 1, "batch_first": True}
    inputs = {"src": data(2, 6, 8), "tgt": data(2, 5, 8), "mask": CAUSAL5, "padding": PADDING}
    model = check_module(
        "transformer/transformer",
        "Transformer",
        config,
        inputs,
        lambda m, t: m(t["src"], t["tgt"], tgt_mask=t["mask"], tgt_key_padding_mask=t["padding"]),
    )
    assert len(model.encoder.layers) == 2 and model.decoder.norm is not None


def test_square_subsequent_mask_is_pytorchs():
    mask = mt.nn.Transformer.generate_square_subsequent_mask(3)
    np.testing.assert_array_equal(
        mask.numpy(force=True), [[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]]
    )
    assert mask.dtype == mt.float32
    assert mt.nn.Transformer.generate_square_subsequent_mask(2, dtype=mt.float64).dtype == (
        mt.float64
    )


def test_stack_layers_are_independent_copies_and_config_round_trips():
    layer = mt.nn.TransformerEncoderLayer(8, 2, dim_feedforward=12)
    encoder = mt.nn.TransformerEncoder(layer, 2, norm=mt.nn.LayerNorm(8))
    a, b = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert a is not b and a is not layer.linear1.weight
    again = mt.registry.create(
        "layer", {"name": "TransformerEncoder", "config": encoder.get_config()}
    )
    assert list(again.state_dict()) == list(encoder.state_dict())
    model = mt.nn.Transformer(8, 2, 1, 1, dim_feedforward=12, activation="gelu")
    again = mt.registry.create("layer", {"name": "Transformer", "config": model.get_config()})
    assert again.get_config() == model.get_config()


def test_dropout_is_active_in_training_only():
    layer = mt.nn.TransformerEncoderLayer(8, 2, dim_feedforward=12, dropout=0.5)
    x = mt.randn(5, 2, 8)
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(force=True), layer(x).numpy(force=True))
    layer.train()
    assert not np.allclose(layer(x).numpy(force=True), layer(x).numpy(force=True))


def test_transformer_errors_name_expected_and_received():
    model = mt.nn.Transformer(8, 2, 1, 1, dim_feedforward=12)
    with pytest.raises(ShapeError, match=r"batch number of src and tgt must be equal"):
        model(mt.randn(6, 2, 8), mt.randn(5, 3, 8))
    with pytest.raises(
        ShapeError,
        match=r"feature number .* d_model \(8\), got src \(6, 2, 8\) "
        r"and tgt \(5, 2, 7\)",
    ):
        model(mt.randn(6, 2, 8), mt.randn(5, 2, 7))
    with pytest.raises(ValueError, match="embed_dim must be divisible by num_heads"):
        mt.nn.TransformerEncoderLayer(10, 3)
    layer = mt.nn.TransformerEncoderLayer(8, 2, dim_feedforward=12)
    with pytest.raises(ShapeError, match=r"2-D attn_mask of shape \(5, 5\), got \(4, 4\)"):
        layer(mt.randn(5, 2, 8), src_mask=mt.zeros(4, 4))
    with pytest.raises(mt.RegistryError, match="unknown activation"):
        mt.nn.TransformerEncoderLayer(8, 2, activation="nope")
