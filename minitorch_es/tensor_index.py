"""Index-driven methods of `Tensor` (a mixin): ``gather``, ``scatter``, ``scatter_add``,
``index_select``, ``index_add``, ``index_fill``, ``index_copy``, ``masked_fill``,
``masked_select``, ``masked_scatter``, ``take``, ``take_along_dim``, ``nonzero``.

Each is built on the indexing primitives (``x[index]``, its gradient ``IndexAdd`` and the
recorded assignment ``IndexPut``) with an index computed from the arguments, so every one is
differentiable (twice) with respect to its tensor inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import ops as _ops
from .errors import ShapeError
from .ops.reduction import wrap_dim

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .tensor import Tensor


class TensorIndex:
    """Index-driven methods of `Tensor`."""

    __slots__ = ()

    # ---------------------------------------------------------------------- gather
    def gather(self, dim: int, index: Tensor) -> Tensor:
        """``out[i][j] = self[i][index[i][j]]`` for ``dim=1`` (likewise for any dim): values
        picked along ``dim`` at ``index`` (same number of dimensions, no larger elsewhere)."""
        return self[_scatter_index(self, dim, index, "gather")]

    def take_along_dim(self, indices: Tensor, dim: int | None = None) -> Tensor:
        """Values picked along ``dim`` at ``indices`` (which broadcast with ``self`` on the
        other dims); of the flattened tensor when ``dim`` is None."""
        idx = _index_array(indices, "take_along_dim")
        if dim is None:
            return self.reshape(-1)[_checked(idx, self.numel(), "take_along_dim")]
        d = wrap_dim(dim, self.ndim, "take_along_dim")
        if idx.ndim != self.ndim:
            raise ShapeError(
                f"take_along_dim: input and indices should have the same number of dimensions, "
                f"but got {self.ndim} and {idx.ndim}"
            )
        shape = list(np.broadcast_shapes(_without(self.shape, d), _without(idx.shape, d)))
        x_shape, i_shape = list(shape), list(shape)
        x_shape.insert(d, self.shape[d])
        i_shape.insert(d, idx.shape[d])
        x = self.expand(tuple(x_shape)) if tuple(x_shape) != tuple(self.shape) else self
        return x.gather(d, np.broadcast_to(idx, i_shape))

    def take(self, index: Tensor) -> Tensor:
        """Elements of the flattened tensor at ``index`` (any shape; the result has it)."""
        idx = _index_array(index, "take")
        return self.reshape(-1)[_checked(idx, self.numel(), "take")]

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The slices at ``index`` (a 1-D integer tensor) along ``dim``."""
        d = wrap_dim(dim, self.ndim, "index_select")
        idx = _index_array(index, "index_select")
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        n = self.shape[d] if self.ndim else 1
        idx = _checked(idx.reshape(-1), n, "index_select")
        return self.reshape(1)[idx] if self.ndim == 0 else self[(slice(None),) * d + (idx,)]

    def masked_select(self, mask: Tensor) -> Tensor:
        """The elements where the bool ``mask`` (broadcast with ``self``) is true, as 1-D."""
        m = _mask_array(mask, "masked_select")
        shape = np.broadcast_shapes(self.shape, m.shape)
        x = self.expand(shape) if shape != tuple(self.shape) else self
        return x[np.broadcast_to(m, shape)]

    def nonzero(self, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
        """The indices of the nonzero elements: an ``(n, ndim)`` int64 tensor, or one 1-D
        tensor per dimension with ``as_tuple=True``."""
        data = self._data if self._data.ndim else self._data.reshape(1)
        if as_tuple:
            return tuple(self._wrap(i.astype(np.int64)) for i in np.nonzero(data))
        return self._wrap(np.argwhere(self._data).astype(np.int64))

    def argwhere(self) -> Tensor:
        """``nonzero()``: the ``(n, ndim)`` indices of the nonzero elements."""
        return self.nonzero()

    # -------------------------------------------------------------- out-of-place writes
    def scatter(
        self,
        dim: int,
        index: Tensor,
        src: Tensor | float | None = None,
        *,
        value: float | None = None,
        reduce: str | None = None,
    ) -> Tensor:
        """A copy with ``src[i][j]`` written at ``[i][index[i][j]]`` for ``dim=1`` (likewise
        for any dim); ``src`` may be a number (or give ``value``). ``reduce='add'`` adds."""
        src = value if src is None else src
        if src is None:
            raise TypeError("scatter(): expected a src tensor or a value")
        where = _scatter_index(self, dim, index, "scatter", src)
        values = _values_for(self, src, index)
        if reduce == "add":
            return self + _ops.IndexAdd.apply(values, shape=tuple(self.shape), index=where)
        if reduce is not None:
            raise ValueError(f"scatter(): reduce must be None or 'add', got {reduce!r}")
        return _ops.IndexPut.apply(self, values, where)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """A copy with ``src[i][j]`` added at ``[i][index[i][j]]`` for ``dim=1`` (repeated
        indices accumulate)."""
        where = _scatter_index(self, dim, index, "scatter_add", src)
        values = _values_for(self, src, index)
        return self + _ops.IndexAdd.apply(values, shape=tuple(self.shape), index=where)

    def index_add(self, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1) -> Tensor:
        """A copy with ``alpha * source``'s slices added at positions ``index`` along ``dim``
        (repeated indices accumulate)."""
        where = _dim_index(self, dim, index, source, "index_add")
        source = source if alpha == 1 else source * alpha
        return self + _ops.IndexAdd.apply(source, shape=tuple(self.shape), index=where)

    def index_copy(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """A copy with ``source``'s slices written at positions ``index`` along ``dim``."""
        return _ops.IndexPut.apply(self, source, _dim_index(self, dim, index, source, "index_copy"))

    def index_fill(self, dim: int, index: Tensor, value: float | Tensor) -> Tensor:
        """A copy with the slices at ``index`` along ``dim`` set to ``value``."""
        where = _dim_index(self, dim, index, None, "index_fill")
        return _ops.IndexPut.apply(self, _fill_value(self, value, "index_fill"), where)

    def masked_fill(self, mask: Tensor | ArrayLike, value: float | Tensor) -> Tensor:
        """A copy with ``value`` where the bool ``mask`` (broadcast) is true; a 0-d tensor
        ``value`` gets the gradient of the elements it filled."""
        m = _mask_array(mask, "masked_fill")
        return _ops.Where.apply(m, _fill_value(self, value, "masked_fill"), self)

    def masked_scatter(self, mask: Tensor, source: Tensor) -> Tensor:
        """A copy with the elements of ``source`` (in order) written where ``mask`` is true."""
        m = _mask_array(mask, "masked_scatter")
        shape = np.broadcast_shapes(self.shape, m.shape)
        x = self.expand(shape) if shape != tuple(self.shape) else self
        m = np.broadcast_to(m, shape)
        count = int(m.sum())
        if source.numel() < count:
            raise RuntimeError(
                f"masked_scatter: expected source to have at least {count} elements (the number "
                f"of true elements of mask), got {source.numel()}"
            )
        return _ops.IndexPut.apply(x, source.reshape(-1)[:count], m)

    def where(self, condition: Tensor, other: Tensor | float) -> Tensor:
        """``self`` where ``condition`` (a bool tensor) holds, else ``other``."""
        from .tensor_math import _operand

        return _ops.Where.apply(_mask_array(condition, "where"), self, _operand(other, self))


def _without(shape: tuple, d: int) -> tuple:
    return tuple(shape[:d]) + tuple(shape[d + 1 :])


def _index_array(index: object, op: str) -> np.ndarray:
    idx = np.asarray(getattr(index, "_data", index))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}(): expected an integer index tensor, got dtype {idx.dtype}")
    return idx


def _checked(idx: np.ndarray, n: int, op: str) -> np.ndarray:
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max() if idx.max() >= n else idx.min())
        raise IndexError(f"{op}(): index {bad} is out of bounds for dimension with size {n}")
    return idx


def _mask_array(mask: object, op: str) -> np.ndarray:
    m = np.asarray(getattr(mask, "_data", mask))
    if m.dtype != bool:
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {m.dtype}")
    return m


def _fill_value(t: TensorIndex, value: object, op: str):  # noqa: ANN202  (Tensor or array)
    if isinstance(value, TensorIndex):
        if value.ndim != 0:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)"
            )
        return value if value.dtype == t.dtype else value.to(t.dtype)
    return np.asarray(value).astype(t.dtype)


def _scatter_index(t: TensorIndex, dim: int, index: object, op: str, src: object = None) -> tuple:
    """The advanced index that addresses ``t`` at ``index`` along ``dim`` and at each
    element's own position on the other dims (gather/scatter's meaning)."""
    idx = _index_array(index, op)
    d = wrap_dim(dim, t.ndim, op)
    if idx.ndim != max(t.ndim, 1) and not (t.ndim == 0 and idx.ndim == 0):
        raise ShapeError(
            f"{op}(): Index tensor must have the same number of dimensions as input tensor, got "
            f"{idx.ndim} and {t.ndim}"
        )
    for k in range(idx.ndim):
        src_small = (
            hasattr(src, "shape") and len(src.shape) == idx.ndim and idx.shape[k] > src.shape[k]
        )
        if (k != d and idx.shape[k] > t.shape[k]) or src_small:
            raise ShapeError(
                f"{op}(): expected index {list(idx.shape)} to be no larger than self "
                f"{list(t.shape)} apart from dimension {d}"
                + (f" and to be no larger size than src {list(src.shape)}" if src_small else "")
            )
    _checked(idx, t.shape[d] if t.ndim else 1, op)
    grid = list(np.indices(idx.shape, sparse=True))
    grid[d] = idx
    return tuple(grid)


def _values_for(t: TensorIndex, src: object, index: object):  # noqa: ANN202
    """``src`` cut to ``index``'s shape (a number: an array of it, in ``t``'s dtype)."""
    shape = np.shape(getattr(index, "_data", index))
    if isinstance(src, TensorIndex):
        if tuple(src.shape) != shape:
            src = src[tuple(slice(0, n) for n in shape)]
        return src if src.dtype == t.dtype else src.to(t.dtype)
    return np.full(shape, src, dtype=t.dtype)


def _dim_index(t: TensorIndex, dim: int, index: object, source: object, op: str) -> tuple:
    d = wrap_dim(dim, t.ndim, op)
    idx = _index_array(index, op).reshape(-1)
    _checked(idx, t.shape[d] if t.ndim else 1, op)
    if source is not None:
        want = tuple(t.shape[:d]) + (idx.size,) + tuple(t.shape[d + 1 :])
        if tuple(getattr(source, "shape", ())) != want:
            raise ShapeError(
                f"{op}(): source of shape {tuple(source.shape)} does not fit: expected {want} "
                f"(self's shape with dim {d} the index's length)"
            )
    return (slice(None),) * d + (idx,)
