"""Elementwise ops (trigonometry, exponentials, rounding, fmod/remainder, lerp/addcmul,
activations as methods): values, dtypes and gradients against PyTorch; first and second
derivatives against finite differences."""

import numpy as np
import pytest
from op_parity import check_against_torch, check_derivatives

import minitorch_es as mt

R = np.random.default_rng(7)
X = R.standard_normal((3, 4))
UNIT = R.uniform(-0.9, 0.9, (3, 4))  # inside (-1, 1)
POS = R.uniform(0.2, 3.0, (3, 4))
ABOVE1 = R.uniform(1.2, 3.0, (3, 4))
ROW = R.standard_normal(4)
AWAY = np.where(np.abs(X % 1 - 0.5) < 0.45, X, X + 0.3)  # not near a jump of floor/round

UNARY = {
    "sin": (lambda lib, x: lib.sin(x), X),
    "cos": (lambda lib, x: x.cos(), X),
    "tan": (lambda lib, x: lib.tan(x), UNIT),
    "asin": (lambda lib, x: lib.asin(x), UNIT),
    "acos": (lambda lib, x: x.acos(), UNIT),
    "atan": (lambda lib, x: lib.atan(x), X),
    "arcsin": (lambda lib, x: lib.arcsin(x), UNIT),
    "sinh": (lambda lib, x: lib.sinh(x), X),
    "cosh": (lambda lib, x: x.cosh(), X),
    "asinh": (lambda lib, x: lib.asinh(x), X),
    "acosh": (lambda lib, x: lib.acosh(x), ABOVE1),
    "atanh": (lambda lib, x: lib.atanh(x), UNIT),
    "exp2": (lambda lib, x: lib.exp2(x), X),
    "expm1": (lambda lib, x: x.expm1(), X),
    "log1p": (lambda lib, x: lib.log1p(x), POS),
    "log2": (lambda lib, x: lib.log2(x), POS),
    "log10": (lambda lib, x: x.log10(), POS),
    "rsqrt": (lambda lib, x: lib.rsqrt(x), POS),
    "reciprocal": (lambda lib, x: x.reciprocal(), POS),
    "square": (lambda lib, x: lib.square(x), X),
    "erf": (lambda lib, x: lib.erf(x), X),
    "erfc": (lambda lib, x: lib.erfc(x), X),
    "erfinv": (lambda lib, x: lib.erfinv(x), UNIT),
    "frac": (lambda lib, x: lib.frac(x), AWAY * 3),
    "sigmoid": (lambda lib, x: lib.sigmoid(x), X),
    "tanh": (lambda lib, x: x.tanh(), X),
    "relu": (lambda lib, x: lib.relu(x), X),
    "softmax": (lambda lib, x: x.softmax(1), X),
    "log_softmax": (lambda lib, x: lib.log_softmax(x, 0), X),
    "neg": (lambda lib, x: lib.neg(x), X),
    "float_power": (lambda lib, x: lib.float_power(x, 3), X),
    "nan_to_num": (lambda lib, x: lib.nan_to_num(x), X),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_matches_pytorch_and_differentiates_twice(name):
    fn, x = UNARY[name]
    check_against_torch(f"unary_{name}", fn, [x])
    check_derivatives(fn, [x], second=name != "relu")  # relu: a kink


ZERO_GRADIENT = {
    "floor": lambda lib, x: lib.floor(x),
    "ceil": lambda lib, x: x.ceil(),
    "round": lambda lib, x: lib.round(x),
    "round_decimals": lambda lib, x: lib.round(x, decimals=2),
    "trunc": lambda lib, x: lib.trunc(x),
    "fix": lambda lib, x: x.fix(),
    "sign": lambda lib, x: lib.sign(x),
    "sgn": lambda lib, x: x.sgn(),
}


@pytest.mark.parametrize("name", list(ZERO_GRADIENT))
def test_piecewise_constant_ops_have_zero_gradient_as_pytorch(name):
    fn = ZERO_GRADIENT[name]
    check_against_torch(f"flat_{name}", fn, [AWAY * 3])
    check_derivatives(fn, [AWAY * 3])


DTYPES = {
    "sin_int": (lambda lib, x: lib.sin(x), np.array([0, 1, 2])),
    "exp_int": (lambda lib, x: lib.exp(x), np.array([0, 1, 2])),
    "sqrt_int": (lambda lib, x: x.sqrt(), np.array([1, 4, 9])),
    "log_bool": (lambda lib, x: lib.log1p(x), np.array([True, False])),
    "reciprocal_int": (lambda lib, x: x.reciprocal(), np.array([1, 2, 4])),
    "floor_int": (lambda lib, x: lib.floor(x), np.array([1, -2])),
    "sign_int": (lambda lib, x: lib.sign(x), np.array([3, 0, -2])),
    "sign_bool": (lambda lib, x: lib.sign(x), np.array([True, False])),
    "float_power_int": (lambda lib, x: lib.float_power(x, 2), np.array([1, 2])),
    "erf_float32": (lambda lib, x: lib.erf(x), X.astype(np.float32)),
    "erfinv_float32": (lambda lib, x: lib.erfinv(x), UNIT.astype(np.float32)),
    "trig_float32": (lambda lib, x: lib.atan2(lib.sin(x), lib.cos(x)), X.astype(np.float32)),
}


@pytest.mark.parametrize("name", list(DTYPES))
def test_dtype_of_integer_and_float32_inputs_as_pytorch(name):
    fn, x = DTYPES[name]
    check_against_torch(f"dtype_{name}", fn, [x], grad=False, rtol=1e-6, atol=1e-6)


BINARY = {
    "atan2": (lambda lib, a, b: lib.atan2(a, b), X, POS),
    "fmod": (lambda lib, a, b: lib.fmod(a * 5, b), X, POS),
    "remainder": (lambda lib, a, b: lib.remainder(a * 5, b), X, POS),
    "mod_operator": (lambda lib, a, b: (a * 5) % b, X, POS),
    "fmax": (lambda lib, a, b: lib.fmax(a, b), X, ROW),
    "fmin": (lambda lib, a, b: a.fmin(b), X, ROW),
    "lerp": (lambda lib, a, b: lib.lerp(a, b, 0.3), X, ROW),
    "lerp_tensor_weight": (lambda lib, a, b: a.lerp(b, b.sigmoid()), X, ROW),
    "add_alpha": (lambda lib, a, b: lib.add(a, b, alpha=2.5), X, ROW),
    "sub_alpha": (lambda lib, a, b: a.sub(b, alpha=-1.5), X, ROW),
    "subtract": (lambda lib, a, b: lib.subtract(a, b), X, ROW),
    "multiply": (lambda lib, a, b: lib.multiply(a, b), X, ROW),
    "divide": (lambda lib, a, b: lib.divide(a, b), X, POS),
    "true_divide": (lambda lib, a, b: a.true_divide(b), X, POS),
    "clamp_tensor_bounds": (lambda lib, a, b: lib.clamp(a, min=b, max=b + 0.5), X, ROW),
    "clamp_min_tensor": (lambda lib, a, b: a.clamp_min(b), X, ROW),
    "clamp_max": (lambda lib, a, b: lib.clamp_max(a, 0.2) + b, X, ROW),
}


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_matches_pytorch_and_differentiates_twice(name):
    fn, a, b = BINARY[name]
    check_against_torch(f"binary_{name}", fn, [a, b])
    check_derivatives(fn, [a, b], second=not name.startswith(("fm", "clamp")))


TERNARY = {
    "addcmul": lambda lib, s, a, b: lib.addcmul(s, a, b, value=0.5),
    "addcdiv": lambda lib, s, a, b: s.addcdiv(a, b.exp(), value=-2),
}


@pytest.mark.parametrize("name", list(TERNARY))
def test_addcmul_addcdiv(name):
    fn = TERNARY[name]
    check_against_torch(f"ternary_{name}", fn, [X, ROW, X[:1]])
    check_derivatives(fn, [X, ROW, X[:1]])


INTEGER = {
    "fmod_int": (lambda lib, a, b: lib.fmod(a, b), np.array([5, -5, 7]), np.array([3, 3, -2])),
    "remainder_int": (lambda lib, a, b: a % b, np.array([5, -5, 7]), np.array([3, 3, -2])),
    "floor_divide": (lambda lib, a, b: a // b, np.array([5, -5, 7]), np.array([3, 3, -2])),
    "div_trunc": (
        lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
        np.array([5, -5, 7]),
        np.array([3, 3, -2]),
    ),
    "div_floor": (
        lambda lib, a, b: a.div(b, rounding_mode="floor"),
        np.array([5, -5, 7]),
        np.array([3, 3, -2]),
    ),
    "div_int": (lambda lib, a, b: a / b, np.array([5, -5, 7]), np.array([3, 3, -2])),
    "div_trunc_float": (
        lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
        X.astype(np.float32) * 5,
        POS.astype(np.float32),
    ),
    "remainder_int_float": (lambda lib, a, b: a % b, np.array([5, -5]), np.array([2.5, 1.5])),
    "fmax_int": (lambda lib, a, b: lib.fmax(a, b), np.array([1, 5]), np.array([3, 2])),
    "int_plus_float32": (lambda lib, a, b: a + b, np.array([1, 2]), np.float32([0.5, 1.5])),
    "int_times_float": (lambda lib, a, b: a * 2.5 + b, np.array([1, 2]), np.array([3, 4])),
    "bool_plus_int": (lambda lib, a, b: a + b, np.array([True, False]), np.array([3, 4])),
    "float32_plus_float64_scalar": (
        lambda lib, a, b: a + b.sum(),
        np.float32([1.0, 2.0]),
        np.array([1.0, 2.0]),
    ),
    "int32_plus_int64_scalar": (
        lambda lib, a, b: a + b.sum(),
        np.int32([1, 2]),
        np.array([1, 2]),
    ),
    "int8_times_uint8": (lambda lib, a, b: a * b, np.int8([1, -2]), np.uint8([3, 4])),
    "float16_plus_int": (lambda lib, a, b: a + b, np.float16([1.5]), np.array([2])),
    "where_int_float": (
        lambda lib, a, b: lib.where(a > 1, a, b),
        np.array([1, 2, 3]),
        np.float32([0.5, 0.5, 0.5]),
    ),
}


@pytest.mark.parametrize("name", list(INTEGER))
def test_integer_ops_and_type_promotion_as_pytorch(name):
    fn, a, b = INTEGER[name]
    check_against_torch(f"promote_{name}", fn, [a, b], grad=False, rtol=1e-6)


def test_erfinv_is_the_inverse_of_erf_up_to_the_ends():
    y = mt.tensor(
        [-1.0, -0.999999, -0.5, 0.0, 1e-300, 0.5, 0.999999999999, 1.0, 1.5], dtype=mt.float64
    )
    x = y.erfinv()
    np.testing.assert_allclose(x.erf()._data[1:-2], y._data[1:-2], rtol=1e-14, atol=1e-300)
    assert x[0].item() == -np.inf and x[-2].item() == np.inf and np.isnan(x[-1].item())


def test_activation_methods_are_the_registered_functional_forms():
    x = mt.randn(2, 3)
    for name in ("sigmoid", "tanh", "relu"):
        f = getattr(mt.nn.functional, name)
        np.testing.assert_array_equal(getattr(x, name)()._data, f(x)._data)
        np.testing.assert_array_equal(getattr(mt, name)(x)._data, f(x)._data)
    np.testing.assert_array_equal(x.softmax(1)._data, mt.nn.functional.softmax(x, 1)._data)


def test_missing_activation_plugin_is_a_clear_error(monkeypatch):
    from minitorch_es import tensor_activation

    monkeypatch.setattr(tensor_activation, "namespace", lambda ns: {})
    with pytest.raises(RuntimeError, match="no function nn.functional.sigmoid is registered"):
        mt.ones(2).sigmoid()


def test_rounding_errors_as_pytorch():
    with pytest.raises(TypeError, match="frac.*floating"):
        mt.tensor([1, 2]).frac()
    with pytest.raises(TypeError, match="round\\(decimals=1\\)"):
        mt.tensor([1, 2]).round(decimals=1)
    with pytest.raises(ValueError, match="rounding_mode"):
        mt.ones(2).div(2, rounding_mode="up")


def test_clamp_needs_a_bound():
    with pytest.raises(ValueError, match="at least one of min and max"):
        mt.ones(2).clamp()
