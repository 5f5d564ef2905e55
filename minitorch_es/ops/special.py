"""The error function and its inverse (NumPy has neither): ``erf`` from the C library's,
``erfinv`` by an initial polynomial estimate refined with Newton steps on ``erf``/``erfc``."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Primitive
from ..promotion import floating

_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def erf(x: np.ndarray) -> np.ndarray:
    """``erf`` elementwise, in ``x``'s (floating) dtype."""
    x = floating(np.asarray(x))
    return np.asarray(_erf(x.astype(np.float64)), dtype=np.float64).astype(x.dtype)


def erfinv(y: np.ndarray) -> np.ndarray:
    """The inverse of `erf` on [-1, 1] (±inf at ±1, nan outside), in ``y``'s dtype."""
    y = floating(np.asarray(y))
    y64 = y.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = _initial_erfinv(y64)
        # Newton on erf in the middle; in the tails on log(erfc), with 1 - |y| (exact there).
        tail = np.abs(y64) > 0.5
        sign = np.sign(y64)
        log_rest = np.log(1 - np.abs(y64))
        for _ in range(4):
            finite = np.isfinite(x)
            xf = np.where(finite, x, 0.0)
            slope = _TWO_OVER_SQRT_PI * np.exp(-xf * xf)
            mid = (np.asarray(_erf(xf), dtype=np.float64) - y64) / slope
            rest = np.asarray(_erfc(np.abs(xf)), dtype=np.float64)
            ends = -sign * (np.log(rest) - log_rest) * rest / slope
            x = np.where(finite & (slope > 0), x - np.where(tail, ends, mid), x)
        x = np.where(np.abs(y64) == 1, sign * np.inf, x)
        x = np.where(np.abs(y64) > 1, np.nan, x)
    return x.astype(y.dtype)


# Giles' single-precision polynomial approximation of erfinv: coefficients (highest degree
# first) in w - 2.5 for w = -log(1 - y^2) < 5, and in sqrt(w) - 3 beyond (the ONNX export
# evaluates the same polynomials).
ERFINV_CENTRAL = (
    2.81022636e-08,
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
)
ERFINV_TAIL = (
    -0.000200214257,
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
)


def _initial_erfinv(y: np.ndarray) -> np.ndarray:
    """Giles' approximation of erfinv (two ranges of w)."""
    w = -np.log((1 - y) * (1 + y))
    central = w - 2.5
    p = np.full_like(y, ERFINV_CENTRAL[0])
    for c in ERFINV_CENTRAL[1:]:
        p = c + p * central
    tails = np.sqrt(np.maximum(w, 0)) - 3
    q = np.full_like(y, ERFINV_TAIL[0])
    for c in ERFINV_TAIL[1:]:
        q = c + q * tails
    return np.where(w < 5, p, q) * y


class Erf(Primitive):
    """``erf(a)``; derivative ``2 / sqrt(pi) * exp(-a^2)``."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return erf(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * ctx.xp.exp(-(a * a)) * _TWO_OVER_SQRT_PI


class Erfinv(Primitive):
    """``erfinv(a)``; backward reuses the output: ``sqrt(pi) / 2 * exp(out^2)``."""

    @staticmethod
    def forward(ctx, a):
        out = erfinv(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * ctx.xp.exp(out * out) / _TWO_OVER_SQRT_PI
