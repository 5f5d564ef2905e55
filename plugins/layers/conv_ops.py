"""The autograd Primitives of the convolution (the kernels are in `conv_kernels`).

A convolution is bilinear in its input and weight, and so are its two derivatives; for
``y = conv2d(x, w)`` and ``<a, b>`` the sum of the products of two same-shaped arrays,

    <conv2d(x, w), g> = <x, conv_transpose2d(g, w)> = <w, conv2d_weight_grad(x, g)>,

so each of the three is the derivative of the others: the gradient of `conv_transpose2d` is
``conv2d`` (with respect to ``g``) and ``conv2d_weight_grad`` (``w``), that of
`conv2d_weight_grad` is ``conv_transpose2d`` (``x``) and ``conv2d`` (``g``). Each backward
below calls them through ``ctx.xp``, where this module registers them: the array kernels on
the fast path, these Primitives when backward builds a graph, so one formula per derivative
gives derivatives of any order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.autograd import Primitive

from .arguments import check_same_dtype
from .conv_kernels import (
    columns,
    conv2d,
    conv2d_bias_grad,
    conv2d_columns,
    conv2d_weight_grad,
    conv_transpose2d,
)

if TYPE_CHECKING:
    import numpy as np

    from minitorch_es import Tensor
    from minitorch_es.autograd import Context

NO_PADDING = (0, 0, 0, 0)


class Conv2dFunction(Primitive):
    """``conv2d(x, weight, bias)`` for NCHW ``x``; ``pads = (top, bottom, left, right)`` zeros.
    Forward keeps the input's columns (or, when they are too large, the padded input to
    rebuild them from) for the weight gradient of the fast path (see `conv_kernels`)."""

    backward_name = "ConvolutionBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        weight: np.ndarray,
        bias: np.ndarray | None = None,
        *,
        stride: tuple = (1, 1),
        pads: tuple = NO_PADDING,
        dilation: tuple = (1, 1),
        groups: int = 1,
    ):
        check_same_dtype("conv2d", x, weight)
        cols = columns(x, weight.shape[2:], stride, pads, dilation)
        need_x, need_w = ctx.needs_input_grad[:2]
        if need_w:
            ctx.keep(columns=cols)
        ctx.save_for_backward(x if need_w else None, weight if need_x else None)
        ctx.x_shape, ctx.w_shape = x.shape, weight.shape
        ctx.options = (stride, pads, dilation, groups)
        return conv2d_columns(cols, weight, groups, bias)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x, weight = ctx.saved_tensors
        xp, options = ctx.xp, ctx.options
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = gw = gb = None
        if need_x:
            gx = xp.conv_transpose2d(grad, weight, ctx.x_shape, *options)
        if need_w:  # the fast path reads the columns forward built, a graph differentiates x
            x = ctx.intermediate("columns", lambda: x)
            gw = xp.conv2d_weight_grad(x, grad, ctx.w_shape, *options)
        if need_b:
            gb = xp.conv2d_bias_grad(grad)
        return gx, gw, gb


class ConvTranspose2dFunction(Primitive):
    """``conv_transpose2d(grad_out, weight)`` onto an input of ``input_shape``: the gradient
    of `Conv2dFunction` with respect to its input, as an op of its own. ``options``:
    ``(stride, padding, dilation, groups)``."""

    backward_name = "ConvolutionBackwardBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context, grad_out: np.ndarray, weight: np.ndarray, *, input_shape: tuple, options
    ):
        need_g, need_w = ctx.needs_input_grad
        ctx.save_for_backward(grad_out if need_w else None, weight if need_g else None)
        ctx.w_shape, ctx.options = weight.shape, options
        return conv_transpose2d(grad_out, weight, input_shape, *options)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        grad_out, weight = ctx.saved_tensors
        xp, options = ctx.xp, ctx.options
        need_g, need_w = ctx.needs_input_grad
        gg = xp.conv2d(grad, weight, *options) if need_g else None
        gw = xp.conv2d_weight_grad(grad, grad_out, ctx.w_shape, *options) if need_w else None
        return gg, gw


class Conv2dWeightGradFunction(Primitive):
    """``conv2d_weight_grad(x, grad_out)``: the gradient of `Conv2dFunction` with respect to
    its weight (of ``weight_shape``), as an op of its own. ``options``: ``(stride, padding,
    dilation, groups)``."""

    backward_name = "ConvolutionBackwardBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, grad_out: np.ndarray, *, weight_shape: tuple, options):
        need_x, need_g = ctx.needs_input_grad
        ctx.save_for_backward(x if need_g else None, grad_out if need_x else None)
        ctx.x_shape, ctx.options = x.shape, options
        return conv2d_weight_grad(x, grad_out, weight_shape, *options)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x, grad_out = ctx.saved_tensors
        xp, options = ctx.xp, ctx.options
        need_x, need_g = ctx.needs_input_grad
        gx = xp.conv_transpose2d(grad_out, grad, ctx.x_shape, *options) if need_x else None
        gg = xp.conv2d(x, grad, *options) if need_g else None
        return gx, gg


# The kernels' Tensor counterparts for ctx.xp: the backward formulas above pass the options
# ``(stride, padding, dilation, groups)`` positionally, as to the kernels.
def conv2d_op(x: Tensor, weight: Tensor, *options: tuple | int) -> Tensor:
    """`conv_kernels.conv2d` (without bias) on Tensors, differentiable."""
    stride, pads, dilation, groups = options
    return Conv2dFunction.apply(
        x, weight, None, stride=stride, pads=pads, dilation=dilation, groups=groups
    )


def conv_transpose2d_op(
    grad_out: Tensor, weight: Tensor, input_shape: tuple, *options: tuple | int
) -> Tensor:
    """`conv_kernels.conv_transpose2d` on Tensors, differentiable."""
    shape = tuple(input_shape)
    return ConvTranspose2dFunction.apply(grad_out, weight, input_shape=shape, options=options)


def conv2d_weight_grad_op(
    x: Tensor, grad_out: Tensor, weight_shape: tuple, *options: tuple | int
) -> Tensor:
    """`conv_kernels.conv2d_weight_grad` on Tensors, differentiable."""
    shape = tuple(weight_shape)
    return Conv2dWeightGradFunction.apply(x, grad_out, weight_shape=shape, options=options)


def conv2d_bias_grad_op(grad_out: Tensor) -> Tensor:
    """`conv_kernels.conv2d_bias_grad` on Tensors, differentiable."""
    return grad_out.sum(dim=(0, 2, 3))


mt.autograd.register_array_function("conv2d", conv2d, conv2d_op)
mt.autograd.register_array_function("conv_transpose2d", conv_transpose2d, conv_transpose2d_op)
mt.autograd.register_array_function("conv2d_weight_grad", conv2d_weight_grad, conv2d_weight_grad_op)
mt.autograd.register_array_function("conv2d_bias_grad", conv2d_bias_grad, conv2d_bias_grad_op)
