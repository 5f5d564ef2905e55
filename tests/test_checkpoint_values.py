"""``mt.save`` accepts exactly what loads back identically, and refuses the rest before the
file is touched."""

import math

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.checkpoint import CheckpointError


def assert_identical(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_identical(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_identical(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def test_keys_and_values_that_look_like_the_format_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    state = {
        "x.": rng.standard_normal(3).astype(np.float32),  # not a path: an empty component
        "x": np.arange(4),
        "a.b": np.ones((2, 2)),
        "a": np.zeros(1),  # a dataset where "a.b" needs a group
        "a.b.c": np.array(True),
        "__int__5": 1,
        5: 2,
        -3: "minus three",
        "__dataset__": "not a reference",
        "__str__x": "escaped twice",
        "v": {"__dataset__": "0/weight"},
        "t": {"__tuple__": [1]},
        "tuple": (1, (2.5, "three"), [None, True]),
        "numbers": [0, -1, 2**70, 1.5, float("nan"), float("inf"), -0.0],
        "text": "unicode ü ✓ \x1b\n control characters in values are fine",
        "empty": np.zeros((0, 3), dtype=np.int16),
        "scalar": np.array(2.5, dtype=np.float64),
        "bools": np.array([True, False]),
        "halves": np.arange(3, dtype=np.float16),
        "unsigned": np.arange(3, dtype=np.uint64),
        "noncontiguous": np.arange(12.0).reshape(3, 4)[:, ::2],
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
        "dotted.__private": np.arange(2),
        "deep." * 40 + "leaf": np.arange(2),  # deeper than a group path may be
    }
    mt.save(state, tmp_path / "s.h5")
    loaded = mt.load(tmp_path / "s.h5", weights_only=False)
    expected = {
        k: np.array(v, order="C") if isinstance(v, np.ndarray) else v for k, v in state.items()
    }
    assert_identical(dict(loaded), expected)


def test_tensors_parameters_and_numpy_scalars_load_as_arrays_and_numbers(tmp_path):
    p = mt.nn.Parameter(mt.ones(2, 2))
    state = {"t": mt.arange(3), "p": p, "f": np.float32(1.5), "i": np.int64(7), "b": np.bool_(1)}
    mt.save(state, tmp_path / "s.h5")
    loaded = mt.load(tmp_path / "s.h5", weights_only=False)
    np.testing.assert_array_equal(loaded["t"], np.arange(3))
    assert loaded["p"].dtype == np.float32 and loaded["p"].shape == (2, 2)
    assert (loaded["f"], loaded["i"], loaded["b"]) == (1.5, 7, True)
    assert type(loaded["i"]) is int and type(loaded["b"]) is bool


def test_big_endian_arrays_come_back_native(tmp_path):
    mt.save({"w": np.arange(3, dtype=">f4")}, tmp_path / "s.h5")
    w = mt.load(tmp_path / "s.h5", weights_only=False)["w"]
    assert w.dtype == np.dtype("<f4") and w.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    "state, match",
    [
        (
            {"w": np.array(["text"])},
            r"cannot store state\['w'\]: arrays must have one of the dtypes",
        ),
        ({"w": np.array([1 + 2j])}, "got complex128"),
        ({"w": np.array([object()])}, "got object"),
        ({"w": {1, 2}}, "cannot store a set at w"),
        ({"w": b"bytes"}, "cannot store a bytes at w"),
        ({"w": print}, "cannot store a builtin_function_or_method at w"),
        ({True: 1}, "dict keys must be str or int, got True"),
        ({1.5: 1}, "dict keys must be str or int, got 1.5"),
        ({("a", "b"): 1}, "dict keys must be str or int"),
        ({"a\nb": 1}, "non-printable characters"),
        ({"w": [[[[0]]]] * 1}, None),  # fine: nesting well within the limit
    ],
)
def test_values_that_would_not_round_trip_are_refused(tmp_path, state, match):
    path = tmp_path / "s.h5"
    mt.save({"kept": np.arange(2)}, path)
    before = path.read_bytes()
    if match is None:
        mt.save(state, path)
        return
    with pytest.raises(CheckpointError, match=match):
        mt.save(state, path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["s.h5"]


def test_nesting_deeper_than_a_reader_accepts_is_refused_at_save(tmp_path):
    deep = []
    for _ in range(120):
        deep = [deep]
    with pytest.raises(CheckpointError, match="nested deeper than 100"):
        mt.save({"deep": deep}, tmp_path / "s.h5")
    with pytest.raises(TypeError, match="expects a file path"):
        mt.save([1], 5)


def test_metadata_must_be_json(tmp_path):
    with pytest.raises(CheckpointError, match="cannot store metadata.*not JSON-serialisable"):
        mt.save_checkpoint(tmp_path / "c.h5", note=object())
    with pytest.raises(TypeError, match="epoch must be an int or None"):
        mt.save_checkpoint(tmp_path / "c.h5", epoch="3")
    mt.save_checkpoint(tmp_path / "c.h5", epoch=np.int64(3), score=np.float32(0.5))
    info = mt.load_checkpoint(tmp_path / "c.h5")
    assert info["epoch"] == 3 and info["metadata"] == {"epoch": 3, "score": 0.5}
