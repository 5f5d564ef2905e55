"""Methods of `Tensor` that rearrange or repeat its elements (a mixin): ``flip``, ``roll``,
``rot90``, ``repeat``, ``tile``, ``repeat_interleave``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import ops as _ops
from .errors import ShapeError
from .ops.reduction import wrap_dim

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorArrange:
    """Rearranging methods of `Tensor`."""

    __slots__ = ()

    def flip(self, *dims) -> Tensor:
        """The elements in reverse order along ``dims`` (a copy)."""
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return _ops.Flip.apply(self, dims=tuple(int(d) for d in dims))

    def fliplr(self) -> Tensor:
        """``flip(1)``: columns in reverse order (at least 2 dimensions)."""
        if self.ndim < 2:
            raise ShapeError("fliplr: input must be >= 2-d")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """``flip(0)``: rows in reverse order (at least 1 dimension)."""
        if self.ndim < 1:
            raise ShapeError("flipud: input must be >= 1-d")
        return self.flip(0)

    def roll(self, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Tensor:
        """Elements shifted cyclically by ``shifts`` along ``dims`` (of the flattened tensor,
        reshaped back, when ``dims`` is None)."""
        if dims is None:
            if not isinstance(shifts, (int, np.integer)):
                raise RuntimeError("roll: without dims, shifts must be a single int")
            return _ops.Roll.apply(self, shifts=int(shifts), dims=None)
        shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(
                f"shifts and dimensions must align. shifts: {len(shifts)}, dims: {len(dims)}"
            )
        dims = tuple(wrap_dim(d, self.ndim, "roll") for d in dims)
        return _ops.Roll.apply(self, shifts=tuple(int(s) for s in shifts), dims=dims)

    def rot90(self, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
        """The tensor rotated by ``k`` quarter turns in the plane ``dims``, from the first
        toward the second axis."""
        if len(dims) != 2:
            raise RuntimeError(
                f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}"
            )
        d0, d1 = (wrap_dim(d, self.ndim, "rot90") for d in dims)
        if d0 == d1:
            raise RuntimeError(f"rot90: expected rotation dims to be different, got {dims}")
        k %= 4
        if k == 1:
            return self.flip(d1).transpose(d0, d1)
        if k == 2:
            return self.flip(d0, d1)
        if k == 3:
            return self.flip(d0).transpose(d0, d1)
        return self.clone()

    def repeat(self, *sizes) -> Tensor:
        """The tensor repeated ``sizes[i]`` times along each dimension (more sizes than
        dimensions add leading ones), as ``torch.Tensor.repeat``."""
        sizes = sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"Number of dimensions of repeat dims ({len(sizes)}) can not be smaller than "
                f"number of dimensions of tensor ({self.ndim})"
            )
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"repeat: the repeats must be non-negative, got {sizes}")
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        # As (1, s0, 1, s1, ...) expanded to (r0, s0, r1, s1, ...), merged pairwise.
        spread = self.reshape(tuple(n for s in shape for n in (1, s)))
        grown = spread.expand(tuple(n for r, s in zip(sizes, shape) for n in (r, s)))
        return grown.reshape(tuple(r * s for r, s in zip(sizes, shape)))

    def tile(self, *dims) -> Tensor:
        """`repeat`, with fewer ``dims`` than dimensions padded with leading ones."""
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        dims = (1,) * (self.ndim - len(dims)) + tuple(dims)
        return self.repeat(dims)

    def repeat_interleave(
        self, repeats: int | Tensor, dim: int | None = None, *, output_size: int | None = None
    ) -> Tensor:
        """Each element repeated ``repeats`` times (an int, or one count per element) along
        ``dim`` (of the flattened tensor when None)."""
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else wrap_dim(dim, x.ndim, "repeat_interleave")
        counts = np.asarray(getattr(repeats, "_data", repeats))
        if counts.dtype.kind not in "iu" or (counts < 0).any():
            raise RuntimeError(
                f"repeat_interleave: repeats must be non-negative integers, got {repeats!r}"
            )
        n = x.shape[d]
        if counts.ndim and counts.shape != (n,) and counts.size != 1:
            raise RuntimeError(
                f"repeat_interleave: repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {counts.size} and input.size({d}) = {n}"
            )
        index = np.repeat(np.arange(n), counts.reshape(-1) if counts.size != 1 else int(counts))
        return x[(slice(None),) * d + (index,)]
