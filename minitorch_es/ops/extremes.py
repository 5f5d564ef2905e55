"""``amax`` / ``amin``: the largest / smallest value over dims, the gradient shared evenly
among tied elements, as in PyTorch."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..errors import ShapeError
from .reduction import _expand, normalize_dims


class AMaxMin(Primitive):
    """``amax`` (``largest``) or ``amin`` over ``dim`` (all elements when None or ())."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False, largest=True):
        op = "amax" if largest else "amin"
        ctx.backward_name = "AmaxBackward0" if largest else "AminBackward0"
        dims = normalize_dims(dim if dim != () else None, a.ndim, op)
        if a.size == 0 and (dims is None or any(a.shape[d] == 0 for d in dims)):
            raise ShapeError(f"{op}(): expected a non-empty reduction, got shape {a.shape}")
        out = np.asarray((np.max if largest else np.min)(a, axis=dims, keepdims=keepdim))
        if ctx.needs_input_grad[0]:  # the tie mask, now: an in-place amax would overwrite a
            full = out if dims is None or keepdim else np.expand_dims(out, dims)
            chosen = a == full
            ctx.weights = chosen / chosen.sum(axis=dims, keepdims=True)
            ctx.meta = (a.shape, dims, keepdim)
        return out

    @staticmethod
    def backward(ctx, grad):
        shape, dims, keepdim = ctx.meta
        return _expand(ctx.xp, grad, shape, dims, keepdim) * ctx.weights.astype(grad.dtype)
