"""Pooling kernels on NCHW arrays through strided views.

A pooling window has ``kh*kw`` offsets; for each offset, the input values it sees at every output
position form one strided slice of the (padded) input. Max and average pooling therefore loop
over the kernel offsets only (a handful of whole-array NumPy calls), never over pixels or
samples. Non-overlapping pools without padding (kernel == stride, the usual ``MaxPool2d(2)``)
take fast paths: average pooling reshapes ``(N, C, Ho*kh, Wo*kw) -> (N, C, Ho, kh, Wo, kw)`` and
sums; max pooling reduces separably on the array's own memory (see `_separable_max`).
"""

from __future__ import annotations

import numpy as np

from minitorch_es.autograd import Primitive


def pooled_size(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil: bool) -> int:
    """PyTorch's pooling output length (with ceil_mode, the last window must start inside the
    input or the left padding)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _geometry(shape, kernel, stride, padding, dilation, ceil):
    """Output size and the (top, bottom, left, right) padding that makes every window fit."""
    out, pads = [], []
    for n, k, s, p, d in zip(shape[2:], kernel, stride, padding, dilation):
        o = pooled_size(n, k, s, p, d, ceil)
        need = (o - 1) * s + d * (k - 1) + 1  # extent read by the windows, from the padded start
        out.append(o)
        pads += [p, max(0, need - n - p)]
    return tuple(out), tuple(pads)


def _pad(x, pads, fill):
    top, bottom, left, right = pads
    if not any(pads):
        return x
    n, c, h, w = x.shape
    out = np.full((n, c, h + top + bottom, w + left + right), fill, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def _offset_slices(kernel, stride, dilation, out_hw):
    """For each kernel offset (row-major), the slice of the padded input it reads."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    return [
        (
            slice(None),
            slice(None),
            slice(p * dh, p * dh + sh * (ho - 1) + 1, sh),
            slice(q * dw, q * dw + sw * (wo - 1) + 1, sw),
        )
        for p in range(kh)
        for q in range(kw)
    ]


def _fast(kernel, stride, pads, dilation) -> bool:
    """Non-overlapping windows that need no padding (``pads`` from `_geometry`)."""
    return kernel == stride and not any(pads) and dilation == (1, 1)


def _blocks(x, kernel, out_hw):
    """``x`` cropped to whole windows, viewed as (N, C, Ho, kh, Wo, kw)."""
    (kh, kw), (ho, wo) = kernel, out_hw
    n, c = x.shape[:2]
    return x[:, :, : ho * kh, : wo * kw].reshape(n, c, ho, kh, wo, kw)


def _unblocks(blocks, x_shape):
    """The inverse of `_blocks` for gradients: zeros where the windows did not reach."""
    n, c, ho, kh, wo, kw = blocks.shape
    flat = blocks.reshape(n, c, ho * kh, wo * kw)
    if flat.shape == tuple(x_shape):
        return flat
    out = np.zeros(x_shape, dtype=blocks.dtype)
    out[:, :, : ho * kh, : wo * kw] = flat
    return out


def first_max_masks(views, best):
    """For each window offset, where it holds the window's first maximum (NaN counts as the
    maximum, as NaN propagates through the max): the masks partition the output positions."""
    nan = bool(np.isnan(best).any())
    taken = None
    for v in views:
        hit = v == best
        if nan:
            hit |= np.isnan(v)
        if taken is None:
            taken = hit
        else:
            hit &= ~taken
            taken |= hit
        yield hit


class MaxPool2dFunction(Primitive):
    """Max over each window; the gradient goes to the first maximum of each window (PyTorch).
    ``sink``, if given, receives the offset index (row-major in the window) of each maximum.

    Non-overlapping windows are reduced separably on the array's own memory (pairs along a row
    are neighbours there): first along W, then along H, remembering which column/row won, so
    every step is one long NumPy loop. Other windows take a running ``np.maximum`` over the
    kernel offsets' strided views, and backward finds the first maxima by comparison.
    """

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, ceil_mode, sink=None):
        out_hw, pads = _geometry(x.shape, kernel, stride, padding, dilation, ceil_mode)
        fast = _fast(kernel, stride, pads, dilation)
        src = x if fast else _pad(x, pads, -np.inf)
        selections = None
        if fast:
            best, selections = _separable_max(x, kernel, out_hw)
            if np.isnan(best).any():  # NaN windows: the comparison backward places gradients
                selections = None
        else:
            views = _views(src, kernel, stride, dilation, out_hw, False)
            best = np.maximum(views[0], views[1]) if len(views) > 1 else views[0].copy()
            for v in views[2:]:
                np.maximum(best, v, out=best)
        if sink is not None:
            arg = np.zeros(best.shape, dtype=np.int64)
            views = _views(src, kernel, stride, dilation, out_hw, fast)
            for k, hit in enumerate(first_max_masks(views, best)):
                arg[hit] = k
            sink.append(arg)
        ctx.save_for_backward(src, best, selections)
        ctx.geometry = (x.shape, kernel, stride, dilation, out_hw, pads, fast)
        return best

    @staticmethod
    def backward(ctx, grad):
        src, best, selections = ctx.saved_tensors
        x_shape, kernel, stride, dilation, out_hw, pads, fast = ctx.geometry
        if selections is not None:
            return (_separable_max_backward(grad, selections, x_shape, kernel, out_hw),)
        views = _views(src, kernel, stride, dilation, out_hw, fast)
        gxp = np.zeros(src.shape, dtype=grad.dtype)
        masks = first_max_masks(views, best)
        for s, hit in zip(_offset_slices(kernel, stride, dilation, out_hw), masks):
            gxp[s] += grad * hit
        top, _, left, _ = pads
        return (gxp[:, :, top : top + x_shape[2], left : left + x_shape[3]],)


def _memory_order(x):
    """``x`` (N, C, H, W) as a C-contiguous array in its memory order, and whether N and C are
    swapped (a conv output is stored channel-major)."""
    if x.flags.c_contiguous:
        return x, False
    swapped = x.transpose(1, 0, 2, 3)
    if swapped.flags.c_contiguous:
        return swapped, True
    return np.ascontiguousarray(x), False


def _running_max(arrays):
    """Elementwise max of equal-shape arrays and the index of the first maximum (int8)."""
    best, sel = arrays[0], None
    for k, a in enumerate(arrays[1:], 1):
        better = a > best
        sel = better.view(np.int8) if sel is None else np.where(better, np.int8(k), sel)
        best = np.maximum(best, a)
    return best, sel


def _separable_max(x, kernel, out_hw):
    """Max over non-overlapping windows: along W on ``(rows*Wo, kw)``, then along H."""
    (kh, kw), (ho, wo) = kernel, out_hw
    arr, swapped = _memory_order(x)
    a, b = arr.shape[:2]
    if arr.shape[2:] != (ho * kh, wo * kw):
        arr = np.ascontiguousarray(arr[:, :, : ho * kh, : wo * kw])
    cols = arr.reshape(-1, kw)
    row_max, wsel = _running_max([cols[:, q] for q in range(kw)])
    rows = row_max.reshape(-1, kh, wo)
    best, hsel = _running_max([rows[:, p, :] for p in range(kh)])
    best = best.reshape(a, b, ho, wo)
    if kh * kw == 1:
        best = best.copy()  # never hand out a view of the input
    return (best.transpose(1, 0, 2, 3) if swapped else best), (wsel, hsel, swapped)


def _separable_max_backward(grad, selections, x_shape, kernel, out_hw):
    """Route each output gradient to its window's first maximum (H choice, then W choice)."""
    wsel, hsel, swapped = selections
    (kh, kw), (ho, wo) = kernel, out_hw
    g = np.ascontiguousarray(grad.transpose(1, 0, 2, 3) if swapped else grad).reshape(-1, wo)
    by_row = _spread(g, hsel, kh, axis=1).reshape(-1)  # (rows, kh, Wo): gradient per input row
    gx = _spread(by_row, wsel, kw, axis=1)  # (positions, kw): gradient per input column
    n, c, h, w = x_shape
    a, b = (c, n) if swapped else (n, c)
    gx = gx.reshape(a, b, ho * kh, wo * kw)
    if (h, w) != (ho * kh, wo * kw):
        full = np.zeros((a, b, h, w), dtype=grad.dtype)
        full[:, :, : ho * kh, : wo * kw] = gx
        gx = full
    return gx.transpose(1, 0, 2, 3) if swapped else gx


def _spread(g, sel, k: int, axis: int):
    """``g`` spread over a new axis of length ``k`` inserted at ``axis``: entry ``i`` holds
    ``g`` where ``sel == i`` and 0 elsewhere (``sel`` is None when ``k == 1``)."""
    out = np.empty(g.shape[:axis] + (k,) + g.shape[axis:], dtype=g.dtype)
    for i in range(k):
        target = out[(slice(None),) * axis + (i,)]
        if k == 1:
            np.copyto(target, g)
        else:
            np.multiply(g, sel == i, out=target)
    return out


def _views(src, kernel, stride, dilation, out_hw, fast):
    """The strided view of ``src`` read by each kernel offset (row-major offsets)."""
    if fast:
        b = _blocks(src, kernel, out_hw)
        return [b[:, :, :, p, :, q] for p in range(kernel[0]) for q in range(kernel[1])]
    return [src[s] for s in _offset_slices(kernel, stride, dilation, out_hw)]


def avg_divisor(x_shape, kernel, stride, padding, out_hw, count_include_pad, override, dtype):
    """The divisor of every output position (PyTorch's rule), as an (Ho, Wo) array or number."""
    if override is not None:
        return override
    factors = []
    for n, k, s, p, o in zip(x_shape[2:], kernel, stride, padding, out_hw):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            factors.append(end - start)
        else:
            factors.append(np.minimum(end, n) - np.maximum(start, 0))
    return np.outer(*factors).astype(dtype)


class AvgPool2dFunction(Primitive):
    """Mean over each window (zero padding; divisor per PyTorch's count_include_pad rule)."""

    @staticmethod
    def forward(
        ctx, x, *, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override=None
    ):
        out_hw, pads = _geometry(x.shape, kernel, stride, padding, (1, 1), ceil_mode)
        div = avg_divisor(
            x.shape, kernel, stride, padding, out_hw, count_include_pad, divisor_override, x.dtype
        )
        fast = _fast(kernel, stride, pads, (1, 1))
        if fast:
            total = _blocks(x, kernel, out_hw).sum(axis=(3, 5))
        else:
            xp = _pad(x, pads, 0)
            slices = _offset_slices(kernel, stride, (1, 1), out_hw)
            total = xp[slices[0]].copy()
            for s in slices[1:]:
                total += xp[s]
        ctx.geometry = (x.shape, kernel, stride, out_hw, pads, div, fast)
        total /= div
        return total

    @staticmethod
    def backward(ctx, grad):
        x_shape, kernel, stride, out_hw, pads, div, fast = ctx.geometry
        g = grad / div
        if fast:
            n, c, ho, wo = g.shape
            blocks = np.broadcast_to(
                g[:, :, :, None, :, None], (n, c, ho, kernel[0], wo, kernel[1])
            )
            return (_unblocks(np.ascontiguousarray(blocks), x_shape),)
        n, c, h, w = x_shape
        top, bottom, left, right = pads
        gxp = np.zeros((n, c, h + top + bottom, w + left + right), dtype=grad.dtype)
        for s in _offset_slices(kernel, stride, (1, 1), out_hw):
            gxp[s] += g
        return (gxp[:, :, top : top + h, left : left + w],)


def adaptive_matrix(size: int, out: int, dtype) -> np.ndarray:
    """``(out, size)`` averaging matrix of PyTorch's adaptive windows
    ``[floor(i*size/out), ceil((i+1)*size/out))``."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2dFunction(Primitive):
    """Adaptive average pooling as ``A_h @ x @ A_w.T`` (separable windows; exact backward)."""

    @staticmethod
    def forward(ctx, x, *, output_size):
        ah = adaptive_matrix(x.shape[-2], output_size[0], x.dtype)
        aw = adaptive_matrix(x.shape[-1], output_size[1], x.dtype)
        ctx.save_for_backward(ah, aw)
        return ah @ x @ aw.T

    @staticmethod
    def backward(ctx, grad):
        ah, aw = ctx.saved_tensors
        return (ah.T @ grad @ aw,)
