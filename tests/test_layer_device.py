"""PyTorch's ``device=`` factory argument on every layer that has parameters: accepted for the
CPU (the only device there is), refused for any other naming the layer, and in PyTorch's place
in the signature (checked against PyTorch 2.13's signatures, recorded)."""

import inspect

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

# name -> the smallest arguments that build the layer
LAYERS = {
    "Linear": (3, 2),
    "Bilinear": (3, 4, 2),
    "Conv1d": (2, 3, 3),
    "Conv2d": (2, 3, 3),
    "ConvTranspose1d": (2, 3, 3),
    "ConvTranspose2d": (2, 3, 3),
    "BatchNorm1d": (3,),
    "BatchNorm2d": (3,),
    "LayerNorm": (3,),
    "GroupNorm": (1, 3),
    "Embedding": (5, 3),
    "RNNCell": (3, 4),
    "LSTMCell": (3, 4),
    "GRUCell": (3, 4),
    "RNN": (3, 4),
    "LSTM": (3, 4),
    "GRU": (3, 4),
    "MultiheadAttention": (4, 2),
    "TransformerEncoderLayer": (4, 2, 8),
    "TransformerDecoderLayer": (4, 2, 8),
    "Transformer": (4, 2, 1, 1, 8),
}
TAKES_ARGS = ("RNN", "LSTM", "GRU")  # PyTorch's take *args, **kwargs: nothing to compare


def parameter_names(nn, name: str) -> np.ndarray:
    return np.array(list(inspect.signature(getattr(nn, name)).parameters))


@pytest.mark.parametrize("name", [n for n in LAYERS if n not in TAKES_ARGS])
def test_device_sits_where_pytorch_puts_it(name):
    theirs = reference(f"nn/device_{name.lower()}", lambda torch: parameter_names(torch.nn, name))
    ours = [p for p in parameter_names(mt.nn, name) if p in set(theirs.tolist())]
    assert "device" in ours
    assert ours == [p for p in theirs.tolist() if p in ours]  # the same order


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("device", [None, "cpu", mt.device("cpu")])
def test_the_cpu_is_accepted(name, device):
    layer = getattr(mt.nn, name)(*LAYERS[name], device=device)
    assert all(p.device == mt.device("cpu") for p in layer.parameters())


@pytest.mark.parametrize("name", LAYERS)
def test_another_device_is_refused_naming_the_layer(name):
    with pytest.raises(RuntimeError, match=f"^{name}: device 'cuda:0' is not available"):
        getattr(mt.nn, name)(*LAYERS[name], device="cuda:0")
