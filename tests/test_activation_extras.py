"""Hardsigmoid, Hardswish and GLU: values, first and second derivatives against PyTorch
(including the kinks at +-3), gradcheck, in-place calls, Modules, configs, errors."""

import numpy as np
import pytest
from nn_parity import check_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
KINKS = np.array([-4.0, -3.0, -2.5, -1.0, 0.0, 0.5, 2.9, 3.0, 3.5])


@pytest.mark.parametrize("name", ["hardsigmoid", "hardswish"])
def test_piecewise_activations_match_pytorch(name, rng):
    x = np.concatenate([KINKS, rng.uniform(-5, 5, 11)]).reshape(4, 5)
    check_torch(
        f"activations/{name}",
        lambda lib, x: getattr(lib.nn.functional, name)(x),
        {"x": x},
        second=name == "hardswish",  # PyTorch has no second derivative of hardsigmoid (it is 0)
    )
    check_torch(
        f"activations/{name}_float32",
        lambda lib, x: getattr(lib.nn.functional, name)(x),
        {"x": x.astype(np.float32)},
        second=False,
        tol=1e-6,
    )


@pytest.mark.parametrize("dim,shape", [(-1, (3, 4)), (1, (2, 6, 3)), (0, (4,))])
def test_glu_matches_pytorch(dim, shape, rng):
    check_torch(
        f"activations/glu_dim{dim}",
        lambda lib, x: lib.nn.functional.glu(x, dim),
        {"x": rng.standard_normal(shape)},
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
    (lambda: F.hardsigmoid(np.ones(3)), TypeError, "expected a Tensor"),
    (lambda: mt.nn.GLU("1"), TypeError, "GLU: dim must be an int"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
