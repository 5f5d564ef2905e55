"""ONNX translations of the core's running ops along one dim: ``cumsum`` (ONNX ``CumSum``),
``cumprod`` and ``logcumsumexp``.

ONNX has no running product nor running log-sum-exp. Both are written as a parallel prefix
scan (Hillis and Steele): ``ceil(log2 n)`` steps, step ``k`` combining every element with
the one ``2^k`` places before it (or with the neutral element, 1 or -inf, where there is
none). That needs the length ``n`` of the dim when the graph is built, so these two are not
exported along a dim whose size changes with the dynamic axes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from ..ops.reduction import wrap_dim
from .graph import Dim
from .translation import ExportError

if TYPE_CHECKING:
    from .call import Call
    from .graph import GraphBuilder


def _cumsum(g: GraphBuilder, call: Call) -> str:
    x = call.input(0, call.out_dtype)  # integers sum in int64
    ndim = call.ndim(call.args[0])
    if ndim == 0:
        return g.op("Identity", x)
    axis = wrap_dim(call.kwargs["dim"], ndim, "cumsum")
    return g.op("CumSum", x, g.constant(np.int64(axis)))


def _scan(name: str, neutral: float, combine: Callable[..., str]):
    """The translation of a running ``combine`` along ``dim``, ``neutral`` its identity."""

    def emit(g: GraphBuilder, call: Call) -> str:
        dtype = call.out_dtype
        x = call.input(0, dtype)
        dims = call.dims(call.args[0])
        if not dims:
            return g.op("Identity", x)
        axis = wrap_dim(call.kwargs["dim"], len(dims), name)
        n = dims[axis]
        if isinstance(n, Dim):
            raise ExportError(
                f"{name} along dim {axis}, whose size changes with the dynamic axes, is not "
                f"supported: ONNX has no {name} operator and the formula used needs the size "
                f"when the graph is built"
            )
        fill = g.constant(neutral, dtype)
        shift = 1
        while shift < n:
            pads = [0] * (2 * len(dims))
            pads[axis] = shift  # `shift` neutral elements before, the last `shift` cut
            kept = g.op("Slice", x, *(g.int64s(v) for v in ([0], [n - shift], [axis])))
            x = combine(g, x, g.op("Pad", kept, g.int64s(pads), fill), dtype)
            shift *= 2
        return x

    return emit


def _log_add_exp(g: GraphBuilder, a: str, b: str, dtype: np.dtype) -> str:
    """``log(exp(a) + exp(b))`` as ``max + log(1 + exp(-|a - b|))``; equal operands (two
    infinities among them) give ``a + log 2``."""
    gap = g.op("Abs", g.op("Sub", a, b))
    gap = g.op("Where", g.op("Equal", a, b), g.constant(0.0, dtype), gap)
    rest = g.op("Log", g.op("Add", g.constant(1.0, dtype), g.op("Exp", g.op("Neg", gap))))
    return g.op("Add", g.op("Max", a, b), rest)


def _multiply(g: GraphBuilder, a: str, b: str, dtype: np.dtype) -> str:
    return g.op("Mul", a, b)


PRIMITIVES = {
    ops.Cumsum: _cumsum,
    ops.Cumprod: _scan("cumprod", 1, _multiply),
    ops.Logcumsumexp: _scan("logcumsumexp", -np.inf, _log_add_exp),
}
