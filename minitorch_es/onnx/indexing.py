"""The ONNX translation of indexing (``GetItem``): slices, integers, ``None``, ``...`` and one
index array (or a 1-d boolean mask known at export time).

The index is applied in three steps: one ``Slice`` for every slice, then a ``Gather`` per
integer or index array (last axis first, so the earlier axes keep their numbers), then one
``Unsqueeze`` for the ``None`` entries. That is NumPy's result as long as the index array is
the only "advanced" entry; NumPy moves the dimensions of several index arrays (or of an index
array combined with integers) around, which is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .trace import as_array
from .translation import ExportError

if TYPE_CHECKING:
    from .call import Call
    from .graph import GraphBuilder

BIG = np.iinfo(np.int64).max


def get_item(g: GraphBuilder, call: Call) -> str:
    """``x[index]`` as Slice, Gather and Unsqueeze nodes."""
    x, index = call.args[0], call.args[1]
    items = _expand_ellipsis(index if isinstance(index, tuple) else (index,), call.ndim(x))
    arrays = [i for i in items if _is_array(i)]
    if len(arrays) > 1 or (arrays and any(_is_int(i) for i in items)):
        raise ExportError(
            f"indexing with {len(arrays)} index arrays and {sum(map(_is_int, items))} "
            f"integers is not supported (one index array, with no integer index beside it)"
        )
    out = call.input(0)
    slices, gathers, new_axes, axis, position = [], [], [], 0, 0
    for item in items:
        if item is None:
            new_axes.append(position)
            position += 1
        elif isinstance(item, slice):
            if item != slice(None):
                slices.append((axis, item))
            axis, position = axis + 1, position + 1
        elif _is_int(item):
            gathers.append((axis, g.constant(np.int64(item))))
            axis += 1
        else:
            gathers.append((axis, _index_array(call, item)))
            axis, position = axis + 1, position + (1 if _is_mask(item) else np.ndim(item))
    if slices:
        out = slice_axes(g, out, slices)
    for where, indices in reversed(gathers):
        out = g.op("Gather", out, indices, axis=where)
    if new_axes:
        out = g.op("Unsqueeze", out, g.int64s(new_axes))
    if out == call.input(0):
        out = g.op("Identity", out)
    return out


def slice_axes(g: GraphBuilder, x: str, slices: list[tuple[int, slice]]) -> str:
    """``x`` sliced by one ``Slice`` node: ``slices`` pairs each axis with its slice."""
    starts, ends, axes, steps = [], [], [], []
    for axis, s in slices:
        step = 1 if s.step is None else int(s.step)
        if step == 0:
            raise ExportError("slice step cannot be zero")
        first, last = (0, BIG) if step > 0 else (BIG, -BIG - 1)
        starts.append(first if s.start is None else int(s.start))
        ends.append(last if s.stop is None else int(s.stop))
        axes.append(axis)
        steps.append(step)
    return g.op("Slice", x, *(g.int64s(v) for v in (starts, ends, axes, steps)))


def _index_array(call: Call, item: Any) -> str:
    if isinstance(item, list):  # NumPy reads a list inside an index as an array
        item = np.asarray(item)
    array = as_array(item)
    if array is None:
        raise ExportError(f"unsupported index entry {item!r}")
    if array.dtype != np.bool_:
        return call.value(item, np.int64)
    if array.ndim != 1 or call.traced(item):
        raise ExportError(
            "a boolean mask index must be a 1-d array known at export time (its number of "
            "selected elements fixes the result's shape)"
        )
    return call.value(np.flatnonzero(array))


def _expand_ellipsis(items: tuple, ndim: int) -> list:
    consumed = sum(
        0 if i is None or i is Ellipsis else (np.ndim(as_array(i)) if _is_mask(i) else 1)
        for i in items
    )
    if sum(i is Ellipsis for i in items) > 1:
        raise ExportError("an index can only have a single ellipsis ('...')")
    out = []
    for i in items:
        out.extend([slice(None)] * (ndim - consumed) if i is Ellipsis else [i])
    return out


def _is_int(item: Any) -> bool:
    return isinstance(item, (int, np.integer)) and not isinstance(item, bool)


def _is_array(item: Any) -> bool:
    return not (item is None or isinstance(item, slice) or _is_int(item))


def _is_mask(item: Any) -> bool:
    array = as_array(np.asarray(item) if isinstance(item, list) else item)
    return array is not None and array.dtype == np.bool_
