"""Shape primitives: reshape, transpose/permute, squeeze/unsqueeze, expand, indexing, cat, stack."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..errors import ShapeError
from .reduction import wrap_dim


class Reshape(Function):
    """The same elements in a new shape."""

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


class Permute(Function):
    """The dimensions reordered."""

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
        return grad.transpose(np.argsort(ctx.dims)), None


class Expand(Function):
    """Broadcast to a larger shape; the gradient is summed back."""

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = a.shape
        try:
            return np.broadcast_to(a, shape)
        except ValueError:
            raise ShapeError(f"expand: cannot expand shape {a.shape} to {tuple(shape)}") from None

    @staticmethod
    def backward(ctx, grad):
        from .broadcast import unbroadcast

        return unbroadcast(grad, ctx.shape), None


class GetItem(Function):
    """Indexing (``a[index]``: ints, slices, arrays, masks); the gradient is scattered back."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.meta = (a.shape, a.dtype, index)
        try:
            return a[index]
        except IndexError as e:
            raise IndexError(f"indexing a tensor of shape {a.shape} with {index!r}: {e}") from None

    @staticmethod
    def backward(ctx, grad):
        shape, dtype, index = ctx.meta
        out = np.zeros(shape, dtype=grad.dtype)
        if _is_basic(index):
            out[index] = grad  # a view: no element is selected twice
        else:
            np.add.at(out, index, grad)  # repeated indices accumulate
        return out, None


def _is_basic(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) for i in items)


class Cat(Function):
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
        return tuple(np.split(grad, splits, axis=d))


class Stack(Function):
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
        return tuple(np.moveaxis(grad, ctx.d, 0))


def _check_same_rank(arrays, op):
    if not arrays:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    if len({a.ndim for a in arrays}) != 1 or arrays[0].ndim == 0 and op == "cat":
        raise ShapeError(
            f"{op}: tensors must have the same number of dimensions (and at least one for cat), "
            f"got shapes {[a.shape for a in arrays]}"
        )
