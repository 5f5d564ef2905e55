"""2-D convolution as one matrix product: im2col forward, col2im backward.

``im2col`` turns every receptive field of the (zero-padded) input into a column through a
strided view (no Python loop over pixels or samples), so the convolution is a single BLAS call
``W2 @ cols`` with ``W2 = weight.reshape(out_channels, -1)``. Columns are laid out as
``(C*kh*kw, N*Ho*Wo)``: the product then comes out as ``(O, N*Ho*Wo)`` and the NCHW result is a
transposed *view* of it (no copy); the backward pass reads the delta in that same layout.
For stride 1, :func:`im2col_rows` builds the columns over whole padded rows (``Wp`` instead of
``Wo`` per output row), which makes every copy one long contiguous run; the extra columns are
cropped from the result.

Backward, with ``delta = dL/dout`` as ``(O, N*Ho*Wo)``: ``dL/dW2 = delta @ cols.T`` (matmuls
accumulated over cache-sized column blocks), ``dL/db = sum(delta)``, and
``dL/dcols = W2.T @ delta`` which ``col2im`` folds back onto the input by adding, for each of the
kh*kw kernel offsets, one strided slab.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minitorch_es.autograd import Function


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
    out[:, :, top:top + h, left:left + w] = x
    return out


def im2col(xp: np.ndarray, kernel, stride, dilation, out_hw, dtype) -> np.ndarray:
    """Receptive fields of the padded input ``xp`` as columns ``(C*kh*kw, N*Ho*Wo)``."""
    n, c = xp.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    s_n, s_c, s_h, s_w = xp.strides
    view = as_strided(xp, shape=(c, kh, kw, n, ho, wo),
                      strides=(s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw), writeable=False)
    cols = np.empty((c * kh * kw, n * ho * wo), dtype=dtype)
    cols.reshape(c, kh, kw, n, ho, wo)[...] = view
    return cols


def im2col_rows(xp: np.ndarray, kernel, dilation, out_hw, dtype) -> np.ndarray:
    """Stride-1 columns over whole padded rows: ``(C*kh*kw, N*Ho*Wp)``.

    With stride 1, the receptive fields of one output row, taken over the full padded width
    ``Wp`` instead of ``Wo``, are one contiguous run of each input plane, so the copy runs over
    long contiguous stretches. The ``Wp - Wo`` extra columns per row are cropped from the output
    (and get a zero delta in backward); the run's last ``(kw-1)*dw`` entries, which would pass
    the plane's end, are zeros.
    """
    n, c, hp, wp = xp.shape
    (kh, kw), (dh, dw), (ho, _) = kernel, dilation, out_hw
    run = ho * wp - (kw - 1) * dw
    s_n, s_c, s_h, s_w = xp.strides
    view = as_strided(xp, shape=(c, kh, kw, n, run),
                      strides=(s_c, s_h * dh, s_w * dw, s_n, s_w), writeable=False)
    cols = np.empty((c * kh * kw, n, ho * wp), dtype=dtype)
    cols.reshape(c, kh, kw, n, ho * wp)[..., :run] = view
    cols[:, :, run:] = 0
    return cols.reshape(c * kh * kw, n * ho * wp)


def col2im(gcols: np.ndarray, padded_shape, kernel, stride, dilation, out_hw) -> np.ndarray:
    """Sum the column gradients back onto the padded input; returns ``(N, C, Hp, Wp)`` (as a
    transposed view of a ``(C, N, Hp, Wp)`` buffer, matching the columns' layout)."""
    n, c, hp, wp = padded_shape
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    g = gcols.reshape(c, kh, kw, n, ho, wo)
    out = np.zeros((c, n, hp, wp), dtype=gcols.dtype)
    for p in range(kh):  # a loop over kernel offsets only: each step adds one strided slab
        h0 = p * dh
        for q in range(kw):
            w0 = q * dw
            out[:, :, h0:h0 + sh * (ho - 1) + 1:sh, w0:w0 + sw * (wo - 1) + 1:sw] += g[:, p, q]
    return out.transpose(1, 0, 2, 3)


def col2im_rows(gcols: np.ndarray, padded_shape, kernel, dilation, out_hw) -> np.ndarray:
    """The inverse of :func:`im2col_rows` for gradients: each offset adds one contiguous run."""
    n, c, hp, wp = padded_shape
    (kh, kw), (dh, dw), (ho, _) = kernel, dilation, out_hw
    run = ho * wp - (kw - 1) * dw
    g = gcols.reshape(c, kh, kw, n, ho * wp)
    out = np.zeros((c, n, hp * wp), dtype=gcols.dtype)
    for p in range(kh):
        for q in range(kw):
            start = p * dh * wp + q * dw
            out[:, :, start:start + run] += g[:, p, q, :, :run]
    return out.reshape(c, n, hp, wp).transpose(1, 0, 2, 3)


class Conv2dFunction(Function):
    """``conv2d(x, weight, bias)`` for NCHW ``x``; ``pads = (top, bottom, left, right)`` zeros."""

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride=(1, 1), pads=(0, 0, 0, 0),
                dilation=(1, 1), groups=1):
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
        out = _per_group(weight.reshape(o, cg * kh * kw), cols, groups)
        if bias is not None:
            out += bias[:, None]
        ctx.save_for_backward(cols, weight)
        ctx.geometry = (x.shape, xp.shape, pads, stride, dilation, groups, (ho, wo), rows)
        if rows:
            return out.reshape(o, n, ho, wp)[:, :, :, :wo].transpose(1, 0, 2, 3)
        return out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)

    @staticmethod
    def backward(ctx, grad):
        cols, weight = ctx.saved_tensors
        x_shape, padded_shape, pads, stride, dilation, groups, out_hw, rows = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad
        o, cg, kh, kw = weight.shape
        n, (ho, wo), wp = grad.shape[0], out_hw, padded_shape[3]
        if rows:  # the delta on whole padded rows, zero in the cropped columns
            delta = np.empty((o, n, ho, wp), dtype=grad.dtype)
            delta[:, :, :, wo:] = 0
            delta[:, :, :, :wo] = grad.transpose(1, 0, 2, 3)
            delta = delta.reshape(o, -1)
        else:
            delta = grad.transpose(1, 0, 2, 3).reshape(o, -1)  # a view when grad has out's layout
        gb = delta.sum(axis=1) if need_b else None
        gw = gx = None
        if need_w:
            gw = _per_group_wgrad(delta, cols, groups).reshape(weight.shape)
        if need_x:
            gcols = _per_group_xgrad(weight.reshape(o, cg * kh * kw), delta, groups)
            if rows:
                gxp = col2im_rows(gcols, padded_shape, (kh, kw), dilation, out_hw)
            else:
                gxp = col2im(gcols, padded_shape, (kh, kw), stride, dilation, out_hw)
            top, _, left, _ = pads
            gx = gxp[:, :, top:top + x_shape[2], left:left + x_shape[3]]
        return gx, gw, gb


def use_rows(stride, rows_per_column: int, out_channels: int) -> bool:
    """Whether to build the columns over whole padded rows (stride 1 only). It makes the
    im2col copy and col2im contiguous but costs widening the delta in backward, so it pays when
    the columns are tall compared with the number of output channels."""
    return stride == (1, 1) and rows_per_column >= 2 * out_channels


def _blocks(total: int, groups: int):
    size = total // groups
    return [slice(g * size, (g + 1) * size) for g in range(groups)]


def _per_group(w2, cols, groups):
    """Forward product: group g's filters see only group g's rows of ``cols``."""
    if groups == 1:
        return w2 @ cols
    out = np.empty((w2.shape[0], cols.shape[1]), dtype=np.result_type(w2, cols))
    for o, k in zip(_blocks(w2.shape[0], groups), _blocks(cols.shape[0], groups)):
        np.matmul(w2[o], cols[k], out=out[o])
    return out


def _per_group_wgrad(delta, cols, groups):
    """``dL/dW2 = delta @ cols.T`` per group."""
    if groups == 1:
        return _sum_of_products(delta, cols)
    out = np.empty((delta.shape[0], cols.shape[0] // groups), dtype=np.result_type(delta, cols))
    for o, k in zip(_blocks(delta.shape[0], groups), _blocks(cols.shape[0], groups)):
        out[o] = _sum_of_products(delta[o], cols[k])
    return out


BLOCK = 8192  # columns per partial product: both operands' blocks stay in the L2 cache


def _sum_of_products(a, b):
    """``a @ b.T`` for two short, very wide matrices, accumulated over column blocks: one
    product over the whole width streams both from memory and runs far slower. (Computed as
    ``(b @ a.T).T``, which OpenBLAS runs faster for these shapes.)"""
    width = a.shape[1]
    if width <= 2 * BLOCK:
        return (b @ a.T).T
    out = b[:, :BLOCK] @ a[:, :BLOCK].T
    for start in range(BLOCK, width, BLOCK):
        out += b[:, start:start + BLOCK] @ a[:, start:start + BLOCK].T
    return out.T


def _per_group_xgrad(w2, delta, groups):
    """``dL/dcols = W2.T @ delta`` per group."""
    if groups == 1:
        return w2.T @ delta
    out = np.empty((w2.shape[1] * groups, delta.shape[1]), dtype=np.result_type(w2, delta))
    for o, k in zip(_blocks(w2.shape[0], groups), _blocks(out.shape[0], groups)):
        np.matmul(w2[o].T, delta[o], out=out[k])
    return out
