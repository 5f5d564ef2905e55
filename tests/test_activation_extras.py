"""Hardsigmoid, Hardswish and GLU: values, first and second derivatives against PyTorch
(including the kinks at +-3), gradcheck, in-place calls, Modules, configs, errors."""

import numpy as np
import pytest
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
KINKS = np.array([-4.0, -3.0, -2.5, -1.0, 0.0, 0.5, 2.9, 3.0, 3.5])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_hardswish_matches_pytorch(dtype, rng):
    x = np.concatenate([KINKS, rng.uniform(-5, 5, 11)]).reshape(4, 5).astype(dtype)
    tol = 1e-10 if dtype == np.float64 else 1e-6
    check_against_torch(
        f"hardswish_{np.dtype(dtype).name}",
        lambda F, x: F.hardswish(x),
        {"x": x},
        rtol=tol,
        atol=tol,
    )


def test_hardsigmoid_matches_pytorch(rng):
    # PyTorch has no second derivative of hardsigmoid (it is 0, as gradgradcheck checks below)
    x = np.concatenate([KINKS, rng.uniform(-5, 5, 11)]).reshape(4, 5)

    def value_and_slope(torch, x):
        t = torch.tensor(x, requires_grad=True)
        y = torch.nn.functional.hardsigmoid(t)
        y.sum().backward()
        return {"y": y.detach().numpy(), "slope": t.grad.numpy()}

    ref = reference("activations/hardsigmoid", value_and_slope, x=x)
    t = mt.tensor(x, requires_grad=True)
    y = F.hardsigmoid(t)
    y.sum().backward()
    np.testing.assert_array_equal(y.numpy(force=True), ref["y"])
    np.testing.assert_array_equal(np.asarray(t.grad), ref["slope"])


@pytest.mark.parametrize("dim,shape", [(-1, (3, 4)), (1, (2, 6, 3)), (0, (4,))])
def test_glu_matches_pytorch(dim, shape, rng):
    check_against_torch(
        f"glu_dim{dim}",
        lambda F, x: F.glu(x, dim),
        {"x": rng.standard_normal(shape)},
        rtol=1e-10,
        atol=1e-10,
    )


def test_formulas_and_gradcheck(rng):
    x = rng.uniform(-5, 5, (3, 4))
    relu6 = np.clip(x + 3, 0, 6)
    np.testing.assert_allclose(F.hardsigmoid(mt.tensor(x)).numpy(), relu6 / 6)
    np.testing.assert_allclose(F.hardswish(mt.tensor(x)).numpy(), x * relu6 / 6)
    a, b = x[:, :2], x[:, 2:]
    np.testing.assert_allclose(F.glu(mt.tensor(x)).numpy(), a / (1 + np.exp(-b)))
    t = mt.tensor(x + (np.abs(np.abs(x) - 3) < 1e-3), requires_grad=True)  # away from kinks
    for fn in (F.hardsigmoid, F.hardswish, lambda x: F.glu(x, 1)):
        assert gradcheck(fn, (t,))
        assert gradgradcheck(fn, (t,))


@pytest.mark.parametrize("fn", [F.hardsigmoid, F.hardswish])
def test_in_place(fn):
    x = mt.tensor([-4.0, 0.0, 1.0, 4.0])
    expected = fn(x).tolist()
    assert fn(x, inplace=True) is x and x.tolist() == expected
    grads = []
    for inplace in (False, True):  # the in-place call saves a copy of its input for backward
        leaf = mt.tensor([-1.0, 1.0], dtype=mt.float64, requires_grad=True)
        fn(leaf * 2, inplace=inplace).sum().backward()
        grads.append(np.asarray(leaf.grad))
    np.testing.assert_array_equal(*grads)
    with pytest.raises(RuntimeError):
        fn(mt.tensor([1.0], requires_grad=True), inplace=True)  # a leaf that requires grad


def test_modules_and_configs():
    for cls, text in [
        (mt.nn.Hardsigmoid, "Hardsigmoid()"),
        (mt.nn.Hardswish, "Hardswish()"),
        (mt.nn.GLU, "GLU(dim=-1)"),
    ]:
        layer = cls()
        assert repr(layer) == text
        again = mt.registry.create(
            "activation", {"name": cls.__name__, "config": layer.get_config()}
        )
        assert type(again) is cls
    x = mt.randn(2, 4)
    assert mt.nn.GLU(0)(x).shape == (1, 4)
    assert mt.nn.Hardswish(inplace=True)(x) is x
    assert type(mt.registry.create("activation", "hard_sigmoid")) is mt.nn.Hardsigmoid
    dense = mt.nn.Linear(3, 2, activation="hardswish")
    assert dense(mt.randn(4, 3)).shape == (4, 2)


ERRORS = [
    (lambda: F.glu(mt.ones(3, 5), 1), RuntimeError, "dimension 1 is size 5"),
    (lambda: F.glu(mt.tensor(1.0)), RuntimeError, "does not support scalars"),
    (lambda: F.glu(mt.ones(3, 4), 2), IndexError, "out of range"),
    (lambda: F.glu(mt.ones(2, 4), 1.0), TypeError, "dim must be an int"),
    (lambda: F.hardswish(mt.ones(3).long()), TypeError, "floating-point"),
    (lambda: F.hardsigmoid(np.ones(3)), TypeError, "input must be a Tensor, got ndarray"),
    (lambda: mt.nn.GLU("1"), TypeError, "GLU: dim must be an int"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_node_names_are_pytorchs():
    x = mt.ones(3, requires_grad=True)
    assert F.hardsigmoid(x).grad_fn.name() == "HardsigmoidBackward0"
    assert F.hardswish(x).grad_fn.name() == "HardswishBackward0"
