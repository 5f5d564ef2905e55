"""Reductions and cumulative methods of `Tensor` beyond sum/mean/var/max/min (a mixin):
``prod``, ``logsumexp``, ``amax``/``amin``/``aminmax``, ``cumsum``/``cumprod``/
``logcumsumexp``/``cummax``/``cummin``, ``count_nonzero``, ``diff``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import ops as _ops
from . import return_types
from .ops.reduction import normalize_dims, wrap_dim

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from .tensor import Tensor


class TensorReduce:
    """Reduction and cumulative methods of `Tensor`."""

    __slots__ = ()

    def prod(
        self, dim: int | None = None, keepdim: bool = False, *, dtype: DTypeLike | None = None
    ) -> Tensor:
        """The product of the elements (along ``dim``); integers give int64."""
        x = self if dtype is None else self.to(dtype)
        return _ops.Prod.apply(x, dim=dim, keepdim=keepdim)

    def logsumexp(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        """``log(sum(exp(self)))`` over ``dim`` (all dims when None), without overflow."""
        x = self if self.dtype.kind == "f" else self.float()
        dims = normalize_dims(dim if dim != () else None, x.ndim, "logsumexp")
        if x._data.size == 0:
            return (x.exp().sum(dims, keepdim)).log()
        peak = np.max(x._data, axis=dims, keepdims=True)
        peak = np.where(np.isinf(peak), 0, peak).astype(x.dtype)  # a constant shift
        out = (x - peak).exp().sum(dims, keepdim=True).log() + peak
        return out if keepdim or dims is None and x.ndim == 0 else out.squeeze(dims)

    def amax(self, dim: int | tuple[int, ...] = (), keepdim: bool = False) -> Tensor:
        """The largest value over ``dim`` (all dims when ``()``); the gradient is shared
        evenly among equal maxima."""
        return _ops.AMaxMin.apply(self, dim=dim, keepdim=keepdim, largest=True)

    def amin(self, dim: int | tuple[int, ...] = (), keepdim: bool = False) -> Tensor:
        """The smallest value over ``dim`` (all dims when ``()``); the gradient is shared
        evenly among equal minima."""
        return _ops.AMaxMin.apply(self, dim=dim, keepdim=keepdim, largest=False)

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> tuple[Tensor, Tensor]:
        """``(min, max)`` over ``dim`` (all elements when None)."""
        d = () if dim is None else dim
        return return_types.aminmax(self.amin(d, keepdim), self.amax(d, keepdim))

    def count_nonzero(self, dim: int | tuple[int, ...] | None = None) -> Tensor:
        """The number of nonzero elements (along ``dim``), as int64."""
        dims = normalize_dims(dim, self.ndim, "count_nonzero")
        return self._wrap(np.asarray(np.count_nonzero(self._data, axis=dims), dtype=np.int64))

    # ------------------------------------------------------------------- cumulative
    def cumsum(self, dim: int, *, dtype: DTypeLike | None = None) -> Tensor:
        """Running sums along ``dim`` (integers give int64)."""
        x = self if dtype is None else self.to(dtype)
        return _ops.Cumsum.apply(x, dim=dim)

    def cumprod(self, dim: int, *, dtype: DTypeLike | None = None) -> Tensor:
        """Running products along ``dim`` (integers give int64)."""
        x = self if dtype is None else self.to(dtype)
        return _ops.Cumprod.apply(x, dim=dim)

    def logcumsumexp(self, dim: int) -> Tensor:
        """``log(cumsum(exp(self)))`` along ``dim``, without overflow."""
        return _ops.Logcumsumexp.apply(self, dim=dim)

    def cummax(self, dim: int) -> tuple[Tensor, Tensor]:
        """``(values, indices)`` of the running maximum along ``dim`` (ties: the latest)."""
        return _running(self, dim, np.greater_equal, return_types.cummax)

    def cummin(self, dim: int) -> tuple[Tensor, Tensor]:
        """``(values, indices)`` of the running minimum along ``dim`` (ties: the latest)."""
        return _running(self, dim, np.less_equal, return_types.cummin)

    def diff(
        self,
        n: int = 1,
        dim: int = -1,
        prepend: Tensor | None = None,
        append: Tensor | None = None,
    ) -> Tensor:
        """The ``n``-th forward difference along ``dim`` (after joining ``prepend`` and
        ``append``); bool tensors give their inequality."""
        d = wrap_dim(dim, self.ndim, "diff")
        parts = [t for t in (prepend, self, append) if t is not None]
        x = _ops.Cat.apply(*parts, dim=d) if len(parts) > 1 else self
        lead = (slice(None),) * d
        for _ in range(n):
            a, b = x[lead + (slice(1, None),)], x[lead + (slice(None, -1),)]
            x = a != b if x.dtype == bool else a - b
        return x


def _running(t: TensorReduce, dim: int, better: np.ufunc, kind: type):
    d = wrap_dim(dim, t.ndim, kind.__name__) if t.ndim else 0
    data = t._data if t.ndim else t._data.reshape(1)
    moved = np.moveaxis(data, d, 0)
    index = np.zeros(moved.shape, dtype=np.int64)
    best = moved[0].copy()
    isnan = np.isnan if data.dtype.kind == "f" else (lambda a: np.zeros(np.shape(a), dtype=bool))
    for i in range(1, moved.shape[0]):
        cur = moved[i]
        # The new value wins ties (the latest index); NaN wins, and only NaN replaces NaN.
        take = (better(cur, best) | isnan(cur)) & ~(isnan(best) & ~isnan(cur))
        best = np.where(take, cur, best)
        index[i] = np.where(take, i, index[i - 1])
    index = np.moveaxis(index, 0, d).reshape(t.shape)
    return kind(t.gather(d, index) if t.ndim else t.clone(), t._wrap(index))
