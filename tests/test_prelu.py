"""PReLU and F.prelu: values, first and second derivatives (input and slopes) against PyTorch,
the kink at 0, gradcheck, dtypes, PyTorch's broadcasting rules and errors, signature, repr."""

import numpy as np
import pytest
from activation_signatures import check_signatures, torch_signatures
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
EDGES = [0.0, -0.0, 1e-300, -1e-300, 1e30, -1e30, 2.0, -3.0]  # the kink, large values


@pytest.mark.parametrize(
    "name,shape,slopes",
    [
        ("channels", (2, 4, 3), 4),
        ("shared", (2, 4, 3), 1),
        ("vector", (8,), 1),
        ("rows", (8, 3), 3),
    ],
)
def test_values_and_derivatives_match_pytorch(name, shape, slopes, rng):
    x = rng.standard_normal(shape).ravel()
    x[: len(EDGES)] = EDGES
    check_against_torch(
        f"prelu_{name}",
        lambda F, x, weight: F.prelu(x, weight),
        {"x": x.reshape(shape), "weight": rng.uniform(-0.5, 0.5, slopes)},
        wrt=("x", "weight"),
        rtol=1e-12,
        atol=1e-12,
    )


def test_the_derivative_at_zero_is_the_slope():
    x = mt.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    w = mt.tensor([0.3], requires_grad=True)
    gx, gw = mt.autograd.grad(F.prelu(x, w).sum(), [x, w])
    np.testing.assert_allclose(gx.numpy(), [0.3, 0.3, 1.0])
    np.testing.assert_allclose(gw.numpy(), [-1.0])


@pytest.mark.parametrize("shape,slopes", [((2, 3, 4), 3), ((2, 3), 1), ((5,), 1), ((), 1)])
def test_gradcheck(shape, slopes, rng):
    x = rng.uniform(0.1, 2, shape) * rng.choice([-1, 1], shape)
    x = mt.tensor(x, requires_grad=True)
    w = mt.tensor(rng.uniform(-0.5, 0.5, slopes), requires_grad=True)
    assert gradcheck(F.prelu, (x, w))
    assert gradgradcheck(F.prelu, (x, w))


def test_scalar_weights_and_float32():
    x = mt.tensor([[-2.0, 4.0]])
    assert F.prelu(x, mt.tensor(0.5)).tolist() == [[-1.0, 4.0]]
    layer = mt.nn.PReLU(2, init=0.1)
    y = layer(x)
    assert y.dtype == mt.float32 and layer.weight.dtype == mt.float32
    np.testing.assert_allclose(y.numpy(force=True), [[-0.2, 4.0]], rtol=1e-6)
    assert y.grad_fn.name() == "PreluKernelBackward0"
    assert mt.nn.PReLU(dtype=mt.float64).weight.dtype == mt.float64


def test_module_learns_its_slopes():
    layer = mt.nn.PReLU(3)
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    assert layer.weight.tolist() == [0.25, 0.25, 0.25]
    x = mt.tensor([[-1.0, -2.0, 3.0]])
    layer(x).sum().backward()
    np.testing.assert_allclose(np.asarray(layer.weight.grad), [-1.0, -2.0, 0.0])
    with mt.no_grad():
        layer.weight.mul_(2)
    layer.reset_parameters()
    assert layer.weight.tolist() == [0.25, 0.25, 0.25]
    again = mt.registry.create("activation", {"name": "PReLU", "config": layer.get_config()})
    assert repr(again) == repr(layer) == "PReLU(num_parameters=3)"
    dense = mt.nn.Linear(3, 2, activation="prelu")
    assert any(type(m) is mt.nn.PReLU for m in dense.modules())  # trained and saved


def test_signature_is_pytorchs():
    check_signatures(
        mt,
        reference(
            "activations/prelu_signature", torch_signatures, functions=["prelu"], modules=["PReLU"]
        ),
    )


ERRORS = [
    (
        lambda: F.prelu(mt.ones(3, 4), mt.ones(3)),
        RuntimeError,
        "parameter numbers = 3 and channel size = 4",
    ),
    (lambda: F.prelu(mt.ones(4), mt.ones(4)), RuntimeError, "channel size = 1"),
    (
        lambda: F.prelu(mt.ones(3, 4), mt.ones(2, 2)),
        RuntimeError,
        "scalar or 1D tensor, but got: ndim = 2",
    ),
    (lambda: F.prelu(mt.tensor(1.0), mt.ones(3)), RuntimeError, "zero-dim input"),
    (lambda: F.prelu(mt.ones(2, 3, dtype=mt.float64), mt.ones(3)), RuntimeError, "Type promoting"),
    (lambda: F.prelu(mt.ones(3).long(), mt.ones(1)), TypeError, "floating-point"),
    (lambda: F.prelu(np.ones(3), mt.ones(1)), TypeError, "input must be a Tensor"),
    (lambda: F.prelu(mt.ones(3), 0.25), TypeError, "weight must be a Tensor"),
    (lambda: mt.nn.PReLU(-1), ValueError, "PReLU: num_parameters"),
    (lambda: mt.nn.PReLU(2.0), TypeError, "PReLU: num_parameters must be an int"),
    (lambda: mt.nn.PReLU(init="a"), TypeError, "PReLU: init"),
    (lambda: mt.nn.PReLU(device="cuda"), RuntimeError, "PReLU"),
    (lambda: mt.nn.PReLU(dtype=mt.int64), TypeError, "floating point"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
