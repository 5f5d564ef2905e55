"""MobileNetV3's piecewise activations and the gated linear unit: ``F.hardsigmoid``,
``F.hardswish``, ``F.glu`` and their Modules (PyTorch's formulas and derivatives).

``hardsigmoid(x) = relu6(x + 3) / 6`` (derivative 1/6 strictly inside (-3, 3), 0
elsewhere), ``hardswish(x) = x * hardsigmoid(x)`` (derivative 0 up to -3, ``x / 3 + 1/2`` strictly
inside, 1 from 3 on, as PyTorch), ``glu(x, dim) = a * sigmoid(b)`` with ``a, b`` the halves of
``x`` along ``dim``. Both Primitives save only their input; their masks are constants of the
derivative, so the backward formulas differentiate again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.validation import check_dim, check_int, check_tensor

from .activation_functions import _result, _saved_input, sigmoid

if TYPE_CHECKING:
    from minitorch_es.autograd import Context

_ONE_SIXTH = float(np.float32(1) / np.float32(6))  # PyTorch's slope, a float32 constant


class HardsigmoidFunction(Primitive):
    """``relu6(x + 3) / 6``."""

    backward_name = "HardsigmoidBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray):
        ctx.inside = (x > -3) & (x < 3)  # a constant of the derivative
        return (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return (grad * (ctx.inside * _ONE_SIXTH).astype(grad.dtype),)


class HardswishFunction(Primitive):
    """``x * relu6(x + 3) / 6``."""

    ieee_silent = True  # infinite inputs give inf or NaN, without NumPy warnings

    backward_name = "HardswishBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray):
        ctx.save_for_backward(x)
        return (x * np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (x,) = ctx.saved_tensors
        (raw,) = ctx.saved_arrays
        ramp = (raw > -3) & (raw < 3)  # constants of the derivative
        return (grad * ctx.xp.where(ramp, x / 3 + 0.5, (raw >= 3).astype(raw.dtype)),)


def _inplace(input: mt.Tensor, function: type[Primitive], inplace: bool) -> mt.Tensor:
    # As the other activations: in place as PyTorch, the Function saving a copy of its input.
    return _result(input, function.apply(_saved_input(input, inplace)), inplace)


def hardsigmoid(input: mt.Tensor, inplace: bool = False) -> mt.Tensor:
    """``F.hardsigmoid``: ``relu6(x + 3) / 6``."""
    return _inplace(
        check_tensor(input, "input", "hardsigmoid", floating=True), HardsigmoidFunction, inplace
    )


def hardswish(input: mt.Tensor, inplace: bool = False) -> mt.Tensor:
    """``F.hardswish``: ``x * relu6(x + 3) / 6``."""
    return _inplace(
        check_tensor(input, "input", "hardswish", floating=True), HardswishFunction, inplace
    )


def glu(input: mt.Tensor, dim: int = -1) -> mt.Tensor:
    """``F.glu``: the first half of ``input`` along ``dim``, gated by the sigmoid of the
    second half."""
    check_tensor(input, "input", "glu", floating=True)
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = check_dim(dim, input.ndim, "glu")
    n = input.shape[axis]
    if n % 2:
        raise RuntimeError(
            f"glu: Halving dimension must be even, but dimension {axis} is size {n} (input "
            f"shape {list(input.shape)})"
        )
    lead = (slice(None),) * axis
    return input[(*lead, slice(0, n // 2))] * sigmoid(input[(*lead, slice(n // 2, n))])


class Hardsigmoid(Module):
    """``relu6(x + 3) / 6``, element-wise (MobileNetV3)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return hardsigmoid(input, self.inplace)


class Hardswish(Module):
    """``x * relu6(x + 3) / 6``, element-wise (MobileNetV3)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return hardswish(input, self.inplace)


class GLU(Module):
    """The gated linear unit along ``dim`` (default -1): ``a * sigmoid(b)``, ``a, b`` the
    halves of the input."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = check_int(dim, "dim", "GLU")

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


ACTIVATIONS = (Hardsigmoid, Hardswish, GLU)
FUNCTIONS = {"hardsigmoid": hardsigmoid, "hardswish": hardswish, "glu": glu}
