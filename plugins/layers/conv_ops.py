"""The autograd Function behind ``Conv2d`` / ``F.conv2d`` (the kernels are in `conv_kernels`)."""

from __future__ import annotations

from minitorch_es.autograd import Primitive

from .arguments import check_same_dtype
from .conv_kernels import (
    Columns,
    columns,
    conv2d_bias_grad,
    conv2d_columns,
    conv2d_weight_grad_columns,
    conv_transpose2d_grid,
)
from .im2col import to_grid


class Conv2dFunction(Primitive):
    """``conv2d(x, weight, bias)`` for NCHW ``x``; ``pads = (top, bottom, left, right)`` zeros.
    Forward keeps the input's columns (or, when they are too large, the padded input to
    rebuild them from) for the weight gradient (see `conv_kernels`)."""

    @staticmethod
    def forward(
        ctx, x, weight, bias=None, *, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1
    ):
        check_same_dtype("conv2d", x, weight)
        cols = columns(x, weight.shape[2:], stride, pads, dilation)
        ctx.save_for_backward(cols.data, weight)
        ctx.layout, ctx.groups = (cols.g, cols.blocks), groups
        return conv2d_columns(cols, weight, groups, bias)

    @staticmethod
    def backward(ctx, grad):
        data, weight = ctx.saved_tensors
        (g, blocks), groups = ctx.layout, ctx.groups
        cols = Columns(g, data, blocks)
        need_x, need_w, need_b = ctx.needs_input_grad
        delta = to_grid(grad, g)
        gb = conv2d_bias_grad(delta) if need_b else None
        gw = conv2d_weight_grad_columns(cols, delta, weight.shape, groups) if need_w else None
        gx = conv_transpose2d_grid(delta, weight, g, groups) if need_x else None
        return gx, gw, gb
