"""The autograd Functions behind the activations (``activation_functions`` wraps them).

Each is one `Function` with a closed-form backward. Where the
derivative is a function of the output it saves the output (sigmoid' = s(1 - s), tanh' = 1 - t^2,
ReLU's mask, ELU's alpha e^x = out + alpha, softmax's Jacobian product). Every formula is stable
for any finite input: exponentials are taken of ``-|x|`` or of ``x - max(x)`` only, so
``|x| = 1000`` gives finite results and no overflow in float32 or float64; float32 stays float32.
"""

from __future__ import annotations

import math

import numpy as np

from minitorch_es.autograd import Primitive

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_TANH_CUBIC = 0.044715


# ------------------------------------------------------------------------ numeric helpers
def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` computed from ``exp(-|x|)``, which never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def softplus_array(x: np.ndarray) -> np.ndarray:
    """``log(1 + exp(x))`` without overflow (``logaddexp`` shifts by the larger term)."""
    return np.logaddexp(0, x)


def _erf_taylor_table(nodes: np.ndarray, order: int) -> np.ndarray:
    """Row n holds erf^(n)(a) / n! at every node a, from erf^(n+1)(a) = 2/sqrt(pi) (-1)^n
    H_n(a) exp(-a^2), with the Hermite polynomials H_n built by their recurrence."""
    table = np.empty((order + 1, nodes.size))
    table[0] = [math.erf(a) for a in nodes]
    gauss = 2 / math.sqrt(math.pi) * np.exp(-nodes * nodes)
    hermite_prev, hermite = np.zeros_like(nodes), np.ones_like(nodes)  # H_-1 (unused), H_0
    for n in range(order):
        table[n + 1] = (-1) ** n * hermite * gauss / math.factorial(n + 1)
        hermite_prev, hermite = hermite, 2 * nodes * hermite - 2 * n * hermite_prev
    return table


_ERF_NODES_PER_UNIT = 32
_ERF_NODES = np.arange(6 * _ERF_NODES_PER_UNIT + 1) / _ERF_NODES_PER_UNIT  # 0, 1/32, ..., 6
_ERF_TAYLOR = _erf_taylor_table(_ERF_NODES, order=8)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, vectorised (NumPy has none; ``math.erf`` is per scalar).

    A Taylor polynomial around the nearest node of a 1/32 grid over [0, 6] (|h| <= 1/64): order
    8 keeps the truncation below 1e-16 for float64, order 4 below 1e-9 for float32 and smaller
    dtypes; beyond 6, erf is +-1 in float64. The result has ``x``'s dtype.
    """
    x = np.asarray(x)
    order = 8 if x.dtype.itemsize > 4 else 4
    x64 = x.astype(np.float64, copy=False)
    nan = np.isnan(x64)
    ax = np.minimum(np.abs(np.where(nan, 0.0, x64)), 6.0)
    k = np.rint(ax * _ERF_NODES_PER_UNIT).astype(np.intp)
    h = ax - _ERF_NODES[k]
    out = _ERF_TAYLOR[order][k]
    for row in _ERF_TAYLOR[order - 1 :: -1]:  # Horner's rule
        out *= h
        out += row[k]
    out = np.where(nan, np.nan, np.copysign(out, x64))
    return out.astype(x.dtype, copy=False)


# ------------------------------------------------------------------------------ Functions
class SigmoidFunction(Primitive):
    """sigmoid; saves its output s, since sigmoid' = s (1 - s)."""

    @staticmethod
    def forward(ctx, x):
        out = stable_sigmoid(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return grad * s * (1 - s)


class TanhFunction(Primitive):
    """tanh; saves its output t, since tanh' = 1 - t^2."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (t,) = ctx.saved_tensors
        return grad * (1 - t * t)


class ReLUFunction(Primitive):
    """max(x, 0); saves the output, whose positive entries are the gradient mask."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * (out > 0)  # derivative 0 at x = 0, as PyTorch


class LeakyReLUFunction(Primitive):
    """x or negative_slope * x; saves the sign mask."""

    @staticmethod
    def forward(ctx, x, *, negative_slope):
        positive = x > 0
        ctx.save_for_backward(positive)
        ctx.slope = negative_slope
        return np.where(positive, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return np.where(positive, grad, grad * ctx.slope)


class ELUFunction(Primitive):
    """``scale * (x if x > 0 else alpha (e^x - 1))``: ELU (scale 1) and SELU."""

    @staticmethod
    def forward(ctx, x, *, alpha, scale):
        positive = x > 0
        # expm1 of min(x, 0): the discarded branch never overflows for large positive x.
        out = scale * np.where(positive, x, alpha * np.expm1(np.minimum(x, 0)))
        ctx.save_for_backward(out, positive)
        ctx.scale_alpha, ctx.scale = scale * alpha, scale
        return out

    @staticmethod
    def backward(ctx, grad):
        out, positive = ctx.saved_tensors
        return np.where(positive, grad * ctx.scale, grad * (out + ctx.scale_alpha))


class GELUFunction(Primitive):
    """x Phi(x) (exact, via `erf`) or its tanh approximation."""

    @staticmethod
    def forward(ctx, x, *, approximate):
        if approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_TANH_CUBIC * x * x * x))
            ctx.save_for_backward(x, t)
            ctx.approximate = approximate
            return 0.5 * x * (1 + t)
        cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
        ctx.save_for_backward(x, cdf)
        ctx.approximate = approximate
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        x, saved = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = saved
            inner_slope = _SQRT_2_OVER_PI * (1 + 3 * _GELU_TANH_CUBIC * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_slope)
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return grad * (saved + x * pdf)


class SiLUFunction(Primitive):
    """x sigmoid(x); derivative s (1 + x (1 - s))."""

    @staticmethod
    def forward(ctx, x):
        s = stable_sigmoid(x)
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        return grad * s * (1 + x * (1 - s))


class SoftplusFunction(Primitive):
    """log(1 + exp(beta x)) / beta, linear above the threshold; derivative sigmoid(beta x)."""

    @staticmethod
    def forward(ctx, x, *, beta, threshold):
        z = x * beta
        linear = z > threshold  # PyTorch reverts to the identity there
        ctx.save_for_backward(z, linear)
        return np.where(linear, x, softplus_array(z) / beta)

    @staticmethod
    def backward(ctx, grad):
        z, linear = ctx.saved_tensors
        return np.where(linear, grad, grad * stable_sigmoid(z))


class MishFunction(Primitive):
    """x tanh(softplus(x))."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(softplus_array(x))
        ctx.save_for_backward(x, t)
        return x * t

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        return grad * (t + x * (1 - t * t) * stable_sigmoid(x))


class HardtanhFunction(Primitive):
    """clip(x, min_val, max_val); the gradient passes strictly inside the bounds."""

    @staticmethod
    def forward(ctx, x, *, min_val, max_val):
        ctx.save_for_backward((x > min_val) & (x < max_val))
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside


class SoftmaxFunction(Primitive):
    """softmax along dim; backward is the Jacobian product s (g - sum(g s))."""

    @staticmethod
    def forward(ctx, x, *, dim):
        e = np.exp(x - x.max(axis=dim, keepdims=True))
        out = e / e.sum(axis=dim, keepdims=True)
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved_tensors
        return s * (grad - (grad * s).sum(axis=ctx.dim, keepdims=True))


class LogSoftmaxFunction(Primitive):
    """log-softmax along dim; backward is g - softmax * sum(g)."""

    @staticmethod
    def forward(ctx, x, *, dim):
        shifted = x - x.max(axis=dim, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))
        ctx.save_for_backward(out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad - np.exp(out) * grad.sum(axis=ctx.dim, keepdims=True)
