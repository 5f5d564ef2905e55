"""Matrix methods of `Tensor` (a mixin): ``mm``, ``bmm``, ``dot``, ``outer``, ``addmm``,
``norm``, ``dist``, ``trace``, ``diagonal``, ``tril``/``triu``, ``cross``, ``mT``. Each is
the matrix product or a composition of differentiable ops, so it differentiates twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import ops as _ops
from .errors import ShapeError
from .ops.reduction import wrap_dim

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from .tensor import Tensor


class TensorLinalg:
    """Matrix methods of `Tensor`."""

    __slots__ = ()

    # ---------------------------------------------------------------------- products
    def mm(self, mat2: Tensor) -> Tensor:
        """The product of two matrices (2-D tensors, no broadcasting)."""
        _need_dims(self, mat2, 2, 2, "mm")
        return _ops.MatMul.apply(self, mat2)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix product of two 3-D tensors ``(b, n, m) @ (b, m, p)``."""
        _need_dims(self, mat2, 3, 3, "bmm")
        if self.shape[0] != mat2.shape[0]:
            raise ShapeError(
                f"bmm: batch sizes differ: {tuple(self.shape)} and {tuple(mat2.shape)}"
            )
        return _ops.MatMul.apply(self, mat2)

    def mv(self, vec: Tensor) -> Tensor:
        """The product of a matrix and a vector."""
        _need_dims(self, vec, 2, 1, "mv")
        return _ops.MatMul.apply(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        """The inner product of two 1-D tensors of the same length; alias ``inner`` for 1-D."""
        _need_dims(self, other, 1, 1, "dot")
        if self.shape != other.shape:
            raise ShapeError(
                f"dot: inconsistent tensor size, expected tensors of the same number of "
                f"elements, got {self.shape[0]} and {other.shape[0]}"
            )
        return _ops.MatMul.apply(self, other)

    def outer(self, vec2: Tensor) -> Tensor:
        """The outer product ``self[i] * vec2[j]`` of two 1-D tensors; alias ``ger``."""
        _need_dims(self, vec2, 1, 1, "outer")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    ger = outer

    def addmm(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)`` (``self`` broadcasts; ignored when
        ``beta == 0``)."""
        return _scaled_sum(self, mat1.mm(mat2), beta, alpha)

    def addmv(self, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        """``beta * self + alpha * (mat @ vec)``."""
        return _scaled_sum(self, mat.mv(vec), beta, alpha)

    def baddbmm(
        self, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1
    ) -> Tensor:
        """``beta * self + alpha * bmm(batch1, batch2)``."""
        return _scaled_sum(self, batch1.bmm(batch2), beta, alpha)

    def addbmm(
        self, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1
    ) -> Tensor:
        """``beta * self + alpha * sum_b(batch1[b] @ batch2[b])``."""
        return _scaled_sum(self, batch1.bmm(batch2).sum(0), beta, alpha)

    def addr(self, vec1: Tensor, vec2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        """``beta * self + alpha * outer(vec1, vec2)``."""
        return _scaled_sum(self, vec1.outer(vec2), beta, alpha)

    # ------------------------------------------------------------------------- norms
    def norm(
        self,
        p: float | str | None = "fro",
        dim: int | tuple[int, ...] | None = None,
        keepdim: bool = False,
        dtype: DTypeLike | None = None,
    ) -> Tensor:
        """The ``p``-norm over ``dim`` (all elements when None), as ``torch.norm``: a number
        ``p`` (``inf`` too) or ``'fro'`` (the 2-norm) is a vector norm of the elements;
        ``'nuc'`` is not supported."""
        x = self if dtype is None else self.to(dtype)
        if p == "nuc":
            raise NotImplementedError("norm(p='nuc') needs singular values, not implemented")
        order = 2 if p in ("fro", None) else p
        if isinstance(order, str):
            raise ValueError(f"norm: p must be a number, 'fro' or 'nuc', got {p!r}")
        return _ops.VectorNorm.apply(x, ord=order, dim=dim, keepdim=keepdim)

    def dist(self, other: Tensor, p: float = 2) -> Tensor:
        """The ``p``-norm of ``self - other`` (which broadcast)."""
        return _ops.VectorNorm.apply(self - other, ord=p)

    # ---------------------------------------------------------------- matrix parts
    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """The diagonal of the matrices over ``dim1``/``dim2`` (``offset`` > 0: above), as
        the last dimension of the result (a copy here, a view in PyTorch)."""
        n = self.ndim
        d1, d2 = wrap_dim(dim1, n, "diagonal"), wrap_dim(dim2, n, "diagonal")
        if d1 == d2:
            raise ValueError(f"diagonal: dim1 and dim2 cannot be the same, got {dim1}, {dim2}")
        rest = [d for d in range(n) if d not in (d1, d2)]
        x = self.permute(*rest, d1, d2)
        rows, cols = x.shape[-2], x.shape[-1]
        start_r, start_c = max(-offset, 0), max(offset, 0)
        length = max(min(rows - start_r, cols - start_c), 0)
        i = np.arange(length)
        return x[..., i + start_r, i + start_c]

    def diag(self, diagonal: int = 0) -> Tensor:
        """A 1-D tensor's square matrix with it on diagonal ``diagonal``; a matrix's diagonal
        ``diagonal`` as a 1-D tensor."""
        if self.ndim == 2:
            return self.diagonal(diagonal)
        if self.ndim != 1:
            raise ShapeError(f"diag: expected a 1-D or 2-D tensor, got {self.ndim} dimensions")
        size = self.shape[0] + abs(diagonal)
        i = np.arange(self.shape[0])
        index = (i + max(-diagonal, 0), i + max(diagonal, 0))
        return _ops.IndexAdd.apply(self, shape=(size, size), index=index)

    def trace(self) -> Tensor:
        """The sum of the main diagonal of a matrix."""
        if self.ndim != 2:
            raise ShapeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return self.diagonal().sum()

    def tril(self, diagonal: int = 0) -> Tensor:
        """The lower triangle of the matrices (last two dims): elements above diagonal
        ``diagonal`` set to 0."""
        return _triangle(self, diagonal, lower=True)

    def triu(self, diagonal: int = 0) -> Tensor:
        """The upper triangle of the matrices (last two dims): elements below diagonal
        ``diagonal`` set to 0."""
        return _triangle(self, diagonal, lower=False)

    @property
    def mT(self) -> Tensor:
        """The matrices (last two dims) transposed."""
        if self.ndim < 2:
            raise ShapeError(
                f"tensor.mT is only supported on matrices or batches of matrices. Got "
                f"{self.ndim}-D tensor."
            )
        return self.transpose(-2, -1)

    mH = mT

    @property
    def H(self) -> Tensor:
        """The transpose of a matrix (the conjugate is itself: no complex dtypes here)."""
        return self.t()

    def cross(self, other: Tensor, dim: int | None = None) -> Tensor:
        """The cross product of 3-vectors along ``dim`` (default: the first dim of size 3)."""
        if dim is None:
            shape = np.broadcast_shapes(self.shape, other.shape)
            dim = next((d for d, n in enumerate(shape) if n == 3), -1)
        return cross(self, other, dim)


def cross(a: Tensor, b: Tensor, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (``linalg.cross``), broadcasting."""
    d = wrap_dim(dim, max(a.ndim, b.ndim), "linalg.cross")
    if a.ndim != b.ndim or a.shape[d] != 3 or b.shape[d] != 3:
        raise ShapeError(
            f"linalg.cross: inputs dimension {dim} must have length 3, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    a0, a1, a2 = a.unbind(d)
    b0, b1, b2 = b.unbind(d)
    return _ops.Stack.apply(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0, dim=d)


def _need_dims(a: Tensor, b: Tensor, na: int, nb: int, op: str) -> None:
    if a.ndim != na or b.ndim != nb:
        raise ShapeError(
            f"{op}: expected {na}-D and {nb}-D tensors, got shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}"
        )


def _scaled_sum(base: Tensor, product: Tensor, beta: float, alpha: float) -> Tensor:
    out = product if alpha == 1 else product * alpha
    if beta == 0:  # as PyTorch: base is ignored, its NaNs included
        return (
            out
            if out.shape == np.broadcast_shapes(base.shape, out.shape)
            else out.expand(np.broadcast_shapes(base.shape, out.shape))
        )
    return out + (base if beta == 1 else base * beta)


def _triangle(x: Tensor, diagonal: int, lower: bool) -> Tensor:
    if x.ndim < 2:
        raise ShapeError(
            f"{'tril' if lower else 'triu'}: input tensor must have at least 2 dimensions"
        )
    rows, cols = x.shape[-2:]
    keep = np.tri(rows, cols, diagonal, dtype=bool) if lower else _upper(rows, cols, diagonal)
    return _ops.Where.apply(keep, x, np.zeros((), dtype=x.dtype))


def _upper(rows: int, cols: int, diagonal: int) -> np.ndarray:
    return ~np.tri(rows, cols, diagonal - 1, dtype=bool)
