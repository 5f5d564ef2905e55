"""Reprs of attention and Transformer modules (and what they print inside them: LayerNorm,
ModuleList's runs of alike children) are PyTorch's, character for character."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

BUILDS = {
    "mha": lambda nn: nn.MultiheadAttention(4, 2),
    "mha_kdim_vdim": lambda nn: nn.MultiheadAttention(4, 2, kdim=3, vdim=5),
    "mha_no_bias": lambda nn: nn.MultiheadAttention(4, 2, bias=False),
    "mha_batch_first": lambda nn: nn.MultiheadAttention(4, 2, dropout=0.1, batch_first=True),
    "mha_bias_kv": lambda nn: nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True),
    "encoder_layer": lambda nn: nn.TransformerEncoderLayer(4, 2, dim_feedforward=8),
    "decoder_layer": lambda nn: nn.TransformerDecoderLayer(
        4, 2, dim_feedforward=8, batch_first=True, norm_first=True, bias=False
    ),
    "encoder": lambda nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, batch_first=True), 2
    ),
    "transformer": lambda nn: nn.Transformer(4, 2, 1, 2, 8, batch_first=True),
    "layer_norms": lambda nn: nn.ModuleList(
        [nn.LayerNorm(4, bias=False), nn.LayerNorm([2, 3], elementwise_affine=False)]
    ),
    "module_list_runs": lambda nn: nn.ModuleList(
        [nn.ReLU(), nn.ReLU(), nn.Tanh(), nn.ReLU(), nn.ModuleList(), nn.Linear(1, 1)]
    ),
}


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_repr_is_pytorchs(name):
    want = reference(
        f"nn/repr_{name}", lambda torch, key: repr(BUILDS[str(key)](torch.nn)), key=np.array(name)
    )
    assert repr(BUILDS[name](mt.nn)) == str(want)
