"""The further activations (PReLU ...) exported and run in ONNX Runtime; PReLU's slopes are an
initializer of the graph."""

import numpy as np
import onnx
import pytest
from onnx_helpers import check, op_types

import minitorch_es as mt

nn, F = mt.nn, mt.nn.functional


@pytest.fixture
def x(rng):
    return (rng.normal(size=(3, 4, 5)) * 6).astype(np.float32)


def trained_prelu(n):
    layer = nn.PReLU(n)
    with mt.no_grad():
        layer.weight.copy_(mt.linspace(-0.5, 0.7, n))
    return layer


@pytest.mark.parametrize("opset", [13, 17])
@pytest.mark.parametrize("layer", [trained_prelu(4), trained_prelu(1)], ids=repr)
def test_prelu(x, layer, opset):
    proto = check(layer, x, opset=opset)
    assert "PRelu" in op_types(proto)
    slopes = [onnx.numpy_helper.to_array(i) for i in proto.graph.initializer]
    assert any(np.allclose(s.ravel(), layer.weight.numpy(force=True)) for s in slopes)


def test_prelu_in_a_layer(rng):
    check(nn.Linear(5, 4, activation="prelu"), rng.normal(size=(3, 5)).astype(np.float32))


MORE = [
    nn.LogSigmoid(),
    nn.Softsign(),
    nn.Tanhshrink(),
    nn.Softmin(dim=-1),
    nn.Softmin(dim=1),
    nn.Threshold(0.5, -2.0),
    nn.Threshold(-1.0, 3.0, inplace=True),
    nn.Hardshrink(),
    nn.Hardshrink(2.0),
    nn.Softshrink(),
    nn.Softshrink(1.5),
    nn.CELU(),
    nn.CELU(alpha=0.5, inplace=True),
]


@pytest.mark.parametrize("opset", [13, 17])
@pytest.mark.parametrize("activation", MORE, ids=repr)
def test_activation_modules(x, activation, opset):
    x = x.copy()
    x.flat[:6] = [0.0, 0.5, -1.0, 2.0, -1000.0, 1000.0]  # the kinks, large values
    check(activation, x, opset=opset)


def test_functional_forms_in_a_forward(x):
    class Mix(nn.Module):
        def forward(self, x):
            a = F.logsigmoid(x) + F.softsign(x) * F.tanhshrink(x) - F.threshold(x, 0.1, 2.0)
            b = F.hardshrink(x, 1.0) + F.softshrink(x) + F.celu(x, 2.0)
            return F.softmin(a + b, dim=1)

    check(Mix(), x, opset=17)


@pytest.mark.parametrize("layer", [nn.RReLU(), nn.RReLU(0.1, 0.3, inplace=True)], ids=repr)
def test_rrelu_exports_its_mean_slope(x, layer):
    assert op_types(check(layer, x)) == ["LeakyRelu"]  # the exporter runs the model in eval


def test_rrelu_in_training_mode_is_refused(x):
    class Noisy(nn.Module):
        def forward(self, x):
            return F.rrelu(x, training=True)

    with pytest.raises(mt.onnx.ExportError, match="training=self.training"):
        check(Noisy(), x)


def test_in_place_functional_forms_export(x):
    class InPlace(nn.Module):
        def forward(self, x):
            a, b = F.relu_(x * 1), F.elu_(x * 1, 0.5) + F.leaky_relu_(x * 1, 0.2)
            return a + b + F.selu_(x * 1) + F.hardtanh_(x * 1, -2.0, 2.0) + F.rrelu_(x * 1)

    check(InPlace(), x, opset=17)
