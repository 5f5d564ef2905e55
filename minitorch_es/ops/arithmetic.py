"""Arithmetic primitives: + - * / ** @ and negation, with gradients through broadcasting."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from ..errors import ShapeError
from ..promotion import promoted


class Add(Primitive):
    """``a + b``; each gradient is summed back to its input's shape."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return promoted(a + b, a, b)

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        unbroadcast = ctx.xp.unbroadcast
        return (unbroadcast(grad, sa) if na else None, unbroadcast(grad, sb) if nb else None)


class Sub(Primitive):
    """``a - b``."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = (_shape(a), _shape(b))
        return promoted(a - b, a, b)

    @staticmethod
    def backward(ctx, grad):
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        unbroadcast = ctx.xp.unbroadcast
        return (unbroadcast(grad, sa) if na else None, unbroadcast(-grad, sb) if nb else None)


class Mul(Primitive):
    """``a * b`` (elementwise)."""

    @staticmethod
    def forward(ctx, a, b):
        # Only what a wanted gradient needs: x.mul_(3) must not save (and then overwrite) x.
        na, nb = ctx.needs_input_grad
        ctx.save_for_backward(a if nb else None, b if na else None)
        ctx.shapes = (_shape(a), _shape(b))
        return promoted(a * b, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        unbroadcast = ctx.xp.unbroadcast
        return (
            unbroadcast(grad * b, sa) if na else None,
            unbroadcast(grad * a, sb) if nb else None,
        )


class Div(Primitive):
    """``a / b``."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        ctx.shapes = (_shape(a), _shape(b))
        # Integer / integer is a float tensor of the default dtype, as in PyTorch.
        return promoted(np.true_divide(a, b), a, b, floating=True)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        unbroadcast = ctx.xp.unbroadcast
        return (
            unbroadcast(grad / b, sa) if na else None,
            unbroadcast(-grad * a / (b * b), sb) if nb else None,
        )


class Neg(Primitive):
    """``-a``."""

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Primitive):
    """``a ** b``; the exponent gets a gradient too (``a ** b * log(a)``) when it needs one."""

    ieee_silent = True

    @staticmethod
    def forward(ctx, a, b):
        if type(b) is np.ndarray:  # PyTorch's node names: tensor ** tensor, number ** tensor
            ctx.backward_name = "PowBackward1" if type(a) is np.ndarray else "PowBackward2"
        out = promoted(np.power(a, b), a, b)
        ctx.save_for_backward(a, b, out)
        ctx.shapes = (_shape(a), _shape(b))
        ctx.square = isinstance(b, (int, float)) and b == 2
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        xp = ctx.xp
        ga = gb = None
        if na:
            # d(a^b)/da = b * a^(b-1); written without a^(b-1) of a == 0 when b == 2.
            ga = grad * 2 * a if ctx.square else grad * b * xp.pow(a, b - 1)
            ga = xp.unbroadcast(ga, sa)
        if nb:
            # d(a^b)/db = a^b * log(a), taken as 0 where a <= 0 (as PyTorch does at a == 0).
            positive = ctx.saved_arrays[0] > 0
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = xp.where(positive, xp.log(xp.where(positive, a, 1)), 0)
            gb = xp.unbroadcast(grad * out * logs, sb)
        return ga, gb


class MatMul(Primitive):
    """``a @ b`` with NumPy's ``matmul`` rules (1-d operands, batched matrices)."""

    backward_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        _check_matmul(a, b)
        if a.ndim != 2 or b.ndim != 2:
            ctx.backward_name = _MATMUL_NAMES.get((a.ndim, b.ndim), "UnsafeViewBackward0")
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        xp = ctx.xp
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        g2 = grad.reshape(batch + (a2.shape[-2], b2.shape[-1]))
        ga = gb = None
        if na:
            ga = xp.unbroadcast(g2 @ xp.matrix_transpose(b2), a2.shape).reshape(a.shape)
        if nb:
            gb = xp.unbroadcast(xp.matrix_transpose(a2) @ g2, b2.shape).reshape(b.shape)
        return ga, gb


_MATMUL_NAMES = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (1, 2): "SqueezeBackward4"}


def _shape(x) -> tuple:
    return x.shape if type(x) is np.ndarray else np.shape(x)


def _check_matmul(a, b) -> None:
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(
            f"matmul: both arguments need at least 1 dimension, got shapes {a.shape} and {b.shape}"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ShapeError(
            f"matmul: shapes {a.shape} and {b.shape} cannot be multiplied: the last dimension of "
            f"the first ({k_a}) must equal the "
            f"{'first' if b.ndim == 1 else 'second-to-last'} dimension of the second ({k_b})"
        )
    if a.dtype != b.dtype:  # NumPy would promote (int64 @ float32 -> float64); PyTorch refuses
        raise TypeError(
            f"matmul: expected both arguments to have the same dtype, got {a.dtype} and {b.dtype} "
            f"(convert one with .to(dtype) / .float() / .double())"
        )
