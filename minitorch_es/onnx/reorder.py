"""ONNX translations of the core's ops that reorder elements: ``flip`` (a ``Slice`` with step
-1) and ``roll`` (two ``Slice`` joined by ``Concat``; along a dim whose size changes with the
dynamic axes, the split point ``size - shift % size`` is computed at run time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import ops
from ..ops.reduction import wrap_dim
from .graph import Dim
from .indexing import BIG, slice_axes

if TYPE_CHECKING:
    from .call import Call
    from .graph import GraphBuilder


def _flip(g: GraphBuilder, call: Call) -> str:
    ndim = call.ndim(call.args[0])
    axes = [wrap_dim(d, ndim, "flip") for d in call.kwargs["dims"]] if ndim else []
    if not axes:
        return g.op("Identity", call.input(0))
    return slice_axes(g, call.input(0), [(a, slice(None, None, -1)) for a in axes])


def _roll(g: GraphBuilder, call: Call) -> str:
    """``np.roll``: shifts and dims broadcast against each other; without dims, the
    flattened tensor is rolled and reshaped back."""
    x, dims = call.input(0), call.dims(call.args[0])
    shifts, axes = call.kwargs["shifts"], call.kwargs.get("dims")
    if axes is None:
        flat = g.op("Reshape", x, g.int64s([-1]))
        size = int(np.prod(dims)) if not any(isinstance(d, Dim) for d in dims) else None
        rolled = _roll_axis(g, flat, int(np.sum(shifts)), 0, size)
        return g.op("Reshape", rolled, g.op("Shape", x))
    pairs = zip(*np.broadcast_arrays(np.atleast_1d(shifts), np.atleast_1d(axes)))
    out = x
    for shift, axis in pairs:
        axis = wrap_dim(int(axis), len(dims), "roll")
        size = dims[axis]
        out = _roll_axis(g, out, int(shift), axis, None if isinstance(size, Dim) else size)
    return out if out != x else g.op("Identity", x)


def _roll_axis(g: GraphBuilder, x: str, shift: int, axis: int, size: int | None) -> str:
    """``x`` rolled by ``shift`` along ``axis`` of ``size`` (None: known at run time only)."""
    if size is not None:
        if size == 0 or shift % size == 0:
            return x
        start = g.int64s([size - shift % size])
    else:
        n = g.op("Gather", g.op("Shape", x), g.int64s([axis]), axis=0)
        start = g.op("Sub", n, g.op("Mod", g.int64s([shift]), n, fmod=0))
    where = g.int64s([axis])
    tail = g.op("Slice", x, start, g.int64s([BIG]), where)
    head = g.op("Slice", x, g.int64s([0]), start, where)
    return g.op("Concat", tail, head, axis=axis)


PRIMITIVES = {ops.Flip: _flip, ops.Roll: _roll}
