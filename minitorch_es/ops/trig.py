"""Trigonometric and hyperbolic primitives: sin, cos, tan, their inverses, sinh, cosh (tanh
is the activation in ``nn.functional``), their inverses and atan2. Integer inputs compute in
the default dtype, as in PyTorch."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..promotion import floating, promoted


class Sin(Primitive):
    """``sin(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.cos(a)


class Cos(Primitive):
    """``cos(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad * ctx.xp.sin(a)


class Tan(Primitive):
    """``tan(a)``; backward reuses the output: ``1 + tan^2``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        out = np.tan(floating(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (1 + out * out)


class Asin(Primitive):
    """``arcsin(a)``, alias ``arcsin``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / ctx.xp.sqrt(1 - a * a)


class Acos(Primitive):
    """``arccos(a)``, alias ``arccos``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return -grad / ctx.xp.sqrt(1 - a * a)


class Atan(Primitive):
    """``arctan(a)``, alias ``arctan``."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (1 + a * a)


class Sinh(Primitive):
    """``sinh(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.cosh(a)


class Cosh(Primitive):
    """``cosh(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.sinh(a)


class Asinh(Primitive):
    """``arcsinh(a)``."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsinh(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / ctx.xp.sqrt(a * a + 1)


class Acosh(Primitive):
    """``arccosh(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccosh(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / ctx.xp.sqrt(a * a - 1)


class Atanh(Primitive):
    """``arctanh(a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctanh(floating(a))

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad / (1 - a * a)


class Atan2(Primitive):
    """``atan2(a, b)``: the angle of the point ``(b, a)``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        ctx.shapes = (np.shape(a), np.shape(b))
        return promoted(np.arctan2(a, b), a, b, floating=True)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        unbroadcast = ctx.xp.unbroadcast
        scale = grad / (a * a + b * b)
        return (
            unbroadcast(scale * b, sa) if na else None,
            unbroadcast(-scale * a, sb) if nb else None,
        )
