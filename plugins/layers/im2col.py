"""Receptive fields as columns, channel-major: the layout of the convolution kernels.

A convolution is the matrix product ``W2 @ cols`` with ``W2 = weight.reshape(O, C*kh*kw)`` and
``cols`` holding, for every output position of every sample, the ``C*kh*kw`` input values it
sees. Here ``cols`` is ``(C*kh*kw, N*Ho*Wg)``: samples side by side in the columns. The product
``(O, N*Ho*Wg)`` is then the output stored *channel-major* — ``(O, N, Ho, Wg)`` in memory — and
the NCHW result is a transposed view of it, never a copy. A channel-major input (the output of
a previous convolution, ReLU or pooling) is read the same way, so a network of such layers never
converts between layouts.

Stride 1 (``Geometry.rows``): the columns run over whole padded rows, ``Wg = Wp`` instead of
``Wo``, so each kernel offset's slice of the input is one contiguous run per sample plane and
the copy is fast; the ``Wp - Wo`` extra columns per output row are computed and cropped (a
view). Other strides take ``Wg = Wo`` and a strided copy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided


class Geometry(NamedTuple):
    """Sizes of one convolution: ``x_shape`` (N, C, H, W), ``pads`` (top, bottom, left, right),
    the padded ``(Hp, Wp)``, the output ``(Ho, Wo)`` and the grid width ``Wg`` of a column row
    (``Wp`` when ``rows``, else ``Wo``)."""

    x_shape: tuple
    kernel: tuple
    stride: tuple
    pads: tuple
    dilation: tuple
    padded: tuple
    out_hw: tuple
    rows: bool

    @property
    def grid_w(self) -> int:
        return self.padded[1] if self.rows else self.out_hw[1]


def output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """Output length along one axis (PyTorch's formula, floor division)."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def geometry(
    x_shape: tuple, kernel: tuple, stride: tuple, pads: tuple, dilation: tuple
) -> Geometry:
    """The `Geometry` of a convolution of an input of ``x_shape`` (NCHW)."""
    top, bottom, left, right = pads
    hp, wp = x_shape[2] + top + bottom, x_shape[3] + left + right
    out_hw = tuple(
        output_size(n, k, s, 0, d) for n, k, s, d in zip((hp, wp), kernel, stride, dilation)
    )
    rows = tuple(stride) == (1, 1)
    return Geometry(
        tuple(x_shape),
        tuple(kernel),
        tuple(stride),
        tuple(pads),
        tuple(dilation),
        (hp, wp),
        out_hw,
        rows,
    )


def plane_contiguous(x: np.ndarray) -> bool:
    """Whether every (H, W) plane of NCHW ``x`` is one C-ordered run (NCHW or channel-major)."""
    return x.strides[3] == x.itemsize and x.strides[2] == x.shape[3] * x.itemsize


def channel_major(x: np.ndarray) -> np.ndarray:
    """NCHW ``x`` as the (C, N, H, W) array of its channel-major storage (a view when it is
    stored so, else one copy)."""
    return np.ascontiguousarray(x.transpose(1, 0, 2, 3))


def pad(x: np.ndarray, g: Geometry) -> np.ndarray:
    """``x`` zero-padded by ``g.pads``, as an NCHW view whose planes are contiguous: ``x``
    itself when no padding is needed and its planes already are, else a channel-major copy."""
    top, bottom, left, right = g.pads
    if not any(g.pads):
        return x if plane_contiguous(x) else channel_major(x).transpose(1, 0, 2, 3)
    n, c, h, w = x.shape
    out = np.zeros((c, n, *g.padded), dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x.transpose(1, 0, 2, 3)
    return out.transpose(1, 0, 2, 3)


def run_length(g: Geometry) -> int:
    """Stride 1: the columns of one plane read from each offset's start (the rest are zeros:
    they would read past the plane and are cropped anyway)."""
    return g.out_hw[0] * g.padded[1] - (g.kernel[1] - 1) * g.dilation[1]


def im2col(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """Columns ``(C*kh*kw, N*Ho*Wg)`` of the padded, plane-contiguous input ``xp`` (NCHW)."""
    n, c, hp, wp = xp.shape
    (kh, kw), (dh, dw), (ho, wo) = g.kernel, g.dilation, g.out_hw
    s_n, s_c, s_h, s_w = xp.strides
    cols = np.empty((c, kh, kw, n, ho * g.grid_w), dtype=xp.dtype)
    if g.rows:
        run = run_length(g)
        view = as_strided(
            xp, (c, kh, kw, n, run), (s_c, s_h * dh, s_w * dw, s_n, s_w), writeable=False
        )
        cols[..., :run] = view
        cols[..., run:] = 0
    else:
        sh, sw = g.stride
        shape, strides = (c, kh, kw, n, ho, wo), (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw)
        cols.reshape(shape)[...] = as_strided(xp, shape, strides, writeable=False)
    return cols.reshape(c * kh * kw, n * ho * g.grid_w)


def col2im(gcols: np.ndarray, g: Geometry) -> np.ndarray:
    """Gradient of `im2col`: sum the column gradients back onto the input; returns the
    gradient of the unpadded input as an NCHW view of a channel-major array."""
    n, c = g.x_shape[:2]
    (kh, kw), (dh, dw), (ho, wo), (hp, wp) = g.kernel, g.dilation, g.out_hw, g.padded
    cols = gcols.reshape(c, kh, kw, n, ho * g.grid_w)
    if g.rows:  # each offset adds one contiguous run per plane
        run = run_length(g)
        out = np.empty((c, n, hp * wp), dtype=gcols.dtype)
        out[:, :, :run] = cols[:, 0, 0, :, :run]
        out[:, :, run:] = 0
        for p in range(kh):
            for q in range(kw):
                if p or q:
                    start = p * dh * wp + q * dw
                    out[:, :, start : start + run] += cols[:, p, q, :, :run]
        out = out.reshape(c, n, hp, wp)
    else:  # each offset adds one strided slab
        (sh, sw), cols = g.stride, cols.reshape(c, kh, kw, n, ho, wo)
        out = np.zeros((c, n, hp, wp), dtype=gcols.dtype)
        for p in range(kh):
            for q in range(kw):
                rows = slice(p * dh, p * dh + sh * (ho - 1) + 1, sh)
                columns = slice(q * dw, q * dw + sw * (wo - 1) + 1, sw)
                out[:, :, rows, columns] += cols[:, p, q]
    top, _, left, _ = g.pads
    return out[:, :, top : top + g.x_shape[2], left : left + g.x_shape[3]].transpose(1, 0, 2, 3)


def to_grid(grad: np.ndarray, g: Geometry) -> np.ndarray:
    """An output-shaped (N, O, Ho, Wo) array as the ``(O, N*Ho*Wg)`` matrix of the products:
    a view when it is stored channel-major and ``Wg == Wo``; else one copy (zeros in the
    columns that `from_grid` crops)."""
    n, o, ho, wo = grad.shape
    wg = g.grid_w
    cm = grad.transpose(1, 0, 2, 3)
    if wg == wo and cm.flags.c_contiguous:
        return cm.reshape(o, n * ho * wo)
    out = np.empty((o, n, ho, wg), dtype=grad.dtype)
    out[..., :wo] = cm
    out[..., wo:] = 0
    return out.reshape(o, n * ho * wg)


def from_grid(out: np.ndarray, g: Geometry) -> np.ndarray:
    """The products' ``(O, N*Ho*Wg)`` matrix as the NCHW output (a view)."""
    n, (ho, wo) = g.x_shape[0], g.out_hw
    return out.reshape(-1, n, ho, g.grid_w)[..., :wo].transpose(1, 0, 2, 3)
