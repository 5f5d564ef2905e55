"""The two namespaces of backward formulas (``ctx.xp``) and the hook that adds a plugin's
kernels to both: the same names, a registered function serving both paths, every error."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.ops import array_api, numpy_api, tensor_api


def function_names(module):
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_") and callable(value) and not isinstance(value, type)
    }


def test_both_namespaces_have_the_same_names():
    assert function_names(numpy_api) == function_names(tensor_api)


@pytest.fixture
def registry(monkeypatch):
    """Registrations made in a test are undone after it."""
    monkeypatch.setattr(array_api, "_REGISTERED", dict(array_api._REGISTERED))
    added = []
    yield added
    for name in added:
        for module in (numpy_api, tensor_api):
            vars(module).pop(name, None)


def cube_numpy(x):
    return x**3


def cube_tensor(x):
    return x * x * x


class Cube(mt.autograd.Primitive):
    """x**3 with a backward written once on ctx.xp.squared_for_test."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return cube_numpy(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * grad * ctx.xp.cube_for_test(x) / x


def test_a_registered_function_serves_both_paths(registry):
    mt.autograd.register_array_function("cube_for_test", cube_numpy, cube_tensor)
    registry.append("cube_for_test")
    assert numpy_api.cube_for_test is cube_numpy and tensor_api.cube_for_test is cube_tensor
    x = mt.tensor([2.0, -1.5], dtype=mt.float64, requires_grad=True)
    (g,) = mt.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(force=True), 3 * np.array([4.0, 2.25]))
    (gg,) = mt.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * np.array([2.0, -1.5]))
    assert mt.autograd.gradgradcheck(Cube.apply, (x,))


def test_registering_the_same_functions_again_is_accepted(registry):
    for _ in range(2):  # a reloaded module registers equal functions again
        mt.autograd.register_array_function("cube_for_test", cube_numpy, cube_tensor)
    registry.append("cube_for_test")


def test_another_pair_under_a_taken_name_is_an_error(registry):
    mt.autograd.register_array_function("cube_for_test", cube_numpy, cube_tensor)
    registry.append("cube_for_test")
    with pytest.raises(ValueError, match=r"'cube_for_test' is already registered, by .*cube_numpy"):
        mt.autograd.register_array_function("cube_for_test", np.square, cube_tensor)


def test_a_built_in_name_cannot_be_replaced():
    with pytest.raises(ValueError, match="'where' is a built-in function of the namespaces"):
        mt.autograd.register_array_function("where", cube_numpy, cube_tensor)


@pytest.mark.parametrize("name", ["", "1x", "a-b", "_private", 3])
def test_the_name_must_be_a_public_identifier(name):
    with pytest.raises(ValueError, match="name must be a public Python identifier, got"):
        mt.autograd.register_array_function(name, cube_numpy, cube_tensor)


def test_the_functions_must_be_callable():
    with pytest.raises(TypeError, match="numpy_function must be callable, got int 3"):
        mt.autograd.register_array_function("cube_for_test", 3, cube_tensor)
    with pytest.raises(TypeError, match="tensor_function must be callable, got NoneType None"):
        mt.autograd.register_array_function("cube_for_test", cube_numpy, None)
