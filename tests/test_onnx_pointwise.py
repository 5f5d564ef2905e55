"""The core's element-wise math (trig, hyperbolic, atan2, the exp/log family, rsqrt,
reciprocal, erf, erfinv) in a user's forward, exported and compared with minitorch_es in ONNX
Runtime at two batch sizes, edge values included."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check, op_types

import minitorch_es as mt
from minitorch_es.onnx import ExportError

inf, nan = np.inf, np.nan

UNARY = {
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "tan": lambda x: x.tan(),
    "asin": lambda x: x.asin(),
    "acos": lambda x: x.acos(),
    "atan": lambda x: x.atan(),
    "sinh": lambda x: x.sinh(),
    "cosh": lambda x: x.cosh(),
    "asinh": lambda x: x.asinh(),
    "acosh": lambda x: (x.abs() + 1).acosh(),
    "atanh": lambda x: x.atanh(),
    "exp2": lambda x: x.exp2(),
    "expm1": lambda x: x.expm1(),
    "log1p": lambda x: x.log1p(),
    "log2": lambda x: x.abs().log2(),
    "log10": lambda x: x.abs().log10(),
    "reciprocal": lambda x: x.reciprocal(),
    "rsqrt": lambda x: x.abs().rsqrt(),
    "erf": lambda x: x.erf(),
    "erfinv": lambda x: x.erfinv(),
}


@pytest.fixture
def x(rng):
    """Values in (-1, 1), where every function here is defined, and a few edge values."""
    body = rng.uniform(-0.95, 0.95, size=(4, 5)).astype(np.float32)
    body[0, :5] = [0.0, -0.0, 1e-7, -3e-6, 0.5]
    return body


@pytest.mark.parametrize("name", UNARY)
def test_unary_math(x, name):
    fn = UNARY[name]
    check(Lambda(lambda m, x: fn(x)), x)


@pytest.mark.parametrize("name", ["sin", "cos", "exp2", "log1p", "reciprocal", "erf"])
def test_integer_inputs_compute_in_the_default_dtype(rng, name):
    fn = UNARY[name]
    check(Lambda(lambda m, i: fn(i)), rng.integers(0, 3, size=(3, 4)))


EDGES = np.array(
    [[0.0, -0.0, 1e-8, -1e-8, 1e-30, 0.4999, -0.4999, 0.5, -0.5, 0.7],
     [3.0, -3.0, 30.0, -30.0, 100.0, -100.0, -1.0, -1.5, inf, -inf],
     [nan, 1e-4, -1e-4, 9.0, -88.0, 1e30, 2.0, -2.0, 1e-3, -1e-3]],
    dtype=np.float32,
)  # fmt: skip


@pytest.mark.parametrize("name", ["expm1", "log1p"])
def test_expm1_log1p_keep_their_accuracy_near_zero(name):
    fn = UNARY[name]
    model = Lambda(lambda m, x: fn(x))
    check(model, EDGES, dynamic=False)
    # Relative accuracy near 0, where exp(x) - 1 and log(1 + x) lose every digit.
    small = np.array([[1e-8, -1e-8, 1e-6, -3e-5, 1e-30]], dtype=np.float32)
    got = _run(model, small)
    want = np.expm1(small) if name == "expm1" else np.log1p(small)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def _run(model, x):
    from onnx_helpers import session

    proto = mt.onnx.export(model, (mt.tensor(x),), None, input_names=["x"])
    return session(proto).run(None, {"x": x})[0]


def test_erfinv_edges_and_tails():
    y = np.array(
        [[0.0, -0.0, 0.5, -0.5, 0.9, -0.9, 0.99, 0.9999, -0.999999, 1e-6],
         [1.0, -1.0, 1.5, -2.0, nan, 0.3, -0.7, 0.95, 0.999, -0.9995]],
        dtype=np.float32,
    )  # fmt: skip
    check(Lambda(lambda m, y: y.erfinv()), y, dynamic=False)


def test_erfinv_of_float64_is_refused():
    y = np.linspace(-0.9, 0.9, 6).reshape(2, 3)
    with pytest.raises(ExportError, match=r"Erfinv.*float32 only, got torch.float64"):
        mt.onnx.export(Lambda(lambda m, y: y.erfinv()), (mt.tensor(y),), None)


# atan2 on every quadrant, both axes, signed zeros and infinities (C's atan2 rules).
A = np.array([1.0, 1.0, -1.0, -1.0, 0.0, -0.0, 0.0, -0.0, 2.0, -2.0, 0.0, -0.0, inf, -inf, inf,
              -inf, 3.0, -3.0, inf, 3.0, nan, 1.0], dtype=np.float32)  # fmt: skip
B = np.array([1.0, -1.0, 1.0, -1.0, 0.0, 0.0, -0.0, -0.0, 0.0, -0.0, -2.0, -2.0, inf, inf, -inf,
              -inf, inf, -inf, 1.0, -inf, 1.0, nan], dtype=np.float32)  # fmt: skip


def test_atan2_follows_the_quadrant_rules():
    model = Lambda(lambda m, a, b: mt.atan2(a, b))
    check(model, A[None], B[None], dynamic=False)
    from onnx_helpers import session

    proto = mt.onnx.export(model, (mt.tensor(A), mt.tensor(B)), None, input_names=["a", "b"])
    got = session(proto).run(None, {"a": A, "b": B})[0]
    np.testing.assert_array_equal(np.signbit(got), np.signbit(np.arctan2(A, B)))  # signed zeros


def test_atan2_broadcasts_and_takes_numbers(rng, x):
    check(Lambda(lambda m, x: mt.atan2(x, m.w[:1]) + x.atan2(mt.tensor(0.5))), x)
    check(Lambda(lambda m, i: mt.atan2(i, 1 - 2 * i)), rng.integers(-3, 3, size=(3, 4)))


def test_formulas_use_onnx_operators_where_onnx_has_them(x):
    proto = check(Lambda(lambda m, x: x.sin() + x.erf() + x.reciprocal()), x)
    assert {"Sin", "Erf", "Reciprocal"} <= set(op_types(proto))


@pytest.mark.parametrize("opset", [13, 17])
def test_older_opsets(x, opset):
    fn = lambda m, x: x.expm1() + x.log1p() + mt.atan2(x, x.cos()) + x.erfinv() + x.log10()  # noqa: E731
    check(Lambda(fn), x, opset=opset)
