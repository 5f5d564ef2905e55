"""Every built-in activation (Module, ``activation=`` option and functional form) exported and
compared with minitorch_es in ONNX Runtime, with ONNX's own operator and with the formula
used for older opsets."""

import numpy as np
import pytest
from onnx_helpers import check, op_types

import minitorch_es as mt

nn, F = mt.nn, mt.nn.functional

ACTIVATIONS = [
    nn.Sigmoid(),
    nn.Tanh(),
    nn.ReLU(),
    nn.ReLU(inplace=True),
    nn.ReLU6(),
    nn.LeakyReLU(0.2),
    nn.ELU(alpha=0.7),
    nn.SELU(),
    nn.GELU(),
    nn.GELU(approximate="tanh"),
    nn.SiLU(),
    nn.Softplus(),
    nn.Softplus(beta=2.0, threshold=3.0),
    nn.Mish(),
    nn.Hardtanh(-0.5, 2.0),
    nn.Softmax(dim=-1),
    nn.Softmax(dim=1),
    nn.LogSoftmax(dim=-1),
    nn.Identity(),
]


@pytest.fixture
def x(rng):
    # Wide values: large ones reach the linear branch of Softplus, the saturation of Tanh...
    return (rng.normal(size=(3, 4, 5)) * 6).astype(np.float32)


@pytest.mark.parametrize("opset", [13, 17, 20])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=repr)
def test_activation_modules(x, activation, opset):
    check(activation, x, opset=opset)


def test_native_operators_where_the_opset_has_them(x):
    assert op_types(check(nn.GELU(), x, opset=20)) == ["Gelu"]
    assert "Gelu" not in op_types(check(nn.GELU(), x, opset=17))
    assert op_types(check(nn.Mish(), x, opset=18)) == ["Mish"]
    assert op_types(check(nn.SELU(), x)) == ["Selu"]
    assert op_types(check(nn.ReLU6(), x)) == ["Clip"]


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "gelu", "swish", "softplus", "linear"])
def test_activation_option_of_layers(rng, name):
    check(nn.Linear(5, 4, activation=name), rng.normal(size=(3, 5)).astype(np.float32))


def test_functional_forms_in_a_forward(x):
    class Mix(nn.Module):
        def forward(self, x):
            a = F.relu(x) + F.sigmoid(x) * F.tanh(x) - F.leaky_relu(x, 0.3)
            b = F.elu(x, 0.5) + F.selu(x) + F.gelu(x, approximate="tanh") + F.silu(x)
            c = F.softplus(x, beta=0.5) + F.mish(x) + F.hardtanh(x) + F.relu6(x)
            return F.softmax(a + b, dim=1) + F.log_softmax(c, dim=-1)

    check(Mix(), x, opset=17)
