"""Linear maps along axes: the one op behind non-constant padding and interpolation.

Reflect/replicate/circular padding and every interpolation mode (nearest, linear, cubic, area)
are separable: along each resized axis, each output position is a fixed combination of input
positions, ``out = M @ x`` along that axis with a constant matrix ``M`` (``out_size x
in_size``). So one Primitive does them all: forward applies the matrices axis by axis (a gather
``np.take`` when ``M`` only copies entries), backward applies their transposes in reverse order.
The backward is the same kind of product, written with ``ctx.xp``, so it differentiates again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from minitorch_es.autograd import Primitive

if TYPE_CHECKING:
    from minitorch_es import Tensor
    from minitorch_es.autograd import Context


class AxisMap(NamedTuple):
    """``matrix`` (out x in) applied along ``axis``; ``index`` (one input position per output
    position) when the matrix is a gather, so forward can copy instead of multiplying."""

    axis: int
    matrix: np.ndarray
    index: np.ndarray | None = None


def gather_map(axis: int, index: np.ndarray, size: int) -> AxisMap:
    """The map that copies input position ``index[i]`` to output position ``i``."""
    matrix = np.zeros((index.size, size))
    matrix[np.arange(index.size), index] = 1.0
    return AxisMap(axis, matrix, index)


def apply_matrix(xp, x, axis: int, matrix: np.ndarray):  # noqa: ANN001, ANN201  (arrays or Tensors)
    """``matrix @ x`` along ``axis`` of ``x`` (an array, or a Tensor with ``xp`` the Tensor
    namespace): one matrix product over the flattened other axes."""
    shape = tuple(x.shape)
    before, after = int(np.prod(shape[:axis])), int(np.prod(shape[axis + 1 :]))
    out_shape = (*shape[:axis], matrix.shape[0], *shape[axis + 1 :])
    if after == 1:  # the last axis: rows times the transposed matrix, a single product
        out = xp.matmul(xp.reshape(x, (before, shape[axis])), matrix.T)
    else:
        out = xp.matmul(matrix, xp.reshape(x, (before, shape[axis], after)))
    return xp.reshape(out, out_shape)


class AlongAxes(Primitive):
    """``x`` with each `AxisMap` of ``maps`` applied in turn."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, maps: tuple[AxisMap, ...]):
        typed = tuple(m._replace(matrix=m.matrix.astype(x.dtype, copy=False)) for m in maps)
        ctx.maps = typed  # constants of the derivative
        for m in typed:
            if m.index is not None:
                x = np.take(x, m.index, axis=m.axis)
            else:
                x = apply_matrix(np, x, m.axis, m.matrix)
        return x

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        for m in reversed(ctx.maps):
            grad = apply_matrix(ctx.xp, grad, m.axis, m.matrix.T)
        return (grad,)


def along_axes(x: Tensor, maps: tuple[AxisMap, ...]) -> Tensor:
    """``x`` with the linear ``maps`` applied (differentiable, twice)."""
    return AlongAxes.apply(x, maps=tuple(maps)) if maps else x
