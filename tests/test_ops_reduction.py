"""Reductions: sum mean var std max min argmax argmin (dims, tuple dims, negative dims, keepdim)."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.autograd import gradcheck


def leaf(*shape):
    return mt.randn(*shape, dtype=mt.float64, requires_grad=True)


def as_axis(dim):
    return tuple(dim) if isinstance(dim, list) else dim


DIMS = [None, 0, 1, -1, (0, 2), (-1, 0), [1, 2], (0, 1, 2)]


@pytest.mark.parametrize("name", ["sum", "mean"])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_mean_forward_and_gradcheck(name, dim, keepdim):
    x = leaf(2, 3, 4)
    out = getattr(x, name)(dim, keepdim)
    expected = getattr(np, name)(x._data, axis=as_axis(dim), keepdims=keepdim)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out._data, expected, rtol=1e-12)
    assert gradcheck(lambda t: getattr(t, name)(dim, keepdim), (x,))


@pytest.mark.parametrize("shape", [(), (5,), (3, 1)])
@pytest.mark.parametrize("name", ["sum", "mean"])
def test_sum_mean_small_shapes(shape, name):
    x = leaf(*shape)
    np.testing.assert_allclose(getattr(x, name)()._data, getattr(np, name)(x._data))
    assert gradcheck(lambda t: getattr(t, name)(), (x,))


def test_functional_and_axis_keyword_forms():
    x = leaf(2, 3)
    np.testing.assert_allclose(mt.sum(x, 1)._data, x._data.sum(1))
    np.testing.assert_allclose(
        mt.mean(x, dim=0, keepdim=True)._data, x._data.mean(0, keepdims=True)
    )
    np.testing.assert_allclose(x.sum(axis=1)._data, x._data.sum(1))
    with pytest.raises(TypeError, match="either dim or axis"):
        x.sum(0, axis=1)


def test_sum_and_mean_gradient_values():
    x = leaf(2, 5)
    (x.sum() + x.mean(dim=1).sum()).backward()
    np.testing.assert_allclose(x.grad, np.full((2, 5), 1.0 + 1 / 5))


def test_sum_of_bool_and_int_is_int64_like_pytorch():
    assert mt.tensor([True, True, False]).sum().item() == 2
    assert mt.tensor([True, True, False]).sum().dtype == mt.int64
    assert mt.tensor([1, 2, 3], dtype=mt.int32).sum().dtype == mt.int64


# ----------------------------------------------------------------------------------- var / std
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 2), [2, 1]], ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("unbiased", [True, False])
def test_var_std_forward_and_gradcheck(name, dim, keepdim, unbiased):
    x = leaf(3, 4, 5)
    fn = lambda t: getattr(t, name)(dim, unbiased, keepdim)  # noqa: E731
    expected = getattr(np, name)(x._data, axis=as_axis(dim), keepdims=keepdim, ddof=int(unbiased))
    out = fn(x)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out._data, expected, rtol=1e-10)
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_correction_keyword(correction):
    x = leaf(6)
    np.testing.assert_allclose(x.var(correction=correction)._data, np.var(x._data, ddof=correction))
    np.testing.assert_allclose(
        mt.std(x, correction=correction)._data, np.std(x._data, ddof=correction)
    )
    assert gradcheck(lambda t: t.var(correction=correction), (x,))


def test_var_gradient_value():
    x = leaf(5)
    x.var().backward()
    np.testing.assert_allclose(x.grad, 2 * (x._data - x._data.mean()) / 4)


@pytest.mark.parametrize("name", ["mean", "var", "std"])
def test_mean_var_std_of_integers_raise_instead_of_answering_in_float64(name):
    with pytest.raises(TypeError, match="floating point"):
        getattr(mt.tensor([1, 2, 3]), name)()


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "max", "min"])
def test_float32_reductions_and_their_gradients_stay_float32(name):
    x = mt.randn(3, 4, requires_grad=True)
    for out in (getattr(x, name)(), getattr(x, name)(1)):
        out = out[0] if isinstance(out, tuple) else out
        assert out.dtype == mt.float32
    x.grad = None
    getattr(x, name)().backward()
    assert x.grad.dtype == mt.float32


# ------------------------------------------------------------------------------------- max/min
@pytest.mark.parametrize("name,ref", [("max", np.max), ("min", np.min)])
@pytest.mark.parametrize("shape", [(), (7,), (3, 4), (2, 3, 4)])
def test_max_min_over_all_elements(name, ref, shape):
    x = leaf(*shape)
    out = getattr(x, name)()
    assert out.shape == () and out.item() == ref(x._data)
    assert getattr(mt, name)(x).item() == ref(x._data)
    assert gradcheck(lambda t: getattr(t, name)(), (x,))


@pytest.mark.parametrize(
    "name,ref,argref", [("max", np.max, np.argmax), ("min", np.min, np.argmin)]
)
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_return_values_and_indices(name, ref, argref, dim, keepdim):
    x = leaf(2, 3, 4)
    result = getattr(x, name)(dim, keepdim)
    values, indices = result  # unpacks like PyTorch's (values, indices)
    assert result.values is values and result.indices is indices
    expected = ref(x._data, axis=dim, keepdims=keepdim)
    expected_idx = argref(x._data, axis=dim)
    if keepdim:
        expected_idx = np.expand_dims(expected_idx, dim)
    np.testing.assert_array_equal(values._data, expected)
    np.testing.assert_array_equal(indices._data, expected_idx)
    assert indices.dtype == mt.int64 and not indices.requires_grad
    assert values.requires_grad
    assert gradcheck(lambda t: getattr(t, name)(dim, keepdim).values, (x,))


def test_max_with_dim_gradient_goes_to_the_returned_index():
    x = mt.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    np.testing.assert_array_equal(values._data, [5.0, 7.0])
    np.testing.assert_array_equal(indices._data, [1, 0])  # first of the tied maxima
    values.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [1, 0, 0]])


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_over_all_elements_split_the_gradient_among_ties(name):
    x = mt.tensor([3.0, 1.0, 3.0, 2.0, 3.0, 1.0], requires_grad=True)
    extreme = getattr(x, name)()
    (extreme * 6.0).backward()
    tied = x._data == extreme.item()
    np.testing.assert_allclose(x.grad, np.where(tied, 6.0 / tied.sum(), 0.0))


def test_max_of_an_empty_tensor_raises():
    with pytest.raises(mt.ShapeError, match="empty"):
        mt.zeros(0).max()


# -------------------------------------------------------------------------------- argmax/argmin
@pytest.mark.parametrize("name,ref", [("argmax", np.argmax), ("argmin", np.argmin)])
def test_argmax_argmin(name, ref):
    x = leaf(3, 4)
    flat = getattr(x, name)()
    assert flat.dtype == mt.int64 and flat.shape == () and flat.item() == ref(x._data)
    for dim in (0, 1, -1):
        out = getattr(mt, name)(x, dim)
        np.testing.assert_array_equal(out._data, ref(x._data, axis=dim))
        assert out.dtype == mt.int64 and not out.requires_grad and out.grad_fn is None
    kept = getattr(x, name)(1, keepdim=True)
    assert kept.shape == (3, 1)
    np.testing.assert_array_equal(kept._data[:, 0], ref(x._data, axis=1))


def test_argmax_ties_give_the_first_index():
    assert mt.tensor([1.0, 3.0, 3.0]).argmax().item() == 1


# ----------------------------------------------------------------------------------- dim errors
@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.sum(3),
        lambda x: x.mean(-4),
        lambda x: x.var((0, 5)),
        lambda x: x.max(3),
        lambda x: x.min(-4),
        lambda x: x.argmax(3),
        lambda x: x.std(dim=7),
    ],
)
def test_out_of_range_dim_raises_index_error_naming_the_range(call):
    with pytest.raises(IndexError, match=r"out of range.*\[-3, 2\]"):
        call(mt.randn(2, 3, 4))


def test_0d_tensor_accepts_dim_0_and_minus_1():
    x = mt.tensor(2.5, requires_grad=True)
    assert x.sum(0).item() == 2.5 and x.mean(-1).item() == 2.5
    values, indices = x.max(0)
    assert values.item() == 2.5 and indices.item() == 0
    with pytest.raises(IndexError):
        x.sum(1)
