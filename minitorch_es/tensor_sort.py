"""Order statistics of `Tensor` (a mixin): ``sort``, ``argsort``, ``topk``, ``kthvalue``,
``median``, ``mode``, ``unique``, ``bincount``, ``histc``. Indices are computed on the values
(no gradient); the values are gathered at them, so gradients reach the chosen elements."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import return_types
from .ops.reduction import wrap_dim

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorSort:
    """Order-statistics methods of `Tensor`."""

    __slots__ = ()

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """The indices that sort ``self`` along ``dim`` (NaN last; first when descending);
        equal values keep their order."""
        return self._wrap(_order(self, dim, descending))

    def sort(
        self, dim: int = -1, descending: bool = False, stable: bool = False
    ) -> tuple[Tensor, Tensor]:
        """``(values, indices)`` sorted along ``dim``."""
        index = _order(self, dim, descending)
        return return_types.sort(_take(self, dim, index), self._wrap(index))

    def msort(self) -> Tensor:
        """The values sorted along dim 0."""
        return self.sort(0).values

    def topk(
        self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
    ) -> tuple[Tensor, Tensor]:
        """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) elements
        along ``dim``, in order."""
        d, n = _dim(self, dim, "topk")
        if not 0 <= k <= n:
            raise RuntimeError(f"topk: selected index k out of range (k={k}, dimension size {n})")
        index = _first(_order(self, d, largest), d, k)
        return return_types.topk(_take(self, d, index), self._wrap(index))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
        """``(values, indices)`` of the ``k``-th smallest element (1-based) along ``dim``."""
        d, n = _dim(self, dim, "kthvalue")
        if not 1 <= k <= n:
            raise IndexError(
                f"kthvalue(): selected number k out of range for dimension {dim} (k={k}, size {n})"
            )
        return _pick(self, d, k - 1, keepdim, return_types.kthvalue)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Tensor | tuple:
        """The lower median (of all elements: a 0-d tensor; along ``dim``: ``(values,
        indices)``); NaN if there is a NaN."""
        if dim is None:
            if self.numel() == 0:
                return self._wrap(np.asarray(np.nan, dtype=self.dtype))
            flat = self.reshape(-1)
            return _pick(flat, 0, (flat.numel() - 1) // 2, False, return_types.median).values
        d, n = _dim(self, dim, "median")
        return _pick(self, d, (n - 1) // 2, keepdim, return_types.median)

    def mode(self, dim: int = -1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
        """``(values, indices)`` of the most frequent value along ``dim`` (the smallest among
        equally frequent ones; the index of its last occurrence)."""
        d, n = _dim(self, dim, "mode")
        rows = np.moveaxis(self._data if self.ndim else self._data.reshape(1), d, -1)
        flat = rows.reshape(-1, n)
        index = np.empty(len(flat), dtype=np.int64)
        for r, row in enumerate(flat):
            values, counts = np.unique(row, return_counts=True)
            best = values[np.argmax(counts)]
            index[r] = n - 1 - np.flatnonzero(row[::-1] == best)[0]
        index = np.expand_dims(index.reshape(rows.shape[:-1]), d if self.ndim else 0)
        return _result(self, d, index, keepdim, return_types.mode)

    def unique(
        self,
        sorted: bool = True,
        return_inverse: bool = False,
        return_counts: bool = False,
        dim: int | None = None,
    ) -> Tensor | tuple[Tensor, ...]:
        """The distinct values (sorted), or the distinct slices along ``dim``; with the index
        of each element's value (``return_inverse``) and each value's count."""
        data = self._data
        axis = None if dim is None else wrap_dim(dim, self.ndim, "unique")
        values, inverse, counts = np.unique(
            data, return_inverse=True, return_counts=True, axis=axis
        )
        out = [self._wrap(values)]
        if return_inverse:
            out.append(
                self._wrap(inverse.reshape(data.shape if axis is None else -1).astype(np.int64))
            )
        if return_counts:
            out.append(self._wrap(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def bincount(self, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
        """How often each value ``0 .. max`` occurs in a 1-D non-negative integer tensor
        (summing ``weights`` instead of counting, when given)."""
        data = self._data
        if data.ndim != 1 or data.dtype.kind not in "iub" or (data.size and data.min() < 0):
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
        w = None if weights is None else np.asarray(weights._data)
        out = np.bincount(data, weights=w, minlength=minlength)
        if w is None:
            return self._wrap(out.astype(np.int64))
        return self._wrap(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
        """A histogram of ``bins`` equal bins over ``[min, max]`` (the data's range when both
        are 0); elements outside are ignored."""
        data = self._data
        if data.dtype.kind != "f":
            raise RuntimeError(f"histc: expected a floating point tensor, got dtype {data.dtype}")
        lo, hi = float(min), float(max)
        if lo == hi == 0 and data.size:
            lo, hi = float(data.min()), float(data.max())
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        if lo > hi:
            raise RuntimeError(f"histc: max must be larger than min, got min={min}, max={max}")
        counts, _ = np.histogram(data, bins=bins, range=(lo, hi))
        return self._wrap(counts.astype(data.dtype))


def _dim(t: TensorSort, dim: int, op: str) -> tuple[int, int]:
    d = wrap_dim(dim, t.ndim, op)
    return d, (t.shape[d] if t.ndim else 1)


def _order(t: TensorSort, dim: int, descending: bool) -> np.ndarray:
    """Stable sorting indices along ``dim``; descending keeps equal values in order too."""
    d = wrap_dim(dim, t.ndim, "sort")
    data = t._data if t.ndim else t._data.reshape(1)
    if not descending:
        index = np.argsort(data, axis=d, kind="stable")
    else:  # sort the reversed data stably, reverse back, and map to original positions
        n = data.shape[d]
        index = n - 1 - np.flip(np.argsort(np.flip(data, d), axis=d, kind="stable"), d)
    return (index if t.ndim else index.reshape(())).astype(np.int64)


def _first(index: np.ndarray, d: int, k: int) -> np.ndarray:
    return index[(slice(None),) * d + (slice(0, k),)] if index.ndim else index


def _take(t: TensorSort, d: int, index: np.ndarray) -> Tensor:
    return t.gather(d, index) if t.ndim else t.clone()


def _pick(t: TensorSort, d: int, k: int, keepdim: bool, kind: type):
    """The ``k``-th element in sorted order along ``d`` (NaN first if any, as PyTorch)."""
    order = _order(t, d, False)
    data = t._data if t.ndim else t._data.reshape(1)
    index = _first(order, d, k + 1)[(slice(None),) * d + (slice(k, k + 1),)] if t.ndim else order
    if data.dtype.kind == "f" and t.ndim:
        nan = np.isnan(data)
        has_nan = nan.any(axis=d, keepdims=True)
        first_nan = np.argmax(nan, axis=d, keepdims=True)
        index = np.where(has_nan, first_nan, index)
    return _result(t, d, index, keepdim, kind)


def _result(t: TensorSort, d: int, index: np.ndarray, keepdim: bool, kind: type):
    if not t.ndim:
        return kind(t.clone(), t._wrap(np.zeros((), dtype=np.int64)))
    values = t.gather(d, index)
    if not keepdim:
        values, index = values.squeeze(d), np.squeeze(index, d)
    return kind(values, t._wrap(index.astype(np.int64)))
