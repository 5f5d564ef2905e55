"""Exponential, logarithmic and power-like primitives beyond exp/log/sqrt: exp2, expm1,
log1p, log2, log10, rsqrt, reciprocal. Integer inputs compute in the default dtype."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Primitive
from ..promotion import floating


class Exp2(Primitive):
    """``2 ** a``; backward reuses the output."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        out = np.exp2(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * math.log(2.0)


class Expm1(Primitive):
    """``exp(a) - 1``, accurate near 0; backward reuses the output."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        out = np.expm1(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Log1p(Primitive):
    """``log(1 + a)``, accurate near 0."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a + 1)


class Log2(Primitive):
    """``log2(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log2(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(2.0))


class Log10(Primitive):
    """``log10(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log10(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (a * math.log(10.0))


class Rsqrt(Primitive):
    """``1 / sqrt(a)``; backward reuses the output: ``-out^3 / 2``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        out = 1 / np.sqrt(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * out * out * -0.5


class Reciprocal(Primitive):
    """``1 / a``; backward reuses the output: ``-out^2``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        out = 1 / floating(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return -grad * out * out
