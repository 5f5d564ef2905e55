"""Logical, bitwise and floating-class ops, comparisons as functions, isclose/allclose/
equal: against PyTorch (no gradients: they answer bool or integer tensors)."""

import numpy as np
import pytest
from op_parity import check_against_torch

import minitorch_es as mt

F = np.array([1.0, np.nan, np.inf, -np.inf, 0.0, -2.5])
INTS = np.array([1, 0, 3, 6, -2, 5])
OTHER = np.array([3, 0, 2, 6, 1, -5])
B = np.array([True, False, True, False, True, False])

CASES = {
    "isnan": (lambda lib, x: lib.isnan(x), [F]),
    "isinf": (lambda lib, x: x.isinf(), [F]),
    "isfinite": (lambda lib, x: lib.isfinite(x), [F]),
    "isposinf": (lambda lib, x: lib.isposinf(x), [F]),
    "isneginf": (lambda lib, x: x.isneginf(), [F]),
    "isnan_int": (lambda lib, x: lib.isnan(x), [INTS]),
    "nan_to_num": (lambda lib, x: lib.nan_to_num(x, nan=0.5, posinf=9.0), [F]),
    "logical_and": (lambda lib, a, b: lib.logical_and(a, b), [INTS, OTHER]),
    "logical_or": (lambda lib, a, b: a.logical_or(b), [F, INTS]),
    "logical_xor": (lambda lib, a, b: lib.logical_xor(a, b), [B, INTS]),
    "logical_not": (lambda lib, a: lib.logical_not(a), [F]),
    "bitwise_and": (lambda lib, a, b: lib.bitwise_and(a, b), [INTS, OTHER]),
    "bitwise_or": (lambda lib, a, b: a | b, [INTS, OTHER]),
    "bitwise_xor": (lambda lib, a, b: a ^ b, [INTS, OTHER]),
    "bitwise_not": (lambda lib, a: ~a, [INTS]),
    "bool_and": (lambda lib, a, b: a & (b > 0), [B, INTS]),
    "bool_not": (lambda lib, a: ~a, [B]),
    "bool_or_scalar": (lambda lib, a: a | False, [B]),
    "shifts": (lambda lib, a: (lib.bitwise_left_shift(a.abs(), 2), a.abs() >> 1), [INTS]),
    "comparisons": (
        lambda lib, a, b: (
            lib.eq(a, b),
            lib.ne(a, b),
            lib.lt(a, 2),
            lib.le(a, b),
            lib.gt(a, b),
            lib.ge(a, 0),
            lib.greater(a, b),
            a.less_equal(b),
            lib.not_equal(a, 1),
        ),
        [INTS, OTHER],
    ),
    "isclose": (lambda lib, a, b: lib.isclose(a, b + 1e-7), [F, F]),
    "isclose_equal_nan": (lambda lib, a, b: a.isclose(b, rtol=0, atol=0.1, equal_nan=True), [F, F]),
    "allclose": (lambda lib, a, b: lib.allclose(a, b * (1 + 1e-6)), [F[4:], F[4:]]),
    "allclose_false": (lambda lib, a, b: a.allclose(b + 1), [F[4:], F[4:]]),
    "equal": (lambda lib, a, b: lib.equal(a, b), [INTS, INTS]),
    "equal_shapes": (lambda lib, a, b: a.equal(b[:3]), [INTS, INTS]),
    "equal_values": (lambda lib, a, b: lib.equal(a, b), [INTS, OTHER]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_pytorch(name):
    fn, arrays = CASES[name]
    check_against_torch(f"logic_{name}", fn, arrays, grad=False)


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda: mt.ones(2) & mt.ones(2), TypeError, "integer and bool"),
        (lambda: ~mt.ones(2), TypeError, "integer and bool"),
        (lambda: mt.tensor([1, 2]).bitwise_and(1.5), TypeError, "integer and bool"),
        (lambda: mt.ones(2).logical_and(mt.ones(3)), mt.ShapeError, "do not broadcast"),
        (lambda: mt.ones(2).isclose(mt.ones(3)), mt.ShapeError, "do not broadcast"),
    ],
)
def test_errors_say_what_was_expected(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_nan_to_num_passes_the_gradient_elsewhere():
    x = mt.tensor([1.0, float("nan"), 2.0], requires_grad=True)
    x.nan_to_num().sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]
