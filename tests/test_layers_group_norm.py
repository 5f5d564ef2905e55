"""GroupNorm and F.group_norm: against PyTorch (values, first and second derivatives) and a
NumPy formula, gradcheck, parameters, configs, every error."""

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional

CASES = {
    "images": ((2, 6, 3, 4), 3, True),
    "instance": ((2, 4, 5), 4, True),
    "layer": ((3, 4, 2, 2), 1, True),
    "vectors_no_affine": ((5, 6), 2, False),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_group_norm_matches_pytorch(case, rng):
    shape, groups, affine = CASES[case]
    inputs = {"x": rng.standard_normal(shape) * 2 + 1}
    if affine:
        inputs.update(w=rng.standard_normal(shape[1]), b=rng.standard_normal(shape[1]))
    check_against_torch(
        f"group_norm/{case}",
        lambda F, x, w=None, b=None: F.group_norm(x, groups, w, b, eps=1e-3),
        inputs,
        wrt=tuple(inputs),
        rtol=1e-9,
        atol=1e-9,
    )


def test_group_norm_in_float32(rng):
    inputs = {
        "x": rng.standard_normal((2, 6, 4)).astype(np.float32),
        "w": rng.standard_normal(6).astype(np.float32),
    }
    check_against_torch(
        "group_norm/float32",
        lambda F, x, w: F.group_norm(x, 2, w),
        inputs,
        wrt=("x", "w"),
        rtol=1e-4,
        atol=1e-4,
    )


def test_group_norm_formula_and_gradcheck(rng):
    x, w, b = rng.standard_normal((2, 6, 5)), rng.standard_normal(6), rng.standard_normal(6)
    groups = x.reshape(2, 3, -1)
    xhat = (groups - groups.mean(-1, keepdims=True)) / np.sqrt(groups.var(-1, keepdims=True) + 1e-5)
    expected = xhat.reshape(x.shape) * w[:, None] + b[:, None]
    ts = [mt.tensor(a, requires_grad=True) for a in (x, w, b)]
    np.testing.assert_allclose(F.group_norm(ts[0], 3, ts[1], ts[2]).numpy(force=True), expected)
    fn = lambda x, w, b: F.group_norm(x, 3, w, b)  # noqa: E731
    assert gradcheck(fn, ts)
    assert gradgradcheck(fn, ts)


def test_group_norm_layer(rng):
    layer = mt.nn.GroupNorm(2, 4)
    assert repr(layer) == "GroupNorm(2, 4, eps=1e-05, affine=True)"
    assert layer.weight.tolist() == [1.0] * 4 and layer.bias.tolist() == [0.0] * 4
    assert layer.weight.dtype == mt.float32
    x = mt.tensor(rng.standard_normal((3, 4, 5)).astype(np.float32))
    np.testing.assert_allclose(
        layer(x).numpy(force=True), F.group_norm(x, 2, layer.weight, layer.bias).numpy(force=True)
    )
    layer(x).sum().backward()
    assert layer.weight.grad is not None and layer.bias.grad is not None
    config = layer.get_config()
    again = mt.registry.create("layer", {"name": "GroupNorm", "config": config})
    assert repr(again) == repr(layer)


def test_group_norm_layer_options():
    assert list(mt.nn.GroupNorm(2, 4, affine=False).state_dict()) == []
    no_bias = mt.nn.GroupNorm(2, 4, bias=False)
    assert list(no_bias.state_dict()) == ["weight"]
    assert repr(no_bias) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=False)"
    assert mt.nn.GroupNorm(1, 2, dtype=mt.float64).weight.dtype == mt.float64
    again = mt.registry.create("layer", {"name": "GroupNorm", "config": no_bias.get_config()})
    assert again.bias is None
    assert F.group_norm(mt.zeros(2, 6, 0), 3).shape == (2, 6, 0)
    assert F.group_norm(mt.zeros(0, 6, 2), 3).shape == (0, 6, 2)


ERRORS = [
    (lambda: F.group_norm(mt.ones(2, 6, 3), 4), RuntimeError, "divisible by num_groups"),
    (lambda: F.group_norm(mt.ones(2, 6, 3), 0), RuntimeError, "greater than 0, got 0"),
    (lambda: F.group_norm(mt.ones(2, 6, 3), 2.0), TypeError, "num_groups must be an int"),
    (lambda: F.group_norm(mt.ones(6), 3), RuntimeError, "at least 2 dimensions"),
    (lambda: F.group_norm(mt.ones(2, 6).long(), 3), NotImplementedError, "int64"),
    (lambda: F.group_norm(mt.ones(2, 6), 3, mt.ones(5)), RuntimeError, "weight of shape [5]"),
    (lambda: F.group_norm(mt.ones(2, 6), 3, None, mt.ones(2)), RuntimeError, "bias of shape [2]"),
    (lambda: F.group_norm(mt.ones(2, 4).double(), 2, mt.ones(4)), TypeError, "dtype float32"),
    (lambda: mt.nn.GroupNorm(4, 6), ValueError, "num_channels (6) must be divisible by"),
    (lambda: mt.nn.GroupNorm(0, 6), ValueError, "num_groups must be an int >= 1"),
    (lambda: mt.nn.GroupNorm(2, 6, device="cuda"), RuntimeError, "cuda"),
    (lambda: mt.nn.GroupNorm(2, 4)(mt.ones(2, 6)), RuntimeError, "expected input with 4 channels"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_group_norm_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
