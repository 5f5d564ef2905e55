"""Pooling kernels: pure functions on NumPy arrays (NCHW), through strided window views.

A pooling window has ``kh*kw`` offsets; for each offset, the input values it sees at every
output position form one strided slice of the (padded) input. Max and average pooling therefore
loop over the kernel offsets only (a handful of whole-array NumPy calls), never over pixels or
samples. The kernels work on the batch-last storage of the images (see `im2col`): there every
offset's slice is made of contiguous runs of N values, and the results come out batch-last too,
as NCHW views, ready for the next layer.

* `max_pool2d` returns the maxima and ``argmax``, the offset (row-major in the window) of each
  window's first maximum; `max_pool2d_backward` routes a gradient through it (a scatter), and
  `max_pool2d_gather`, its derivative, reads an input-shaped array at the same places.
* `avg_pool2d` / `avg_pool2d_backward` use PyTorch's divisor rules.
* `adaptive_avg_pool2d` averages over PyTorch's adaptive windows by two small matrix products
  with the matrices of `adaptive_matrix` (its gradient: the transposed products).
"""

from __future__ import annotations

import numpy as np

from .im2col import batch_last


def pooled_size(size: int, kernel: int, stride: int, pad: int, dilation: int, ceil: bool) -> int:
    """PyTorch's pooling output length (with ceil_mode, the last window must start inside the
    input or the left padding)."""
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def geometry(shape, kernel, stride, padding, dilation, ceil):
    """Output size and the (top, bottom, left, right) padding that makes every window fit."""
    out, pads = [], []
    for n, k, s, p, d in zip(shape[2:], kernel, stride, padding, dilation):
        o = pooled_size(n, k, s, p, d, ceil)
        need = (o - 1) * s + d * (k - 1) + 1  # extent read by the windows, from the padded start
        out.append(o)
        pads += [p, max(0, need - n - p)]
    return tuple(out), tuple(pads)


def _padded(x, pads, fill):
    """NCHW ``x`` batch-last ``(C, H, W, N)``, padded with ``fill`` by ``pads``."""
    xb = batch_last(x)
    if not any(pads):
        return xb
    top, bottom, left, right = pads
    c, h, w, n = xb.shape
    out = np.full((c, h + top + bottom, w + left + right, n), fill, dtype=x.dtype)
    out[:, top : top + h, left : left + w] = xb
    return out


def _windows(kernel, stride, dilation, out_hw):
    """For each kernel offset (row-major), the slice of a padded batch-last array it reads."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    return [
        (
            slice(None),
            slice(p * dh, p * dh + sh * (ho - 1) + 1, sh),
            slice(q * dw, q * dw + sw * (wo - 1) + 1, sw),
        )
        for p in range(kh)
        for q in range(kw)
    ]


def _unpad(gxp, pads, x_shape):
    """The gradient of the padded batch-last input cropped to ``x_shape``, as an NCHW view."""
    top, _, left, _ = pads
    return gxp[:, top : top + x_shape[2], left : left + x_shape[3]].transpose(3, 0, 1, 2)


def _tiles(kernel, stride, pads, dilation):
    """Whether the windows tile the input: every input value is in exactly one window."""
    return kernel == stride and not any(pads) and dilation == (1, 1)


def max_pool2d(x: np.ndarray, kernel, stride, padding, dilation, ceil_mode):
    """Max over each window (padding counts as -inf, NaN propagates) and ``argmax``: the
    window offset of each first maximum (int8, or int16 for windows of over 127 values)."""
    out_hw, pads = geometry(x.shape, kernel, stride, padding, dilation, ceil_mode)
    xp = _padded(x, pads, -np.inf)
    views = [xp[s] for s in _windows(kernel, stride, dilation, out_hw)]
    best = views[0].copy()
    argmax = np.zeros(best.shape, dtype=np.int8 if len(views) < 128 else np.int16)
    for k, v in enumerate(views[1:], 1):
        better = np.greater(v, best).view(np.int8)  # strictly greater: the first maximum wins
        # argmax = k where better: k exceeds every index so far, so a maximum sets it
        np.maximum(argmax, better * argmax.dtype.type(k), out=argmax)
        np.maximum(best, v, out=best)
    if np.isnan(best).any():  # a NaN is the window's maximum: point at the first NaN
        for k, v in reversed(list(enumerate(views))):
            argmax[np.isnan(v)] = k
    return best.transpose(3, 0, 1, 2), argmax.transpose(3, 0, 1, 2)


def max_pool2d_backward(grad, argmax, x_shape, kernel, stride, padding, dilation, ceil_mode):
    """Gradient of `max_pool2d`: each output's gradient goes to its window's ``argmax``."""
    out_hw, pads = geometry(x_shape, kernel, stride, padding, dilation, ceil_mode)
    g, arg = batch_last(grad), batch_last(argmax)
    n, c, h, w = x_shape
    # Windows that tile the whole input write every entry of the gradient once: no zeros, no +=.
    tiles = _tiles(kernel, stride, pads, dilation) and h % kernel[0] == w % kernel[1] == 0
    padded = (c, h + pads[0] + pads[1], w + pads[2] + pads[3], n)
    gxp = np.empty(padded, dtype=grad.dtype) if tiles else np.zeros(padded, dtype=grad.dtype)
    for k, s in enumerate(_windows(kernel, stride, dilation, out_hw)):
        if tiles:
            np.multiply(g, arg == k, out=gxp[s])
        else:
            gxp[s] += g * (arg == k)
    return _unpad(gxp, pads, x_shape)


def max_pool2d_gather(x, argmax, kernel, stride, padding, dilation, ceil_mode):
    """The value of input-shaped ``x`` at each window's ``argmax`` (padding reads 0): the
    gradient of `max_pool2d_backward`, which is linear in its gradient (a scatter), with
    respect to that gradient. On `max_pool2d`'s own input this is its output."""
    out_hw, pads = geometry(x.shape, kernel, stride, padding, dilation, ceil_mode)
    xp, arg = _padded(x, pads, 0), batch_last(argmax)
    out = np.zeros(arg.shape, dtype=x.dtype)
    for k, s in enumerate(_windows(kernel, stride, dilation, out_hw)):
        np.copyto(out, xp[s], where=arg == k)
    return out.transpose(3, 0, 1, 2)


def avg_divisor(x_shape, kernel, stride, padding, out_hw, count_include_pad, override, dtype):
    """The divisor of every output position (PyTorch's rule), as an (Ho, Wo, 1) array or a
    number (broadcasts against batch-last arrays)."""
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
    return np.outer(*factors).astype(dtype)[:, :, None]


def avg_pool2d(x: np.ndarray, kernel, stride, padding, ceil_mode, count_include_pad, divisor):
    """Mean over each window (zero padding); ``divisor`` overrides PyTorch's divisor rule."""
    out_hw, pads = geometry(x.shape, kernel, stride, padding, (1, 1), ceil_mode)
    div = avg_divisor(x.shape, kernel, stride, padding, out_hw, count_include_pad, divisor, x.dtype)
    xp = _padded(x, pads, 0)
    windows = _windows(kernel, stride, (1, 1), out_hw)
    total = xp[windows[0]].copy()
    for s in windows[1:]:
        total += xp[s]
    total /= div
    return total.transpose(3, 0, 1, 2)


def avg_pool2d_backward(
    grad, x_shape, kernel, stride, padding, ceil_mode, count_include_pad, divisor
):
    """Gradient of `avg_pool2d`: each output's gradient, divided, spread over its window."""
    out_hw, pads = geometry(x_shape, kernel, stride, padding, (1, 1), ceil_mode)
    div = avg_divisor(
        x_shape, kernel, stride, padding, out_hw, count_include_pad, divisor, grad.dtype
    )
    g = batch_last(grad) / div
    n, c, h, w = x_shape
    gxp = np.zeros((c, h + pads[0] + pads[1], w + pads[2] + pads[3], n), dtype=grad.dtype)
    for s in _windows(kernel, stride, (1, 1), out_hw):
        gxp[s] += g
    return _unpad(gxp, pads, x_shape)


def adaptive_matrix(size: int, out: int, dtype) -> np.ndarray:
    """``(out, size)`` averaging matrix of PyTorch's adaptive windows
    ``[floor(i*size/out), ceil((i+1)*size/out))``."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def adaptive_avg_pool2d(x: np.ndarray, output_size) -> np.ndarray:
    """Adaptive average pooling as ``A_h @ x @ A_w.T`` (separable windows)."""
    ah = adaptive_matrix(x.shape[-2], output_size[0], x.dtype)
    aw = adaptive_matrix(x.shape[-1], output_size[1], x.dtype)
    return ah @ x @ aw.T
