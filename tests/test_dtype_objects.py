"""``mt.dtype``: PyTorch's dtype objects (reprs and attributes recorded from PyTorch), which
NumPy also takes as dtypes: equality, hashing, dict keys, pickling, and the errors of bad dtype
arguments."""

import copy
import pickle

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.config import to_jsonable
from minitorch_es.rebuild import from_jsonable
from minitorch_es.registry import registry

# Every PyTorch dtype NumPy has too (bfloat16 and complex32 have no NumPy counterpart).
NAMES = [
    "bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
    "float16", "float32", "float64", "complex64", "complex128",
]  # fmt: skip
ALIASES = ["half", "float", "double", "short", "int", "long", "cfloat", "cdouble"]


def _attributes(lib):
    """Per dtype: repr, str, is_floating_point, is_complex, is_signed, itemsize, to_real()."""
    rows = []
    for name in NAMES:
        d = getattr(lib, name)
        flags = (d.is_floating_point, d.is_complex, d.is_signed)
        rows.append([repr(d), str(d), *map(str, flags), str(d.itemsize), repr(d.to_real())])
    return np.array(rows)


def _to_complex(lib):
    """``to_complex()`` of each dtype, or ``error`` where PyTorch raises (integers, bool)."""
    out = []
    for name in NAMES:
        try:
            out.append(repr(getattr(lib, name).to_complex()))
        except RuntimeError:
            out.append("error")
    return np.array(out)


def test_reprs_and_attributes_as_pytorch():
    want = reference("dtypes/dtype_attributes", _attributes)
    np.testing.assert_array_equal(_attributes(mt), want)
    assert want[NAMES.index("float32")].tolist()[:2] == ["torch.float32", "torch.float32"]


def test_to_complex_as_pytorch_except_float16():
    want = reference("dtypes/to_complex", _to_complex)
    got = _to_complex(mt)
    half = NAMES.index("float16")
    assert want[half] == "torch.complex32"  # NumPy has no complex32: we raise instead
    assert got[half] == "error"
    np.testing.assert_array_equal(np.delete(got, half), np.delete(want, half))
    with pytest.raises(RuntimeError, match="expected float32 or float64"):
        mt.int64.to_complex()


def test_aliases_as_pytorch():
    want = reference(
        "dtypes/aliases", lambda torch: np.array([repr(getattr(torch, a)) for a in ALIASES])
    )
    np.testing.assert_array_equal([repr(getattr(mt, a)) for a in ALIASES], want)
    assert mt.float is mt.float32 and mt.long is mt.int64 and mt.bool is mt.dtypes.bool


def test_one_singleton_per_numpy_dtype():
    x = mt.ones(2)
    assert isinstance(x.dtype, mt.dtype) and x.dtype is mt.float32
    assert mt.tensor([1, 2]).dtype is mt.int64 and (x > 0).dtype is mt.bool
    assert mt.get_default_dtype() is mt.float32
    assert mt.promote_types(mt.int64, np.float16) is mt.float16
    assert mt.result_type(mt.tensor([1]), 2.5) is mt.float32
    assert mt.dtypes.as_dtype("float64") is mt.float64 is mt.dtypes.as_dtype(np.float64)
    assert mt.dtypes.as_dtype(np.dtype("int16")) is mt.short
    # a big-endian array holds the same numbers: it reports the native dtype
    assert mt.from_numpy(np.arange(3, dtype=">i4")).dtype is mt.int32
    with pytest.raises(TypeError, match="cannot create 'mt.dtype' instances"):
        mt.dtype()


def test_numpy_takes_it_as_a_dtype():
    assert np.dtype(mt.float32) is np.dtype("float32") and mt.float64.dtype is np.dtype("float64")
    assert np.zeros(3, dtype=mt.float32).dtype == np.float32
    assert np.arange(3).astype(mt.int16).dtype == np.int16
    assert np.asarray(mt.ones(2), dtype=mt.float64).dtype == np.float64
    assert np.issubdtype(mt.float16, np.floating) and not np.issubdtype(mt.int8, np.floating)
    assert np.promote_types(mt.int32, mt.float32) == np.float64  # NumPy's rule, not PyTorch's
    assert np.finfo(mt.float32).eps == np.finfo(np.float32).eps


def test_numpy_attributes_are_forwarded():
    d = mt.float32
    assert (d.name, d.kind, d.char, d.type, d.itemsize) == ("float32", "f", "f", np.float32, 4)
    assert (mt.uint8.kind, mt.bool.kind, mt.int64.type) == ("u", "b", np.int64)


def test_equality_with_numpy_dtypes_scalar_types_and_names():
    x = mt.zeros(2, dtype=mt.float64)
    assert x.dtype == np.float64 and np.float64 == x.dtype
    assert mt.float32 == np.dtype("float32") and np.dtype("float32") == mt.float32
    assert mt.float32 == "float32" and mt.int64 == np.int64 and mt.float64 == float  # noqa: E721
    assert mt.float32 != mt.float64 and mt.float32 != np.float64 and np.dtype("int8") != mt.uint8
    assert mt.float32 != "float64" and mt.float32 != "no such dtype"
    # not a dtype at all: unequal, even where NumPy would make a dtype of it
    assert mt.float64 != None and mt.float32 != 4 and mt.float32 != mt.ones(1)  # noqa: E711


def test_hashes_like_numpy_dtypes_so_dicts_and_sets_mix_them():
    assert hash(mt.float32) == hash(np.dtype("float32"))
    by_numpy = {np.dtype("float32"): "single", np.dtype("int64"): "long"}
    assert by_numpy[mt.float32] == "single" and by_numpy[mt.tensor([1]).dtype] == "long"
    by_mt = {mt.float64: "double"}
    assert by_mt[np.dtype("float64")] == "double"
    assert {mt.float32, np.dtype("float32"), mt.float}.__len__() == 1


def test_pickling_and_copying_give_the_singleton():
    for d in (mt.float32, mt.bool, mt.uint64, mt.complex128):
        assert pickle.loads(pickle.dumps(d)) is d
        assert copy.copy(d) is d and copy.deepcopy(d) is d
    state = copy.deepcopy({"dtype": mt.int8, "nested": [mt.half]})
    assert state["dtype"] is mt.int8 and state["nested"][0] is mt.float16


def test_configs_store_the_name_and_give_back_the_singleton():
    encoded = to_jsonable({"dtype": mt.float64}, "config")
    assert encoded == {"dtype": {"__dtype__": "float64"}}
    assert from_jsonable(encoded, registry)["dtype"] is mt.float64
    with pytest.raises(TypeError, match="config __dtype__: expected a dtype"):
        from_jsonable({"__dtype__": "object"}, registry)


def test_every_dtype_argument_takes_every_spelling():
    x = mt.ones(2)
    for spelling in (mt.float64, np.float64, np.dtype("float64"), "float64", float):
        assert mt.zeros(2, dtype=spelling).dtype is mt.float64
        assert (
            x.to(spelling).dtype is mt.float64 and x.new_ones(1, dtype=spelling).dtype == mt.double
        )
        assert mt.randn(2, dtype=spelling).dtype is mt.float64
        assert mt.promote_types(spelling, mt.int8) is mt.float64
    linear = mt.nn.Linear(2, 2).to(mt.float64)
    assert linear.weight.dtype is mt.float64


@pytest.mark.parametrize(
    "call, where",
    [
        (lambda: mt.zeros(2, dtype="flot32"), "zeros"),
        (lambda: mt.tensor([1.0], dtype=object), "tensor"),
        (lambda: mt.ones(2).to(dtype=[1]), "to"),
        (lambda: mt.full((2,), 1, dtype=str), "full"),
        (lambda: mt.arange(3, dtype=np.datetime64), "arange"),
        (lambda: mt.ones_like(mt.ones(2), dtype="nope"), r"\*_like"),
        (lambda: mt.ones(2).new_zeros(2, dtype=3), r"new_\*"),
        (lambda: mt.randn(2, dtype=None.__class__), "randn"),
        (lambda: mt.set_default_dtype("bogus"), "set_default_dtype"),
        (lambda: mt.finfo("bogus"), "finfo"),
        (lambda: mt.iinfo(1), "iinfo"),
        (lambda: mt.promote_types(mt.int8, "U8"), "promote_types"),
        (lambda: mt.dtypes.as_dtype(np.float32(1.0)), "dtype"),
    ],
)
def test_bad_dtype_arguments_name_what_was_expected(call, where):
    with pytest.raises(TypeError, match=rf"^{where}: expected a dtype \(mt.float32, mt.int64"):
        call()


def test_set_default_dtype_refuses_non_floating_types():
    with pytest.raises(TypeError, match="only floating dtypes are supported, got torch.int64"):
        mt.set_default_dtype(mt.int64)
    mt.set_default_dtype(np.float64)
    try:
        assert mt.get_default_dtype() is mt.float64 and mt.tensor(1.5).dtype is mt.float64
    finally:
        mt.set_default_dtype(mt.float32)


def test_printed_where_pytorch_prints_a_dtype():
    # the strings PyTorch 2.13 prints for the same objects
    assert str(mt.ones(2, dtype=mt.float64).dtype) == "torch.float64"
    assert repr(mt.ones(2, dtype=mt.float64)) == "tensor([1., 1.], dtype=torch.float64)"
    params = mt.nn.ParameterList([mt.nn.Parameter(mt.ones(2, 3))])
    assert "(0): Parameter containing: [torch.float32 of size 2x3]" in repr(params)
