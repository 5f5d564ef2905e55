"""mt.autograd.functional: vjp, jvp, jacobian, hessian, hvp, vhp against PyTorch's
torch.autograd.functional (recorded fixtures) and closed forms; nesting, create_graph, strict,
and every argument error."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

AF = mt.autograd.functional


def t(a, grad=False):
    return mt.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


RNG = np.random.default_rng(11)
X, Y, V3, V2 = (RNG.standard_normal(s) for s in [(3,), (3, 2), (3,), (2,)])
A = RNG.standard_normal((3, 3))
A = A @ A.T + np.eye(3)  # symmetric positive definite


# Functions written with what torch.Tensor and mt.Tensor share.
def vector_fn(x):
    return x.exp() * (x * x).sum()


def two_in_two_out(x, y):
    return (x.exp() @ y) ** 2, (x * x).sum()


def scalar_fn(x, y):
    return ((x.exp() @ y) ** 3).sum() + (x**4).sum()


def rowwise(x, y):  # what torch's forward-mode (vmap) takes: no 1-D matmul
    return x.exp() * y.sum(1), (x * x).sum()


def scalar_rowwise(x, y):
    return ((x.exp() * y.sum(1)) ** 3).sum() + (x**4).sum()


def scalar_of_one(x):
    return (x.exp() * x**3).sum()


CASES = {
    "vjp": lambda F, T: F.vjp(vector_fn, T(X), T(V3)),
    "vjp_tuple": lambda F, T: F.vjp(two_in_two_out, (T(X), T(Y)), (T(V2), T(1.0))),
    "jvp": lambda F, T: F.jvp(vector_fn, T(X), T(V3)),
    "jvp_tuple": lambda F, T: F.jvp(two_in_two_out, (T(X), T(Y)), (T(V3), T(Y[::-1].copy()))),
    "jacobian": lambda F, T: F.jacobian(vector_fn, T(X)),
    "jacobian_tuple": lambda F, T: F.jacobian(two_in_two_out, (T(X), T(Y))),
    "jacobian_forward": lambda F, T: F.jacobian(
        rowwise, (T(X), T(Y)), vectorize=True, strategy="forward-mode"
    ),
    "hessian": lambda F, T: F.hessian(scalar_of_one, T(X)),
    "hessian_tuple": lambda F, T: F.hessian(scalar_fn, (T(X), T(Y))),
    "hessian_forward": lambda F, T: F.hessian(
        scalar_rowwise, (T(X), T(Y)), vectorize=True, outer_jacobian_strategy="forward-mode"
    ),
    "vhp": lambda F, T: F.vhp(scalar_fn, (T(X), T(Y)), (T(V3), T(Y * 2))),
    "hvp": lambda F, T: F.hvp(scalar_fn, (T(X), T(Y)), (T(V3), T(Y * 2))),
    "hvp_single": lambda F, T: F.hvp(scalar_of_one, T(X), T(V3)),
}


def _numpy(value):  # (torch's forward-mode jacobian nests in lists, the others in tuples)
    if isinstance(value, (tuple, list)):
        return [_numpy(v) for v in value]
    return value.detach().numpy()


def _assert_nested_close(ours, ref, path="result"):
    if isinstance(ours, tuple):
        assert isinstance(ref, list) and len(ours) == len(ref), path
        for i, (a, b) in enumerate(zip(ours, ref)):
            _assert_nested_close(a, b, f"{path}[{i}]")
        return
    assert isinstance(ours, mt.Tensor) and not isinstance(ref, list), path
    np.testing.assert_allclose(ours.numpy(), ref, rtol=1e-10, atol=1e-12, err_msg=path)


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name):
    def compute(torch, **_):
        return _numpy(CASES[name](torch.autograd.functional, torch.tensor))

    ref = reference(f"autograd/functional/{name}", compute, x=X, y=Y, v3=V3, v2=V2)
    _assert_nested_close(CASES[name](AF, t), ref)


# ------------------------------------------------------------------------ closed forms
def quadratic(x):
    return 0.5 * (x @ t(A) @ x) + (x * t(V3)).sum()


def test_closed_forms_of_a_quadratic():
    x, v = t(X), t(V2.tolist() + [1.0])
    np.testing.assert_allclose(AF.jacobian(quadratic, x).numpy(), A @ X + V3, rtol=1e-12)
    np.testing.assert_allclose(AF.hessian(quadratic, x).numpy(), A, rtol=1e-12)
    for product in (AF.hvp, AF.vhp):
        value, hv = product(quadratic, x, v)
        np.testing.assert_allclose(value.item(), 0.5 * X @ A @ X + X @ V3, rtol=1e-12)
        np.testing.assert_allclose(hv.numpy(), A @ v.numpy(), rtol=1e-12)


def test_jacobian_of_a_linear_map_and_products_agree_with_it():
    m = RNG.standard_normal((2, 3))
    f = lambda x: t(m) @ x  # noqa: E731
    np.testing.assert_allclose(AF.jacobian(f, t(X)).numpy(), m, rtol=1e-15)
    np.testing.assert_allclose(AF.vjp(f, t(X), t(V2))[1].numpy(), V2 @ m, rtol=1e-14)
    np.testing.assert_allclose(AF.jvp(f, t(X), t(V3))[1].numpy(), m @ V3, rtol=1e-14)


def test_v_defaults_to_one_for_one_element():
    out, g = AF.vjp(lambda x: (x**3).sum(), t([2.0]))
    assert out.item() == 8.0 and g.numpy().tolist() == [12.0]
    out, g = AF.jvp(lambda x: x**3, t(2.0))
    assert g.item() == 12.0
    assert AF.hvp(lambda x: x**3, t(2.0))[1].item() == 12.0
    assert AF.vhp(lambda x: x**3, t(2.0))[1].item() == 12.0


# ------------------------------------------------------------------------ create_graph
def test_results_are_detached_unless_create_graph():
    x = t(X, grad=True)
    out, g = AF.vjp(vector_fn, x, t(V3))
    assert not out.requires_grad and not g.requires_grad
    assert not AF.hessian(scalar_of_one, x).requires_grad
    assert x.grad is None  # the caller's tensor is never accumulated into


def test_create_graph_results_are_differentiable_again():
    # The Hessian as the Jacobian of a gradient taken with create_graph: it matches hessian().
    x = t(X, grad=True)

    def gradient(z):
        return AF.vjp(scalar_of_one, z, create_graph=True)[1]

    np.testing.assert_allclose(
        AF.jacobian(gradient, x).numpy(), AF.hessian(scalar_of_one, x).numpy(), rtol=1e-12
    )
    _, hv = AF.hvp(scalar_of_one, x, t(V3), create_graph=True)
    assert hv.requires_grad
    (third,) = mt.autograd.grad(hv.sum(), x)
    # d/dx of sum(H v) by finite differences of hvp itself
    eps, fd = 1e-6, np.zeros(3)
    for i in range(3):
        step = np.eye(3)[i] * eps
        plus = AF.hvp(scalar_of_one, t(X + step), t(V3))[1].numpy().sum()
        minus = AF.hvp(scalar_of_one, t(X - step), t(V3))[1].numpy().sum()
        fd[i] = (plus - minus) / (2 * eps)
    np.testing.assert_allclose(third.numpy(), fd, rtol=1e-6)


# ------------------------------------------------------------------------- strict mode
def test_independent_inputs_give_zeros_or_strict_errors():
    f = lambda x, y: x * 2  # noqa: E731  (y unused)
    _, (gx, gy) = AF.vjp(f, (t(X), t(X)), t(V3))
    np.testing.assert_array_equal(gy.numpy(), 0)
    with pytest.raises(RuntimeError, match="independent of input 1. This is not allowed in strict"):
        AF.vjp(f, (t(X), t(X)), t(V3), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent"):
        AF.jacobian(f, (t(X), t(X)), strict=True)
    np.testing.assert_array_equal(AF.jacobian(f, (t(X), t(X)))[1].numpy(), np.zeros((3, 3)))
    with pytest.raises(RuntimeError, match="does not require gradients"):
        AF.vjp(lambda x: t(X), t(X), t(V3), strict=True)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect"):
        AF.hessian(lambda x: (x * 2).sum(), t(X), strict=True)  # linear: no second derivative
    np.testing.assert_array_equal(AF.hessian(lambda x: (x * 2).sum(), t(X)).numpy(), 0)
    with pytest.raises(RuntimeError, match="jacobian of the user-provided function with respect"):
        AF.vhp(lambda x, y: (x * x).sum() + y.sum(), (t(X), t(X)), (t(V3), t(V3)), strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1. This is not allowed in strict"):
        AF.jvp(f, (t(X), t(X)), (t(V3), t(V3)), strict=True)


def test_strict_with_create_graph_refuses_constant_derivatives():
    with pytest.raises(RuntimeError, match="when create_graph=True"):
        AF.vjp(lambda x: x * 2, t(X, grad=True), t(V3), create_graph=True, strict=True)
    with pytest.raises(RuntimeError, match="when create_graph=True"):
        AF.jacobian(lambda x: x * 2, t(X, grad=True), create_graph=True, strict=True)


# ------------------------------------------------------------------------------ errors
def test_argument_errors_match_pytorch():
    with pytest.raises(TypeError, match="inputs given to vjp must be either a Tensor or a tuple"):
        AF.vjp(vector_fn, X, t(V3))
    with pytest.raises(TypeError, match="the value at index 1 has type"):
        AF.jacobian(two_in_two_out, (t(X), Y))
    with pytest.raises(TypeError, match="outputs of the user-provided function given to jvp"):
        AF.jvp(lambda x: [x], t(X), t(V3))
    with pytest.raises(RuntimeError, match="v can only be None if the user-provided function"):
        AF.vjp(vector_fn, t(X))
    with pytest.raises(RuntimeError, match="v can only be None if the input"):
        AF.hvp(scalar_of_one, t(X))
    with pytest.raises(
        RuntimeError, match="v has invalid size: should be \\(3,\\) but got \\(2,\\)"
    ):
        AF.jvp(vector_fn, t(X), t(V2))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        AF.vhp(scalar_fn, (t(X), t(Y)), (t(V3),))
    with pytest.raises(RuntimeError, match="The given v should contain a single Tensor"):
        AF.vjp(vector_fn, t(X), (t(V3), t(V3)))
    with pytest.raises(RuntimeError, match="Entry 1 in v has invalid size"):
        AF.hvp(scalar_fn, (t(X), t(Y)), (t(V3), t(V3)))


def test_hessian_and_products_need_a_one_element_output():
    with pytest.raises(
        RuntimeError, match="function given to hessian should return a single Tensor"
    ):
        AF.hessian(lambda x: (x.sum(), x.sum()), t(X))
    with pytest.raises(RuntimeError, match="returned by the function given to hvp should contain"):
        AF.hvp(vector_fn, t(X), t(V3))
    with pytest.raises(RuntimeError, match="function given to vhp should return a single Tensor"):
        AF.vhp(lambda x: (x.sum(),), t(X), t(V3))


def test_strategy_errors():
    with pytest.raises(ValueError, match='either "forward-mode" or "reverse-mode"'):
        AF.jacobian(vector_fn, t(X), strategy="sideways")
    with pytest.raises(ValueError, match='either "forward-mode" or "reverse-mode"'):
        AF.hessian(scalar_of_one, t(X), outer_jacobian_strategy="sideways")
    with pytest.raises(NotImplementedError, match="only implemented for `vectorize=True`"):
        AF.jacobian(vector_fn, t(X), strategy="forward-mode")
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        AF.jacobian(vector_fn, t(X), create_graph=True, vectorize=True, strategy="forward-mode")
    with pytest.raises(RuntimeError, match='`strict=True` and `strategy="forward-mode"`'):
        AF.jacobian(vector_fn, t(X), strict=True, vectorize=True, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True`"):
        AF.jacobian(vector_fn, t(X), strict=True, vectorize=True)


def test_vectorize_gives_the_loops_values_and_empty_outputs_work():
    a = AF.jacobian(two_in_two_out, (t(X), t(Y)))
    b = AF.jacobian(two_in_two_out, (t(X), t(Y)), vectorize=True)
    for ra, rb in zip(a, b):
        for ja, jb in zip(ra, rb):
            np.testing.assert_array_equal(ja.numpy(), jb.numpy())
    assert AF.jacobian(lambda x: x[:0] * 2, t(X)).shape == (0, 3)
