"""The Primitives behind `activation_more`: log-sigmoid, threshold, the two shrinkages, CELU.

As in `activation_ops`: a closed-form backward written once for the fast path and for second
derivatives; masks are constants of the derivative kept on ``ctx``; PyTorch's conventions at
the kinks (a comparison's boundary belongs to the side PyTorch's kernel puts it on, noted at
each op); no exponential of a large positive number is ever taken.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.autograd import Primitive

from .activation_math import softplus_array
from .activation_ops import sigmoid_of

if TYPE_CHECKING:
    from minitorch_es.autograd import Context


class LogSigmoidFunction(Primitive):
    """``log(sigmoid(x)) = -softplus(-x)``; derivative ``sigmoid(-x)``; saves x."""

    ieee_silent = True  # NaN inputs give NaN, without NumPy warnings

    backward_name = "LogSigmoidBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray):
        ctx.save_for_backward(x)
        return -softplus_array(-x)  # logaddexp: finite for any finite x, no overflow

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (x,) = ctx.saved_tensors
        return grad * sigmoid_of(-x)


class ThresholdFunction(Primitive):
    """``x`` where ``x > threshold``, else ``value``. PyTorch's test is ``x <= threshold``
    (then ``value``, gradient 0), so NaN passes through with its gradient."""

    backward_name = "ThresholdBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, threshold: float, value: float):
        replaced = x <= threshold
        ctx.kept = ~replaced
        return np.where(replaced, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return grad * ctx.kept


class HardshrinkFunction(Primitive):
    """``x`` where ``|x| > lambd``, else 0 (0 on the boundary ``|x| = lambd``, as PyTorch)."""

    backward_name = "HardshrinkBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, lambd: float):
        kept = ~((x >= -lambd) & (x <= lambd))
        ctx.kept = kept
        return x * kept

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return grad * ctx.kept


class SoftshrinkFunction(Primitive):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0; gradient 1
    outside ``[-lambd, lambd]`` (0 on its boundary, as PyTorch)."""

    backward_name = "SoftshrinkBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, lambd: float):
        kept = ~((x >= -lambd) & (x <= lambd))  # NaN is kept, and stays NaN
        ctx.kept = kept
        shrunk = x - np.sign(x) * np.asarray(lambd, dtype=x.dtype)
        return np.where(kept, shrunk, np.zeros((), dtype=x.dtype))

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return grad * ctx.kept


class CELUFunction(Primitive):
    """``x`` for ``x > 0``, else ``alpha (exp(x / alpha) - 1)``; there the derivative
    ``exp(x / alpha)`` is ``out / alpha + 1``, so forward saves its output."""

    ieee_silent = True  # a negative alpha overflows exp as PyTorch does (inf, no warning)

    backward_name = "CeluBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, alpha: float):
        # x = 0 on the linear side (PyTorch's second derivative there is 0), and NaN too
        # (its gradient 1, as PyTorch's)
        positive = ~(x < 0)
        # expm1 of min(x, 0): the discarded branch never overflows for large positive x.
        out = np.where(positive, x, alpha * np.expm1(np.minimum(x, 0) / alpha))
        out = out.astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        ctx.positive, ctx.alpha = positive, alpha
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (out,) = ctx.saved_tensors
        return ctx.xp.where(ctx.positive, grad, grad * (out * (1 / ctx.alpha) + 1))
