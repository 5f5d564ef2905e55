"""Binary elementwise primitives beyond + - * / **: fmod, remainder, fmax, fmin, with
PyTorch's type promotion and gradients through broadcasting."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..promotion import promoted


class Fmod(Primitive):
    """``a - trunc(a / b) * b`` (C's fmod: the sign of ``a``); d/db = -trunc(a / b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                ctx.quotient = np.trunc(np.true_divide(a, b))  # a constant of the derivative
        with np.errstate(divide="ignore", invalid="ignore"):
            return promoted(np.fmod(a, b), a, b)

    @staticmethod
    def backward(ctx, grad):
        return _remainder_grads(ctx, grad)


class Remainder(Primitive):
    """``a - floor(a / b) * b`` (Python's %: the sign of ``b``); d/db = -floor(a / b)."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                ctx.quotient = np.floor(np.true_divide(a, b))
        with np.errstate(divide="ignore", invalid="ignore"):
            return promoted(np.remainder(a, b), a, b)

    @staticmethod
    def backward(ctx, grad):
        return _remainder_grads(ctx, grad)


def _remainder_grads(ctx, grad):
    sa, sb = ctx.shapes
    na, nb = ctx.needs_input_grad
    unbroadcast = ctx.xp.unbroadcast
    return (
        unbroadcast(grad, sa) if na else None,
        unbroadcast(-grad * ctx.quotient.astype(grad.dtype), sb) if nb else None,
    )


class Fmax(Primitive):
    """The elementwise larger of ``a`` and ``b``, ignoring NaN (NaN only where both are);
    the gradient goes to ``a`` where ``a >= b`` or ``b`` is NaN, else to ``b``."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))
        ctx.a_wins = (a >= b) | np.isnan(b)
        return promoted(np.fmax(a, b), a, b)

    @staticmethod
    def backward(ctx, grad):
        return _split(ctx, grad)


class Fmin(Primitive):
    """The elementwise smaller of ``a`` and ``b``, ignoring NaN; the gradient goes to ``a``
    where ``a <= b`` or ``b`` is NaN, else to ``b``."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (np.shape(a), np.shape(b))
        ctx.a_wins = (a <= b) | np.isnan(b)
        return promoted(np.fmin(a, b), a, b)

    @staticmethod
    def backward(ctx, grad):
        return _split(ctx, grad)


def _split(ctx, grad):
    sa, sb = ctx.shapes
    na, nb = ctx.needs_input_grad
    xp = ctx.xp
    zero = np.zeros((), dtype=grad.dtype)
    return (
        xp.unbroadcast(xp.where(ctx.a_wins, grad, zero), sa) if na else None,
        xp.unbroadcast(xp.where(ctx.a_wins, zero, grad), sb) if nb else None,
    )
