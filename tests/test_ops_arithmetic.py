"""Arithmetic ops: + - * / ** @ and unary minus, against NumPy and finite differences."""

import operator

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck


def leaf(*shape):
    return mt.randn(*shape, dtype=mt.float64, requires_grad=True)


def away_from_zero(*shape):
    """float64 leaf with |x| in [0.5, 2): safe as a divisor."""
    x = mt.rand(*shape, dtype=mt.float64) * 1.5 + 0.5
    sign = mt.tensor(np.where(mt.randn(*shape).numpy() < 0, -1.0, 1.0))
    return (x * sign).detach().requires_grad_()


def positive(*shape):
    return (mt.rand(*shape, dtype=mt.float64) * 1.5 + 0.5).requires_grad_()


BROADCAST_PAIRS = [
    ((), ()),
    ((3,), (3,)),
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((2, 1), (1, 4)),
    ((4, 1, 3), (2, 3)),
    ((2, 3), ()),
    ((), (2, 3)),
]

BINARY = {
    "add": (operator.add, np.add),
    "sub": (operator.sub, np.subtract),
    "mul": (operator.mul, np.multiply),
    "div": (operator.truediv, np.true_divide),
}


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_binary_forward_matches_numpy(name, sa, sb):
    op, ref = BINARY[name]
    a, b = leaf(*sa), away_from_zero(*sb)
    out = op(a, b)
    expected = ref(a._data, b._data)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out._data, expected, rtol=1e-12)
    assert out.requires_grad and out.grad_fn is not None


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
def test_binary_gradcheck(name, sa, sb):
    op, _ = BINARY[name]
    assert gradcheck(op, (leaf(*sa), away_from_zero(*sb)))


@pytest.mark.parametrize("name", BINARY)
def test_binary_gradient_shapes_follow_inputs_under_broadcasting(name):
    op, _ = BINARY[name]
    a, b = leaf(4, 1, 3), away_from_zero(2, 1)
    op(a, b).sum().backward()
    assert a.grad.shape == (4, 1, 3) and b.grad.shape == (2, 1)


def test_add_broadcast_gradient_is_the_sum_over_broadcast_axes():
    a, b = leaf(2, 3), leaf(3)
    (a + b).sum().backward()
    np.testing.assert_array_equal(a.grad, np.ones((2, 3)))
    np.testing.assert_array_equal(b.grad, np.full(3, 2.0))


def test_mul_gradient_values():
    a, b = leaf(2, 3), leaf(2, 3)
    (a * b).sum().backward()
    np.testing.assert_allclose(a.grad, b._data)
    np.testing.assert_allclose(b.grad, a._data)


def test_only_the_operand_requiring_grad_gets_a_gradient():
    a, b = leaf(3), mt.randn(3, dtype=mt.float64)
    (a - b).sum().backward()
    assert b.grad is None
    np.testing.assert_array_equal(a.grad, np.ones(3))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_unary_minus(shape):
    a = leaf(*shape)
    np.testing.assert_array_equal((-a)._data, -a._data)
    assert gradcheck(operator.neg, (a,))
    assert (+a) is a


# ------------------------------------------------------------------------------------- power
@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 1, 0])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_pow_scalar_exponent(shape, exponent):
    x = positive(*shape)
    np.testing.assert_allclose((x**exponent)._data, np.power(x._data, exponent), rtol=1e-12)
    assert gradcheck(lambda t: t**exponent, (x,))


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2,))])
def test_pow_tensor_exponent(sa, sb):
    base, exponent = positive(*sa), leaf(*sb)
    out = base**exponent
    np.testing.assert_allclose(out._data, np.power(base._data, exponent._data), rtol=1e-12)
    assert gradcheck(operator.pow, (base, exponent))


def test_pow_square_of_negative_numbers_has_gradient_2x():
    x = mt.tensor([-2.0, 0.0, 3.0], dtype=mt.float64, requires_grad=True)
    (x**2).sum().backward()
    np.testing.assert_array_equal(x.grad, [-4.0, 0.0, 6.0])


# ------------------------------------------------------------------------------ reflected ops
REFLECTED = [
    ("2 + x", lambda x: 2 + x, lambda a: 2 + a),
    ("2 - x", lambda x: 2 - x, lambda a: 2 - a),
    ("2.5 * x", lambda x: 2.5 * x, lambda a: 2.5 * a),
    ("2 / x", lambda x: 2 / x, lambda a: 2 / a),
    ("2 ** x", lambda x: 2**x, lambda a: 2.0**a),
]


@pytest.mark.parametrize("label,fn,ref", REFLECTED, ids=[r[0] for r in REFLECTED])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_reflected_scalar_ops(label, fn, ref, shape):
    x = away_from_zero(*shape)
    out = fn(x)
    assert isinstance(out, mt.Tensor)
    np.testing.assert_allclose(out._data, ref(x._data), rtol=1e-12)
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("name", BINARY)
def test_ndarray_on_the_left_gives_a_tensor_with_gradient(name, rng):
    op, ref = BINARY[name]
    arr = rng.uniform(0.5, 2.0, size=(2, 3))
    x = away_from_zero(3)
    out = op(arr, x)
    assert isinstance(out, mt.Tensor)
    np.testing.assert_allclose(out._data, ref(arr, x._data), rtol=1e-12)
    assert gradcheck(lambda t: op(arr, t), (x,))


def test_ndarray_matmul_tensor(rng):
    arr = rng.standard_normal((2, 4))
    x = leaf(4, 3)
    out = arr @ x
    assert isinstance(out, mt.Tensor)
    np.testing.assert_allclose(out._data, arr @ x._data, rtol=1e-12)
    assert gradcheck(lambda t: arr @ t, (x,))


def test_list_operand_is_converted_with_the_tensor_dtype():
    x = mt.randn(3, requires_grad=True)
    out = x + [1.0, 2.0, 3.0]
    assert out.dtype == mt.float32
    np.testing.assert_allclose(out._data, x._data + np.array([1, 2, 3], dtype=np.float32))


def test_unsupported_operand_type_raises_type_error():
    with pytest.raises(TypeError, match="unsupported operand of type str"):
        mt.randn(3) + "a"


# ------------------------------------------------------------------------------------ matmul
MATMUL_SHAPES = [
    ((3, 4), (4, 5)),
    ((4,), (4, 5)),
    ((3, 4), (4,)),
    ((4,), (4,)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_forward_and_gradcheck(sa, sb):
    a, b = leaf(*sa), leaf(*sb)
    out = a @ b
    expected = np.matmul(a._data, b._data)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out._data, expected, rtol=1e-12)
    np.testing.assert_allclose(mt.matmul(a, b)._data, expected, rtol=1e-12)
    assert gradcheck(operator.matmul, (a, b))


def test_matmul_gradient_is_the_thesis_formula():
    # y = X @ W: dL/dW = X^T delta, dL/dX = delta W^T
    x, w = leaf(5, 3), leaf(3, 2)
    delta = np.arange(10.0).reshape(5, 2)
    (x @ w).backward(delta)
    np.testing.assert_allclose(w.grad, x._data.T @ delta)
    np.testing.assert_allclose(x.grad, delta @ w._data.T)


def test_matmul_shape_mismatch_names_op_and_both_shapes():
    a, b = mt.randn(128, 785), mt.randn(784, 64)
    with pytest.raises(mt.ShapeError) as info:
        a @ b
    msg = str(info.value)
    assert "matmul" in msg and "(128, 785)" in msg and "(784, 64)" in msg
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)


def test_matmul_batch_mismatch_raises_shape_error():
    with pytest.raises(mt.ShapeError, match="MatMul"):
        mt.randn(2, 3, 4) @ mt.randn(3, 4, 5)


def test_matmul_of_a_0d_tensor_raises_shape_error():
    with pytest.raises(mt.ShapeError, match="at least 1 dimension"):
        mt.tensor(2.0) @ mt.randn(3)


def test_matmul_mixed_float32_float64_raises_type_error():
    with pytest.raises(TypeError, match="float32.*float64|same dtype"):
        mt.randn(2, 3) @ mt.randn(3, 4, dtype=mt.float64)


def test_matmul_integer_by_float_raises_type_error_instead_of_promoting():
    with pytest.raises(TypeError, match="int64 and float32"):
        mt.arange(3) @ mt.randn(3, 2)


# -------------------------------------------------------------------------- broadcast errors
@pytest.mark.parametrize("name", BINARY)
def test_broadcast_mismatch_names_op_and_shapes(name):
    op, _ = BINARY[name]
    with pytest.raises(mt.ShapeError) as info:
        op(mt.randn(2, 3), mt.randn(4))
    msg = str(info.value)
    assert name in msg.lower() and "(2, 3)" in msg and "(4,)" in msg


# --------------------------------------------------------------------------------- dtypes
FLOAT32_EXPRESSIONS = [
    ("x * 2.5", lambda x: x * 2.5),
    ("x / 3", lambda x: x / 3),
    ("x ** 2", lambda x: x**2),
    ("x ** 0.5", lambda x: x.abs() ** 0.5),
    ("2 ** x", lambda x: 2**x),
    ("1 - x", lambda x: 1 - x),
    ("2.5 / x", lambda x: 2.5 / x),
    ("x * np.float64", lambda x: x * np.float64(2.5)),
    ("np.float64 + x", lambda x: np.float64(2.5) + x),
    ("x @ x.T", lambda x: x @ x.T),
    ("-x", lambda x: -x),
]


@pytest.mark.parametrize("label,fn", FLOAT32_EXPRESSIONS, ids=[e[0] for e in FLOAT32_EXPRESSIONS])
def test_float32_graphs_stay_float32(label, fn):
    x = mt.randn(2, 2, requires_grad=True)
    out = fn(x)
    assert out.dtype == mt.float32
    out.sum().backward()
    assert x.grad.dtype == mt.float32


def test_float64_graphs_stay_float64():
    x = mt.randn(2, 3, dtype=mt.float64, requires_grad=True)
    out = (x * 2.5 - 1) / 3 + x**2 + 2**x
    out = out @ mt.ones(3, 2, dtype=mt.float64)
    assert out.dtype == mt.float64
    out.sum().backward()
    assert x.grad.dtype == mt.float64


def test_integer_divided_by_integer_is_float32():
    out = mt.tensor([1, 2, 3]) / mt.tensor([2, 2, 2])
    assert out.dtype == mt.float32
    np.testing.assert_allclose(out._data, [0.5, 1.0, 1.5])
    assert (mt.tensor([1, 2, 3]) / 2).dtype == mt.float32
    assert (6 / mt.tensor([1, 2, 3])).dtype == mt.float32


def test_integer_divided_by_integer_follows_the_default_dtype():
    mt.set_default_dtype(mt.float64)
    assert (mt.tensor([1, 2]) / mt.tensor([2, 2])).dtype == mt.float64


def test_integer_arithmetic_stays_integer():
    a, b = mt.tensor([1, 2, 3]), mt.tensor([4, 5, 6])
    cases = [(a + b, [5, 7, 9]), (a * b, [4, 10, 18]), (b - a, [3, 3, 3]), (a**2, [1, 4, 9])]
    for out, ref in cases:
        assert out.dtype == mt.int64
        np.testing.assert_array_equal(out._data, ref)


@pytest.mark.parametrize(
    "fn",
    [
        lambda i, x: i * 2.5,
        lambda i, x: 2.5 - i,
        lambda i, x: i**0.5,
        lambda i, x: i + x,
        lambda i, x: x * i,
        lambda i, x: x / i,
        lambda i, x: i - x,
    ],
)
def test_integer_mixed_with_float_gives_float32_not_float64(fn):
    i, x = mt.tensor([1, 2, 3]), mt.randn(3, requires_grad=True)
    out = fn(i, x)
    assert out.dtype == mt.float32
    np.testing.assert_allclose(out._data, fn(i._data, x._data).astype(np.float32), rtol=1e-6)


def test_bool_tensor_times_float_is_float32():
    mask = mt.tensor([True, False, True])
    x = mt.randn(3, requires_grad=True)
    out = x * mask
    assert out.dtype == mt.float32
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])
    assert (mask * 0.5).dtype == mt.float32
