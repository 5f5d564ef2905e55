"""2-D convolution as matrix products: im2col forward, col2im backward.

``im2col`` turns every receptive field of the (zero-padded) input into a column through a
strided view and one copy (no Python loop over pixels or samples): ``cols`` is
``(N, C*kh*kw, L)`` with ``L = Ho*Wo`` columns per sample. The convolution is then the stacked
product ``W2 @ cols`` with ``W2 = weight.reshape(out_channels, -1)``: one ``np.matmul`` call whose
C loop runs one BLAS product per sample. Per-sample products keep both operands in cache and are
small enough for OpenBLAS to run single-threaded, which is as fast as one huge product and does
not stall when the CPUs are shared. The result ``(N, O, L)`` is already NCHW.

For stride 1, `im2col_rows` takes the columns over whole padded rows (``L = Ho*Wp``), so
each receptive-field row is one contiguous run of the input; the ``Wp - Wo`` extra columns per
output row are cropped from the result (a view) and get a zero delta in backward.

Backward, with ``delta = dL/dout`` as ``(N, O, L)``: ``dL/dW2 = sum_n delta_n @ cols_n.T``,
``dL/db = sum(delta)``, and ``dL/dcols = W2.T @ delta`` which ``col2im`` folds back onto the
input by adding, for each of the kh*kw kernel offsets, one strided slab.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minitorch_es.autograd import Primitive

from .arguments import check_same_dtype


def output_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int) -> int:
    """Output length along one axis (PyTorch's formula, floor division)."""
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def zero_pad(x: np.ndarray, pads: tuple) -> np.ndarray:
    """``x`` (N, C, H, W) with ``pads = (top, bottom, left, right)`` zeros around H and W."""
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + top + bottom, w + left + right), dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def im2col(xp: np.ndarray, kernel, stride, dilation, out_hw, dtype) -> np.ndarray:
    """Receptive fields of the padded input ``xp`` as columns ``(N, C*kh*kw, Ho*Wo)``."""
    n, c = xp.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    s_n, s_c, s_h, s_w = xp.strides
    view = as_strided(
        xp,
        shape=(n, c, kh, kw, ho, wo),
        strides=(s_n, s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw),
        writeable=False,
    )
    cols = np.empty((n, c * kh * kw, ho * wo), dtype=dtype)
    cols.reshape(n, c, kh, kw, ho, wo)[...] = view
    return cols


def im2col_rows(xp: np.ndarray, kernel, dilation, out_hw, dtype) -> np.ndarray:
    """Stride-1 columns over whole padded rows: ``(N, C*kh*kw, Ho*Wp)``. The last
    ``(kw-1)*dw`` entries of each run, which would pass the end of the plane, are zeros."""
    n, c, hp, wp = xp.shape
    (kh, kw), (dh, dw), (ho, _) = kernel, dilation, out_hw
    run = ho * wp - (kw - 1) * dw
    s_n, s_c, s_h, s_w = xp.strides
    view = as_strided(
        xp, shape=(n, c, kh, kw, run), strides=(s_n, s_c, s_h * dh, s_w * dw, s_w), writeable=False
    )
    cols = np.empty((n, c * kh * kw, ho * wp), dtype=dtype)
    cols.reshape(n, c, kh, kw, ho * wp)[..., :run] = view
    cols[:, :, run:] = 0
    return cols


def col2im(gcols: np.ndarray, padded_shape, kernel, stride, dilation, out_hw) -> np.ndarray:
    """Sum the column gradients ``(N, C*kh*kw, Ho*Wo)`` back onto the padded input."""
    n, c, hp, wp = padded_shape
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    g = gcols.reshape(n, c, kh, kw, ho, wo)
    out = np.zeros(padded_shape, dtype=gcols.dtype)
    for p in range(kh):  # a loop over kernel offsets only: each step adds one strided slab
        h0 = p * dh
        for q in range(kw):
            w0 = q * dw
            out[:, :, h0 : h0 + sh * (ho - 1) + 1 : sh, w0 : w0 + sw * (wo - 1) + 1 : sw] += g[
                :, :, p, q
            ]
    return out


def col2im_rows(gcols: np.ndarray, padded_shape, kernel, dilation, out_hw) -> np.ndarray:
    """The inverse of `im2col_rows` for gradients: each offset adds one contiguous run."""
    n, c, hp, wp = padded_shape
    (kh, kw), (dh, dw), (ho, _) = kernel, dilation, out_hw
    run = ho * wp - (kw - 1) * dw
    g = gcols.reshape(n, c, kh, kw, ho * wp)
    out = np.empty((n, c, hp * wp), dtype=gcols.dtype)
    out[:, :, :run] = g[:, :, 0, 0, :run]  # offset (0, 0) covers the start: assign, then add
    out[:, :, run:] = 0
    for p in range(kh):
        for q in range(kw):
            if p or q:
                start = p * dh * wp + q * dw
                out[:, :, start : start + run] += g[:, :, p, q, :run]
    return out.reshape(padded_shape)


def use_rows(stride, rows_per_column: int, out_channels: int) -> bool:
    """Whether to build the columns over whole padded rows (stride 1 only). It makes the
    im2col copy and col2im contiguous but costs widening the delta in backward, so it pays when
    the columns are tall compared with the number of output channels."""
    return stride == (1, 1) and rows_per_column >= 2 * out_channels


class Conv2dFunction(Primitive):
    """``conv2d(x, weight, bias)`` for NCHW ``x``; ``pads = (top, bottom, left, right)`` zeros."""

    @staticmethod
    def forward(
        ctx, x, weight, bias=None, *, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1
    ):
        check_same_dtype("conv2d", x, weight)
        n = x.shape[0]
        o, cg, kh, kw = weight.shape
        xp = zero_pad(x, pads)
        hp, wp = xp.shape[2:]
        ho = output_size(hp, kh, stride[0], 0, dilation[0])
        wo = output_size(wp, kw, stride[1], 0, dilation[1])
        dtype = np.result_type(x.dtype, weight.dtype)
        rows = use_rows(stride, cg * kh * kw, o)
        if rows:
            if xp.strides[3] != xp.itemsize or xp.strides[2] != wp * xp.itemsize:
                xp = np.ascontiguousarray(xp)  # whole rows must be contiguous runs
            cols = im2col_rows(xp, (kh, kw), dilation, (ho, wo), dtype)
        else:
            cols = im2col(xp, (kh, kw), stride, dilation, (ho, wo), dtype)
        out = _forward_product(weight.reshape(o, cg * kh * kw), cols, groups)
        if bias is not None:
            out += bias[:, None]
        ctx.save_for_backward(cols, weight)
        ctx.geometry = (x.shape, xp.shape, pads, stride, dilation, groups, (ho, wo), rows)
        if rows:
            return out.reshape(n, o, ho, wp)[:, :, :, :wo]
        return out.reshape(n, o, ho, wo)

    @staticmethod
    def backward(ctx, grad):
        cols, weight = ctx.saved_tensors
        x_shape, padded_shape, pads, stride, dilation, groups, out_hw, rows = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad
        o, cg, kh, kw = weight.shape
        n, (ho, wo), wp = grad.shape[0], out_hw, padded_shape[3]
        if rows:  # the delta on whole padded rows, zero in the cropped columns
            delta = np.empty((n, o, ho, wp), dtype=grad.dtype)
            delta[:, :, :, wo:] = 0
            delta[:, :, :, :wo] = grad
            delta = delta.reshape(n, o, ho * wp)
        else:
            delta = grad.reshape(n, o, ho * wo)
        gb = delta.sum(axis=(0, 2)) if need_b else None
        gw = gx = None
        if need_w:
            gw = _weight_product(delta, cols, groups).reshape(weight.shape)
        if need_x:
            gcols = _input_product(weight.reshape(o, cg * kh * kw), delta, groups)
            if rows:
                gxp = col2im_rows(gcols, padded_shape, (kh, kw), dilation, out_hw)
            else:
                gxp = col2im(gcols, padded_shape, (kh, kw), stride, dilation, out_hw)
            top, _, left, _ = pads
            gx = gxp[:, :, top : top + x_shape[2], left : left + x_shape[3]]
        return gx, gw, gb


def _blocks(total: int, groups: int):
    size = total // groups
    return [slice(g * size, (g + 1) * size) for g in range(groups)]


def _forward_product(w2, cols, groups):
    """``W2 @ cols_n`` for every sample; group g's filters see only group g's rows."""
    if groups == 1:
        return np.matmul(w2, cols)
    n, _, length = cols.shape
    out = np.empty((n, w2.shape[0], length), dtype=np.result_type(w2, cols))
    for o, k in zip(_blocks(w2.shape[0], groups), _blocks(cols.shape[1], groups)):
        np.matmul(w2[o], cols[:, k], out=out[:, o])
    return out


def _weight_product(delta, cols, groups):
    """``dL/dW2 = sum_n delta_n @ cols_n.T`` per group."""
    if groups == 1:
        return np.matmul(delta, cols.transpose(0, 2, 1)).sum(axis=0)
    out = np.empty((delta.shape[1], cols.shape[1] // groups), dtype=np.result_type(delta, cols))
    for o, k in zip(_blocks(delta.shape[1], groups), _blocks(cols.shape[1], groups)):
        out[o] = np.matmul(delta[:, o], cols[:, k].transpose(0, 2, 1)).sum(axis=0)
    return out


def _input_product(w2, delta, groups):
    """``dL/dcols_n = W2.T @ delta_n`` per group."""
    if groups == 1:
        return np.matmul(w2.T, delta)
    n, _, length = delta.shape
    out = np.empty((n, w2.shape[1] * groups, length), dtype=np.result_type(w2, delta))
    for o, k in zip(_blocks(w2.shape[0], groups), _blocks(out.shape[1], groups)):
        np.matmul(w2[o].T, delta[:, o], out=out[:, k])
    return out
