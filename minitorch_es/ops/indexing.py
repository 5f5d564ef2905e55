"""Indexing primitives: ``x[index]``, its gradient (add into zeros at ``index``) and
``x[index] = v`` (a copy with values written), each the derivative of the others."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from .numpy_api import is_basic_index


class GetItem(Primitive):
    """``a[index]`` (ints, slices, arrays, masks); the gradient is added back at ``index``."""

    is_view = True  # basic indexing shares memory: in-place changes of the result need care

    @staticmethod
    def forward(ctx, a, index):
        ctx.meta = (a.shape, index)
        ctx.backward_name = _node_name(index)
        try:
            return a[index]
        except IndexError as e:
            raise IndexError(f"indexing a tensor of shape {a.shape} with {index!r}: {e}") from None

    @staticmethod
    def backward(ctx, grad):
        shape, index = ctx.meta
        return ctx.xp.index_add(shape, index, grad), None


def _node_name(index) -> str:
    """PyTorch's node for an index: an int selects, slices slice, arrays gather."""
    items = index if isinstance(index, tuple) else (index,)
    if not is_basic_index(items):
        return "IndexBackward0"
    if any(isinstance(i, (int, np.integer)) for i in items):
        return "SelectBackward0"
    return "SliceBackward0"


class IndexAdd(Primitive):
    """Zeros of ``shape`` with ``values`` added at ``index``: the gradient of `GetItem`."""

    @staticmethod
    def forward(ctx, values, shape, index):
        ctx.index = index
        out = np.zeros(shape, dtype=values.dtype)
        if is_basic_index(index):
            out[index] = values
        else:
            np.add.at(out, index, values)
        return out

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.getitem(grad, ctx.index)


class IndexPut(Primitive):
    """A copy of ``a`` with ``values`` written at ``index`` (``a[index] = values``, recorded).
    ``a`` gets the gradient where it was not overwritten, ``values`` the rest."""

    @staticmethod
    def forward(ctx, a, values, index):
        out = a.copy()
        try:
            out[index] = values
        except ValueError as e:
            raise ValueError(
                f"index assignment: a value of shape {np.shape(values)} cannot be written into "
                f"the selection of a tensor of shape {a.shape}: {e}"
            ) from None
        ctx.meta = (index, np.shape(values))
        return out

    @staticmethod
    def backward(ctx, grad):
        index, vshape = ctx.meta
        xp = ctx.xp
        na, nv, _ = ctx.needs_input_grad
        ga = xp.index_put(grad, index, 0) if na else None
        gv = xp.unbroadcast(xp.getitem(grad, index), vshape) if nv else None
        return ga, gv, None
