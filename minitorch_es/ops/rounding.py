"""Rounding primitives (floor, ceil, round, trunc, sign): piecewise constant, so their
gradient is zero, as in PyTorch; and frac, whose gradient passes. Integer and bool tensors
come back unchanged (a copy), as in PyTorch."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive


class _Flat(Primitive):
    """Base of the piecewise-constant ops: the derivative is zero wherever it exists."""

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Floor(_Flat):
    """The largest integer ``<= a``."""

    @staticmethod
    def forward(ctx, a):
        return np.floor(a) if a.dtype.kind == "f" else a.copy()


class Ceil(_Flat):
    """The smallest integer ``>= a``."""

    @staticmethod
    def forward(ctx, a):
        return np.ceil(a) if a.dtype.kind == "f" else a.copy()


class Trunc(_Flat):
    """``a`` rounded toward zero (alias ``fix``)."""

    @staticmethod
    def forward(ctx, a):
        return np.trunc(a) if a.dtype.kind == "f" else a.copy()


class Round(_Flat):
    """``a`` rounded to ``decimals`` places, halves to even (as PyTorch and NumPy)."""

    @staticmethod
    def forward(ctx, a, decimals=0):
        if a.dtype.kind != "f":
            if decimals:
                raise TypeError(f"round(decimals={decimals}) is not implemented for {a.dtype}")
            return a.copy()
        return np.round(a, decimals)


class Sign(_Flat):
    """-1, 0 or 1 by the sign of ``a`` (bool tensors stay bool)."""

    @staticmethod
    def forward(ctx, a):
        return a.copy() if a.dtype == bool else np.sign(a)


class Frac(Primitive):
    """``a - trunc(a)``; the gradient passes unchanged."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind != "f":
            raise TypeError(f"frac(): expected a floating point tensor, got dtype {a.dtype}")
        return a - np.trunc(a)

    @staticmethod
    def backward(ctx, grad):
        return grad
