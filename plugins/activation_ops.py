"""The autograd Functions behind the activations (``activation_functions`` wraps them).

Each is one `Primitive` with a closed-form backward, written once for the fast path and for
second derivatives (see `minitorch_es.autograd.function`): forward saves only its input or its
output (sigmoid' = s (1 - s), tanh' = 1 - t^2, ELU's alpha e^x = out + alpha, softmax's
Jacobian product), masks are constants kept on ``ctx``, and a value that depends on the input
(SiLU's sigmoid, GELU's normal CDF, Mish's tanh(softplus)) is computed again in backward with
the helpers below. Every formula is stable for any finite input: exponentials are taken of
``-|x|`` or of ``x - max(x)`` only, so ``|x| = 1000`` gives finite results and no overflow in
float32 or float64; float32 stays float32.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive

from .activation_math import erf, softplus_array, stable_sigmoid

if TYPE_CHECKING:
    from types import ModuleType

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_TANH_CUBIC = 0.044715
Value = "np.ndarray | mt.Tensor"  # what a backward formula computes with


# ------------------------------------------------------- pointwise helpers of backward
# Arrays on the fast path, graph Tensors when backward builds a graph of the gradient: each
# helper computes with the array kernel or with the differentiable Function accordingly.
def sigmoid_of(x: Value) -> Value:
    """``sigmoid(x)`` for a backward formula (differentiable when ``x`` is a Tensor)."""
    return SigmoidFunction.apply(x) if isinstance(x, mt.Tensor) else stable_sigmoid(x)


def tanh_of(x: Value) -> Value:
    """``tanh(x)`` for a backward formula."""
    return TanhFunction.apply(x) if isinstance(x, mt.Tensor) else np.tanh(x)


def softplus_of(x: Value) -> Value:
    """``log(1 + exp(x))`` for a backward formula (no linear threshold)."""
    if isinstance(x, mt.Tensor):
        return SoftplusFunction.apply(x, beta=1.0, threshold=math.inf)
    return softplus_array(x)


def normal_cdf_of(x: Value) -> Value:
    """The standard normal CDF ``(1 + erf(x / sqrt 2)) / 2`` for a backward formula."""
    return NormalCDFFunction.apply(x) if isinstance(x, mt.Tensor) else _normal_cdf(x)


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + erf(x / math.sqrt(2)))


def _normal_pdf(xp: ModuleType, x: Value) -> Value:
    return xp.exp(-0.5 * x * x) * (1 / math.sqrt(2 * math.pi))


# ------------------------------------------------------------------------------ Functions
class SigmoidFunction(Primitive):
    """sigmoid; saves its output s, since sigmoid' = s (1 - s)."""

    backward_name = "SigmoidBackward0"  # PyTorch's node name (grad_fn)

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

    backward_name = "TanhBackward0"  # PyTorch's node name (grad_fn)

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

    backward_name = "ReluBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_arrays
        return grad * (out > 0)  # derivative 0 at x = 0, as PyTorch; a constant mask


class LeakyReLUFunction(Primitive):
    """x or negative_slope * x; keeps the sign mask."""

    backward_name = "LeakyReluBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x, *, negative_slope):
        positive = x > 0
        ctx.positive, ctx.slope = positive, negative_slope
        return np.where(positive, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        return ctx.xp.where(ctx.positive, grad, grad * ctx.slope)


class ELUFunction(Primitive):
    """``scale * (x if x > 0 else alpha (e^x - 1))``: ELU (scale 1) and SELU."""

    backward_name = "EluBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x, *, alpha, scale):
        positive = x > 0
        # expm1 of min(x, 0): the discarded branch never overflows for large positive x.
        out = scale * np.where(positive, x, alpha * np.expm1(np.minimum(x, 0)))
        ctx.save_for_backward(out)
        ctx.positive, ctx.scale_alpha, ctx.scale = positive, scale * alpha, scale
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return ctx.xp.where(ctx.positive, grad * ctx.scale, grad * (out + ctx.scale_alpha))


class NormalCDFFunction(Primitive):
    """The standard normal CDF Phi(x); its derivative is the density (GELU's second
    derivative goes through it)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _normal_cdf(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _normal_pdf(ctx.xp, x)


class GELUFunction(Primitive):
    """x Phi(x) (exact, via `erf`) or its tanh approximation; saves x."""

    ieee_silent = True  # infinite inputs give inf or NaN, without NumPy warnings

    backward_name = "GeluBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x, *, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (x + _GELU_TANH_CUBIC * x * x * x))
            ctx.keep(inner=t)
            return 0.5 * x * (1 + t)
        cdf = _normal_cdf(x)
        ctx.keep(inner=cdf)
        return x * cdf

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = ctx.intermediate(
                "inner", lambda: tanh_of(_SQRT_2_OVER_PI * (x + _GELU_TANH_CUBIC * x * x * x))
            )
            inner_slope = _SQRT_2_OVER_PI * (1 + 3 * _GELU_TANH_CUBIC * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_slope)
        cdf = ctx.intermediate("inner", lambda: normal_cdf_of(x))
        return grad * (cdf + x * _normal_pdf(ctx.xp, x))


class SiLUFunction(Primitive):
    """x sigmoid(x); derivative s (1 + x (1 - s)); saves x."""

    ieee_silent = True  # infinite inputs give inf or NaN, without NumPy warnings

    backward_name = "SiluBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        s = stable_sigmoid(x)
        ctx.keep(s=s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = ctx.intermediate("s", lambda: sigmoid_of(x))
        return grad * s * (1 + x * (1 - s))


class SoftplusFunction(Primitive):
    """log(1 + exp(beta x)) / beta, linear above the threshold; derivative sigmoid(beta x)."""

    ieee_silent = True  # infinite inputs give inf or NaN, without NumPy warnings

    backward_name = "SoftplusBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x, *, beta, threshold):
        z = x * beta
        linear = z > threshold  # PyTorch reverts to the identity there
        ctx.save_for_backward(x)
        ctx.linear, ctx.beta = linear, beta
        return np.where(linear, x, softplus_array(z) / beta)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return ctx.xp.where(ctx.linear, grad, grad * sigmoid_of(x * ctx.beta))


class MishFunction(Primitive):
    """x tanh(softplus(x)); saves x."""

    ieee_silent = True  # infinite inputs give inf or NaN, without NumPy warnings

    backward_name = "MishBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        t = np.tanh(softplus_array(x))
        ctx.keep(t=t)
        return x * t

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = ctx.intermediate("t", lambda: tanh_of(softplus_of(x)))
        return grad * (t + x * (1 - t * t) * sigmoid_of(x))


class HardtanhFunction(Primitive):
    """clip(x, min_val, max_val); the gradient passes strictly inside the bounds."""

    backward_name = "HardtanhBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx, x, *, min_val, max_val):
        ctx.inside = (x > min_val) & (x < max_val)
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.inside


class SoftmaxFunction(Primitive):
    """softmax along dim; backward is the Jacobian product s (g - sum(g s))."""

    backward_name = "SoftmaxBackward0"  # PyTorch's node name (grad_fn)

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
        return s * (grad - ctx.xp.sum(grad * s, axis=ctx.dim, keepdims=True))


class LogSoftmaxFunction(Primitive):
    """log-softmax along dim; backward is g - softmax * sum(g)."""

    backward_name = "LogSoftmaxBackward0"  # PyTorch's node name (grad_fn)

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
        return log_softmax_backward(ctx.xp, grad, ctx.xp.exp(out), ctx.dim)


def log_softmax_backward(xp: ModuleType, grad: Value, softmax: Value, dim: int) -> Value:
    """The gradient through a log-softmax along ``dim``: ``grad - softmax * sum(grad)``."""
    return grad - softmax * xp.sum(grad, axis=dim, keepdims=True)
