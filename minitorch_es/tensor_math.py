"""The arithmetic, comparison, element-wise and reduction methods of `Tensor` (a mixin, so the
class itself stays about state; every method builds its result with a primitive op)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from . import ops as _ops
from . import return_types
from .errors import ShapeError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .tensor import Tensor

MaxMinResult = return_types.max  # the (values, indices) of x.max(dim) (x.min(dim): .min)


class TensorMath:
    """Operators and math methods of `Tensor`."""

    __slots__ = ()

    # -------------------------------------------------------------------- arithmetic
    def __add__(self, other: Tensor | ArrayLike) -> Tensor:
        """``self + other``, broadcasting like NumPy; also ``Tensor.add``."""
        return _ops.Add.apply(self, _operand(other, self))

    def __radd__(self, other: Tensor | ArrayLike) -> Tensor:
        return _ops.Add.apply(_operand(other, self), self)

    def __sub__(self, other: Tensor | ArrayLike) -> Tensor:
        """``self - other``, broadcasting like NumPy; also ``Tensor.sub``."""
        return _ops.Sub.apply(self, _operand(other, self))

    def __rsub__(self, other: Tensor | ArrayLike) -> Tensor:
        return _ops.Sub.apply(_operand(other, self), self)

    def __mul__(self, other: Tensor | ArrayLike) -> Tensor:
        """``self * other`` (elementwise), broadcasting like NumPy; also ``Tensor.mul``."""
        return _ops.Mul.apply(self, _operand(other, self))

    def __rmul__(self, other: Tensor | ArrayLike) -> Tensor:
        return _ops.Mul.apply(_operand(other, self), self)

    def __truediv__(self, other: Tensor | ArrayLike) -> Tensor:
        """``self / other``, broadcasting like NumPy; also ``Tensor.div``."""
        return _ops.Div.apply(self, _operand(other, self))

    def __rtruediv__(self, other: Tensor | ArrayLike) -> Tensor:
        return _ops.Div.apply(_operand(other, self), self)

    def __pow__(self, other: Tensor | ArrayLike) -> Tensor:
        """``self ** other``, broadcasting like NumPy; also ``Tensor.pow``."""
        return _ops.Pow.apply(self, _operand(other, self))

    def __rpow__(self, other: Tensor | ArrayLike) -> Tensor:
        return _ops.Pow.apply(_operand(other, self), self)

    def __matmul__(self, other: Tensor | ArrayLike) -> Tensor:
        """``self @ other``, the matrix product (NumPy's ``matmul`` rules); also ``matmul``."""
        return _ops.MatMul.apply(self, _operand(other, self))

    def __rmatmul__(self, other: Tensor | ArrayLike) -> Tensor:
        return _ops.MatMul.apply(_operand(other, self), self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    mul, multiply, true_divide, pow, matmul = __mul__, __mul__, __truediv__, __pow__, __matmul__

    # --------------------------------------------------------------------- comparisons
    def _compare(self, other: Tensor | ArrayLike, ufunc: np.ufunc):
        other = other._data if isinstance(other, TensorMath) else other
        try:
            return self._wrap(ufunc(self._data, other))
        except ValueError as e:  # a broadcasting mismatch: say which comparison
            raise ShapeError(f"{ufunc.__name__}: {e}") from None

    def __eq__(self, other: Tensor | ArrayLike) -> Tensor:
        """Elementwise ``self == other`` as a bool tensor (no gradient); also ``Tensor.eq``."""
        return self._compare(other, np.equal)

    def __ne__(self, other: Tensor | ArrayLike) -> Tensor:
        """Elementwise ``self != other`` as a bool tensor (no gradient); also ``Tensor.ne``."""
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Tensor | ArrayLike) -> Tensor:
        """Elementwise ``self < other`` as a bool tensor (no gradient); also ``Tensor.lt``."""
        return self._compare(other, np.less)

    def __le__(self, other: Tensor | ArrayLike) -> Tensor:
        """Elementwise ``self <= other`` as a bool tensor (no gradient); also ``Tensor.le``."""
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Tensor | ArrayLike) -> Tensor:
        """Elementwise ``self > other`` as a bool tensor (no gradient); also ``Tensor.gt``."""
        return self._compare(other, np.greater)

    def __ge__(self, other: Tensor | ArrayLike) -> Tensor:
        """Elementwise ``self >= other`` as a bool tensor (no gradient); also ``Tensor.ge``."""
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # -------------------------------------------------------------------- elementwise
    def exp(self) -> Tensor:
        """``e ** self``, elementwise."""
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        """The natural logarithm, elementwise."""
        return _ops.Log.apply(self)

    def sqrt(self) -> Tensor:
        """The square root, elementwise."""
        return _ops.Sqrt.apply(self)

    def abs(self) -> Tensor:
        """The absolute value, elementwise; alias ``absolute``."""
        return _ops.Abs.apply(self)

    absolute = abs

    def clamp(self, min: float | Tensor | None = None, max: float | Tensor | None = None) -> Tensor:
        """Values limited to ``[min, max]`` (either bound may be None, a number or a tensor
        that broadcasts); alias ``clip``. The gradient is 1 inside the range and 0 where a
        value was clipped; a tensor bound gets the gradient where it was chosen."""
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        if isinstance(min, TensorMath) or isinstance(max, TensorMath):
            out = self
            if min is not None:  # where(x < min, min, x): ties keep x, as PyTorch
                out = _ops.Where.apply(out._data < _array(min), _operand(min, self), out)
            if max is not None:
                out = _ops.Where.apply(out._data > _array(max), _operand(max, self), out)
            return out
        return _ops.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other: Tensor | ArrayLike) -> Tensor:
        """The elementwise larger of ``self`` and ``other``."""
        return _ops.Maximum.apply(self, _operand(other, self))

    def minimum(self, other: Tensor | ArrayLike) -> Tensor:
        """The elementwise smaller of ``self`` and ``other``."""
        return _ops.Minimum.apply(self, _operand(other, self))

    # --------------------------------------------------------------------- reductions
    def sum(
        self,
        dim: int | tuple[int, ...] | None = None,
        keepdim: bool = False,
        *,
        axis: int | tuple[int, ...] | None = None,
    ) -> Tensor:
        """The sum over ``dim`` (an int, a tuple, or None for all elements); ``axis`` is
        NumPy's spelling of ``dim``."""
        return _ops.Sum.apply(self, dim=_dim(dim, axis), keepdim=keepdim)

    def mean(
        self,
        dim: int | tuple[int, ...] | None = None,
        keepdim: bool = False,
        *,
        axis: int | tuple[int, ...] | None = None,
    ) -> Tensor:
        """The mean over ``dim`` (an int, a tuple, or None for all elements)."""
        return _ops.Mean.apply(self, dim=_dim(dim, axis), keepdim=keepdim)

    def var(
        self,
        dim: int | tuple[int, ...] | None = None,
        unbiased: bool = True,
        keepdim: bool = False,
        *,
        correction: int | None = None,
        axis: int | tuple[int, ...] | None = None,
    ) -> Tensor:
        """The variance over ``dim``; unbiased (divides by ``n - 1``) by default, as in
        PyTorch and unlike NumPy. ``correction`` overrides ``unbiased``."""
        correction = (1 if unbiased else 0) if correction is None else correction
        return _ops.Var.apply(self, dim=_dim(dim, axis), correction=correction, keepdim=keepdim)

    def std(
        self,
        dim: int | tuple[int, ...] | None = None,
        unbiased: bool = True,
        keepdim: bool = False,
        *,
        correction: int | None = None,
        axis: int | tuple[int, ...] | None = None,
    ) -> Tensor:
        """The standard deviation over ``dim``; unbiased by default, as in PyTorch."""
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis).sqrt()

    def max(
        self, dim: int | Tensor | None = None, keepdim: bool = False, *, axis: int | None = None
    ) -> Tensor | MaxMinResult:
        """Largest element; with ``dim``, ``(values, indices)`` along it; with a Tensor,
        `maximum`, as in PyTorch."""
        return self._extreme(_dim(dim, axis), keepdim, largest=True)

    def min(
        self, dim: int | Tensor | None = None, keepdim: bool = False, *, axis: int | None = None
    ) -> Tensor | MaxMinResult:
        """Smallest element; with ``dim``, ``(values, indices)`` along it; with a Tensor,
        `minimum`, as in PyTorch."""
        return self._extreme(_dim(dim, axis), keepdim, largest=False)

    def _extreme(self, dim: int | Tensor | None, keepdim: bool, largest: bool):
        if isinstance(dim, TensorMath):  # torch.max(input, other)
            return self.maximum(dim) if largest else self.minimum(dim)
        if dim is None:
            return _ops.MaxMin.apply(self, largest=largest)
        values = _ops.MaxMinDim.apply(self, dim=dim, keepdim=keepdim, largest=largest)
        indices = (self.argmax if largest else self.argmin)(dim, keepdim)
        return (return_types.max if largest else return_types.min)(values, indices)

    def all(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        """True where every element (along ``dim``) is nonzero, as a bool tensor."""
        return self._wrap(np.asarray(self._data.all(axis=dim, keepdims=keepdim)))

    def any(self, dim: int | tuple[int, ...] | None = None, keepdim: bool = False) -> Tensor:
        """True where some element (along ``dim``) is nonzero, as a bool tensor."""
        return self._wrap(np.asarray(self._data.any(axis=dim, keepdims=keepdim)))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The int64 index of the largest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """The int64 index of the smallest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, fn: Callable[..., np.ndarray], dim: int | None, keepdim: bool):
        if dim is None:
            return self._wrap(np.asarray(fn(self._data), dtype=np.int64))
        dim = _ops.reduction.wrap_dim(dim, self.ndim, fn.__name__)
        if self._data.ndim == 0:
            return self._wrap(np.zeros((), dtype=np.int64))
        out = fn(self._data, axis=dim)
        if keepdim:
            out = np.expand_dims(out, dim)
        return self._wrap(out.astype(np.int64, copy=False))


def _operand(x: Tensor | ArrayLike, like: TensorMath):
    """The other side of a binary op: Tensors and arrays as they are, Python scalars as-is so
    NumPy keeps ``like``'s dtype (no silent float64 promotion)."""
    if isinstance(x, (TensorMath, np.ndarray)):
        return x
    if isinstance(x, (int, float, bool)):
        return x
    if isinstance(x, np.generic):  # a NumPy scalar counts as a Python number (np.float64 is one)
        return x.item()
    if isinstance(x, (list, tuple)):
        return np.asarray(x, dtype=like._data.dtype if like._data.dtype.kind == "f" else None)
    raise TypeError(
        f"unsupported operand of type {type(x).__name__} for an operation with a Tensor "
        f"(expected a Tensor, a NumPy array or a number)"
    )


def _array(x: object) -> object:
    return x._data if isinstance(x, TensorMath) else x


def _dim(dim: int | tuple[int, ...] | Tensor | None, axis: int | tuple[int, ...] | None):
    if axis is not None and dim is not None:
        raise TypeError("give either dim or axis, not both")
    return axis if dim is None else dim
