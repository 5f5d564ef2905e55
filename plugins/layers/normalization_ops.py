"""The autograd Primitives behind the normalisation layers: `BatchNormFunction` (kernels in
`normalization_kernels`) and `Normalize` (LayerNorm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.autograd import Primitive

from .normalization_kernels import batch_norm, batch_norm_backward, statistics

if TYPE_CHECKING:
    from types import ModuleType

    from minitorch_es import Tensor
    from minitorch_es.autograd import Context


class BatchNormFunction(Primitive):
    """``weight * (x - mean) * invstd + bias`` per channel (axis 1) of ``(N, C, ...)`` input,
    with the batch statistics (``sink`` receives the mean and biased variance) or the given
    ``stats = (mean, var)``. Saves x and weight; the fast path keeps the statistics, a graph
    of the gradient computes them again from x (see `normalization_kernels`)."""

    backward_name = "NativeBatchNormBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        weight: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        *,
        eps: float,
        stats: tuple[np.ndarray, np.ndarray] | None = None,
        sink: list | None = None,
    ):
        if stats is not None:  # copies: backward must not see later updates of running stats
            stats = tuple(np.array(s, dtype=x.dtype).reshape(-1) for s in stats)
        out, mean, var, invstd, rows = batch_norm(x, weight, bias, eps, stats)
        if sink is not None:
            sink.extend((mean, var))
        ctx.keep(statistics=(mean, invstd))
        ctx.save_for_backward(x, weight)
        ctx.spec = (rows, eps, stats)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x, weight = ctx.saved_tensors
        rows, eps, stats = ctx.spec
        xp = ctx.xp

        def recompute() -> tuple:
            mean, _, invstd, _ = statistics(xp, rows.of(xp, x), eps, stats)
            return mean, invstd

        mean, invstd = ctx.intermediate("statistics", recompute)
        need = ctx.needs_input_grad
        return batch_norm_backward(xp, grad, x, weight, mean, invstd, rows, stats is None, need)


class Normalize(Primitive):
    """``weight * (x - mean) * invstd + bias`` with the statistics over ``axes`` (LayerNorm);
    ``view`` reshapes weight/bias to broadcast against ``x`` and ``param_axes`` are the axes
    their gradients sum over. Saves x and weight: backward normalizes again (x_hat and invstd
    depend on x), so the closed form is differentiable twice."""

    backward_name = "NativeLayerNormBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        x: np.ndarray,
        weight: np.ndarray | None = None,
        bias: np.ndarray | None = None,
        *,
        axes: tuple[int, ...],
        view: tuple[int, ...],
        param_axes: tuple[int, ...],
        eps: float,
    ):
        xhat, invstd = _normalized(np, x, axes, eps)
        ctx.keep(normalized=(xhat, invstd))
        out = xhat if weight is None else xhat * weight.reshape(view)
        if bias is not None:
            out = out + bias.reshape(view)
        ctx.save_for_backward(x, weight)
        ctx.spec = (axes, view, param_axes, eps)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x, weight = ctx.saved_tensors
        axes, view, param_axes, eps = ctx.spec
        need_x, need_w, need_b = ctx.needs_input_grad
        xp = ctx.xp
        xhat, invstd = ctx.intermediate("normalized", lambda: _normalized(xp, x, axes, eps))
        pshape = tuple(n for i, n in enumerate(view) if i not in param_axes)
        gw = gb = gx = None
        if need_w:
            gw = xp.sum(grad * xhat, axis=param_axes).reshape(pshape)
        if need_b:
            gb = xp.sum(grad, axis=param_axes).reshape(pshape)
        if need_x:
            gxhat = grad if weight is None else grad * weight.reshape(view)
            gxhat = (
                gxhat
                - xp.mean(gxhat, axis=axes, keepdims=True)
                - xhat * xp.mean(gxhat * xhat, axis=axes, keepdims=True)
            )
            gx = gxhat * invstd
        return gx, gw, gb


def _normalized(xp: ModuleType, x: np.ndarray | Tensor, axes: tuple, eps: float) -> tuple:
    """``(x_hat, invstd)`` with the statistics over ``axes``."""
    xc = x - xp.mean(x, axis=axes, keepdims=True)
    invstd = 1.0 / xp.sqrt(xp.mean(xc * xc, axis=axes, keepdims=True) + eps)
    return xc * invstd, invstd
