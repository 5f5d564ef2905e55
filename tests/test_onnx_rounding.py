"""The core's rounding ops and remainders (floor, ceil, round, trunc, frac, sign, fmod,
remainder) and fmax/fmin in a user's forward, exported and compared with minitorch_es in ONNX
Runtime: halves, negative operands, NaN, integer and bool tensors."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check, session

import minitorch_es as mt

inf, nan = np.inf, np.nan

VALUES = np.array(
    [[0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, -0.0, 3.7, -3.7],
     [1e7 + 0.5, -2.2, 2.2, 0.0, 1e-8, -1e-8, nan, inf, -inf, 4.5]],
    dtype=np.float32,
)  # fmt: skip

ROUNDING = {
    "floor": lambda x: x.floor(),
    "ceil": lambda x: x.ceil(),
    "round": lambda x: x.round(),
    "trunc": lambda x: x.trunc(),
    "frac": lambda x: x.frac(),
    "sign": lambda x: x.sign(),
}


@pytest.mark.parametrize("name", ROUNDING)
def test_rounding_of_halves_and_edges(name):
    fn = ROUNDING[name]
    check(Lambda(lambda m, x: fn(x)), VALUES, dynamic=False)


@pytest.mark.parametrize("name", ROUNDING)
def test_rounding_with_a_dynamic_batch(rng, name):
    fn = ROUNDING[name]
    x = (rng.normal(size=(3, 4)) * 4).astype(np.float32)
    check(Lambda(lambda m, x: fn(x) + fn(x * 2)), x)


@pytest.mark.parametrize("decimals", [1, 2, -1])
def test_round_to_decimals(rng, decimals):
    x = np.array([[0.25, 0.35, -0.45, 12.5, 15.0, -25.0, 1.005, 123.456]], dtype=np.float32)
    check(Lambda(lambda m, x: x.round(decimals=decimals)), x, dynamic=False)
    check(Lambda(lambda m, x: x.round(decimals=decimals)), (rng.normal(size=(3, 4)) * 50))


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc", "sign"])
def test_rounding_integers_and_bools_returns_them(rng, name):
    fn = ROUNDING[name]
    check(Lambda(lambda m, i: fn(i) * 2), rng.integers(-5, 5, size=(3, 4)))
    if name == "sign":
        check(Lambda(lambda m, b: mt.stack([fn(b), b])), np.array([[True, False]]))


# Every sign combination of dividend and divisor, exact multiples (zero remainders) and
# non-representable ones.
A = np.array([[5.5, -5.5, 5.5, -5.5, 6.0, -6.0, 6.0, -6.0, 0.3, -7.25, 1.0, -0.0, 2.0, 1.0]],
             dtype=np.float32)  # fmt: skip
B = np.array([[2.0, 2.0, -2.0, -2.0, 3.0, 3.0, -3.0, -3.0, 0.1, 0.5, inf, 1.0, 0.0, -inf]],
             dtype=np.float32)  # fmt: skip


@pytest.mark.parametrize("op", ["fmod", "remainder"])
def test_fmod_and_remainder_signs(op):
    model = Lambda(lambda m, a, b: getattr(a, op)(b))
    check(model, A, B, dynamic=False)
    proto = mt.onnx.export(model, (mt.tensor(A), mt.tensor(B)), None, input_names=["a", "b"])
    got = session(proto).run(None, {"a": A, "b": B})[0]
    numpy_op = np.fmod if op == "fmod" else np.remainder
    with np.errstate(invalid="ignore"):
        want = numpy_op(A, B)
    np.testing.assert_array_equal(np.sign(got[want != 0]), np.sign(want[want != 0]))


@pytest.mark.parametrize("op", ["fmod", "remainder"])
def test_fmod_and_remainder_of_integers_and_numbers(rng, op):
    ints = rng.integers(-9, 9, size=(3, 4))
    divisor = np.array([[3, -3, 4, -5]] * 3)
    check(Lambda(lambda m, i, d: getattr(i, op)(d)), ints, divisor)
    x = rng.normal(size=(3, 4)).astype(np.float32) * 5
    check(Lambda(lambda m, x: getattr(x, op)(1.5) + getattr(x, op)(m.w) + getattr(x, op)(-2)), x)


def test_reflected_remainder(rng):
    x = (rng.normal(size=(3, 4)) * 3 + 0.1).astype(np.float32)
    check(Lambda(lambda m, x: 7 % x + (-7) % x), x)


NAN_A = np.array([[1.0, nan, nan, 2.0, -inf, 0.0]], dtype=np.float32)
NAN_B = np.array([[nan, 3.0, nan, -1.0, 5.0, -0.0]], dtype=np.float32)


@pytest.mark.parametrize("op", ["fmax", "fmin"])
def test_fmax_fmin_ignore_nan(op):
    check(Lambda(lambda m, a, b: getattr(mt, op)(a, b)), NAN_A, NAN_B, dynamic=False)


@pytest.mark.parametrize("op", ["fmax", "fmin"])
def test_fmax_fmin_broadcast_and_integers(rng, op):
    x = rng.normal(size=(3, 4)).astype(np.float32)
    check(Lambda(lambda m, x: getattr(x, op)(m.w) + getattr(mt, op)(x, mt.tensor(0.0))), x)
    ints = rng.integers(-5, 5, size=(3, 4))
    check(Lambda(lambda m, i: getattr(i, op)(2 - i)), ints)


@pytest.mark.parametrize("opset", [13, 17])
def test_older_opsets(rng, opset):
    x = (rng.normal(size=(3, 4)) * 4).astype(np.float32)
    forward = lambda m, x: x.trunc() + x.round(decimals=1) + x.remainder(1.5) + x.fmax(m.w)  # noqa: E731
    check(Lambda(forward), x, opset=opset)
