"""``mt.validation``: one signature for every argument check, errors saying what, got and where."""

import math

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.validation import (
    check_choice,
    check_dim,
    check_float,
    check_int,
    check_tensor,
    is_int,
    is_real,
)


def test_predicates_refuse_bools():
    assert is_int(3) and is_int(np.int64(3)) and not is_int(True) and not is_int(3.0)
    assert is_real(2) and is_real(np.float32(0.5)) and is_real(math.nan)
    assert not is_real(False) and not is_real("1")


def test_check_int_normalises_and_names_the_argument():
    value = check_int(np.int32(4), "units", "Dense", low=1, high=4)
    assert value == 4 and type(value) is int
    with pytest.raises(TypeError, match=r"^Dense: units must be an int >= 1, got float 2.0$"):
        check_int(2.0, "units", "Dense", low=1)
    with pytest.raises(TypeError, match=r"^Dense: units must be an int, got bool True$"):
        check_int(True, "units", "Dense")
    with pytest.raises(ValueError, match=r"^Dense: units must be an int in \[1, 4\], got 5$"):
        check_int(5, "units", "Dense", low=1, high=4)
    with pytest.raises(ValueError, match=r"^f: k must be an int <= 2, got 3$"):
        check_int(3, "k", "f", high=2)


@pytest.mark.parametrize(
    "limits, bad, wanted",
    [
        (dict(low=0), -1.0, "a real number >= 0"),
        (dict(low=0, low_open=True), 0, "a real number > 0"),
        (dict(high=1, high_open=True), 1, "a real number < 1"),
        (dict(low=0, high=1), 1.5, r"a real number in \[0, 1\]"),
        (dict(low=0, high=1, low_open=True, high_open=True), 0.0, r"a real number in \(0, 1\)"),
        (dict(low=0, high=1, high_open=True), math.nan, r"a real number in \[0, 1\)"),
        (dict(finite=True), math.inf, "a finite real number"),
        ({}, math.nan, "a real number"),
    ],
)
def test_check_float_ranges(limits, bad, wanted):
    with pytest.raises(ValueError, match=rf"^Op: x must be {wanted}, got {bad!r}$"):
        check_float(bad, "x", "Op", **limits)


def test_check_float_accepts_any_real_and_returns_a_float():
    assert check_float(np.float32(0.25), "p", "Dropout", low=0, high=1) == 0.25
    assert type(check_float(1, "p", "Dropout")) is float
    assert check_float(math.inf, "clip", "Op", low=0) == math.inf  # finite only when asked
    with pytest.raises(TypeError, match="Op: x must be a real number, got str '1'"):
        check_float("1", "x", "Op")


def test_check_choice():
    assert check_choice("sum", "reduction", "MSELoss", choices=("mean", "sum")) == "sum"
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of 'mean', 'sum', got"):
        check_choice("x", "reduction", "MSELoss", choices=("mean", "sum"))
    with pytest.raises(ValueError, match="must be one of 'a', got \\[1\\]"):
        check_choice([1], "mode", "Op", choices={"a"})  # unhashable: refused, not a crash


def test_check_tensor():
    t = mt.ones(2)
    assert check_tensor(t, "input", "relu", floating=True) is t
    assert check_tensor(mt.tensor([1, 2]), "index", "gather") is not None
    with pytest.raises(TypeError, match="relu: input must be a Tensor, got ndarray"):
        check_tensor(np.ones(2), "input", "relu")
    with pytest.raises(TypeError, match=r"relu: input must be a floating-point Tensor, got dtype"):
        check_tensor(mt.tensor([1, 2]), "input", "relu", floating=True)


def test_check_dim():
    assert [check_dim(d, 3, "softmax") for d in (0, 2, -1, -3)] == [0, 2, 2, 0]
    assert check_dim(-1, 0, "sum") == 0  # a 0-d tensor takes 0 and -1, as in PyTorch
    with pytest.raises(IndexError, match=r"softmax: dimension out of range \(expected to be in"):
        check_dim(3, 3, "softmax")
    with pytest.raises(TypeError, match="glu: dim must be an int, got float 1.0"):
        check_dim(1.0, 3, "glu")
