"""The autograd Primitives of the pooling layers (the kernels are in `pooling_kernels`).

Pooling is linear in its gradient, so every derivative is a pooling kernel again: max
pooling's backward scatters the gradient to the window maxima found by forward (``argmax``, a
constant of the derivative), and the derivative of that scatter is the gather at the same
places; average pooling's backward spreads the gradient over the windows, and the derivative
of that is the average pooling itself. The backward formulas call these kernels through
``ctx.xp``, where this module registers them: the array kernels on the fast path, Primitives
when backward builds a graph, so one formula per derivative serves every order. Adaptive
pooling is two products with constant matrices (``xp.matmul``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.autograd import Primitive

from .pooling_kernels import (
    adaptive_avg_pool2d,
    adaptive_matrix,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_gather,
)

if TYPE_CHECKING:
    import numpy as np

    from minitorch_es import Tensor
    from minitorch_es.autograd import Context


class MaxPool2dFunction(Primitive):
    """Max over each window; the gradient goes to the first maximum of each window (PyTorch).
    ``sink``, if given, receives the window offset (row-major) of each maximum."""

    backward_name = "MaxPool2DWithIndicesBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel: tuple,
        stride: tuple,
        padding: tuple,
        dilation: tuple,
        ceil_mode: bool,
        sink: list | None = None,
    ):
        out, argmax = max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)
        if sink is not None:
            sink.append(argmax)
        ctx.argmax = argmax  # a constant of the derivative: where each maximum was
        ctx.geometry = (x.shape, kernel, stride, padding, dilation, ceil_mode)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return (ctx.xp.max_pool2d_backward(grad, ctx.argmax, *ctx.geometry),)


class LinearKernelFunction(Primitive):
    """``kernel(x, *args)`` for a kernel linear in ``x`` (a pooling's backward), as an op:
    its gradient is the registered ``ctx.xp`` function ``adjoint`` applied as
    ``adjoint(grad, *adjoint_args)``; ``name`` is its graph node's (``grad_fn``) name."""

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel,
        args: tuple,
        adjoint: str,
        adjoint_args: tuple,
        name: str,
    ):
        ctx.adjoint, ctx.backward_name = (adjoint, adjoint_args), name
        return kernel(x, *args)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        name, args = ctx.adjoint
        return (getattr(ctx.xp, name)(grad, *args),)


class AvgPool2dFunction(Primitive):
    """Mean over each window (zero padding; divisor per PyTorch's count_include_pad rule)."""

    backward_name = "AvgPool2DBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        *,
        kernel: tuple,
        stride: tuple,
        padding: tuple,
        ceil_mode: bool,
        count_include_pad: bool,
        divisor_override: int | None = None,
    ):
        options = (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
        ctx.geometry = (x.shape, *options)
        return avg_pool2d(x, *options)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return (ctx.xp.avg_pool2d_backward(grad, *ctx.geometry),)


class AdaptiveAvgPool2dFunction(Primitive):
    """Adaptive average pooling over PyTorch's windows, ``A_h @ x @ A_w.T``."""

    backward_name = "AdaptiveAvgPool2DBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, output_size: tuple):
        ctx.x_shape = x.shape
        if tuple(output_size) == (1, 1):  # PyTorch takes the mean then
            ctx.backward_name = "MeanBackward1"
        return adaptive_avg_pool2d(x, output_size)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (h, w), (oh, ow) = ctx.x_shape[-2:], grad.shape[-2:]
        ah, aw = adaptive_matrix(h, oh, grad.dtype), adaptive_matrix(w, ow, grad.dtype)
        return (ctx.xp.matmul(ctx.xp.matmul(ah.T, grad), aw),)


# The kernels' Tensor counterparts for ctx.xp (the kernels' arguments, positionally).
def max_pool2d_backward_op(
    grad: Tensor, argmax: np.ndarray, x_shape: tuple, *options: tuple | bool
) -> Tensor:
    """`pooling_kernels.max_pool2d_backward` on Tensors (differentiable in ``grad``)."""
    return LinearKernelFunction.apply(
        grad,
        kernel=max_pool2d_backward,
        args=(argmax, x_shape, *options),
        adjoint="max_pool2d_gather",
        adjoint_args=(argmax, *options),
        name="MaxPool2DWithIndicesBackwardBackward0",
    )


def max_pool2d_gather_op(x: Tensor, argmax: np.ndarray, *options: tuple | bool) -> Tensor:
    """`pooling_kernels.max_pool2d_gather` on Tensors (differentiable in ``x``)."""
    return LinearKernelFunction.apply(
        x,
        kernel=max_pool2d_gather,
        args=(argmax, *options),
        adjoint="max_pool2d_backward",
        adjoint_args=(argmax, x.shape, *options),
        name="GatherBackward0",
    )


def avg_pool2d_op(x: Tensor, *options: tuple | bool | int | None) -> Tensor:
    """`pooling_kernels.avg_pool2d` on Tensors (differentiable)."""
    kernel, stride, padding, ceil_mode, count_include_pad, divisor = options
    return AvgPool2dFunction.apply(
        x,
        kernel=kernel,
        stride=stride,
        padding=padding,
        ceil_mode=ceil_mode,
        count_include_pad=count_include_pad,
        divisor_override=divisor,
    )


def avg_pool2d_backward_op(grad: Tensor, x_shape: tuple, *options: tuple | bool) -> Tensor:
    """`pooling_kernels.avg_pool2d_backward` on Tensors (differentiable)."""
    return LinearKernelFunction.apply(
        grad,
        kernel=avg_pool2d_backward,
        args=(x_shape, *options),
        adjoint="avg_pool2d",
        adjoint_args=options,
        name="AvgPool2DBackwardBackward0",
    )


mt.autograd.register_array_function(
    "max_pool2d_backward", max_pool2d_backward, max_pool2d_backward_op
)
mt.autograd.register_array_function("max_pool2d_gather", max_pool2d_gather, max_pool2d_gather_op)
mt.autograd.register_array_function("avg_pool2d", avg_pool2d, avg_pool2d_op)
mt.autograd.register_array_function(
    "avg_pool2d_backward", avg_pool2d_backward, avg_pool2d_backward_op
)
