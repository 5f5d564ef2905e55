"""Element-wise primitives: exp, log, sqrt, abs, clamp, maximum, minimum, where and casts."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .broadcast import unbroadcast


class Exp(Function):
    """``exp(a)``; backward reuses the output."""

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """``log(a)`` (natural)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Function):
    """``sqrt(a)``."""

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Abs(Function):
    """``abs(a)``; the gradient at 0 is 0, as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * np.sign(a)  # sign(0) = 0, as PyTorch


class Clamp(Function):
    """``clip(a, min, max)``; the gradient passes where ``min <= a <= max``."""

    @staticmethod
    def forward(ctx, a, min=None, max=None):
        ctx.save_for_backward(a)
        ctx.bounds = (min, max)
        return np.clip(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        return grad * inside


class Maximum(Function):
    """The elementwise larger of two tensors."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_by_winner(ctx, grad, a > b, a == b)


class Minimum(Function):
    """The elementwise smaller of two tensors."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split_by_winner(ctx, grad, a < b, a == b)


def _split_by_winner(ctx, grad, a_wins, tie):
    """The gradient goes to the selected argument; ties share it equally, as in PyTorch."""
    a, b = ctx.saved_tensors
    share_a = np.where(a_wins, 1.0, np.where(tie, 0.5, 0.0)).astype(grad.dtype)
    na, nb = ctx.needs_input_grad
    return (
        unbroadcast(grad * share_a, np.shape(a)) if na else None,
        unbroadcast(grad * (1 - share_a), np.shape(b)) if nb else None,
    )


class Where(Function):
    """``where(condition, a, b)``; each branch gets the gradient where it was chosen."""

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(cond, dtype=bool)
        ctx.save_for_backward(cond)
        ctx.shapes = (np.shape(a), np.shape(b))
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        sa, sb = ctx.shapes
        _, na, nb = ctx.needs_input_grad
        zero = np.zeros((), dtype=grad.dtype)
        return (
            None,
            unbroadcast(np.where(cond, grad, zero), sa) if na else None,
            unbroadcast(np.where(cond, zero, grad), sb) if nb else None,
        )


class Cast(Function):
    """A change of floating dtype inside the graph; the gradient is cast back."""

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.src = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.src), None
