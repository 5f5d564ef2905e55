"""Cumulative primitives along one dim: cumsum, cumprod, logcumsumexp, and the product
reduction ``prod`` (whose gradient shares cumprod's zero-safe formula). Each backward is
written with ``ctx.xp`` cumulative functions, so it differentiates again."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Primitive
from .reduction import _expand, normalize_dims, wrap_dim


def _along(a: np.ndarray, dim: int, op: str) -> int:
    return wrap_dim(dim, a.ndim, op) if a.ndim else 0


class Cumsum(Primitive):
    """Running sums along ``dim``; the gradient is the reversed running sum."""

    @staticmethod
    def forward(ctx, a, *, dim):
        d = _along(a, dim, "cumsum")
        ctx.d = d
        if a.ndim == 0:
            return a.copy()
        out = np.cumsum(a, axis=d)
        return out.astype(np.int64) if a.dtype.kind in "biu" else out

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad
        return _reverse_cumsum(ctx.xp, grad, ctx.d)


def _reverse_cumsum(xp, x, d):
    return xp.flip(xp.cumsum(xp.flip(x, d), d), d)


class Cumprod(Primitive):
    """Running products along ``dim``; the gradient is exact with zeros in the input."""

    @staticmethod
    def forward(ctx, a, *, dim):
        d = _along(a, dim, "cumprod")
        if a.ndim == 0:
            out = a.copy()
        else:
            out = np.cumprod(a, axis=d)
            out = out.astype(np.int64) if a.dtype.kind in "biu" else out
        ctx.d = d
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        xp, d = ctx.xp, ctx.d
        if grad.ndim == 0:
            return grad
        if not (ctx.saved_arrays[0] == 0).any():
            return _reverse_cumsum(xp, grad * out, d) / a
        # With zeros: d out_i / d a_k = prod_{j <= i, j != k} a_j, one column k at a time.
        n = a.shape[d]
        lead = (slice(None),) * d
        columns = []
        for k in range(n):
            left = xp.prod(a[lead + (slice(0, k),)], axis=d, keepdims=True)
            after = a[lead + (slice(k + 1, n),)]
            ones = xp.ones_like(a[lead + (slice(k, k + 1),)])
            partial = xp.concat([ones, xp.cumprod(after, d)], axis=d) if k + 1 < n else ones
            columns.append(
                xp.sum(grad[lead + (slice(k, n),)] * partial, axis=d, keepdims=True) * left
            )
        return xp.concat(columns, axis=d)


class Logcumsumexp(Primitive):
    """``log(cumsum(exp(a)))`` along ``dim`` without overflow."""

    @staticmethod
    def forward(ctx, a, *, dim):
        if a.dtype.kind != "f":
            raise TypeError(f"logcumsumexp: expected a floating point tensor, got dtype {a.dtype}")
        d = _along(a, dim, "logcumsumexp")
        out = a.copy() if a.ndim == 0 else np.logaddexp.accumulate(a, axis=d)
        ctx.d = d
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # d/da_k = sum_{i >= k} g_i exp(a_k - out_i): summed in log space, for the positive
        # and negative parts of g separately, so that nothing overflows. A missing part is
        # log(tiny), not -inf, which would make the second derivative NaN.
        a, out = ctx.saved_tensors
        xp, d = ctx.xp, ctx.d
        if grad.ndim == 0:
            return grad
        low = float(np.log(np.finfo(ctx.saved_arrays[0].dtype).tiny))
        result = 0
        for sign in (1, -1):
            part = grad * sign
            positive = np.asarray(part > 0)
            log_part = xp.where(positive, xp.log(xp.where(positive, part, 1)), low)
            reversed_sum = xp.flip(xp.logcumsumexp(xp.flip(log_part - out, d), d), d)
            result = result + sign * xp.exp(reversed_sum + a)
        return result


class Prod(Primitive):
    """The product over ``dim`` (all elements when None); exact gradients with zeros."""

    @staticmethod
    def forward(ctx, a, dim=None, keepdim=False):
        dims = normalize_dims(dim, a.ndim, "prod")
        if dims is not None and len(dims) != 1:
            raise TypeError("prod: dim must be a single int")
        out = np.asarray(a.prod(axis=dims, keepdims=keepdim))
        if a.dtype.kind in "biu":
            out = out.astype(np.int64)
        ctx.meta = (dims, keepdim)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        dims, keepdim = ctx.meta
        xp = ctx.xp
        g = _expand(xp, grad, a.shape, dims, keepdim)
        if not (ctx.saved_arrays[0] == 0).any():
            return g * _expand(xp, out, a.shape, dims, keepdim) / a
        # With zeros: the product of all other elements, as left and right exclusive cumprods.
        flat = dims is None
        x = xp.reshape(a, (-1,)) if flat else a
        d = 0 if flat else dims[0]
        lead = (slice(None),) * d
        one = xp.ones_like(x[lead + (slice(0, 1),)])
        left = xp.concat([one, xp.cumprod(x, d)[lead + (slice(0, -1),)]], axis=d)
        right = xp.flip(
            xp.concat([one, xp.cumprod(xp.flip(x, d), d)[lead + (slice(0, -1),)]], axis=d), d
        )
        others = left * right
        return g * (xp.reshape(others, a.shape) if flat else others)
