"""The vector p-norm primitive (``linalg.vector_norm``; ``norm``, ``dist``, ``cdist`` and the
matrix norms build on it). Its gradient is 0 where the norm is 0, as in PyTorch, and is
shared evenly among the largest (smallest) magnitudes for p = inf (-inf)."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Primitive
from .reduction import _expand, normalize_dims


class VectorNorm(Primitive):
    """``sum(|a|^p)^(1/p)`` over ``dim`` (all elements when None)."""

    backward_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, a, ord=2, dim=None, keepdim=False):
        if a.dtype.kind != "f":
            raise TypeError(
                f"linalg.vector_norm: expected a floating point tensor, got dtype {a.dtype}"
            )
        dims = normalize_dims(dim, a.ndim, "linalg.vector_norm")
        mag = np.abs(a)
        if ord == math.inf:
            out = mag.max(axis=dims, keepdims=keepdim, initial=0)
        elif ord == -math.inf:
            if mag.size == 0:
                raise RuntimeError("linalg.vector_norm: -inf norm of an empty tensor")
            out = mag.min(axis=dims, keepdims=keepdim)
        elif ord == 0:
            out = (mag != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
        elif ord == 1:
            out = mag.sum(axis=dims, keepdims=keepdim)
        elif ord == 2:
            out = np.sqrt((mag * mag).sum(axis=dims, keepdims=keepdim))
        else:
            with np.errstate(divide="ignore"):
                out = (mag**ord).sum(axis=dims, keepdims=keepdim) ** (1.0 / ord)
        out = np.asarray(out, dtype=a.dtype)
        ctx.meta = (ord, dims, keepdim)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        ord, dims, keepdim = ctx.meta
        a, out = ctx.saved_tensors
        a_arr, out_arr = ctx.saved_arrays
        xp = ctx.xp
        shape = a_arr.shape
        g = _expand(xp, grad, shape, dims, keepdim)
        if ord == 0:
            return g * 0
        n = _expand(xp, out, shape, dims, keepdim)
        n_arr = np.broadcast_to(_keep(out_arr, dims, keepdim), shape)
        sign = xp.sign(a)  # a constant of the derivative
        if ord in (math.inf, -math.inf):
            chosen = np.abs(a_arr) == n_arr  # ties share the gradient
            count = chosen.sum(axis=dims, keepdims=True)
            return g * sign * (chosen / count).astype(a_arr.dtype)
        if ord == 1:
            return g * sign
        zero = n_arr == 0
        safe = xp.where(zero, 1, n)  # the gradient is 0 where the norm is 0
        if ord == 2:
            return xp.where(zero, 0, g * a / safe)
        scaled = sign * xp.pow(xp.abs(a), ord - 1) / xp.pow(safe, ord - 1)
        return xp.where(zero, 0, g * scaled)


def _keep(out: np.ndarray, dims, keepdim: bool) -> np.ndarray:
    """A reduced array with the reduced axes kept (size 1)."""
    return out if dims is None or keepdim else np.expand_dims(out, dims)
