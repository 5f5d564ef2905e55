"""2-D convolution kernels: pure functions on NumPy arrays (NCHW), im2col + one matrix product.

The functions an autograd op needs, each usable on its own (`conv_ops` registers the first
three as ``ctx.xp`` functions, each the derivative of the others):

* `conv2d` ``(x, weight, stride, padding, dilation, groups, bias)``: the forward pass;
* `conv_transpose2d` ``(grad_out, weight, input_shape, ...)``: the gradient of ``conv2d``
  with respect to ``x`` (a transposed convolution, PyTorch's ``conv_transpose2d`` with
  the output size given by ``input_shape``);
* `conv2d_weight_grad` ``(x, grad_out, weight_shape, ...)``: the gradient with respect to
  ``weight``;
* `conv2d_bias_grad` ``(grad_out)``: the gradient with respect to ``bias``.

``padding`` is ``(top, bottom, left, right)`` zeros; ``stride`` and ``dilation`` are pairs. The
layout is described in `im2col`: ``cols`` is ``(C*kh*kw, Ho*Wo*N)``, so each pass is one BLAS
product over the whole batch (``W2 @ cols``, ``delta @ cols.T``, ``W2.T @ delta``, per group)
and the results are batch-last arrays returned as NCHW views. A training step builds the
columns once, in forward (`columns`, `conv2d_columns`), and hands them to
`conv2d_weight_grad` in place of ``x``.

Columns larger than `COLUMN_BYTES` are never built whole: each pass goes block by block of
output rows, building each block's columns from the padded input (again in backward), so a
block is still in the CPU's cache when the product reads it, memory stays bounded, and every
block is recycled by the allocator instead of being mapped afresh (see `allocator`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .im2col import (
    Geometry,
    batch_last,
    col2im_add,
    from_grid,
    geometry,
    im2col,
    pad,
    to_grid,
    unpad,
)

# Measured on the benchmark CNNs (thesis, LeNet-5, VGG block): 2 MiB blocks took 7-15 % less
# CPU time per training step than columns built whole (16 MiB); 1 and 4 MiB did no better.
COLUMN_BYTES = 2 << 20


class Columns(NamedTuple):
    """The columns of a convolution's input: ``data`` is the whole ``cols`` when ``blocks``
    (ranges of output rows) is a single range, else the padded input they are rebuilt from."""

    g: Geometry
    data: np.ndarray
    blocks: tuple

    def each(self):
        """``(slice of the grid's columns, columns)`` for every block."""
        if len(self.blocks) == 1:
            yield slice(None), self.data
            return
        per_row = self.g.out_hw[1] * self.g.x_shape[0]
        for first, stop in self.blocks:
            yield slice(first * per_row, stop * per_row), im2col(self.data, self.g, (first, stop))


def row_blocks(g: Geometry, itemsize: int) -> tuple:
    """Ranges of output rows whose columns take at most `COLUMN_BYTES` (one row at least)."""
    (kh, kw), (ho, wo), (n, c) = g.kernel, g.out_hw, g.x_shape[:2]
    rows = max(1, COLUMN_BYTES // (c * kh * kw * wo * n * itemsize))
    return tuple((first, min(ho, first + rows)) for first in range(0, ho, rows))


def _grouped(matrix: np.ndarray, groups: int) -> np.ndarray:
    """``matrix`` split into ``groups`` row blocks, stacked: ``(groups, rows/groups, cols)``."""
    return matrix.reshape(groups, matrix.shape[0] // groups, matrix.shape[1])


def columns(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple):
    """The `Columns` of ``x`` for a convolution (see `im2col`)."""
    g = geometry(x.shape, kernel, stride, padding, dilation)
    xp, blocks = pad(x, g), row_blocks(g, x.dtype.itemsize)
    return Columns(g, im2col(xp, g) if len(blocks) == 1 else xp, blocks)


def conv2d_columns(
    cols: Columns, weight: np.ndarray, groups: int, bias: np.ndarray | None
) -> np.ndarray:
    """The convolution from its columns: ``W2 @ cols`` per group (block by block), plus the
    bias."""
    o = weight.shape[0]
    w2 = _grouped(weight.reshape(o, -1), groups)
    size = cols.g.out_hw[0] * cols.g.out_hw[1] * cols.g.x_shape[0]
    out = np.empty((o, size), dtype=np.result_type(w2, cols.data))
    for part, block in cols.each():
        np.matmul(w2, _grouped(block, groups), out=_grouped(out[:, part], groups))
    if bias is not None:
        out += bias[:, None]
    return from_grid(out, cols.g)


def conv2d_weight_grad_columns(
    cols: Columns, delta: np.ndarray, weight_shape: tuple, groups: int
) -> np.ndarray:
    """``dL/dW2 = delta @ cols.T`` per group (summed over the blocks); ``delta`` is the
    gradient as `to_grid` lays it out. Computed as ``(cols @ delta.T).T``: OpenBLAS runs that
    orientation faster when the summed dimension (every output position) is this long."""
    total = None
    for part, block in cols.each():
        d = _grouped(delta[:, part], groups).transpose(0, 2, 1)
        product = np.matmul(_grouped(block, groups), d)
        total = product if total is None else total + product
    return total.transpose(0, 2, 1).reshape(weight_shape)


def conv2d_bias_grad(grad_out: np.ndarray) -> np.ndarray:
    """The gradient of ``conv2d(..., bias)`` with respect to ``bias``: ``grad_out`` summed
    over every output position, as one matrix-vector product on its grid (2.5-5x faster than
    ``grad_out.sum(axis=(0, 2, 3))`` on batch-last arrays)."""
    delta = batch_last(grad_out).reshape(grad_out.shape[1], -1)
    return delta @ np.ones(delta.shape[1], dtype=delta.dtype)


def conv_transpose2d_grid(
    delta: np.ndarray, weight: np.ndarray, g: Geometry, groups: int
) -> np.ndarray:
    """``dL/dcols = W2.T @ delta`` per group, folded back onto the input by `col2im_add`,
    block by block of output rows."""
    o, (n, c) = weight.shape[0], g.x_shape[:2]
    w2 = _grouped(weight.reshape(o, -1), groups).transpose(0, 2, 1)
    (kh, kw), (sh, sw) = g.kernel, g.stride
    if (kh, kw, sh, sw) == (1, 1, 1, 1) and not any(g.pads):  # the columns are the input
        gx = np.matmul(w2, _grouped(delta, groups)).reshape(c, *g.x_shape[2:], n)
        return gx.transpose(3, 0, 1, 2)
    gxp = np.zeros((c, *g.padded, n), dtype=np.result_type(w2, delta))
    per_row = g.out_hw[1] * n
    for first, stop in row_blocks(g, gxp.itemsize):
        part = delta[:, first * per_row : stop * per_row]
        gcols = np.matmul(w2, _grouped(part, groups)).reshape(-1, part.shape[1])
        col2im_add(gxp, gcols, g, (first, stop))
    return unpad(gxp, g)


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    stride: tuple = (1, 1),
    padding: tuple = (0, 0, 0, 0),
    dilation: tuple = (1, 1),
    groups: int = 1,
    bias: np.ndarray | None = None,
) -> np.ndarray:
    """Cross-correlation of NCHW ``x`` with ``weight`` ``(O, C/groups, kh, kw)``, as PyTorch's
    ``conv2d``; the result is stored batch-last (an NCHW view, see `im2col`)."""
    cols = columns(x, weight.shape[2:], stride, padding, dilation)
    return conv2d_columns(cols, weight, groups, bias)


def conv2d_weight_grad(
    x: np.ndarray,
    grad_out: np.ndarray,
    weight_shape: tuple,
    stride: tuple = (1, 1),
    padding: tuple = (0, 0, 0, 0),
    dilation: tuple = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """The gradient of ``conv2d(x, w, ...)`` with respect to ``w`` given ``grad_out``;
    ``x`` may be given as its `Columns`, when a forward pass built them."""
    if isinstance(x, Columns):
        cols = x
    else:
        cols = columns(x, weight_shape[2:], stride, padding, dilation)
    return conv2d_weight_grad_columns(cols, to_grid(grad_out, cols.g), weight_shape, groups)


def conv_transpose2d(
    grad_out: np.ndarray,
    weight: np.ndarray,
    input_shape: tuple,
    stride: tuple = (1, 1),
    padding: tuple = (0, 0, 0, 0),
    dilation: tuple = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """The transposed convolution of ``grad_out`` (N, O, Ho, Wo) with ``weight``
    ``(O, C/groups, kh, kw)`` onto an input of ``input_shape``: the gradient of
    ``conv2d(x, weight, ...)`` with respect to ``x``."""
    g = geometry(input_shape, weight.shape[2:], stride, padding, dilation)
    full = _full_padding(g)
    if full is not None and weight.shape[0] <= input_shape[1]:
        return conv2d(grad_out, _flipped(weight, groups), (1, 1), full, dilation, groups)
    return conv_transpose2d_grid(to_grid(grad_out, g), weight, g, groups)


# A stride-1 transposed convolution is also a plain one: the correlation of ``grad_out``,
# padded by the kernel's reach less the forward padding, with the kernel flipped and its
# channel axes swapped. Its columns have O*kh*kw rows where the grid path's have C*kh*kw, and
# its product sums over O*kh*kw instead of O. Measured on 18 shapes (3x3 and 5x5 kernels, batch
# 64-128, 8x8 to 32x32, 1 to 64 channels): 1.0-2.4x faster whenever O <= C, 1.06-2.8x slower
# when O > C.
def _full_padding(g: Geometry) -> tuple | None:
    """The padding that makes the transposed convolution of ``g`` a correlation, or None when
    there is none (a stride, a 1x1 kernel, or a forward padding beyond the kernel's reach)."""
    if g.stride != (1, 1) or g.kernel == (1, 1):
        return None
    (kh, kw), (dh, dw) = g.kernel, g.dilation
    top, bottom, left, right = g.pads
    reach = ((kh - 1) * dh, (kh - 1) * dh, (kw - 1) * dw, (kw - 1) * dw)
    full = tuple(r - p for r, p in zip(reach, (top, bottom, left, right)))
    return full if min(full) >= 0 else None


def _flipped(weight: np.ndarray, groups: int) -> np.ndarray:
    """``(O, C/groups, kh, kw)`` as the ``(C, O/groups, kh, kw)`` kernel of the correlation:
    per group, channel axes swapped, both spatial axes reversed."""
    o, cg, kh, kw = weight.shape
    per_group = weight.reshape(groups, o // groups, cg, kh, kw).transpose(0, 2, 1, 3, 4)
    swapped = per_group.reshape(groups * cg, o // groups, kh, kw)
    return np.ascontiguousarray(swapped[:, :, ::-1, ::-1])
