"""Reductions: sum, mean, var, max and min over all elements or along ``dim``."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..errors import ShapeError


def wrap_dim(dim: int, ndim: int, op: str) -> int:
    """``dim`` as a non-negative axis of a tensor with ``ndim`` dimensions (a 0-d tensor accepts
    0 and -1). Out of range is an IndexError, as in PyTorch, never a silent wrap-around."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], but got "
            f"{dim}) for a tensor with {ndim} dimension(s)"
        )
    return dim % n


def normalize_dims(dim, ndim: int, op: str):
    """``dim`` (None, int or sequence) as a sorted tuple of non-negative axes, checked."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = [wrap_dim(d, ndim, op) for d in dims]
    if ndim == 0:
        return None
    return tuple(sorted(set(out)))


def _expand(xp, grad, shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced axes."""
    if dims is not None and not keepdim:
        grad = xp.expand_dims(grad, dims)
    return xp.broadcast_to(grad, shape)


class Sum(Primitive):
    """Sum over ``dim`` (all elements when None)."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        dims = normalize_dims(dim, a.ndim, "sum")
        if dim is not None:
            ctx.backward_name = "SumBackward1"
        ctx.meta = (a.shape, dims, keepdim)
        out = a.sum(axis=dims, keepdims=keepdim)
        if a.dtype == bool or a.dtype.kind in "iu":
            out = out.astype(np.int64)
        return out

    @staticmethod
    def backward(ctx, grad):
        shape, dims, keepdim = ctx.meta
        return _expand(ctx.xp, grad, shape, dims, keepdim)


class Mean(Primitive):
    """Mean over ``dim`` (all elements when None)."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        if a.dtype.kind not in "fc":
            raise TypeError(
                f"mean(): expected a floating point tensor, got dtype {a.dtype} "
                f"(convert with .float())"
            )
        dims = normalize_dims(dim, a.ndim, "mean")
        if dim is not None:
            ctx.backward_name = "MeanBackward1"
        count = a.size if dims is None else int(np.prod([a.shape[d] for d in dims]))
        ctx.meta = (a.shape, dims, keepdim, count)
        return a.mean(axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        shape, dims, keepdim, count = ctx.meta
        return _expand(ctx.xp, grad / count, shape, dims, keepdim)


class Var(Primitive):
    """Variance over ``dim`` with ``correction`` (1: unbiased, as PyTorch's default)."""

    @staticmethod
    def forward(ctx, a, dim=None, correction=1, keepdim=False):
        if a.dtype.kind not in "fc":  # NumPy would silently answer in float64
            raise TypeError(
                f"var()/std(): expected a floating point tensor, got dtype {a.dtype} "
                f"(convert with .float())"
            )
        dims = normalize_dims(dim, a.ndim, "var")
        count = a.size if dims is None else int(np.prod([a.shape[d] for d in dims]))
        centered = a - a.mean(axis=dims, keepdims=True)
        ctx.save_for_backward(a)
        ctx.meta = (dims, keepdim, count - correction)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (centered * centered).sum(axis=dims, keepdims=keepdim) / (count - correction)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        dims, keepdim, denom = ctx.meta
        xp = ctx.xp
        centered = a - xp.mean(a, axis=dims, keepdims=True)  # again: it depends on a
        return _expand(xp, grad, a.shape, dims, keepdim) * (2 * centered / denom)


class MaxMin(Primitive):
    """max / min over all elements (gradient shared evenly among ties, as in PyTorch)."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a, largest=True):
        if a.size == 0:
            raise ShapeError(f"{'max' if largest else 'min'}(): the tensor is empty")
        out = a.max() if largest else a.min()
        ctx.backward_name = "MaxBackward1" if largest else "MinBackward1"
        ctx.save_for_backward(a, out)
        return np.asarray(out)

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_arrays
        mask = a == out  # a constant of the derivative
        return mask * (grad / mask.sum())


class MaxMinDim(Primitive):
    """Values of max / min along one dim; the gradient goes to the returned index."""

    @staticmethod
    def forward(ctx, a, dim, keepdim=False, largest=True):
        (d,) = normalize_dims(dim, a.ndim, "max" if largest else "min") or (0,)
        ctx.backward_name = "MaxBackward0" if largest else "MinBackward0"
        idx = (np.argmax if largest else np.argmin)(a, axis=d) if a.ndim else np.zeros((), int)
        idx = np.expand_dims(idx, d) if a.ndim else idx
        values = np.take_along_axis(a, idx, axis=d) if a.ndim else a
        ctx.meta = (a.shape, d, idx, keepdim)
        return values if keepdim or not a.ndim else np.squeeze(values, d)

    @staticmethod
    def backward(ctx, grad):
        shape, d, idx, keepdim = ctx.meta
        if not shape:
            return grad
        chosen = np.zeros(shape, dtype=bool)  # a constant of the derivative
        np.put_along_axis(chosen, idx, True, axis=d)
        return _expand(ctx.xp, grad, shape, (d,), keepdim) * chosen
