"""Methods of `Tensor` that cut it into pieces or pick one slice (a mixin): ``split``,
``chunk``, ``tensor_split``, ``unbind``, ``narrow``, ``select``. Each piece is an indexing
op, so gradients flow back into the right place."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .errors import ShapeError
from .ops.reduction import wrap_dim

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorSplit:
    """Splitting methods of `Tensor`."""

    __slots__ = ()

    def split(self, split_size: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the sizes
        listed (which must add up to the dimension's size)."""
        d, n = _dim_size(self, dim, "split")
        if isinstance(split_size, (int, np.integer)):
            if split_size <= 0 and n:
                raise RuntimeError(f"split expects split_size be positive, got {split_size}")
            sizes = [split_size] * (n // split_size) + ([n % split_size] if n % split_size else [])
            sizes = sizes or [0]
        else:
            sizes = [int(s) for s in split_size]
            if sum(sizes) != n or any(s < 0 for s in sizes):
                raise RuntimeError(
                    f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                    f"size at dimension {dim}), but got split_sizes={sizes}"
                )
        return _pieces(self, d, np.cumsum([0, *sizes]))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """At most ``chunks`` pieces of equal size (``ceil(n / chunks)``) along ``dim``; the
        last may be smaller, and there may be fewer."""
        if chunks <= 0:
            raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
        _, n = _dim_size(self, dim, "chunk")
        return self.split(max(math.ceil(n / chunks), 1), dim)

    def tensor_split(
        self, indices_or_sections: int | Sequence[int] | Tensor, dim: int = 0
    ) -> tuple[Tensor, ...]:
        """``sections`` pieces whose sizes differ by at most one (the first ones larger), or
        pieces cut before each of ``indices``, as ``numpy.array_split``."""
        d, n = _dim_size(self, dim, "tensor_split")
        cuts = getattr(indices_or_sections, "_data", indices_or_sections)
        if np.ndim(cuts) == 0:
            sections = int(cuts)
            if sections <= 0:
                raise RuntimeError(
                    f"tensor_split: number of sections must be larger than 0, got {sections}"
                )
            small, extra = divmod(n, sections)
            sizes = [small + 1] * extra + [small] * (sections - extra)
            bounds = np.cumsum([0, *sizes])
        else:
            bounds = [0, *[min(max(int(i), 0), n) for i in np.asarray(cuts).tolist()], n]
            bounds = np.maximum.accumulate(bounds)
        return _pieces(self, d, bounds)

    def unbind(self, dim: int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, each without that dimension."""
        d, n = _dim_size(self, dim, "unbind")
        lead = (slice(None),) * d
        return tuple(self[lead + (i,)] for i in range(n))

    def narrow(self, dim: int, start: int | Tensor, length: int) -> Tensor:
        """Elements ``start`` to ``start + length`` along ``dim`` (``start`` may be negative)."""
        d, n = _dim_size(self, dim, "narrow")
        start = int(start)
        if not -n <= start <= n:
            raise IndexError(f"narrow: start ({start}) is out of range for dimension of size {n}")
        start %= n if n else 1
        if length < 0 or start + length > n:
            raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
        return self[(slice(None),) * d + (slice(start, start + length),)]

    def select(self, dim: int, index: int) -> Tensor:
        """The slice at ``index`` along ``dim``, without that dimension."""
        d, n = _dim_size(self, dim, "select")
        if not -n <= int(index) < n:
            raise IndexError(
                f"select(): index {index} out of range for tensor of size {tuple(self.shape)} at "
                f"dimension {dim}"
            )
        return self[(slice(None),) * d + (int(index),)]


def _dim_size(t: TensorSplit, dim: int, op: str) -> tuple[int, int]:
    if t.ndim == 0:
        raise ShapeError(f"{op}: expected a tensor with at least 1 dimension, got a 0-d tensor")
    d = wrap_dim(dim, t.ndim, op)
    return d, t.shape[d]


def _pieces(t: TensorSplit, d: int, bounds: Sequence[int]) -> tuple[Tensor, ...]:
    lead = (slice(None),) * d
    return tuple(t[lead + (slice(int(lo), int(hi)),)] for lo, hi in zip(bounds[:-1], bounds[1:]))
