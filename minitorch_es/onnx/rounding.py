"""ONNX translations of the core's rounding ops (floor, ceil, round, trunc, frac, sign) and
of the remainders ``fmod`` and ``remainder``, with PyTorch's rules.

Rounding an integer or bool tensor returns it unchanged, as in PyTorch. ONNX's ``Round``
rounds halves to even, as PyTorch; it has no ``Trunc``. ONNX's ``Mod`` needs ``fmod=1`` for
floats (C's fmod, the sign of the dividend), so a float ``remainder`` (the sign of the
divisor) moves fmod's result by the divisor where their signs differ, as PyTorch does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops

if TYPE_CHECKING:
    from .call import Call
    from .graph import GraphBuilder


def _on_floats(op_type: str):
    """``op_type`` on a float tensor; other dtypes come back unchanged."""

    def emit(g: GraphBuilder, call: Call) -> str:
        x = call.input(0)
        return g.op(op_type if call.out_dtype.kind == "f" else "Identity", x)

    return emit


def _trunc_of(g: GraphBuilder, x: str, dtype) -> str:  # noqa: ANN001  (a NumPy dtype)
    negative = g.op("Less", x, g.constant(0.0, dtype))
    return g.op("Where", negative, g.op("Ceil", x), g.op("Floor", x))


def _trunc(g: GraphBuilder, call: Call) -> str:
    x, dtype = call.input(0), call.out_dtype
    return _trunc_of(g, x, dtype) if dtype.kind == "f" else g.op("Identity", x)


def _frac(g: GraphBuilder, call: Call) -> str:
    x = call.input(0)
    return g.op("Sub", x, _trunc_of(g, x, call.out_dtype))


def _round(g: GraphBuilder, call: Call) -> str:
    """Halves to even; with ``decimals``, of ``x * 10^decimals`` scaled back (as PyTorch and
    NumPy: divided by ``10^-decimals`` first when ``decimals`` is negative)."""
    x, dtype = call.input(0), call.out_dtype
    if dtype.kind != "f":
        return g.op("Identity", x)
    decimals = call.kwargs.get("decimals", 0)
    if not decimals:
        return g.op("Round", x)
    scale = g.constant(10.0 ** abs(decimals), dtype)
    into, back = ("Mul", "Div") if decimals > 0 else ("Div", "Mul")
    return g.op(back, g.op("Round", g.op(into, x, scale)), scale)


def _sign(g: GraphBuilder, call: Call) -> str:
    x, dtype = call.input(0), call.out_dtype
    if dtype.kind == "b":
        return g.op("Identity", x)
    if dtype.kind != "f":
        return g.op("Sign", x)
    return g.op("Where", g.op("IsNaN", x), x, g.op("Sign", x))  # NaN stays NaN, as NumPy


def _fmod(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    return g.op("Mod", call.input(0, dtype), call.input(1, dtype), fmod=1)


def _remainder(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    a, b = call.input(0, dtype), call.input(1, dtype)
    if dtype.kind != "f":
        return g.op("Mod", a, b, fmod=0)  # integers: Python's %, the sign of the divisor
    r = g.op("Mod", a, b, fmod=1)
    zero = g.constant(0.0, dtype)
    signs_differ = g.op("Xor", g.op("Less", r, zero), g.op("Less", b, zero))
    move = g.op("And", g.op("Not", g.op("Equal", r, zero)), signs_differ)
    return g.op("Where", move, g.op("Add", r, b), r)


PRIMITIVES = {
    ops.Floor: _on_floats("Floor"),
    ops.Ceil: _on_floats("Ceil"),
    ops.Round: _round,
    ops.Trunc: _trunc,
    ops.Frac: _frac,
    ops.Sign: _sign,
    ops.Fmod: _fmod,
    ops.Remainder: _remainder,
}
