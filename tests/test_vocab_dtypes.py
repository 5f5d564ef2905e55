"""Dtypes and tensor metadata: promote_types / result_type / can_cast over PyTorch's rules
(recorded), finfo/iinfo, mt.Size, element_size, stride, contiguous, __index__, to(copy=)."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


def _table(torch, fn):
    dtypes = [getattr(torch, n) for n in NAMES]
    return np.array([[str(fn(a, b)).replace("torch.", "") for b in dtypes] for a in dtypes])


def test_promote_types_and_can_cast_as_pytorch():
    want = reference("dtypes/promote_types", lambda torch: _table(torch, torch.promote_types))
    got = _table(mt, mt.promote_types)
    np.testing.assert_array_equal(got, want)
    want = reference("dtypes/can_cast", lambda torch: _table(torch, torch.can_cast))
    np.testing.assert_array_equal(_table(mt, mt.can_cast), want)


OPERANDS = {
    "int_tensor": lambda lib: lib.tensor([1, 2]),
    "int32_tensor": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "float16_tensor": lambda lib: lib.tensor([1.0], dtype=lib.float16),
    "float_tensor": lambda lib: lib.tensor([1.0]),
    "bool_tensor": lambda lib: lib.tensor([True]),
    "int_scalar_tensor": lambda lib: lib.tensor(3),
    "double_scalar_tensor": lambda lib: lib.tensor(3.0, dtype=lib.float64),
    "int8_scalar_tensor": lambda lib: lib.tensor(3, dtype=lib.int8),
    "python_int": lambda lib: 2,
    "python_float": lambda lib: 2.5,
    "python_bool": lambda lib: True,
}


def _result_types(torch):
    make = list(OPERANDS.values())
    return np.array([[str(torch.result_type(a(torch), b(torch))) for b in make] for a in make[:-3]])


def test_result_type_as_pytorch():
    want = reference("dtypes/result_type", _result_types)
    np.testing.assert_array_equal(_result_types(mt), want)  # both print torch.float32


def test_result_type_under_float64_default():
    mt.set_default_dtype(mt.float64)
    assert mt.result_type(mt.tensor([1, 2]), 2.5) == mt.float64


def test_finfo_and_iinfo():
    assert mt.finfo(mt.float32).eps == np.finfo(np.float32).eps and mt.finfo().bits == 32
    assert mt.finfo(mt.float16).max == 65504 and mt.iinfo(mt.int32).max == 2**31 - 1
    with pytest.raises(TypeError, match="floating point input type"):
        mt.finfo(mt.int32)
    with pytest.raises(TypeError, match="integer input type"):
        mt.iinfo(mt.float32)
    with pytest.raises(TypeError, match="expected a dtype"):
        mt.promote_types("nope", mt.int8)
    with pytest.raises(TypeError, match="Tensors or numbers"):
        mt.result_type([1], mt.ones(1))


def test_size_is_a_tuple_that_counts_and_prints_as_torch_size():
    s = mt.ones(2, 3, 4).shape
    assert isinstance(s, mt.Size) and isinstance(s, tuple) and s == (2, 3, 4)
    assert s.numel() == 24 and s[1:] == (3, 4) and isinstance(s[1:], mt.Size) and s[-1] == 4
    assert isinstance(s + (5,), mt.Size) and isinstance((1,) + s, mt.Size)
    assert mt.Size([2, np.int64(3)]) == (2, 3) and mt.ones(2).size() == (2,)
    assert mt.ones(2, 3).size(-1) == 3 and mt.zeros(()).shape == ()
    with pytest.raises(TypeError, match="iterable of 'int'"):
        mt.Size([2.5])
    with pytest.raises(IndexError, match="out of range"):
        mt.ones(2).size(1)


def test_metadata_methods():
    x = mt.zeros(2, 3)
    assert x.dim() == x.ndimension() == 2 and x.nelement() == 6 and mt.numel(x) == 6
    assert x.element_size() == 4 and x.itemsize == 4 and x.nbytes == 24
    assert (
        x.is_floating_point() and mt.is_floating_point(x) and not mt.tensor([1]).is_floating_point()
    )
    assert mt.is_tensor(x) and not mt.is_tensor(np.zeros(2)) and not x.is_complex()
    assert x.stride() == (3, 1) and x.T.stride() == (1, 3) and x.stride(1) == 1
    assert x.is_contiguous() and not x.T.is_contiguous() and x.T.contiguous().is_contiguous()
    assert x.contiguous() is x and x[:, 1].storage_offset() == 1 and x.storage_offset() == 0
    assert x[1].data_ptr() == x.data_ptr() + 12
    assert x.type() == "torch.FloatTensor" and mt.tensor([1]).type() == "torch.LongTensor"
    assert x.half().dtype == mt.float16 and x.short().dtype == mt.int16
    assert x.char().dtype == mt.int8 and x.byte().dtype == mt.uint8
    assert x.type_as(mt.tensor([1])).dtype == mt.int64


def test_to_with_copy_returns_a_new_tensor():
    x = mt.ones(2)
    assert x.to(mt.float32) is x
    y = x.to(mt.float32, copy=True)
    y[0] = 5
    assert x.tolist() == [1.0, 1.0]
    w = mt.ones(2, requires_grad=True)
    c = w.clone()
    assert repr(c) == "tensor([1., 1.], grad_fn=<CloneBackward0>)"


def test_integer_tensors_index_python_sequences():
    items = [10, 20, 30]
    assert items[mt.tensor(1)] == 20 and list(range(mt.tensor(2))) == [0, 1]
    assert items[mt.tensor([2])] == 30
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        items[mt.tensor(1.0)]
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        items[mt.tensor([1, 2])]
