"""The interpolation matrices of ``F.interpolate``, one axis at a time (PyTorch's formulas).

Each function returns the ``out_size x in_size`` matrix whose row ``i`` holds the weights of
the input positions that output position ``i`` reads (`axis_maps` applies it). ``scale`` is
the optional user scale factor of the axis (``None`` when the sizes define it). Positions are
computed in ``dtype`` (float32 or float64), as PyTorch computes them in the input's precision,
so a float32 input lands on exactly the same neighbours and weights.
"""

from __future__ import annotations

import math

import numpy as np

_CUBIC_A = -0.75  # PyTorch's bicubic; its antialiased bicubic uses -0.5
_AA_CUBIC_A = -0.5


def source_scale(in_size: int, out_size: int, align_corners: bool, scale: float | None, dtype):  # noqa: ANN001, ANN201
    """``area_pixel_compute_scale``: input pixels per output pixel, in ``dtype``."""
    real = np.dtype(dtype).type
    if align_corners:
        return real(in_size - 1) / real(out_size - 1) if out_size > 1 else real(0)
    if scale is not None and scale > 0:
        return real(1.0 / scale)
    return real(in_size) / real(out_size)


def _source_positions(in_size, out_size, align_corners, scale, dtype, cubic):  # noqa: ANN001, ANN202
    """Where each output position samples the input (PyTorch's
    ``area_pixel_compute_source_index``: half-pixel centres computed in double precision and
    rounded to ``dtype``; clamped at 0 except for cubic)."""
    ratio = source_scale(in_size, out_size, align_corners, scale, dtype)
    dst = np.arange(out_size)
    if align_corners:
        return ratio * dst.astype(dtype)
    src = (np.float64(ratio) * (dst + 0.5) - 0.5).astype(dtype)
    return src if cubic else np.maximum(src, 0)


def nearest_index(in_size: int, out_size: int, scale: float | None, exact: bool) -> np.ndarray:
    """The input position each output position copies: ``floor(i * s)`` (``nearest``) or
    ``floor((i + 0.5) * s)`` (``nearest-exact``), in float32 as PyTorch."""
    dst = np.arange(out_size)
    if not exact and out_size in (in_size, 2 * in_size):  # PyTorch's shortcuts
        return dst // (out_size // in_size)
    s = source_scale(in_size, out_size, False, scale, np.float32)
    if exact:  # (i + 0.5) * s in double, rounded to float by floorf's argument
        src = ((dst + 0.5) * np.float64(s)).astype(np.float32)
    else:
        src = dst.astype(np.float32) * s
    return np.minimum(np.floor(src).astype(np.int64), in_size - 1)


def linear(in_size, out_size, align_corners, scale, dtype) -> np.ndarray:  # noqa: ANN001
    """Two neighbours per output position, weights ``1 - t`` and ``t``."""
    if out_size == in_size:
        return np.eye(out_size)
    src = _source_positions(in_size, out_size, align_corners, scale, dtype, cubic=False)
    lo = np.minimum(np.floor(src).astype(np.int64), in_size - 1)
    t = np.clip(src - lo.astype(src.dtype), 0, 1)
    hi = lo + (lo < in_size - 1)
    matrix = np.zeros((out_size, in_size), dtype=np.float64)
    rows = np.arange(out_size)
    np.add.at(matrix, (rows, lo), 1 - t.astype(np.float64))
    np.add.at(matrix, (rows, hi), t.astype(np.float64))
    return matrix


def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with parameter ``a``."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))


def cubic(in_size, out_size, align_corners, scale, dtype) -> np.ndarray:  # noqa: ANN001
    """Four neighbours per output position (indices clamped at the borders), Keys' weights."""
    src = _source_positions(in_size, out_size, align_corners, scale, dtype, cubic=True)
    floor = np.floor(src)
    base, t = floor.astype(np.int64), (src - floor).astype(np.float64)
    matrix = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    for k in range(-1, 3):
        index = np.clip(base + k, 0, in_size - 1)
        np.add.at(matrix, (rows, index), _cubic(t - k, _CUBIC_A))
    return matrix


def area(in_size: int, out_size: int) -> np.ndarray:
    """Adaptive average pooling: the mean of input positions ``floor(i n/m) ..
    ceil((i+1) n/m) - 1``."""
    matrix = np.zeros((out_size, in_size))
    for i in range(out_size):
        start = (i * in_size) // out_size
        stop = -(-((i + 1) * in_size) // out_size)
        matrix[i, start:stop] = 1.0 / (stop - start)
    return matrix


def antialiased(in_size, out_size, align_corners, scale, dtype, taps: int) -> np.ndarray:  # noqa: ANN001
    """PyTorch's ``antialias=True`` weights (bilinear ``taps=2``, bicubic ``taps=4``): when
    shrinking, the filter is stretched by the scale, so every input pixel contributes; each
    row is normalised to sum to 1."""
    s = float(source_scale(in_size, out_size, align_corners, scale, dtype))
    support = taps / 2 * s if s >= 1.0 else taps / 2
    invscale = 1.0 / s if s >= 1.0 else 1.0
    matrix = np.zeros((out_size, in_size))
    for i in range(out_size):
        center = s * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        x = (np.arange(lo, hi) - center + 0.5) * invscale
        w = np.maximum(1 - np.abs(x), 0) if taps == 2 else _cubic(x, _AA_CUBIC_A)
        total = w.sum()
        matrix[i, lo:hi] = w / total if total != 0 else w
    return matrix


def output_size(in_size: int, scale: float) -> int:
    """``floor(in_size * scale)`` (PyTorch's output size for a scale factor)."""
    return math.floor(float(in_size) * scale)
