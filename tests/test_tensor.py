"""Tensor basics: creation, dtypes, conversion, repr and the errors a user meets first."""

import numpy as np
import pytest

import minitorch_es as mt

# ------------------------------------------------------------------------------------ creation


def test_tensor_from_python_numbers_uses_pytorch_dtypes():
    assert mt.tensor([1.0, 2.0]).dtype == mt.float32
    assert mt.tensor(3.5).dtype == mt.float32 and mt.tensor(3.5).shape == ()
    assert mt.tensor([1, 2]).dtype == mt.int64
    assert mt.tensor([True, False]).dtype == mt.bool
    assert mt.tensor([1, 2.5]).dtype == mt.float32
    np.testing.assert_array_equal(mt.tensor([[1, 2], [3, 4]])._data, [[1, 2], [3, 4]])


def test_tensor_from_numpy_keeps_the_array_dtype():
    assert mt.tensor(np.zeros(2)).dtype == mt.float64
    assert mt.tensor(np.zeros(2, dtype=np.float32)).dtype == mt.float32
    assert mt.tensor(np.float64(1.5)).dtype == mt.float64
    assert mt.tensor(np.arange(3, dtype=np.int32)).dtype == mt.int32


def test_tensor_with_explicit_dtype():
    t = mt.tensor([1, 2], dtype=mt.float64)
    assert t.dtype == mt.float64
    np.testing.assert_array_equal(t._data, [1.0, 2.0])
    assert mt.tensor([1.7], dtype=mt.int32).dtype == mt.int32


def test_tensor_copies_but_from_numpy_shares():
    arr = np.zeros(3, dtype=np.float32)
    copied, shared = mt.tensor(arr), mt.from_numpy(arr)
    arr[0] = 5.0
    assert copied._data[0] == 0.0 and shared._data[0] == 5.0
    assert shared.dtype == mt.float32
    source = mt.randn(3)
    assert not np.shares_memory(mt.tensor(source)._data, source._data)


def test_as_tensor_returns_the_same_tensor_when_nothing_changes():
    t = mt.randn(3)
    assert mt.as_tensor(t) is t and mt.as_tensor(t, dtype=mt.float32) is t
    assert mt.as_tensor(t, dtype=mt.float64).dtype == mt.float64
    assert mt.as_tensor([1.0, 2.0]).dtype == mt.float32


def test_tensor_constructor_uses_the_default_dtype_for_python_floats():
    assert mt.Tensor([1.0, 2.0]).dtype == mt.float32
    assert mt.Tensor(np.array([1.0])).dtype == mt.float64
    assert mt.Tensor([1, 2]).dtype == mt.int64


def test_requires_grad_at_creation():
    for t in (
        mt.tensor([1.0], requires_grad=True),
        mt.zeros(2, requires_grad=True),
        mt.ones(2, requires_grad=True),
        mt.randn(2, requires_grad=True),
        mt.rand(2, requires_grad=True),
        mt.full((2,), 1.5, requires_grad=True),
        mt.eye(2, requires_grad=True),
        mt.linspace(0, 1, 3, requires_grad=True),
    ):
        assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None


@pytest.mark.parametrize("factory", [mt.zeros, mt.ones, mt.randn, mt.rand])
def test_size_factories(factory):
    for args in [(2, 3), ((2, 3),), ([2, 3],)]:
        t = factory(*args)
        assert t.shape == (2, 3) and t.dtype == mt.float32
    assert factory(2, dtype=mt.float64).dtype == mt.float64
    assert factory().shape == ()


def test_factory_values():
    np.testing.assert_array_equal(mt.zeros(2, 2)._data, np.zeros((2, 2)))
    np.testing.assert_array_equal(mt.ones(3)._data, np.ones(3))
    np.testing.assert_array_equal(mt.eye(3)._data, np.eye(3))
    np.testing.assert_array_equal(mt.eye(2, 3)._data, np.eye(2, 3))
    np.testing.assert_allclose(mt.linspace(0, 1, 5)._data, [0, 0.25, 0.5, 0.75, 1])
    r = mt.rand(1000)
    assert r._data.min() >= 0 and r._data.max() < 1
    n = mt.randn(10_000)
    assert abs(n._data.mean()) < 0.05 and abs(n._data.std() - 1) < 0.05


def test_full_infers_the_dtype_from_the_fill_value():
    assert mt.full((2, 2), 1.5).dtype == mt.float32
    assert mt.full((2,), 7).dtype == mt.int64
    assert mt.full(3, True).dtype == mt.bool
    assert mt.full((2,), 7, dtype=mt.float64).dtype == mt.float64
    np.testing.assert_array_equal(mt.full((2, 3), 2.5)._data, np.full((2, 3), 2.5))


def test_arange_dtypes_and_values():
    np.testing.assert_array_equal(mt.arange(4)._data, [0, 1, 2, 3])
    assert mt.arange(4).dtype == mt.int64
    np.testing.assert_array_equal(mt.arange(2, 8, 2)._data, [2, 4, 6])
    assert mt.arange(0, 1, 0.25).dtype == mt.float32
    np.testing.assert_allclose(mt.arange(0, 1, 0.25)._data, [0, 0.25, 0.5, 0.75])
    assert mt.arange(3.0).dtype == mt.float32


def test_zeros_like_and_ones_like_keep_shape_and_dtype():
    t = mt.randn(2, 3, dtype=mt.float64)
    z, o = mt.zeros_like(t), mt.ones_like(t)
    assert z.shape == o.shape == (2, 3) and z.dtype == o.dtype == mt.float64
    assert not z._data.any() and o._data.all()
    assert mt.zeros_like(t, dtype=mt.int64).dtype == mt.int64


# --------------------------------------------------------------------------------- default dtype
def test_float32_is_the_default():
    assert mt.get_default_dtype() == mt.float32
    for t in (
        mt.zeros(2),
        mt.ones(2),
        mt.randn(2),
        mt.rand(2),
        mt.tensor([0.5]),
        mt.eye(2),
        mt.full((2,), 0.5),
        mt.arange(0.5, 2),
        mt.linspace(0, 1, 3),
    ):
        assert t.dtype == mt.float32


def test_set_default_dtype_float64_applies_everywhere():
    mt.set_default_dtype(mt.float64)
    assert mt.get_default_dtype() == mt.float64
    for t in (
        mt.zeros(2),
        mt.ones(2),
        mt.randn(2),
        mt.rand(2),
        mt.tensor([0.5]),
        mt.eye(2),
        mt.full((2,), 0.5),
        mt.arange(0.5, 2),
        mt.linspace(0, 1, 3),
        mt.Tensor([1.0]),
        mt.tensor([1, 2]) / 2,
        mt.tensor([1]) * 0.5,
    ):
        assert t.dtype == mt.float64
    assert mt.tensor([1, 2]).dtype == mt.int64


def test_set_default_dtype_rejects_non_floating_dtypes():
    with pytest.raises(TypeError, match="floating"):
        mt.set_default_dtype(mt.int64)
    assert mt.get_default_dtype() == mt.float32


def test_dtype_aliases_follow_pytorch():
    assert mt.float is mt.float32 and mt.double is mt.float64 and mt.half is mt.float16
    assert mt.long is mt.int64 and mt.int is mt.int32 and mt.short is mt.int16
    assert mt.dtypes.is_floating_point(mt.float16) and not mt.dtypes.is_floating_point(mt.int8)


def test_a_float64_model_works_end_to_end():
    x = mt.randn(8, 3, dtype=mt.float64)
    w = mt.randn(3, 2, dtype=mt.float64, requires_grad=True)
    b = mt.zeros(2, dtype=mt.float64, requires_grad=True)
    h = (x @ w + b).maximum(0.0)
    loss = ((h - 1.0) ** 2).mean() + h.var() + h.std(0).sum() + h.max() - h.min(1)[0].sum()
    assert loss.dtype == mt.float64
    loss.backward()
    assert w.grad.dtype == b.grad.dtype == mt.float64


# ------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "bad,words",
    [
        ("abc", "numeric"),
        (["a", "b"], "numeric"),
        (np.array([1, "a"], dtype=object), "object"),
        ([[1, 2], [3]], "regular shape"),
        ([1 + 2j], "complex"),
        (None, "numeric"),
    ],
)
def test_tensor_of_non_numeric_or_ragged_data_raises_type_error(bad, words):
    with pytest.raises(TypeError, match=words) as info:
        mt.tensor(bad)
    assert "mt.tensor" in str(info.value)


def test_from_numpy_rejects_non_arrays_and_non_numeric_arrays():
    with pytest.raises(TypeError, match="numpy.ndarray"):
        mt.from_numpy([1.0])
    with pytest.raises(TypeError, match="unsupported dtype"):
        mt.from_numpy(np.array(["a"]))


@pytest.mark.parametrize(
    "make",
    [
        lambda: mt.tensor([1, 2], requires_grad=True),
        lambda: mt.arange(3).requires_grad_(),
        lambda: mt.zeros(2, dtype=mt.int64, requires_grad=True),
        lambda: mt.tensor([True]).requires_grad_(),
    ],
)
def test_integer_and_bool_tensors_cannot_require_grad(make):
    with pytest.raises(RuntimeError, match="floating point"):
        make()


def test_item_on_a_multi_element_tensor_raises():
    with pytest.raises(RuntimeError, match=r"one element.*\(2, 2\)"):
        mt.zeros(2, 2).item()
    with pytest.raises(ValueError):  # also catchable as ValueError
        mt.zeros(3).item()


def test_bad_sizes_raise_type_error():
    with pytest.raises(TypeError, match="size"):
        mt.zeros("a")
    with pytest.raises(TypeError, match="size"):
        mt.randn(2, None)


# -------------------------------------------------------------------------------- conversions
def test_item_and_python_number_conversions():
    t = mt.tensor([2.5])
    assert t.item() == 2.5 and isinstance(t.item(), float)
    assert float(t) == 2.5 and int(mt.tensor(3)) == 3 and isinstance(mt.tensor(3).item(), int)
    assert bool(mt.tensor([1.0])) and not bool(mt.tensor(0.0))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(mt.tensor([1.0, 2.0]))


def test_format_of_a_0d_tensor_formats_its_number():
    loss = mt.tensor(1.23456)
    assert f"{loss:.2f}" == "1.23" and f"{mt.tensor(7):03d}" == "007"
    assert f"{mt.tensor([1.0])}" == "tensor([1.])"


def test_numpy_tolist_and_array_protocol():
    t = mt.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(t.numpy(), np.ndarray) and t.numpy() is t._data
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    np.testing.assert_array_equal(np.asarray(t), t._data)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_np_array_of_a_tensor_is_a_copy_and_np_asarray_a_view():
    t = mt.zeros(3)
    copied = np.array(t)
    copied[0] = 99.0
    assert t._data[0] == 0.0
    assert np.shares_memory(np.asarray(t), t._data)


def test_numpy_of_a_tensor_requiring_grad_raises_and_detach_fixes_it():
    t = mt.randn(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        t.numpy()
    np.testing.assert_array_equal(t.detach().numpy(), t._data)


def test_shape_properties():
    t = mt.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.ndim == 3 and t.dim() == 3 and t.numel() == 24 and len(t) == 2
    with pytest.raises(TypeError, match="0-d"):
        len(mt.tensor(1.0))


def test_clone_copies_data_and_keeps_the_graph():
    x = mt.randn(3, requires_grad=True)
    c = x.clone()
    assert not np.shares_memory(c._data, x._data) and c.requires_grad
    (c * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2, 2, 2])
    plain = mt.randn(3)
    copy = plain.clone()
    copy._data[0] = 100
    assert plain._data[0] != 100


def test_tensors_hash_by_identity():
    a, b = mt.zeros(1), mt.zeros(1)
    assert len({a, b}) == 2 and {a: 1}[a] == 1


# ---------------------------------------------------------------------------------------- repr
def test_repr():
    assert repr(mt.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(mt.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(mt.tensor(3.5)) == "tensor(3.5000)"
    assert repr(mt.tensor([1.0], dtype=mt.float64)) == "tensor([1.], dtype=torch.float64)"
    assert repr(mt.ones(2, requires_grad=True)) == "tensor([1., 1.], requires_grad=True)"
    assert repr(mt.ones(2, requires_grad=True) * 2) == "tensor([2., 2.], grad_fn=<MulBackward0>)"
    two_d = repr(mt.zeros(2, 2))
    assert two_d == "tensor([[0., 0.],\n        [0., 0.]])"


def test_repr_under_float64_default_shows_non_default_float32():
    mt.set_default_dtype(mt.float64)
    assert repr(mt.tensor([1.0])) == "tensor([1.])"
    assert repr(mt.tensor([1.0], dtype=mt.float32)) == "tensor([1.], dtype=torch.float32)"
