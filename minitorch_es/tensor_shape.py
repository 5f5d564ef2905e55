"""The shape methods of `Tensor`: reshape/view, flatten, permute/transpose, squeeze/unsqueeze,
expand and indexing (a mixin; each builds its result with a primitive op)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import ops as _ops
from .errors import ShapeError

if TYPE_CHECKING:
    from .tensor import Tensor


class TensorShape:
    """Shape methods of `Tensor`."""

    __slots__ = ()

    # -------------------------------------------------------------------------- shape
    def reshape(self, *shape) -> Tensor:
        """The same elements in a new shape (ints or one tuple; one ``-1`` is inferred); alias
        ``view`` (which, unlike PyTorch's, never fails for non-contiguous data)."""
        shape = _shape_arg(shape)
        if shape == self._data.shape:
            return self
        return _view_of(self, _ops.Reshape.apply(self, shape))

    view = reshape

    def view_as(self, other: Tensor) -> Tensor:
        """``self.reshape(other.shape)``."""
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Dimensions ``start_dim`` to ``end_dim`` (inclusive) merged into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s = _ops.reduction.wrap_dim(start_dim, self.ndim, "flatten")
        e = _ops.reduction.wrap_dim(end_dim, self.ndim, "flatten")
        if s > e:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape[:s] + (int(np.prod(self.shape[s : e + 1])),) + self.shape[e + 1 :]
        return self.reshape(shape)

    def ravel(self) -> Tensor:
        """The elements as one dimension (``flatten()``)."""
        return self.reshape(-1)

    def permute(self, *dims) -> Tensor:
        """The dimensions reordered: ``x.permute(2, 0, 1)`` puts the last one first."""
        dims = _shape_arg(dims)
        if len(dims) != self.ndim:
            raise ValueError(
                f"permute: got {len(dims)} dims {dims} for a tensor with {self.ndim} dimensions"
            )
        return _view_of(self, _ops.Permute.apply(self, dims))

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Dimensions ``dim0`` and ``dim1`` swapped."""
        d0, d1 = (_ops.reduction.wrap_dim(d, self.ndim, "transpose") for d in (dim0, dim1))
        dims = list(range(self.ndim))
        if dims:  # a 0-d tensor accepts dims 0 / -1 and stays as it is
            dims[d0], dims[d1] = dims[d1], dims[d0]
        return _view_of(self, _ops.Permute.apply(self, tuple(dims)))

    def t(self) -> Tensor:
        """The transpose of a tensor with at most 2 dimensions."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def squeeze(self, dim: int | tuple[int, ...] | None = None) -> Tensor:
        """Size-1 dimensions removed (all of them, or only ``dim``: an int or a tuple)."""
        if dim is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            dims = {
                _ops.reduction.wrap_dim(d, self.ndim, "squeeze")
                for d in ((dim,) if isinstance(dim, int) else dim)
            }
            shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim: int) -> Tensor:
        """A size-1 dimension inserted at ``dim``."""
        d = _ops.reduction.wrap_dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def expand(self, *shape) -> Tensor:
        """The tensor broadcast to ``shape`` (``-1`` keeps a dimension); the gradient sums back."""
        shape = _shape_arg(shape)
        lead = len(shape) - self.ndim  # new leading dims have no size to keep
        if any(n == -1 for n in shape[:lead]):
            raise ShapeError(
                f"expand: -1 is not allowed for a new leading dimension, got {shape} "
                f"for a tensor of shape {tuple(self.shape)}"
            )
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        return _view_of(self, _ops.Expand.apply(self, shape))

    def expand_as(self, other: Tensor) -> Tensor:
        """``self.expand(other.shape)``."""
        return self.expand(other.shape)

    def broadcast_to(self, size: tuple[int, ...]) -> Tensor:
        """``self.expand(size)``."""
        return self.expand(size)

    def movedim(self, source: int | tuple[int, ...], destination: int | tuple[int, ...]) -> Tensor:
        """Dimensions ``source`` moved to positions ``destination`` (the others keep their
        order); alias ``moveaxis``."""
        src = (source,) if isinstance(source, int) else tuple(source)
        dst = (destination,) if isinstance(destination, int) else tuple(destination)
        if len(src) != len(dst):
            raise RuntimeError(
                f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                f"contain the same number of dims as destination ({list(dst)} dims)"
            )
        n = self.ndim
        src = [_ops.reduction.wrap_dim(d, n, "movedim") for d in src]
        dst = [_ops.reduction.wrap_dim(d, n, "movedim") for d in dst]
        if len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise RuntimeError(f"movedim: repeated dim in source {src} or destination {dst}")
        order = [d for d in range(n) if d not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return self.permute(order)

    moveaxis = movedim

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        """``transpose(axis0, axis1)``; alias ``swapdims``."""
        return self.transpose(axis0, axis1)

    swapdims = swapaxes

    def unflatten(self, dim: int, sizes: tuple[int, ...]) -> Tensor:
        """Dimension ``dim`` split into ``sizes`` (one may be -1)."""
        d = _ops.reduction.wrap_dim(dim, self.ndim, "unflatten")
        shape = tuple(self.shape)
        return self.reshape(shape[:d] + tuple(sizes) + shape[d + 1 :])

    def __getitem__(self, index: Any) -> Tensor:
        return _view_of(self, _ops.GetItem.apply(self, _index(index)))


def _view_of(base: Tensor, result: Tensor) -> Tensor:
    """Let ``result`` share ``base``'s version counter when it shares its memory (NumPy made a
    view), so an in-place change through either is seen by backward, as in PyTorch."""
    owner = base._data if base._data.base is None else base._data.base
    if result._data.base is owner:
        result._version = base._version
    return result


def _index(index: Any):
    """Tensors inside an index become their arrays."""
    if isinstance(index, TensorShape):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, TensorShape) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _shape_arg(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)
