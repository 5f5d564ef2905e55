"""Bilinear and F.bilinear: against PyTorch (values, first and second derivatives in every
argument) and a NumPy einsum, initialisation, configs, errors."""

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional


@pytest.mark.parametrize("lead,bias", [((3,), True), ((2, 3), False), ((), True)])
def test_bilinear_matches_pytorch(lead, bias, rng):
    arrays = {
        "x": rng.standard_normal((*lead, 4)),
        "y": rng.standard_normal((*lead, 5)),
        "w": rng.standard_normal((3, 4, 5)),
    }
    if bias:
        arrays["b"] = rng.standard_normal(3)
    check_against_torch(
        f"bilinear/{len(lead)}d_{'bias' if bias else 'nobias'}",
        lambda F, x, y, w, b=None: F.bilinear(x, y, w, b),
        arrays,
        wrt=tuple(arrays),
        rtol=1e-10,
        atol=1e-10,
    )


def test_bilinear_formula_and_gradcheck(rng):
    x, y, w, b = (rng.standard_normal(s) for s in ((2, 4), (2, 5), (3, 4, 5), (3,)))
    out = F.bilinear(*(mt.tensor(a) for a in (x, y, w, b))).numpy()
    np.testing.assert_allclose(out, np.einsum("ni,kij,nj->nk", x, w, y) + b, rtol=1e-12)
    ts = [mt.tensor(a, requires_grad=True) for a in (x, y, w, b)]
    assert gradcheck(F.bilinear, ts)
    assert gradgradcheck(F.bilinear, ts)


def test_bilinear_layer(rng):
    layer = mt.nn.Bilinear(4, 5, 3)
    assert repr(layer) == "Bilinear(in1_features=4, in2_features=5, out_features=3, bias=True)"
    assert layer.weight.shape == (3, 4, 5) and layer.weight.dtype == mt.float32
    assert np.abs(layer.weight.numpy(force=True)).max() <= 0.5  # U(-1/sqrt(4), 1/sqrt(4))
    x, y = mt.randn(2, 4), mt.randn(2, 5)
    np.testing.assert_allclose(
        layer(x, y).numpy(force=True),
        F.bilinear(x, y, layer.weight, layer.bias).numpy(force=True),
    )
    again = mt.registry.create("layer", {"name": "Bilinear", "config": layer.get_config()})
    assert repr(again) == repr(layer)
    assert mt.nn.Bilinear(2, 2, 1, bias=False, dtype=mt.float64).bias is None


W = mt.ones(3, 4, 5)
ERRORS = [
    (lambda: F.bilinear(mt.ones(2, 4), mt.ones(3, 5), W), RuntimeError, "do not match: got [2]"),
    (lambda: F.bilinear(mt.ones(2, 3), mt.ones(2, 5), W), RuntimeError, "input1 size does not"),
    (lambda: F.bilinear(mt.ones(2, 4), mt.ones(2, 6), W), RuntimeError, "input2 size"),
    (lambda: F.bilinear(mt.ones(4), mt.ones(5), W, mt.ones(4)), RuntimeError, "bias size"),
    (lambda: F.bilinear(mt.ones(4), mt.ones(5), mt.ones(3, 4)), RuntimeError, "3-D weight"),
    (lambda: F.bilinear(np.ones(4), mt.ones(5), W), TypeError, "input1 must be a Tensor"),
    (lambda: F.bilinear(mt.ones(4).double(), mt.ones(5), W), TypeError, "dtype float32"),
    (lambda: mt.nn.Bilinear(0, 2, 3), ValueError, "in1_features must be an int >= 1"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_bilinear_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
