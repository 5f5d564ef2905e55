"""The autograd Functions behind the normalisation layers: `BatchNormFunction` (kernels in
`normalization_kernels`) and `Normalize` (LayerNorm)."""

from __future__ import annotations

import numpy as np

from minitorch_es.autograd import Function

from .normalization_kernels import batch_norm, batch_norm_backward


class BatchNormFunction(Function):
    """``weight * (x - mean) * invstd + bias`` per channel (axis 1) of ``(N, C, ...)`` input,
    with the batch statistics (``sink`` receives the mean and biased variance) or the given
    ``stats = (mean, var)``."""

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, eps, stats=None, sink=None):
        out, mean, var, (rows, xc, invstd) = batch_norm(x, weight, bias, eps, stats)
        if sink is not None:
            sink.extend((mean, var))
        ctx.save_for_backward(xc, invstd, weight)
        ctx.rows, ctx.batch_stats = rows, stats is None
        return out

    @staticmethod
    def backward(ctx, grad):
        xc, invstd, weight = ctx.saved_tensors
        cache = (ctx.rows, xc, invstd)
        return batch_norm_backward(grad, cache, weight, ctx.batch_stats, ctx.needs_input_grad)


class Normalize(Function):
    """``weight * (x - mean) * invstd + bias`` with the statistics over ``axes`` (LayerNorm);
    ``view`` reshapes weight/bias to broadcast against ``x`` and ``param_axes`` are the axes
    their gradients sum over."""

    @staticmethod
    def forward(ctx, x, weight=None, bias=None, *, axes, view, param_axes, eps):
        xc = x - x.mean(axis=axes, keepdims=True)
        invstd = 1.0 / np.sqrt(np.mean(xc * xc, axis=axes, keepdims=True) + eps)
        xhat = xc * invstd
        out = xhat if weight is None else xhat * weight.reshape(view)
        if bias is not None:
            out = out + bias.reshape(view)
        ctx.save_for_backward(xhat, invstd, weight)
        ctx.spec = (axes, view, param_axes)
        return out

    @staticmethod
    def backward(ctx, grad):
        xhat, invstd, weight = ctx.saved_tensors
        axes, view, param_axes = ctx.spec
        need_x, need_w, need_b = ctx.needs_input_grad
        pshape = tuple(n for i, n in enumerate(view) if i not in param_axes)
        gw = gb = gx = None
        if need_w:
            gw = np.sum(grad * xhat, axis=param_axes).reshape(pshape)
        if need_b:
            gb = np.sum(grad, axis=param_axes).reshape(pshape)
        if need_x:
            gxhat = grad if weight is None else grad * weight.reshape(view)
            gxhat = (
                gxhat
                - gxhat.mean(axis=axes, keepdims=True)
                - xhat * np.mean(gxhat * xhat, axis=axes, keepdims=True)
            )
            gx = gxhat * invstd
        return gx, gw, gb
