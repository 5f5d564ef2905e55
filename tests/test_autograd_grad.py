"""autograd.grad, create_graph and second derivatives of the core ops (against finite
differences and recorded PyTorch values)."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import grad, gradcheck, gradgradcheck


def leaf(*shape, seed=0, positive=False):
    x = np.random.default_rng(seed).standard_normal(shape)
    return mt.tensor(np.abs(x) + 0.5 if positive else x, dtype=mt.float64, requires_grad=True)


# ------------------------------------------------------------------------ autograd.grad
def test_grad_returns_without_touching_dot_grad():
    x = leaf(3)
    (g,) = grad((x * x).sum(), x)
    np.testing.assert_allclose(g._data, 2 * x._data)
    assert x.grad is None and not g.requires_grad


def test_second_and_third_derivatives_of_a_cube():
    x = mt.tensor(2.0, dtype=mt.float64, requires_grad=True)
    (d1,) = grad(x**3, x, create_graph=True)
    (d2,) = grad(d1, x, create_graph=True)
    (d3,) = grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (12.0, 12.0, 6.0)


def test_backward_with_create_graph_gives_a_differentiable_grad():
    x = leaf(3)
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad and x.grad.grad_fn is not None
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad._data, 6 * x._data)


def test_grad_of_several_outputs_and_inputs_with_grad_outputs():
    x, y = leaf(2, seed=1), leaf(2, seed=2)
    a, b = x * y, x + y
    gx, gy = grad([a, b], [x, y], [mt.ones(2, dtype=mt.float64), 2 * mt.ones(2, dtype=mt.float64)])
    np.testing.assert_allclose(gx._data, y._data + 2)
    np.testing.assert_allclose(gy._data, x._data + 2)


def test_grad_with_respect_to_an_intermediate_tensor():
    x = leaf(3)
    h = x.exp()
    (gh,) = grad((h * h).sum(), h)
    np.testing.assert_allclose(gh._data, 2 * h._data)


def test_unused_input_raises_unless_allowed():
    x, y = leaf(2), leaf(2, seed=3)
    with pytest.raises(RuntimeError, match="not have been used in the graph.*allow_unused"):
        grad((x * 2).sum(), [x, y])
    gx, gy = grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gy is None
    _, gy = grad((x * 2).sum(), [x, y], materialize_grads=True)
    np.testing.assert_array_equal(gy._data, [0.0, 0.0])


def test_grad_argument_errors_match_pytorch():
    x = leaf(2)
    with pytest.raises(RuntimeError, match="does not require grad"):
        grad((x * 2).sum(), mt.ones(2))
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        grad(mt.ones(2).sum(), x)
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        grad(x * 2, x)
    with pytest.raises(mt.ShapeError, match="Mismatch in shape"):
        grad(x * 2, x, mt.ones(3, dtype=mt.float64))
    with pytest.raises(RuntimeError, match="non-empty inputs"):
        grad((x * 2).sum(), [])
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a Tensor"):
        grad((x * 2).sum(), [x._data])


def test_the_graph_is_freed_unless_retained():
    x = leaf(2)
    y = (x * x).sum()
    grad(y, x)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        grad(y, x)
    z = (x * x).sum()
    grad(z, x, retain_graph=True)
    grad(z, x)  # retained once, so a second call works


def test_backward_inputs_limits_accumulation():
    x, y = leaf(2), leaf(2, seed=4)
    (x * y).sum().backward(inputs=[x])
    assert y.grad is None
    np.testing.assert_allclose(x.grad._data, y._data)


def test_hessian_vector_product_of_a_quadratic():
    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    x = leaf(2)
    f = 0.5 * (x @ mt.tensor(a) @ x)
    (g,) = grad(f, x, create_graph=True)
    v = mt.tensor([1.0, -1.0], dtype=mt.float64)
    (hv,) = grad((g * v).sum(), x)
    np.testing.assert_allclose(hv._data, a @ v._data)


# -------------------------------------------------------------- second derivatives of ops
OPS = {
    "add": (lambda a, b: a + b, 2),
    "sub": (lambda a, b: a - b, 2),
    "mul": (lambda a, b: a * b, 2),
    "div": (lambda a, b: a / b, 2),
    "pow": (lambda a, b: a**b, 2),
    "pow_scalar": (lambda a: a**3, 1),
    "square": (lambda a: a**2, 1),
    "matmul": (lambda a, b: a @ b.T, 2),
    "neg": (lambda a: -a, 1),
    "exp": (lambda a: a.exp(), 1),
    "log": (lambda a: a.log(), 1),
    "sqrt": (lambda a: a.sqrt(), 1),
    "abs": (lambda a: a.abs(), 1),
    "clamp": (lambda a: a.clamp(0.6, 1.5), 1),
    "maximum": (lambda a, b: a.maximum(b), 2),
    "minimum": (lambda a, b: a.minimum(b), 2),
    "where": (lambda a, b: mt.where(a > 1.0, a * a, b), 2),
    "sum": (lambda a: (a * a).sum(1), 1),
    "mean": (lambda a: (a * a).mean(0, keepdim=True), 1),
    "var": (lambda a: a.var(1), 1),
    "std": (lambda a: a.std(0), 1),
    "max_all": (lambda a: (a * a).max(), 1),
    "max_dim": (lambda a: (a * a).max(1)[0], 1),
    "reshape": (lambda a: (a * a).reshape(-1), 1),
    "permute": (lambda a: (a * a).permute(1, 0), 1),
    "expand": (lambda a: (a[:1] * a[:1]).expand(3, 4), 1),
    "getitem": (lambda a: (a * a)[[0, 0, 2], 1:], 1),
    "cat": (lambda a, b: mt.cat([a * a, b * a], 1), 2),
    "stack": (lambda a, b: mt.stack([a * b, a * a], 0), 2),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_second_derivatives_match_finite_differences(name):
    fn, n = OPS[name]
    inputs = [leaf(3, 4, seed=i, positive=True) for i in range(n)]
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def _torch_second(name, n):
    def compute(torch, **xs):
        fn, _ = OPS[name]
        ts = [torch.tensor(xs[f"x{i}"], requires_grad=True) for i in range(n)]
        out = fn(*ts)  # the lambdas use only methods that torch.Tensor has too
        v = torch.tensor(xs["v"])
        grads = torch.autograd.grad(out, ts, v, create_graph=True)
        total = sum((g * torch.tensor(xs[f"w{i}"])).sum() for i, g in enumerate(grads))
        # A first derivative that is constant (add, abs ...) has no graph: the second is 0.
        second = (
            torch.autograd.grad(total, ts, allow_unused=True) if total.requires_grad else [None] * n
        )
        return {
            "first": [g.detach().numpy() for g in grads],
            "second": [
                np.zeros_like(xs[f"x{i}"]) if s is None else s.numpy(force=True)
                for i, s in enumerate(second)
            ],
        }

    return compute


# where/cat/stack call mt.* functions (compared with finite differences above).
TORCH_OPS = sorted(k for k in OPS if k not in ("where", "cat", "stack"))


@pytest.mark.parametrize("name", TORCH_OPS)
def test_second_derivatives_match_pytorch(name):
    fn, n = OPS[name]
    rng = np.random.default_rng(7)
    xs = {f"x{i}": np.abs(rng.standard_normal((3, 4))) + 0.5 for i in range(n)}
    ts = [mt.tensor(xs[f"x{i}"], requires_grad=True) for i in range(n)]
    out = fn(*ts)
    xs["v"] = rng.standard_normal(out.shape)
    for i in range(n):
        xs[f"w{i}"] = rng.standard_normal((3, 4))
    ref = reference(f"autograd/second/{name}", _torch_second(name, n), **xs)
    grads = grad(out, ts, mt.tensor(xs["v"]), create_graph=True)
    total = sum((g * mt.tensor(xs[f"w{i}"])).sum() for i, g in enumerate(grads))
    if total.requires_grad:
        second = grad(total, ts, allow_unused=True, materialize_grads=True)
    else:
        second = [mt.zeros_like(t) for t in ts]
    for i in range(n):
        np.testing.assert_allclose(grads[i]._data, ref["first"][i], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(second[i]._data, ref["second"][i], rtol=1e-7, atol=1e-7)


def test_a_cast_stays_differentiable_twice():
    x = leaf(3)
    (g,) = grad(((x * x).float() * 3).sum(), x, create_graph=True)
    assert g.dtype == mt.float64
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(h._data, [6.0, 6.0, 6.0])


def test_a_backward_that_leaves_the_graph_is_refused_under_create_graph():
    class Leaky(mt.autograd.Primitive):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return np.asarray(a) * 2 * g  # converts a graph Tensor: would cut the graph

    x = leaf(2)
    with pytest.raises(RuntimeError, match="cut the graph"):
        grad(Leaky.apply(x).sum(), x, create_graph=True)
    (g,) = grad(Leaky.apply(x).sum(), x)  # the fast path is fine
    np.testing.assert_allclose(g._data, 2 * x._data)
