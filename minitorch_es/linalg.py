"""``mt.linalg``: vector and matrix norms and the cross product, as ``torch.linalg``.
Norms whose definition needs singular values (``ord=2``, ``-2``, ``'nuc'`` of a matrix) are
not implemented."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import ops
from .tensor import Tensor
from .tensor_linalg import cross as _cross

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def vector_norm(
    x: Tensor,
    ord: float = 2,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """``sum(|x|^ord)^(1/ord)`` over ``dim`` (all elements when None); ``ord`` may be
    ``inf`` (largest magnitude), ``-inf`` (smallest) or 0 (count of nonzeros).

        >>> mt.linalg.vector_norm(mt.tensor([3., 4.]))
        tensor(5.)
    """
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point tensor as input. Got {x.dtype}"
        )
    dim = tuple(dim) if isinstance(dim, (list, tuple)) else dim
    return ops.VectorNorm.apply(x, ord=ord, dim=dim, keepdim=keepdim)


def matrix_norm(
    A: Tensor,
    ord: float | str = "fro",
    dim: tuple[int, int] = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """A norm of the matrices over ``dim``: ``'fro'`` (Frobenius), 1 / -1 (largest /
    smallest column sum of magnitudes), ``inf`` / ``-inf`` (rows)."""
    if A.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if dtype is not None:
        A = A.to(dtype)
    rows, cols = dim
    if ord == "fro":
        return vector_norm(A, 2, dim=(rows, cols), keepdim=keepdim)
    if ord in (2, -2, "nuc"):
        raise NotImplementedError(f"linalg.matrix_norm(ord={ord!r}) needs singular values")
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    summed, across = (rows, cols) if ord in (1, -1) else (cols, rows)
    sums = A.abs().sum(summed, keepdim=True)
    out = sums.amax(across, keepdim=True) if ord > 0 else sums.amin(across, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(
    A: Tensor,
    ord: float | str | None = None,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a
    2-D input); with neither ``ord`` nor ``dim``, the 2-norm of all elements."""
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if A.ndim not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {A.ndim}D."
            )
        dim = (0,) if A.ndim == 1 else (0, 1)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) == 1:
        return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
    return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim``."""
    return _cross(input, other, dim)
