"""ONNX translations of the core's element-wise math beyond exp/log/sqrt: trigonometric and
hyperbolic functions, atan2, the exp/log family, rsqrt, reciprocal, erf and erfinv.

Integer inputs compute in the default dtype, so every input is first cast to the result's
dtype. Where ONNX has no operator, the formula is written with ONNX operators, chosen to keep
the accuracy of the NumPy function near the points where the naive formula loses it
(``expm1``, ``log1p`` near 0; ``atan2`` on the axes, at zeros and infinities).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from ..ops.special import ERFINV_CENTRAL, ERFINV_TAIL
from .translation import ExportError

if TYPE_CHECKING:
    from .call import Call
    from .graph import GraphBuilder


def _unary(op_type: str):
    return lambda g, call: g.op(op_type, call.input(0, call.out_dtype))


def _scaled_log(base: float):
    """``log(x) / log(base)``: ONNX has only the natural logarithm."""

    def emit(g: GraphBuilder, call: Call) -> str:
        dtype = call.out_dtype
        return g.op("Div", g.op("Log", call.input(0, dtype)), g.constant(math.log(base), dtype))

    return emit


def _exp2(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    return g.op("Pow", g.constant(2.0, dtype), call.input(0, dtype))


def _rsqrt(g: GraphBuilder, call: Call) -> str:
    return g.op("Reciprocal", g.op("Sqrt", call.input(0, call.out_dtype)))


def _near_zero(g: GraphBuilder, x: str, dtype: np.dtype) -> str:
    """``|x| < 0.5``: where ``expm1``/``log1p`` need Kahan's correction (elsewhere the
    plain formula is as accurate, and the correction could divide infinities)."""
    return g.op("Less", g.op("Abs", x), g.constant(0.5, dtype))


def _expm1(g: GraphBuilder, call: Call) -> str:
    # Kahan: with u = exp(x), (u - 1) * x / log(u) cancels the rounding error of u.
    dtype = call.out_dtype
    x = call.input(0, dtype)
    u = g.op("Exp", x)
    u_minus_1 = g.op("Sub", u, g.constant(1.0, dtype))
    kahan = g.op("Div", g.op("Mul", u_minus_1, x), g.op("Log", u))
    exact = g.op("Where", g.op("Equal", u_minus_1, g.constant(0.0, dtype)), x, kahan)
    return g.op("Where", _near_zero(g, x, dtype), exact, u_minus_1)


def _log1p(g: GraphBuilder, call: Call) -> str:
    # Kahan: with u = 1 + x, log(u) * x / (u - 1) cancels the rounding error of u.
    dtype = call.out_dtype
    x = call.input(0, dtype)
    u = g.op("Add", x, g.constant(1.0, dtype))
    log_u = g.op("Log", u)
    u_minus_1 = g.op("Sub", u, g.constant(1.0, dtype))
    kahan = g.op("Div", g.op("Mul", log_u, x), u_minus_1)
    exact = g.op("Where", g.op("Equal", u_minus_1, g.constant(0.0, dtype)), x, kahan)
    return g.op("Where", _near_zero(g, x, dtype), exact, log_u)


def _atan2(g: GraphBuilder, call: Call) -> str:
    """``atan(a / b)`` moved to the quadrant of ``(b, a)`` by ``±pi``, as C's ``atan2``
    (which PyTorch and NumPy use), signed zeros and infinities included."""
    dtype = call.out_dtype
    a, b = call.input(0, dtype), call.input(1, dtype)
    zero, one = g.constant(0.0, dtype), g.constant(1.0, dtype)

    def negative(v: str) -> str:  # v < 0, or v is -0.0 (whose reciprocal is -inf)
        return g.op("Or", g.op("Less", v, zero), g.op("Less", g.op("Reciprocal", v), zero))

    a_neg, b_neg = negative(a), negative(b)
    # Both infinite: the angle of (sign b, sign a). Both zero: of (±1, a), which gives ±0 or ±pi.
    both_inf = g.op("And", g.op("IsInf", a), g.op("IsInf", b))
    both_zero = g.op("And", g.op("Equal", a, zero), g.op("Equal", b, zero))
    unit_b = g.op("Where", b_neg, g.op("Neg", one), one)
    a2 = g.op("Where", both_inf, g.op("Sign", a), a)
    b2 = g.op("Where", both_inf, g.op("Sign", b), g.op("Where", both_zero, unit_b, b))
    angle = g.op("Atan", g.op("Div", a2, b2))
    pi = g.constant(math.pi, dtype)
    turn = g.op("Where", a_neg, g.op("Neg", pi), pi)
    return g.op("Add", angle, g.op("Where", b_neg, turn, g.constant(-0.0, dtype)))


def _erfinv(g: GraphBuilder, call: Call) -> str:
    """Giles' single-precision approximation (the initial estimate of ``ops.special``),
    without the Newton steps that make the core's result exact: they need ``erfc``, which
    ONNX lacks, and ``erf(x) - y`` cancels in float32 in the tails."""
    dtype = call.out_dtype
    if dtype != np.float32:
        raise ExportError(
            f"erfinv is exported for float32 only, got {dtype}: ONNX has no erfinv, and the "
            f"formula used (Giles' approximation) is accurate to single precision"
        )
    y = call.input(0, dtype)

    def c(v: float) -> str:
        return g.constant(v, dtype)

    def polynomial(coefficients: tuple[float, ...], t: str) -> str:
        p = c(coefficients[0])
        for k in coefficients[1:]:
            p = g.op("Add", c(k), g.op("Mul", p, t))
        return p

    w = g.op("Neg", g.op("Log", g.op("Mul", g.op("Sub", c(1), y), g.op("Add", c(1), y))))
    central = polynomial(ERFINV_CENTRAL, g.op("Sub", w, c(2.5)))
    tail = polynomial(ERFINV_TAIL, g.op("Sub", g.op("Sqrt", g.op("Max", w, c(0))), c(3)))
    x = g.op("Mul", g.op("Where", g.op("Less", w, c(5)), central, tail), y)
    ends = g.op("Equal", g.op("Abs", y), c(1))  # ±inf at ±1 (NaN beyond, from the log)
    return g.op("Where", ends, g.op("Mul", y, c(np.inf)), x)


PRIMITIVES = {
    ops.Sin: _unary("Sin"),
    ops.Cos: _unary("Cos"),
    ops.Tan: _unary("Tan"),
    ops.Asin: _unary("Asin"),
    ops.Acos: _unary("Acos"),
    ops.Atan: _unary("Atan"),
    ops.Sinh: _unary("Sinh"),
    ops.Cosh: _unary("Cosh"),
    ops.Asinh: _unary("Asinh"),
    ops.Acosh: _unary("Acosh"),
    ops.Atanh: _unary("Atanh"),
    ops.Atan2: _atan2,
    ops.Exp2: _exp2,
    ops.Expm1: _expm1,
    ops.Log1p: _log1p,
    ops.Log2: _scaled_log(2.0),
    ops.Log10: _scaled_log(10.0),
    ops.Reciprocal: _unary("Reciprocal"),
    ops.Rsqrt: _rsqrt,
    ops.Erf: _unary("Erf"),
    ops.Erfinv: _erfinv,
}
