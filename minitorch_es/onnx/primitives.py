"""ONNX translations of the core's primitive ops (``minitorch_es.ops``), registered by the core
itself (provider ``built-in (minitorch_es.onnx)``): arithmetic, reductions and shapes here;
indexing in `indexing`, element-wise math in `pointwise`, rounding and remainders in
`rounding`, running ops in `cumulative`, flip and roll in `reorder`, indexed writes in
`scatter`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from ..ops.einsum import parse
from ..ops.reduction import normalize_dims, wrap_dim
from .cumulative import PRIMITIVES as CUMULATIVE
from .graph import Dim
from .indexing import get_item
from .pointwise import PRIMITIVES as POINTWISE
from .reorder import PRIMITIVES as REORDER
from .rounding import PRIMITIVES as ROUNDING
from .scatter import PRIMITIVES as SCATTER
from .translation import ExportError, Translation

if TYPE_CHECKING:
    from ..registry import Registry
    from .call import Call
    from .graph import GraphBuilder


def _same_dtype(op_type: str):
    """An n-ary op whose inputs are first cast to the result's dtype (NumPy promotes; ONNX
    wants equal types)."""

    def emit(g: GraphBuilder, call: Call) -> str:
        dtype = call.out_dtype
        return g.op(op_type, *(call.value(a, dtype) for a in call.args))

    return emit


def _unary(op_type: str):
    return lambda g, call: g.op(op_type, call.input(0))


def _where(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    return g.op("Where", call.input(0, np.bool_), call.input(1, dtype), call.input(2, dtype))


def _clamp(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    lo, hi = (call.kwargs.get(k) for k in ("min", "max"))
    bounds = ("" if b is None else g.constant(b, dtype) for b in (lo, hi))
    return g.op("Clip", call.input(0, dtype), *bounds)


def _cast(g: GraphBuilder, call: Call) -> str:
    return g.cast(call.input(0), call.out_dtype)


def _axes(call: Call, op: str) -> tuple[int, ...] | None:
    return normalize_dims(call.kwargs.get("dim"), call.ndim(call.args[0]), op)


def _reduction(op_type: str, op: str):
    def emit(g: GraphBuilder, call: Call) -> str:
        x = call.input(0, call.out_dtype)  # Sum of bool/int counts in int64
        return g.reduce(op_type, x, _axes(call, op), call.kwargs.get("keepdim", False))

    return emit


def _var(g: GraphBuilder, call: Call) -> str:
    x, dtype = call.input(0), call.out_dtype
    dims = call.dims(call.args[0])
    axes = _axes(call, "var")
    reduced = tuple(range(len(dims))) if axes is None else axes
    mean = g.reduce("ReduceMean", x, axes, True)
    centered = g.op("Sub", x, mean)
    total = g.reduce("ReduceSum", g.op("Mul", centered, centered), axes, call.kwargs["keepdim"])
    correction = call.kwargs.get("correction", 1)
    if any(isinstance(dims[a], Dim) for a in reduced):  # the count is known at run time only
        sizes = g.op("Gather", g.op("Shape", x), g.int64s(reduced), axis=0)
        count = g.op("Cast", g.reduce("ReduceProd", sizes, None, False), to=dtype)
        return g.op("Div", total, g.op("Sub", count, g.constant(correction, dtype)))
    count = int(np.prod([dims[a] for a in reduced]))
    return g.op("Div", total, g.constant(count - correction, dtype))


def _max_min(g: GraphBuilder, call: Call) -> str:
    op_type = "ReduceMax" if call.kwargs.get("largest", True) else "ReduceMin"
    return g.reduce(op_type, call.input(0), None, False)


def _amax_amin(g: GraphBuilder, call: Call) -> str:
    op_type = "ReduceMax" if call.kwargs.get("largest", True) else "ReduceMin"
    dim = call.kwargs.get("dim")
    axes = normalize_dims(None if dim == () else dim, call.ndim(call.args[0]), "amax")
    return g.reduce(op_type, call.input(0), axes, call.kwargs.get("keepdim", False))


def _fmax_fmin(op_type: str):
    """``Max``/``Min`` ignoring NaN: the other operand where one is NaN (NaN if both)."""

    def emit(g: GraphBuilder, call: Call) -> str:
        dtype = call.out_dtype
        a, b = call.input(0, dtype), call.input(1, dtype)
        out = g.op(op_type, a, b)
        if dtype.kind != "f":
            return out
        return g.op("Where", g.op("IsNaN", a), b, g.op("Where", g.op("IsNaN", b), a, out))

    return emit


def _max_min_dim(g: GraphBuilder, call: Call) -> str:
    op_type = "ReduceMax" if call.kwargs.get("largest", True) else "ReduceMin"
    ndim = call.ndim(call.args[0])
    if ndim == 0:
        return g.op("Identity", call.input(0))
    axis = wrap_dim(call.kwargs["dim"], ndim, "max")
    return g.reduce(op_type, call.input(0), (axis,), call.kwargs.get("keepdim", False))


def _prod(g: GraphBuilder, call: Call) -> str:
    x = call.input(0, call.out_dtype)  # integers multiply in int64
    return g.reduce("ReduceProd", x, _axes(call, "prod"), call.kwargs.get("keepdim", False))


def _einsum(g: GraphBuilder, call: Call) -> str:
    """ONNX ``Einsum`` with the equation spelled out (ellipses as letters, the output
    explicit), so that ONNX reads it as NumPy does."""
    operands = [call.value(a) for a in call.args]
    subs, out = parse(call.kwargs["equation"], [call.dims(a) for a in call.args])
    return g.op("Einsum", *operands, equation=",".join(subs) + "->" + out)


def _reshape(g: GraphBuilder, call: Call) -> str:
    x = call.input(0)
    source = call.dims(call.args[0])
    target = list(call.out_dims)
    if 0 in target:
        raise ExportError("reshaping to a shape with a zero-size dimension is not supported")
    for i, d in enumerate(target):
        if isinstance(d, Dim) and i < len(source) and source[i] == d:
            target[i] = 0  # Reshape's 0 copies the input's size at that position
    return g.op("Reshape", x, g.shape_vector(tuple(target), like=(x,), infer=True))


def _expand(g: GraphBuilder, call: Call) -> str:
    x = call.input(0)
    source = call.dims(call.args[0])
    target = list(call.out_dims)
    lead = len(target) - len(source)
    for i, d in enumerate(target):
        if isinstance(d, Dim) and i >= lead and source[i - lead] == d:
            target[i] = 1  # Expand broadcasts: 1 keeps the input's own size
    return g.op("Expand", x, g.shape_vector(tuple(target), like=(x,)))


def _permute(g: GraphBuilder, call: Call) -> str:
    ndim = call.ndim(call.args[0])
    perm = [wrap_dim(d, ndim, "permute") for d in call.args[1]] if ndim else []
    return g.op("Transpose", call.input(0), perm=perm)


def _cat(g: GraphBuilder, call: Call) -> str:
    axis = wrap_dim(call.kwargs.get("dim", 0), call.ndim(call.args[0]), "cat")
    dtype = call.out_dtype
    return g.op("Concat", *(call.value(a, dtype) for a in call.args), axis=axis)


def _stack(g: GraphBuilder, call: Call) -> str:
    axis = wrap_dim(call.kwargs.get("dim", 0), call.ndim(call.args[0]) + 1, "stack")
    dtype, where = call.out_dtype, g.int64s([axis])
    parts = [g.op("Unsqueeze", call.value(a, dtype), where) for a in call.args]
    return g.op("Concat", *parts, axis=axis)


PRIMITIVES = {
    ops.Add: _same_dtype("Add"),
    ops.Sub: _same_dtype("Sub"),
    ops.Mul: _same_dtype("Mul"),
    ops.Div: _same_dtype("Div"),
    ops.Pow: _same_dtype("Pow"),
    ops.MatMul: _same_dtype("MatMul"),
    ops.Maximum: _same_dtype("Max"),
    ops.Minimum: _same_dtype("Min"),
    ops.Fmax: _fmax_fmin("Max"),
    ops.Fmin: _fmax_fmin("Min"),
    ops.Einsum: _einsum,
    ops.Neg: _unary("Neg"),
    ops.Exp: _unary("Exp"),
    ops.Log: _unary("Log"),
    ops.Sqrt: _unary("Sqrt"),
    ops.Abs: _unary("Abs"),
    ops.Clone: _unary("Identity"),
    ops.Clamp: _clamp,
    ops.Where: _where,
    ops.Cast: _cast,
    ops.Sum: _reduction("ReduceSum", "sum"),
    ops.Mean: _reduction("ReduceMean", "mean"),
    ops.Var: _var,
    ops.MaxMin: _max_min,
    ops.MaxMinDim: _max_min_dim,
    ops.AMaxMin: _amax_amin,
    ops.Prod: _prod,
    ops.Permute: _permute,
    ops.Cat: _cat,
    ops.Stack: _stack,
    ops.GetItem: get_item,
}
VARYING = {ops.Reshape: (_reshape, (1,)), ops.Expand: (_expand, (1,))}


def register(registry: Registry) -> None:
    """Add the translations of the core's ops to ``registry`` as built-in entries."""
    from ..registry import Provider

    provider = Provider("builtin", "minitorch_es.onnx")
    fixed = PRIMITIVES | POINTWISE | ROUNDING | CUMULATIVE | REORDER | SCATTER
    table = {op: (emit, ()) for op, emit in fixed.items()} | VARYING
    for op, (emit, varying) in table.items():
        name = f"{op.__module__}.{op.__qualname__}"
        registry.add("onnx", name, Translation(op, emit, varying), provider=provider)
