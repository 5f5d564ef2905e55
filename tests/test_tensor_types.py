"""The legacy typed-tensor constructors (``mt.FloatTensor(2, 3)``, ``mt.LongTensor([1, 2])``
...), ``isinstance`` with them and ``Tensor.type``: values, dtypes and errors checked against
recorded PyTorch 2.13."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

TYPES = [
    "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
    "CharTensor", "ByteTensor", "BoolTensor",
]  # fmt: skip

# Each case: what a program calls, given the framework's module (torch or mt).
CASES = {
    "sizes": lambda t: t.FloatTensor(2, 3).zero_(),  # uninitialised in PyTorch: zeroed to compare
    "size_object": lambda t: t.DoubleTensor(t.Size([2, 1])).zero_(),
    "numpy_int_size": lambda t: t.FloatTensor(np.int64(2)).zero_(),
    "no_arguments": lambda t: t.FloatTensor(),
    "empty_list": lambda t: t.LongTensor([]),
    "long_data": lambda t: t.LongTensor([1, 2]),
    "tuple_is_data": lambda t: t.LongTensor((2, 3)),
    "floats_truncated": lambda t: t.LongTensor([1.7, -2.5]),
    "bool_data": lambda t: t.BoolTensor([0, 1, 2]),
    "byte_data": lambda t: t.ByteTensor([0, 255]),
    "char_data": lambda t: t.CharTensor([[-3], [4]]),
    "half_data": lambda t: t.HalfTensor([0.1, 1e6]),
    "short_data": lambda t: t.ShortTensor([7]),
    "int_data": lambda t: t.IntTensor([[1, 2]]),
    "numpy_ints_as_float": lambda t: t.FloatTensor(np.array([1, 2])),
    "numpy_scalar_array": lambda t: t.DoubleTensor(np.array(3.5)),
    "same_dtype_tensor": lambda t: t.FloatTensor(t.ones(2)),
    "device_cpu": lambda t: t.FloatTensor([1.0], device="cpu"),
    "error_float": lambda t: t.FloatTensor(2.5),
    "error_bool": lambda t: t.FloatTensor(True),
    "error_none": lambda t: t.FloatTensor(None),
    "error_numpy_float": lambda t: t.FloatTensor(np.float32(3.0)),
    "error_str": lambda t: t.FloatTensor("a"),
    "error_negative": lambda t: t.FloatTensor(2, -1),
    "error_float_size": lambda t: t.FloatTensor(2, 3.0),
    "error_data_and_size": lambda t: t.FloatTensor([1, 2], 3),
    "error_size_and_int": lambda t: t.FloatTensor(t.Size([2]), 3),
    "error_dtype_keyword": lambda t: t.FloatTensor(2, 3, dtype=t.float64),
    "error_requires_grad": lambda t: t.FloatTensor(3, requires_grad=True),
    "error_other_dtype": lambda t: t.FloatTensor(t.tensor([1, 2])),
    "error_other_dtype_half": lambda t: t.HalfTensor(t.ones(1)),
    "error_other_dtype_char": lambda t: t.CharTensor(t.ones(1, dtype=t.float64)),
    "error_byte_overflow": lambda t: t.ByteTensor([-1, 300]),
    "error_char_overflow": lambda t: t.CharTensor([200]),
    "type_name": lambda t: [t.ones(1, dtype=getattr(t, d)).type() for d in DTYPES],
    "type_class": lambda t: t.ones(2).type(t.LongTensor),
    "type_string": lambda t: t.tensor([1, 2]).type("torch.DoubleTensor"),
    "type_dtype": lambda t: t.ones(2).type(t.int64),
    "type_keyword": lambda t: t.ones(2).type(dtype=t.ByteTensor, non_blocking=True),
    "type_tensor_is_default": lambda t: t.tensor([1, 2]).type(t.Tensor),
    "type_tensor_name": lambda t: t.tensor([True]).type("torch.Tensor"),
    "error_type_short_name": lambda t: t.ones(2).type("LongTensor"),
    "error_type_dtype_name": lambda t: t.ones(2).type("torch.int64"),
    "error_type_numpy_class": lambda t: t.ones(2).type(np.float64),
    "error_type_number": lambda t: t.ones(2).type(5),
    "isinstance": lambda t: [
        [isinstance(x, getattr(t, name)) for name in TYPES]
        for x in [t.ones(1), t.ones(1).long(), t.nn.Parameter(t.ones(1)), t.ones(1) > 0, 3]
    ],
    "class_attributes": lambda t: [
        [repr(getattr(t, n)), str(getattr(t, n).dtype), issubclass(getattr(t, n), t.Tensor)]
        for n in TYPES
    ],
    "result_is_a_plain_tensor": lambda t: type(t.FloatTensor(2)) is t.Tensor,
}
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _outcome(torch, call):
    """What ``call`` gives: a tensor as {value, dtype}, other values as they are, an error as
    {error: type name, message: first line}."""
    try:
        out = call(torch)
    except Exception as e:  # the recorded error is the comparison
        return {"error": type(e).__name__, "message": str(e).split("\n")[0]}
    if isinstance(out, torch.Tensor):
        return {"value": out.detach().double().numpy(), "dtype": str(out.dtype)}
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_legacy_constructors_and_type_match_pytorch(case):
    want = reference(
        f"dtypes/legacy_{case}",
        lambda torch, case: _outcome(torch, CASES[str(case)]),
        case=np.array(case),
    )
    got = _outcome(mt, CASES[case])
    if isinstance(want, dict):
        assert sorted(got) == sorted(want)
        for key, expected in want.items():
            if key == "value":
                np.testing.assert_array_equal(got[key], expected)
            else:
                assert got[key] == str(expected)
    else:
        assert np.array(got).tolist() == np.asarray(want).tolist()


def test_the_error_of_a_bad_combination_lists_pytorchs_signatures():
    with pytest.raises(TypeError) as info:
        mt.FloatTensor([1, 2], 3)
    assert info.value.args[0].endswith(" * (object data, *, torch.device device = None)\n")
    assert " * (tuple of ints size, *, torch.device device = None)\n" in info.value.args[0]


def test_a_tensor_of_the_same_dtype_is_aliased_with_its_graph():
    a = mt.tensor([1.0, 2.0], requires_grad=True)
    b = mt.FloatTensor(a)
    assert b is not a and b.requires_grad and b.grad_fn is not None
    b.sum().backward()
    np.testing.assert_array_equal(np.asarray(a.grad), [1.0, 1.0])
    b.data[0] = 5.0  # the same memory, as PyTorch's alias
    assert a.numpy(force=True)[0] == 5.0


def test_type_returns_self_when_nothing_changes_and_cuda_is_refused():
    x = mt.ones(2)
    assert x.type(mt.FloatTensor) is x and x.type("torch.FloatTensor") is x
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        x.type("torch.cuda.LongTensor")
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        mt.FloatTensor(2, device="cuda")
