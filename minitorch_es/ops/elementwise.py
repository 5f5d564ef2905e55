"""Element-wise primitives: exp, log, sqrt, abs, clamp, maximum, minimum, where and casts."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..promotion import floating, promoted


class Exp(Primitive):
    """``exp(a)``; backward reuses the output."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        out = np.exp(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Primitive):
    """``log(a)`` (natural)."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / a


class Sqrt(Primitive):
    """``sqrt(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad / (2 * out)


class Abs(Primitive):
    """``abs(a)``; the gradient at 0 is 0, as in PyTorch."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_arrays
        return grad * np.sign(a)  # sign(0) = 0, as PyTorch; a constant of the derivative


class Clamp(Primitive):
    """``clip(a, min, max)``; the gradient passes where ``min <= a <= max``."""

    backward_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, min=None, max=None):
        if ctx.needs_input_grad[0]:  # the mask, now: a.clamp_() overwrites a
            inside = np.ones(a.shape, dtype=bool)
            if min is not None:
                inside &= a >= min
            if max is not None:
                inside &= a <= max
            ctx.inside = inside
        return np.clip(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.inside  # a constant of the derivative


class Maximum(Primitive):
    """The elementwise larger of two tensors."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_arrays
        return _split_by_winner(ctx, grad, a > b, a == b)


class Minimum(Primitive):
    """The elementwise smaller of two tensors."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_arrays
        return _split_by_winner(ctx, grad, a < b, a == b)


def _split_by_winner(ctx, grad, a_wins, tie):
    """The gradient goes to the selected argument; ties share it equally, as in PyTorch."""
    a, b = ctx.saved_arrays
    share_a = np.where(a_wins, 1.0, np.where(tie, 0.5, 0.0)).astype(grad.dtype)
    na, nb = ctx.needs_input_grad
    unbroadcast = ctx.xp.unbroadcast
    return (
        unbroadcast(grad * share_a, np.shape(a)) if na else None,
        unbroadcast(grad * (1 - share_a), np.shape(b)) if nb else None,
    )


class Where(Primitive):
    """``where(condition, a, b)``; each branch gets the gradient where it was chosen."""

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(cond, dtype=bool)
        ctx.save_for_backward(cond)
        ctx.shapes = (np.shape(a), np.shape(b))
        return promoted(np.where(cond, a, b), a, b)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_arrays
        sa, sb = ctx.shapes
        _, na, nb = ctx.needs_input_grad
        xp = ctx.xp
        zero = np.zeros((), dtype=grad.dtype)
        return (
            None,
            xp.unbroadcast(xp.where(cond, grad, zero), sa) if na else None,
            xp.unbroadcast(xp.where(cond, zero, grad), sb) if nb else None,
        )


class Cast(Primitive):
    """A change of floating dtype inside the graph; the gradient is cast back."""

    backward_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.src = a.dtype
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.astype(grad, ctx.src), None


class Clone(Primitive):
    """A copy (row-major); the gradient passes unchanged."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad
