"""Functions of several tensors: joining (``cat``, ``stack``, ``hstack`` ...), broadcasting
(``broadcast_tensors``, ``meshgrid``), ``einsum``, ``cdist``, and the sorted-sequence
searches ``searchsorted`` / ``bucketize``."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import ops
from .out import write_out
from .promotion import promote_types
from .tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def _tensors(seq: Iterable[Tensor | ArrayLike], op: str, *, same_dtype: bool = True) -> list:
    if isinstance(seq, Tensor):
        raise TypeError(f"{op}(): expected a sequence of tensors, got a single Tensor")
    seq = [t if isinstance(t, Tensor) else Tensor(t) for t in seq]
    if not seq:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    if same_dtype:  # PyTorch promotes the inputs to one dtype (NumPy's choice may differ)
        dtype = functools.reduce(promote_types, [t.dtype for t in seq])
        seq = [t if t.dtype == dtype else t.to(dtype) for t in seq]
    return seq


def cat(
    tensors: Sequence[Tensor | ArrayLike], dim: int = 0, *, out: Tensor | None = None
) -> Tensor:
    """The tensors joined along the existing dimension ``dim``; aliases ``concat``,
    ``concatenate``. Shapes must match except along ``dim`` (1-D empty tensors are skipped,
    as in PyTorch); dtypes are promoted.

        >>> mt.cat([mt.zeros(1, 2), mt.ones(1, 2)]).shape
        torch.Size([2, 2])
    """
    seq = _tensors(tensors, "cat")
    if any(t.ndim > 1 for t in seq):
        seq = [t for t in seq if t.shape != (0,)] or seq[:1]
    result = ops.Cat.apply(*seq, dim=dim)
    return result if out is None else write_out(out, result, "cat")


concat = concatenate = cat


def stack(
    tensors: Sequence[Tensor | ArrayLike], dim: int = 0, *, out: Tensor | None = None
) -> Tensor:
    """The tensors (all of one shape) joined along a new dimension ``dim``, so the result
    has one dimension more:

        >>> mt.stack([mt.zeros(2), mt.ones(2)], dim=1).shape
        torch.Size([2, 2])
    """
    result = ops.Stack.apply(*_tensors(tensors, "stack"), dim=dim)
    return result if out is None else write_out(out, result, "stack")


def hstack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Joined horizontally: along dim 1, or dim 0 for 1-D tensors."""
    seq = [t.reshape(1) if t.ndim == 0 else t for t in _tensors(tensors, "hstack")]
    return cat(seq, 0 if seq[0].ndim == 1 else 1, out=out)


def vstack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Joined vertically: along dim 0, 1-D tensors as rows; alias ``row_stack``."""
    return cat([atleast_2d(t) for t in _tensors(tensors, "vstack")], 0, out=out)


row_stack = vstack


def dstack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """Joined depthwise: along dim 2, after making each at least 3-D."""
    return cat([atleast_3d(t) for t in _tensors(tensors, "dstack")], 2, out=out)


def column_stack(tensors: Sequence[Tensor], *, out: Tensor | None = None) -> Tensor:
    """1-D (and 0-d) tensors as columns, joined with the 2-D ones along dim 1."""
    seq = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in _tensors(tensors, "column_stack")]
    return cat(seq, 1, out=out)


def atleast_1d(t: Tensor) -> Tensor:
    """``t`` with at least 1 dimension."""
    return t.reshape(1) if t.ndim == 0 else t


def atleast_2d(t: Tensor) -> Tensor:
    """``t`` with at least 2 dimensions (a 1-D tensor becomes one row)."""
    return t.reshape(1, -1) if t.ndim < 2 else t


def atleast_3d(t: Tensor) -> Tensor:
    """``t`` with at least 3 dimensions (``(n,)`` becomes ``(1, n, 1)``, ``(m, n)``
    becomes ``(m, n, 1)``)."""
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.reshape(1, -1, 1)
    return t.unsqueeze(-1) if t.ndim == 2 else t


def broadcast_shapes(*shapes: Sequence[int]) -> tuple:
    """The shape that tensors of ``shapes`` broadcast to."""
    from .size import Size

    try:
        return Size(
            np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes])
        )
    except ValueError:
        raise RuntimeError(
            f"Shape mismatch: objects cannot be broadcast to a single shape: {shapes}"
        ) from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape."""
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    """``input.expand(size)``."""
    return input.expand(tuple(size))


def meshgrid(*tensors: Tensor, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: ``indexing='ij'`` (matrix, PyTorch's default) or
    ``'xy'`` (Cartesian: the first two dims swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    flat = [atleast_1d(t) for t in tensors]
    if any(t.ndim != 1 for t in flat):
        raise RuntimeError("meshgrid: expects all tensors to be 0-D or 1-D")
    shape = tuple(t.shape[0] for t in flat)
    n = len(flat)
    grids = [
        t.reshape(tuple(-1 if k == i else 1 for k in range(n))).expand(shape)
        for i, t in enumerate(flat)
    ]
    if indexing == "xy" and n >= 2:  # Cartesian: the first two dims swapped
        grids = [g.transpose(0, 1) for g in grids]
    return tuple(grids)


def einsum(equation: str, *operands: Tensor) -> Tensor:
    """Einstein summation, as ``torch.einsum``: ``mt.einsum("ij,jk->ik", a, b)``
    (``...`` broadcasts; the implicit output is the letters used once, sorted).

        >>> mt.einsum("i,i->", mt.tensor([1., 2.]), mt.tensor([3., 4.]))
        tensor(11.)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    seq = _tensors(operands, "einsum", same_dtype=False)
    return ops.Einsum.apply(*seq, equation=equation)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` ``(..., P, M)`` and each row of
    ``x2`` ``(..., R, M)``: a ``(..., P, R)`` tensor."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"cdist: expected inputs (..., P, M) and (..., R, M) with the same M, got shapes "
            f"{tuple(x1.shape)} and {tuple(x2.shape)}"
        )
    difference = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return ops.VectorNorm.apply(difference, ord=p, dim=-1)


def searchsorted(
    sorted_sequence: Tensor,
    input: Tensor | float,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """For each value of ``input``, the index where inserting it keeps ``sorted_sequence``
    (1-D, or one row per leading index) sorted: before equal values, or after them with
    ``right=True`` / ``side='right'``."""
    if side is not None and side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    side = side or ("right" if right else "left")
    seq = np.asarray(getattr(sorted_sequence, "_data", sorted_sequence))
    if sorter is not None:
        seq = np.take_along_axis(seq, np.asarray(sorter._data), -1)
    values = np.asarray(getattr(input, "_data", input))
    if seq.ndim == 1:
        found = np.searchsorted(seq, values, side=side)
    else:
        if seq.shape[:-1] != values.shape[:-1]:
            raise RuntimeError(
                f"searchsorted: boundaries {tuple(seq.shape)} and input {tuple(values.shape)} "
                f"must agree on all but the last dimension"
            )
        rows = seq.reshape(-1, seq.shape[-1])
        vals = values.reshape(len(rows), -1)
        found = np.stack([np.searchsorted(r, v, side=side) for r, v in zip(rows, vals)])
        found = found.reshape(values.shape)
    return Tensor._wrap(np.asarray(found, dtype=np.int32 if out_int32 else np.int64))


def bucketize(
    input: Tensor | float, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each value among the 1-D sorted ``boundaries``: the index ``i`` with
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``: ``<= x <``)."""
    if boundaries.ndim != 1:
        raise RuntimeError(
            f"bucketize: boundaries must be 1-D, got shape {tuple(boundaries.shape)}"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def repeat_interleave(
    input: Tensor,
    repeats: int | Tensor | None = None,
    dim: int | None = None,
    *,
    output_size: int | None = None,
) -> Tensor:
    """`Tensor.repeat_interleave`; with only a tensor of counts, its indices repeated by them
    (``repeat_interleave(tensor([2, 1]))`` is ``tensor([0, 0, 1])``)."""
    if repeats is None:
        counts = input._data
        return Tensor._wrap(np.repeat(np.arange(len(counts)), counts).astype(np.int64))
    return input.repeat_interleave(repeats, dim, output_size=output_size)
