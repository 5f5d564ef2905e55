"""Receptive fields as columns, batch-last: the layout of the convolution kernels.

A convolution is the matrix product ``W2 @ cols`` with ``W2 = weight.reshape(O, C*kh*kw)`` and
``cols`` holding, for every output position of every sample, the ``C*kh*kw`` input values it
sees. The kernels keep images *batch-last*: an NCHW array stored as ``(C, H, W, N)``, the batch
the fastest-moving axis (the layout of cuda-convnet). Then

* ``cols`` is ``(C*kh*kw, Ho*Wo*N)`` and, for stride 1, row ``(c, p, q)`` of it is the input
  block ``x[c, p:p+Ho, q:q+Wo, :]``: ``Ho`` contiguous runs of ``Wo*N`` values, so `im2col`
  and `col2im_add` copy long runs, and no column is wasted on padding;
* the product ``(O, Ho*Wo*N)`` *is* the output, batch-last; the NCHW result is a transposed
  view of it, never a copy, and the next convolution, pooling, ReLU or batch norm reads it as
  it is. Only the first layer's input (and a gradient arriving from a reshape) is copied into
  this layout once.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided


class Geometry(NamedTuple):
    """Sizes of one convolution: ``x_shape`` (N, C, H, W), ``pads`` (top, bottom, left,
    right), the padded ``(Hp, Wp)`` and the output ``(Ho, Wo)``."""

    x_shape: tuple
    kernel: tuple
    stride: tuple
    pads: tuple
    dilation: tuple
    padded: tuple
    out_hw: tuple


def output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """Output length along one axis (PyTorch's formula, floor division)."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def geometry(
    x_shape: tuple, kernel: tuple, stride: tuple, pads: tuple, dilation: tuple
) -> Geometry:
    """The `Geometry` of a convolution of an input of ``x_shape`` (NCHW)."""
    top, bottom, left, right = pads
    padded = (x_shape[2] + top + bottom, x_shape[3] + left + right)
    out_hw = tuple(output_size(*args, 0, d) for *args, d in zip(padded, kernel, stride, dilation))
    return Geometry(*map(tuple, (x_shape, kernel, stride, pads, dilation, padded, out_hw)))


def batch_last(x: np.ndarray) -> np.ndarray:
    """NCHW ``x`` as the C-contiguous ``(C, H, W, N)`` array of its batch-last storage: a
    view when it is stored so, else one copy."""
    return np.ascontiguousarray(x.transpose(1, 2, 3, 0))


def pad(x: np.ndarray, g: Geometry) -> np.ndarray:
    """NCHW ``x`` zero-padded by ``g.pads``, batch-last ``(C, Hp, Wp, N)``."""
    if not any(g.pads):
        return batch_last(x)
    top, _, left, _ = g.pads
    n, c, h, w = x.shape
    out = np.zeros((c, *g.padded, n), dtype=x.dtype)
    out[:, top : top + h, left : left + w] = x.transpose(1, 2, 3, 0)
    return out


def im2col(xp: np.ndarray, g: Geometry, rows: tuple | None = None) -> np.ndarray:
    """Columns ``(C*kh*kw, R*Wo*N)`` of the padded batch-last input ``xp`` for the output rows
    ``rows = (first, stop)`` (all ``Ho`` by default, R of them); a 1x1 kernel with stride 1
    reads ``xp`` itself (no copy)."""
    c, n = xp.shape[0], xp.shape[3]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = g.kernel, g.stride, g.dilation, g.out_hw
    first, stop = rows or (0, ho)
    if (kh, kw, sh, sw) == (1, 1, 1, 1):
        return xp[:, first:stop].reshape(c, -1)
    s_c, s_h, s_w, s_n = xp.strides
    shape = (c, kh, kw, stop - first, wo, n)
    strides = (s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw, s_n)
    cols = np.empty(shape, dtype=xp.dtype)
    cols[...] = as_strided(xp[:, first * sh :], shape, strides, writeable=False)
    return cols.reshape(c * kh * kw, -1)


def col2im_add(gxp: np.ndarray, gcols: np.ndarray, g: Geometry, rows: tuple) -> None:
    """Gradient of `im2col` for the output ``rows``: each kernel offset adds its block of
    column gradients to the padded batch-last gradient ``gxp``, where it was read."""
    c, n = gxp.shape[0], gxp.shape[3]
    (kh, kw), (sh, sw), (dh, dw), (_, wo) = g.kernel, g.stride, g.dilation, g.out_hw
    first, stop = rows
    cols = gcols.reshape(c, kh, kw, stop - first, wo, n)
    for p in range(kh):
        top = first * sh + p * dh
        for q in range(kw):
            rows_read = slice(top, top + sh * (stop - first - 1) + 1, sh)
            columns = slice(q * dw, q * dw + sw * (wo - 1) + 1, sw)
            gxp[:, rows_read, columns] += cols[:, p, q]


def unpad(gxp: np.ndarray, g: Geometry) -> np.ndarray:
    """The padded batch-last gradient cropped to the input, as an NCHW view."""
    top, _, left, _ = g.pads
    return gxp[:, top : top + g.x_shape[2], left : left + g.x_shape[3]].transpose(3, 0, 1, 2)


def to_grid(grad: np.ndarray, g: Geometry) -> np.ndarray:
    """An output-shaped (N, O, Ho, Wo) array as the ``(O, Ho*Wo*N)`` matrix of the products
    (a view when it is stored batch-last, else one copy)."""
    return batch_last(grad).reshape(grad.shape[1], -1)


def from_grid(out: np.ndarray, g: Geometry) -> np.ndarray:
    """The products' ``(O, Ho*Wo*N)`` matrix as the NCHW output (a view)."""
    return out.reshape(out.shape[0], *g.out_hw, g.x_shape[0]).transpose(3, 0, 1, 2)
