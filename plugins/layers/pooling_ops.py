"""The autograd Functions behind the pooling layers (the kernels are in `pooling_kernels`)."""

from __future__ import annotations

from minitorch_es.autograd import Primitive

from .pooling_kernels import (
    adaptive_avg_pool2d,
    adaptive_avg_pool2d_backward,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
)


class MaxPool2dFunction(Primitive):
    """Max over each window; the gradient goes to the first maximum of each window (PyTorch).
    ``sink``, if given, receives the window offset (row-major) of each maximum."""

    @staticmethod
    def forward(ctx, x, *, kernel, stride, padding, dilation, ceil_mode, sink=None):
        out, argmax = max_pool2d(x, kernel, stride, padding, dilation, ceil_mode)
        if sink is not None:
            sink.append(argmax)
        ctx.save_for_backward(argmax)
        ctx.geometry = (x.shape, kernel, stride, padding, dilation, ceil_mode)
        return out

    @staticmethod
    def backward(ctx, grad):
        (argmax,) = ctx.saved_tensors
        return (max_pool2d_backward(grad, argmax, *ctx.geometry),)


class AvgPool2dFunction(Primitive):
    """Mean over each window (zero padding; divisor per PyTorch's count_include_pad rule)."""

    @staticmethod
    def forward(
        ctx, x, *, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override=None
    ):
        options = (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
        ctx.geometry = (x.shape, *options)
        return avg_pool2d(x, *options)

    @staticmethod
    def backward(ctx, grad):
        return (avg_pool2d_backward(grad, *ctx.geometry),)


class AdaptiveAvgPool2dFunction(Primitive):
    """Adaptive average pooling over PyTorch's windows (exact backward)."""

    @staticmethod
    def forward(ctx, x, *, output_size):
        ctx.x_shape = x.shape
        return adaptive_avg_pool2d(x, output_size)

    @staticmethod
    def backward(ctx, grad):
        return (adaptive_avg_pool2d_backward(grad, ctx.x_shape),)
