"""Element-wise ops (exp log sqrt abs clamp maximum minimum where), casts and comparisons."""

import operator

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck

SHAPES = [(), (5,), (2, 3), (2, 3, 4)]


def leaf(*shape):
    return mt.randn(*shape, dtype=mt.float64, requires_grad=True)


def positive(*shape):
    return (mt.rand(*shape, dtype=mt.float64) * 2 + 0.1).requires_grad_()


def away_from(values, *shape, margin=0.05):
    """A float64 leaf whose elements are at least ``margin`` from each value in ``values``."""
    x = mt.randn(*shape, dtype=mt.float64).numpy().copy()
    for v in values:
        close = np.abs(x - v) < margin
        x[close] = v + np.where(x[close] >= v, margin, -margin) * 2
    return mt.tensor(x, requires_grad=True)


UNARY = [
    ("exp", lambda t: t.exp(), np.exp, leaf),
    ("log", lambda t: t.log(), np.log, positive),
    ("sqrt", lambda t: t.sqrt(), np.sqrt, positive),
    ("abs", lambda t: t.abs(), np.abs, lambda *s: away_from([0.0], *s)),
    ("mt.exp", mt.exp, np.exp, leaf),
    ("mt.log", mt.log, np.log, positive),
    ("mt.sqrt", mt.sqrt, np.sqrt, positive),
    ("mt.abs", mt.abs, np.abs, lambda *s: away_from([0.0], *s)),
]


@pytest.mark.parametrize("name,fn,ref,make", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("shape", SHAPES)
def test_unary_forward_and_gradcheck(name, fn, ref, make, shape):
    x = make(*shape)
    out = fn(x)
    assert out.shape == shape
    np.testing.assert_allclose(out._data, ref(x._data), rtol=1e-12)
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("name,fn,ref,make", UNARY[:4], ids=[u[0] for u in UNARY[:4]])
def test_unary_ops_keep_float32(name, fn, ref, make):
    x = make(3).detach().float().requires_grad_()
    out = fn(x)
    assert out.dtype == mt.float32
    out.sum().backward()
    assert x.grad.dtype == mt.float32


def test_abs_gradient_at_zero_is_zero_like_pytorch():
    x = mt.tensor([-2.0, 0.0, 3.0], requires_grad=True)
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])


def test_exp_log_sqrt_gradient_values():
    x = mt.tensor([0.5, 1.0, 4.0], dtype=mt.float64, requires_grad=True)
    (x.exp() + x.log() + x.sqrt()).sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(x._data) + 1 / x._data + 0.5 / np.sqrt(x._data))


# ------------------------------------------------------------------------------------- clamp
CLAMPS = [
    {"min": -0.5, "max": 0.5},
    {"min": -0.5},
    {"max": 0.3},
    {"min": 0, "max": 1},
]


@pytest.mark.parametrize("bounds", CLAMPS, ids=str)
@pytest.mark.parametrize("shape", SHAPES[1:])
def test_clamp_forward_and_gradcheck(bounds, shape):
    x = away_from([v for v in bounds.values()], *shape)
    lo, hi = bounds.get("min"), bounds.get("max")
    expected = np.clip(x._data, lo, hi)
    for fn in (
        lambda t: t.clamp(**bounds),
        lambda t: t.clip(**bounds),
        lambda t: mt.clamp(t, **bounds),
        lambda t: mt.clip(t, **bounds),
    ):
        np.testing.assert_array_equal(fn(x)._data, expected)
        assert gradcheck(fn, (x,))


def test_clamp_gradient_is_zero_outside_and_one_at_the_bounds_like_pytorch():
    x = mt.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], requires_grad=True)
    y = x.clamp(-1.0, 1.0)
    np.testing.assert_array_equal(y._data, [-1, -1, 0, 1, 1])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clamp_positional_bounds_and_dtype():
    x = mt.randn(10)
    y = x.clamp(-0.1, 0.1)
    assert y.dtype == mt.float32
    assert y._data.min() >= -0.1 and y._data.max() <= 0.1


def test_clamp_without_bounds_raises():
    with pytest.raises(ValueError, match="min and max"):
        mt.randn(3).clamp()


# ------------------------------------------------------------------------- maximum / minimum
PAIRS = [((4,), (4,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((2, 3), ())]


@pytest.mark.parametrize("name,ref", [("maximum", np.maximum), ("minimum", np.minimum)])
@pytest.mark.parametrize("sa,sb", PAIRS)
def test_maximum_minimum_forward_and_gradcheck(name, ref, sa, sb):
    a, b = leaf(*sa), leaf(*sb)  # continuous samples: no ties
    method = getattr(mt.Tensor, name)
    np.testing.assert_array_equal(method(a, b)._data, ref(a._data, b._data))
    np.testing.assert_array_equal(getattr(mt, name)(a, b)._data, ref(a._data, b._data))
    assert gradcheck(method, (a, b))


def test_maximum_with_a_scalar_is_relu():
    x = mt.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = x.maximum(0.0)
    np.testing.assert_array_equal(y._data, [0, 2, 0, 4])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 1, 0, 1])


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_split_the_gradient_evenly_on_ties(name):
    a = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mt.tensor([1.0, 0.0, 5.0], requires_grad=True)
    getattr(a, name)(b).sum().backward()
    wins = [1.0, 0.0] if name == "maximum" else [0.0, 1.0]
    np.testing.assert_array_equal(a.grad, [0.5, wins[0], wins[1]])
    np.testing.assert_array_equal(b.grad, [0.5, wins[1], wins[0]])


def test_torch_style_max_min_of_two_tensors():
    a, b = leaf(3), leaf(3)
    np.testing.assert_array_equal(mt.max(a, b)._data, np.maximum(a._data, b._data))
    np.testing.assert_array_equal(mt.min(a, b)._data, np.minimum(a._data, b._data))
    assert gradcheck(lambda x, y: mt.max(x, y) * mt.min(x, y), (a, b))


# -------------------------------------------------------------------------------------- where
@pytest.mark.parametrize(
    "sc,sa,sb",
    [
        ((2, 3), (2, 3), (2, 3)),
        ((2, 3), (3,), (2, 3)),
        ((2, 1), (1, 3), (3,)),
        ((3,), (2, 3), ()),
    ],
)
def test_where_forward_and_gradcheck(sc, sa, sb, rng):
    cond = rng.random(sc) > 0.5
    a, b = leaf(*sa), leaf(*sb)
    out = mt.where(mt.tensor(cond), a, b)
    np.testing.assert_array_equal(out._data, np.where(cond, a._data, b._data))
    assert gradcheck(lambda x, y: mt.where(cond, x, y), (a, b))


def test_where_gradient_is_routed_by_the_condition():
    cond = mt.tensor([True, False, True])
    a, b = mt.ones(3, requires_grad=True), mt.ones(3, requires_grad=True)
    mt.where(cond, a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [1, 0, 1])
    np.testing.assert_array_equal(b.grad, [0, 1, 0])


def test_where_with_a_scalar_branch_keeps_float32():
    x = mt.randn(4, requires_grad=True)
    out = mt.where(x > 0, x, 0.0)
    assert out.dtype == mt.float32
    np.testing.assert_array_equal(out._data, np.where(x._data > 0, x._data, 0))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, (x._data > 0).astype(np.float32))
    out2 = mt.where(x > 0, 1.0, x)
    np.testing.assert_array_equal(out2._data, np.where(x._data > 0, 1.0, x._data))


def test_where_needs_a_tensor_branch():
    with pytest.raises(TypeError, match="at least one of input and other"):
        mt.where(np.array([True]), 1.0, 0.0)


# -------------------------------------------------------------------------------------- casts
@pytest.mark.parametrize(
    "cast,target",
    [
        (lambda t: t.float(), mt.float32),
        (lambda t: t.to(mt.float32), mt.float32),
        (lambda t: t.to("float16"), mt.float16),
        (lambda t: t.type(mt.float32), mt.float32),
    ],
)
def test_downcast_keeps_the_gradient_in_the_source_dtype(cast, target):
    x = mt.tensor([0.5, -1.25, 2.0], dtype=mt.float64, requires_grad=True)
    y = cast(x)
    assert y.dtype == target and y.requires_grad and y.grad_fn.fn is mt.ops.Cast
    np.testing.assert_array_equal(y._data, x._data.astype(target))
    (y * y).sum().backward()
    assert x.grad.dtype == mt.float64
    np.testing.assert_allclose(x.grad, 2 * x._data, rtol=1e-3)


def test_double_of_float32_has_gradient_in_float32():
    x = mt.randn(2, 3, requires_grad=True)
    y = x.double()
    assert y.dtype == mt.float64
    (y * 3.0).sum().backward()
    assert x.grad.dtype == mt.float32
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 3.0, dtype=np.float32))


def test_cast_gradcheck_through_float32():
    # float32 rounding needs a larger step; a quadratic keeps central differences exact.
    x = leaf(2, 3)
    assert gradcheck(lambda t: t.float() ** 2, (x,), eps=1e-3, atol=1e-3, rtol=1e-3)
    assert gradcheck(lambda t: t.float().double() * t, (x,), eps=1e-3, atol=1e-3, rtol=1e-3)


def test_cast_to_the_same_dtype_is_the_same_tensor():
    x = mt.randn(3, requires_grad=True)
    assert x.float() is x and x.to(mt.float32) is x


def test_cast_to_integer_or_bool_cuts_the_graph():
    x = mt.tensor([1.7, -2.2, 0.0], requires_grad=True)
    for y, dtype, ref in [
        (x.long(), mt.int64, [1, -2, 0]),
        (x.int(), mt.int32, [1, -2, 0]),
        (x.bool(), mt.bool, [True, True, False]),
    ]:
        assert y.dtype == dtype and not y.requires_grad and y.grad_fn is None
        np.testing.assert_array_equal(y._data, ref)


def test_integer_to_float_cast():
    i = mt.arange(4)
    f = i.float()
    assert f.dtype == mt.float32 and not f.requires_grad
    np.testing.assert_array_equal(f._data, [0, 1, 2, 3])
    assert f.requires_grad_().requires_grad


# -------------------------------------------------------------------------------- comparisons
COMPARISONS = [
    (operator.eq, np.equal),
    (operator.ne, np.not_equal),
    (operator.lt, np.less),
    (operator.le, np.less_equal),
    (operator.gt, np.greater),
    (operator.ge, np.greater_equal),
]


@pytest.mark.parametrize("op,ref", COMPARISONS, ids=[c[0].__name__ for c in COMPARISONS])
def test_comparisons_give_bool_tensors_without_gradient(op, ref):
    a = mt.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], requires_grad=True)
    b = mt.tensor([2.0, 2.0, 2.0], requires_grad=True)
    for other, other_ref in [(b, b._data), (2.0, 2.0), (np.array([1.0, 2.0, 3.0]),) * 2]:
        out = op(a, other)
        assert isinstance(out, mt.Tensor) and out.dtype == mt.bool
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out._data, ref(a._data, other_ref))


def test_comparison_broadcast_mismatch_names_op_and_shapes():
    with pytest.raises(mt.ShapeError, match=r"less.*\(2,3\).*\(4,\)"):
        mt.randn(2, 3) < mt.randn(4)


def test_comparison_methods_and_reflection():
    a = mt.tensor([1, 2, 3])
    np.testing.assert_array_equal(a.gt(1)._data, [False, True, True])
    np.testing.assert_array_equal(a.eq(mt.tensor([1, 0, 3]))._data, [True, False, True])
    out = 2 < a  # reflected to a > 2
    assert isinstance(out, mt.Tensor)
    np.testing.assert_array_equal(out._data, [False, False, True])
    out = np.array([1, 5, 3]) == a
    assert isinstance(out, mt.Tensor)
    np.testing.assert_array_equal(out._data, [True, False, True])


def test_mask_from_comparison_used_in_arithmetic():
    x = mt.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    y = x * (x > 0)
    assert y.dtype == mt.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])
