"""ONNX translations of the core's writes at an index: ``IndexPut`` (``a[index] = values``, as
``index_copy``, ``index_fill``, ``scatter``, ``masked_scatter`` record it) and ``IndexAdd``
(zeros with ``values`` added at ``index``, as ``index_add``, ``scatter_add``, ``diag`` record
it).

The index (any NumPy index: slices, integers, arrays, masks) is resolved when the graph is
built into the flat positions it selects, and the write is one ``ScatterND`` on the
flattened tensor. So the index must be known at export time (not computed in the graph), and
the written tensor's size must not change with the dynamic axes. Repeated positions keep the
last value written (NumPy's assignment) or add up (``IndexAdd``, which needs ``ScatterND``'s
``reduction``, from opset 16).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import ops
from .graph import Dim
from .trace import as_array, leaves
from .translation import ExportError

if TYPE_CHECKING:
    from .call import Call
    from .graph import GraphBuilder


def _positions(call: Call, shape: tuple, index: Any, op: str) -> np.ndarray:
    """The flat positions of a tensor of ``shape`` that ``index`` selects, in the layout of
    the selection."""
    for _, leaf in leaves(index):
        if as_array(leaf) is not None and call.traced(leaf):
            raise ExportError(
                f"{op} at an index computed in the graph is not supported: the positions "
                f"written are resolved when the graph is built"
            )
    if any(isinstance(d, Dim) for d in shape):
        raise ExportError(
            f"{op} into a tensor whose size changes with the dynamic axes is not supported: the "
            f"positions written are resolved for the traced size; export with fixed sizes"
        )
    flat = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    return np.asarray(flat[index])


def _flat_values(g: GraphBuilder, call: Call, values: Any, selected: tuple, dtype) -> str:  # noqa: ANN001
    """``values`` broadcast to the selection's shape and flattened, in ``dtype``."""
    v = g.op("Expand", call.value(values, dtype), g.int64s(selected))
    return g.op("Reshape", v, g.int64s([-1]))


def _index_put(g: GraphBuilder, call: Call) -> str:
    a, values, index = call.args
    dtype, shape = call.out_dtype, call.dims(a)
    selected = _positions(call, shape, index, "index assignment")
    if selected.size == 0:
        return g.op("Identity", call.input(0))
    v = _flat_values(g, call, values, selected.shape, dtype)
    positions = selected.reshape(-1)
    # ScatterND leaves repeated positions undefined: keep the last write of each, as NumPy.
    _, first_from_end = np.unique(positions[::-1], return_index=True)
    last = np.sort(positions.size - 1 - first_from_end)
    if last.size != positions.size:
        v = g.op("Gather", v, g.int64s(last), axis=0)
        positions = positions[last]
    flat = g.op("Reshape", call.input(0, dtype), g.int64s([-1]))
    out = g.op("ScatterND", flat, g.constant(positions.reshape(-1, 1)), v)
    return g.op("Reshape", out, g.int64s(shape))


def _index_add(g: GraphBuilder, call: Call) -> str:
    dtype, shape, index = call.out_dtype, tuple(call.kwargs["shape"]), call.kwargs["index"]
    positions = _positions(call, shape, index, "index_add")
    zeros = g.op("Expand", g.constant(np.zeros((), dtype)), g.int64s([int(np.prod(shape))]))
    if positions.size == 0:
        return g.op("Reshape", zeros, g.int64s(shape))
    v = _flat_values(g, call, call.args[0], positions.shape, dtype)
    flat = positions.reshape(-1)
    repeated = np.unique(flat).size != flat.size
    if repeated and g.opset < 16:
        raise ExportError(
            f"index_add with repeated positions needs ScatterND's reduction='add', from opset "
            f"16; got opset_version={g.opset}"
        )
    extra = {"reduction": "add"} if repeated else {}
    out = g.op("ScatterND", zeros, g.constant(flat.reshape(-1, 1)), v, **extra)
    return g.op("Reshape", out, g.int64s(shape))


PRIMITIVES = {ops.IndexPut: _index_put, ops.IndexAdd: _index_add}
