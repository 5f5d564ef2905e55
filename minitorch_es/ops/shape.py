"""Shape primitives: reshape, transpose/permute, expand, cat, stack."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..errors import ShapeError
from .reduction import wrap_dim


class Reshape(Primitive):
    """The same elements in a new shape."""

    is_view = True
    backward_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ShapeError(
                f"reshape: shape {tuple(shape)} is invalid for a tensor of shape {a.shape} "
                f"({a.size} elements)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Permute(Primitive):
    """The dimensions reordered."""

    is_view = True

    @staticmethod
    def forward(ctx, a, dims):
        axes = tuple(wrap_dim(d, a.ndim, "permute") for d in dims) if a.ndim else tuple(dims)
        if sorted(axes) != list(range(a.ndim)):
            raise ShapeError(
                f"permute: dims {tuple(dims)} are not a permutation of the {a.ndim} dimensions "
                f"of a tensor of shape {a.shape}"
            )
        ctx.dims = axes
        return a.transpose(axes)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.permute_dims(grad, tuple(np.argsort(ctx.dims))), None


class Expand(Primitive):
    """Broadcast to a larger shape; the gradient is summed back."""

    is_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        try:
            return np.broadcast_to(a, shape)
        except ValueError:
            raise ShapeError(f"expand: cannot expand shape {a.shape} to {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.unbroadcast(grad, ctx.shape), None


class Cat(Primitive):
    """Join tensors along an existing dimension."""

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        _check_same_rank(arrays, "cat")
        d = wrap_dim(dim, arrays[0].ndim, "cat")
        ctx.meta = (d, np.cumsum([a.shape[d] for a in arrays])[:-1])
        try:
            return np.concatenate(arrays, axis=d)
        except ValueError:
            shapes = [a.shape for a in arrays]
            raise ShapeError(
                f"cat: tensors must have the same shape except in dim {dim}, got {shapes}"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        d, splits = ctx.meta
        return tuple(ctx.xp.split(grad, splits, axis=d))


class Stack(Primitive):
    """Join tensors along a new dimension."""

    @staticmethod
    def forward(ctx, *arrays, dim=0):
        _check_same_rank(arrays, "stack")
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ShapeError(
                f"stack: expects each tensor to be equal size, got {[a.shape for a in arrays]}"
            )
        d = wrap_dim(dim, arrays[0].ndim + 1, "stack")
        ctx.d = d
        return np.stack(arrays, axis=d)

    @staticmethod
    def backward(ctx, grad):
        return tuple(ctx.xp.moveaxis(grad, ctx.d, 0))


def _check_same_rank(arrays, op):
    if not arrays:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    if len({a.ndim for a in arrays}) != 1 or arrays[0].ndim == 0 and op == "cat":
        raise ShapeError(
            f"{op}: tensors must have the same number of dimensions (and at least one for cat), "
            f"got shapes {[a.shape for a in arrays]}"
        )


class Flip(Primitive):
    """The order of elements reversed along ``dims`` (a copy, as in PyTorch)."""

    @staticmethod
    def forward(ctx, a, *, dims):
        axes = tuple(wrap_dim(d, a.ndim, "flip") for d in dims) if a.ndim else ()
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"flip: dims {tuple(dims)} has a dimension more than once")
        ctx.axes = axes
        return np.flip(a, axes).copy() if axes else a.copy()

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.flip(grad, ctx.axes) if ctx.axes else grad


class Roll(Primitive):
    """Elements shifted cyclically by ``shifts`` along ``dims`` (the flattened tensor when
    ``dims`` is None)."""

    @staticmethod
    def forward(ctx, a, *, shifts, dims=None):
        ctx.meta = (shifts, dims)
        return np.roll(a, shifts, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        shifts, dims = ctx.meta
        back = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
        return ctx.xp.roll(grad, back, dims)
