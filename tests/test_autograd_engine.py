"""The backward engine, grad modes, user-defined Functions and gradcheck itself."""

import operator
import re

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import Function, GradcheckError, gradcheck


def leaf(*shape):
    return mt.randn(*shape, dtype=mt.float64, requires_grad=True)


# --------------------------------------------------------------------------------- accumulation
def test_gradients_accumulate_across_two_backward_calls_on_fresh_graphs():
    x = leaf(3)
    (x * x).sum().backward()
    first = x.grad
    np.testing.assert_allclose(first, 2 * x._data)
    (x * 3.0).sum().backward()
    assert x.grad is first  # accumulated in place with +=, not rebound
    np.testing.assert_allclose(x.grad, 2 * x._data + 3.0)


def test_gradients_accumulate_across_backward_calls_with_retain_graph():
    x = leaf(2, 2)
    y = (x**3).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * 3 * x._data**2)


def test_accumulation_into_a_preset_grad_buffer():
    x = mt.ones(3, requires_grad=True)
    buffer = mt.full((3,), 10.0)
    x.grad = buffer
    (x * 2.0).sum().backward()
    assert x.grad is buffer  # accumulated in place, as in PyTorch
    np.testing.assert_array_equal(buffer._data, [12.0, 12.0, 12.0])


def test_a_tensor_used_several_times_gets_the_summed_gradient():
    x = leaf(4)
    y = x * x + x + x.exp() * 2 - x / 2
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x._data + 1 + 2 * np.exp(x._data) - 0.5)


def test_diamond_graph():
    x = leaf(3)
    a = x * 2
    b = a * a
    c = a + b
    d = (c * a).sum()  # d = 2x*(2x + 4x^2) = 4x^2 + 8x^3
    d.backward()
    np.testing.assert_allclose(x.grad, 8 * x._data + 24 * x._data**2)


def test_same_tensor_as_both_operands():
    x = leaf(3)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x._data)
    y = leaf(2)
    (y + y).sum().backward()
    np.testing.assert_array_equal(y.grad, [2.0, 2.0])


def test_autograd_backward_function():
    x = leaf(3)
    mt.autograd.backward((x * 4).sum())
    np.testing.assert_array_equal(x.grad, [4, 4, 4])


# -------------------------------------------------------------------------------- graph freeing
def test_second_backward_without_retain_graph_raises():
    x = leaf(3)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = leaf(3)
    y = (x.exp()).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 3 * np.exp(x._data))


def test_freed_intermediate_cannot_be_backpropagated_again():
    x = leaf(3)
    h = x * 2
    h.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        (h * 3).sum().backward()


# ----------------------------------------------------------------------------- backward errors
def test_backward_on_a_non_scalar_needs_a_gradient():
    x = leaf(2, 3)
    with pytest.raises(RuntimeError, match=r"scalar outputs.*\(2, 3\)"):
        (x * 2).backward()


def test_backward_with_an_explicit_gradient():
    x = leaf(2, 3)
    g = np.arange(6.0).reshape(2, 3)
    (x * 2).backward(g)
    np.testing.assert_array_equal(x.grad, 2 * g)
    z = leaf(2)
    (z * 1.0).backward(mt.tensor([1.0, -1.0]))
    np.testing.assert_array_equal(z.grad, [1.0, -1.0])


def test_backward_with_a_gradient_of_the_wrong_shape_raises():
    x = leaf(2, 3)
    with pytest.raises(mt.ShapeError, match=r"\(3, 2\).*\(2, 3\)"):
        (x * 2).backward(np.ones((3, 2)))


def test_backward_on_a_tensor_without_graph_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        mt.randn(3).sum().backward()


def test_backward_on_a_leaf_scalar():
    x = mt.tensor(3.0, requires_grad=True)
    x.backward()
    assert x.grad == 1.0


# ------------------------------------------------------------------------------------ grad mode
def test_no_grad_context_manager_builds_no_graph():
    x = leaf(3)
    with mt.no_grad():
        assert not mt.is_grad_enabled()
        y = x * 2 + x.exp()
    assert mt.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf
    np.testing.assert_allclose(y._data, x._data * 2 + np.exp(x._data))


def test_no_grad_as_decorator_with_and_without_parentheses():
    x = leaf(3)

    @mt.no_grad()
    def double(t):
        assert not mt.is_grad_enabled()
        return t * 2

    @mt.no_grad
    def triple(t):
        return t * 3

    assert triple.__name__ == "triple"
    for fn in (double, triple):
        out = fn(x)
        assert not out.requires_grad and out.grad_fn is None
    assert mt.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = leaf(3)
    with mt.no_grad():
        with mt.enable_grad():
            assert mt.is_grad_enabled()
            y = x * 2
        z = x * 2
        assert not mt.is_grad_enabled()
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad

    @mt.enable_grad()
    def f(t):
        return t * 2

    with mt.no_grad():
        assert f(x).requires_grad


def test_set_grad_enabled_as_context_manager_and_function():
    x = leaf(2)
    with mt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert mt.is_grad_enabled()
    with mt.set_grad_enabled(True):
        assert (x * 2).requires_grad
    mt.set_grad_enabled(False)
    try:
        assert not mt.is_grad_enabled() and not (x * 2).requires_grad
    finally:
        mt.set_grad_enabled(True)
    assert mt.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with mt.no_grad():
            1 / 0
    assert mt.is_grad_enabled()


def test_nested_no_grad_with_one_instance_is_reentrant():
    ctx = mt.no_grad()
    with ctx:
        with ctx:
            pass
        assert not mt.is_grad_enabled()
    assert mt.is_grad_enabled()


def test_no_graph_for_tensors_that_do_not_require_grad():
    a, b = mt.randn(3), mt.randn(3)
    out = (a * b).exp().sum()
    assert not out.requires_grad and out.grad_fn is None and out.is_leaf


def test_graph_records_the_function():
    x = leaf(3)
    y = x * 2
    assert y.grad_fn.fn is mt.ops.Mul and not y.is_leaf and x.is_leaf
    assert x.grad_fn is None


# ------------------------------------------------------------------------- deep / retain / detach
def test_a_chain_of_100000_ops_backpropagates_without_recursion_error():
    x = mt.tensor([1.0], dtype=mt.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.00001**100_000], rtol=1e-9)


def test_retain_grad_on_a_non_leaf():
    x = leaf(3)
    h = x * 2
    h.retain_grad()
    other = x + 1  # non-leaf without retain_grad
    (h * h + other).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h._data)
    assert other.grad is None
    np.testing.assert_allclose(x.grad, 8 * x._data + 1)


def test_detach_shares_data_but_cuts_the_graph():
    x = leaf(3)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d._data, x._data)
    (x * d).sum().backward()  # d acts as a constant
    np.testing.assert_allclose(x.grad, x._data)


def test_requires_grad_flag_rules():
    x = mt.randn(2)
    assert not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False
    x.requires_grad = False
    assert not x.requires_grad


# ------------------------------------------------------------------------------------- in-place
def test_inplace_on_a_leaf_requiring_grad_raises_outside_no_grad():
    x = mt.ones(3, requires_grad=True)
    for update in (operator.iadd, operator.isub, operator.imul, operator.itruediv):
        with pytest.raises(RuntimeError, match="in-place.*no_grad"):
            update(x, 1.0)
    np.testing.assert_array_equal(x._data, [1, 1, 1])


def test_inplace_with_an_operand_requiring_grad_is_recorded():
    # As in PyTorch: x becomes a non-leaf whose history is the addition.
    x, w = mt.ones(3), mt.ones(3, requires_grad=True)
    x += w
    assert x.requires_grad and not x.is_leaf
    (x * w).sum().backward()
    np.testing.assert_array_equal(w.grad._data, [3.0, 3.0, 3.0])  # d/dw (1 + w) w = 1 + 2w


def test_inplace_update_inside_no_grad_works_like_an_sgd_step():
    w = mt.tensor([1.0, 2.0], requires_grad=True)
    data = w._data
    (w * w).sum().backward()
    with mt.no_grad():
        w -= 0.25 * mt.tensor(w.grad)
        w *= 2.0
        w += 1
        w /= 2
    assert w._data is data and w.requires_grad and w.is_leaf
    np.testing.assert_allclose(w._data, ((np.array([1.0, 2.0]) * 0.5) * 2 + 1) / 2)


def test_inplace_on_plain_tensors_is_allowed():
    x = mt.zeros(3)
    x += 2
    x *= mt.tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x._data, [2, 4, 6])
    assert x.zero_() is x and not x._data.any()


# -------------------------------------------------------------------------------- user Functions
class Sigmoid(Function):
    """The thesis's delta: sigma'(z) = sigma(z) (1 - sigma(z)), from the saved output."""

    @staticmethod
    def forward(ctx, z):
        s = 1 / (1 + np.exp(-z))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * s * (1 - s)


class ScaledProduct(Function):
    """a * b * scale, with a non-tensor argument."""

    @staticmethod
    def forward(ctx, a, b, scale):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a * b * scale

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b * ctx.scale, grad * a * ctx.scale, None


@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_user_function_with_save_for_backward_passes_gradcheck(shape):
    z = leaf(*shape)
    out = Sigmoid.apply(z)
    np.testing.assert_allclose(out._data, 1 / (1 + np.exp(-z._data)))
    assert out.grad_fn.fn is Sigmoid
    assert gradcheck(Sigmoid.apply, (z,))


def test_user_function_with_several_inputs_and_needs_input_grad():
    a, b = leaf(2, 3), leaf(2, 3)
    assert gradcheck(lambda x, y: ScaledProduct.apply(x, y, 1.5), (a, b))
    c = mt.randn(2, 3, dtype=mt.float64)  # only one input needs a gradient
    seen = {}

    class Spy(ScaledProduct):
        @staticmethod
        def backward(ctx, grad):
            seen["needs"] = ctx.needs_input_grad
            return ScaledProduct.backward(ctx, grad)

    Spy.apply(a, c, 2.0).sum().backward()
    assert seen["needs"] == (True, False, False)
    assert c.grad is None


class Affine(Function):
    """Keeps its constants on ctx and reads them back in forward itself."""

    @staticmethod
    def forward(ctx, x, scale, shift):
        ctx.scale, ctx.shift = scale, shift
        return x * ctx.scale + ctx.shift

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scale, None, None


def test_user_function_reading_its_ctx_in_forward_works_with_and_without_a_graph():
    x = leaf(2, 3)
    with mt.no_grad():
        out = Affine.apply(x, 2.0, 1.0)
    np.testing.assert_allclose(out._data, 2 * x._data + 1)
    assert gradcheck(lambda t: Affine.apply(t, 2.0, 1.0), (x,))  # evaluates under no_grad too
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = ctx.needs_input_grad
            return a + b

    with mt.no_grad():
        Probe.apply(x, x)
    assert seen["needs"] == (False, False)


def test_user_function_under_no_grad_records_nothing():
    z = leaf(3)
    with mt.no_grad():
        out = Sigmoid.apply(z)
    assert not out.requires_grad and out.grad_fn is None


class TooManyGrads(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2, grad


class WrongShapeGrad(Function):
    @staticmethod
    def forward(ctx, a):
        return a * 2

    @staticmethod
    def backward(ctx, grad):
        return grad.sum(axis=0)


def test_backward_returning_the_wrong_number_of_gradients_raises():
    with pytest.raises(
        RuntimeError,
        match=r"TooManyGradsBackward returned an incorrect number of gradients \(expected 1, got 2",
    ):
        TooManyGrads.apply(leaf(3)).sum().backward()


def test_backward_returning_a_gradient_of_the_wrong_shape_raises():
    with pytest.raises(
        mt.ShapeError, match=r"WrongShapeGradBackward.*got shape \(3,\).*compatible with \(2, 3\)"
    ):
        WrongShapeGrad.apply(leaf(2, 3)).sum().backward()


def test_function_without_forward_or_backward_raises_not_implemented():
    class Empty(Function):
        pass

    with pytest.raises(NotImplementedError):
        Empty.apply(leaf(2))


# ------------------------------------------------------------------------------------ gradcheck
class BrokenMul(Function):
    """Correct gradient for ``a``; the gradient for ``b`` is off by one at element (1, 2)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        gb = grad * a
        gb[1, 2] += 1.0
        return grad * b, gb


def test_gradcheck_names_input_element_and_both_derivatives():
    a, b = leaf(2, 3), leaf(2, 3)
    with pytest.raises(GradcheckError) as info:
        gradcheck(BrokenMul.apply, (a, b))
    msg = str(info.value)
    assert "input 1" in msg and "(1, 2)" in msg
    found = re.search(r"backward gave (\S+), central difference gives (\S+) ", msg)
    assert found, msg
    analytic, numeric = float(found.group(1)), float(found.group(2))
    assert abs(analytic - numeric) > 0.1
    assert isinstance(info.value, AssertionError)


def test_gradcheck_can_return_false_instead_of_raising():
    a, b = leaf(2, 3), leaf(2, 3)
    assert gradcheck(BrokenMul.apply, (a, b), raise_exception=False) is False
    assert gradcheck(lambda x, y: x * y, (a, b), raise_exception=False) is True


def test_gradcheck_does_not_touch_the_callers_tensors_or_generator():
    a = leaf(2, 2)
    before = a._data.copy()
    state = mt.random.get_state()
    assert gradcheck(lambda t: (t * t).sum(), (a,))
    np.testing.assert_array_equal(a._data, before)
    assert a.grad is None
    assert mt.random.get_state() == state


def test_gradcheck_handles_tuple_outputs_and_constant_inputs():
    a = leaf(3, 2)
    assert gradcheck(lambda t, k: t.max(dim=k), (a, 1))


def test_gradcheck_needs_an_input_requiring_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t * 2, (mt.randn(3),))
