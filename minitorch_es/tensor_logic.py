"""Logical, bitwise and floating-class methods of `Tensor` (a mixin): ``isnan``,
``logical_and``, ``&``/``|``/``^``/``~``, ``isclose``, ``equal`` ... None has a gradient: they
answer bool (or integer) tensors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .errors import ShapeError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .tensor import Tensor


class TensorLogic:
    """Logical and bitwise methods of `Tensor`."""

    __slots__ = ()

    # ---------------------------------------------------------------- floating classes
    def isnan(self) -> Tensor:
        """True where an element is NaN."""
        return self._wrap(np.isnan(self._data))

    def isinf(self) -> Tensor:
        """True where an element is +inf or -inf."""
        return self._wrap(np.isinf(self._data))

    def isposinf(self) -> Tensor:
        """True where an element is +inf."""
        return self._wrap(np.isposinf(self._data))

    def isneginf(self) -> Tensor:
        """True where an element is -inf."""
        return self._wrap(np.isneginf(self._data))

    def isfinite(self) -> Tensor:
        """True where an element is neither infinite nor NaN."""
        return self._wrap(np.isfinite(self._data))

    def isreal(self) -> Tensor:
        """True everywhere (no complex dtype exists here)."""
        return self._wrap(np.isreal(self._data))

    def nan_to_num(
        self, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
    ) -> Tensor:
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (default: the
        dtype's largest and smallest finite values); the gradient passes elsewhere."""
        data = self._data
        if data.dtype.kind != "f":
            return self.clone()
        info = np.finfo(data.dtype)
        posinf = info.max if posinf is None else posinf
        neginf = info.min if neginf is None else neginf
        out = self.masked_fill(np.isnan(data), nan)
        out = out.masked_fill(np.isposinf(data), posinf)
        return out.masked_fill(np.isneginf(data), neginf)

    # ------------------------------------------------------------------------ logical
    def logical_and(self, other: Tensor | ArrayLike) -> Tensor:
        """``self and other`` elementwise (nonzero is true), as a bool tensor."""
        return _binary(self, other, np.logical_and, "logical_and")

    def logical_or(self, other: Tensor | ArrayLike) -> Tensor:
        """``self or other`` elementwise (nonzero is true), as a bool tensor."""
        return _binary(self, other, np.logical_or, "logical_or")

    def logical_xor(self, other: Tensor | ArrayLike) -> Tensor:
        """Exactly one of ``self`` and ``other`` true, elementwise, as a bool tensor."""
        return _binary(self, other, np.logical_xor, "logical_xor")

    def logical_not(self) -> Tensor:
        """``not self`` elementwise (zero is false), as a bool tensor."""
        return self._wrap(np.logical_not(self._data))

    # ------------------------------------------------------------------------ bitwise
    def bitwise_and(self, other: Tensor | ArrayLike) -> Tensor:
        """Bitwise and of integer or bool tensors; the operator ``&``."""
        return _bitwise(self, other, np.bitwise_and, "bitwise_and")

    def bitwise_or(self, other: Tensor | ArrayLike) -> Tensor:
        """Bitwise or of integer or bool tensors; the operator ``|``."""
        return _bitwise(self, other, np.bitwise_or, "bitwise_or")

    def bitwise_xor(self, other: Tensor | ArrayLike) -> Tensor:
        """Bitwise exclusive or of integer or bool tensors; the operator ``^``."""
        return _bitwise(self, other, np.bitwise_xor, "bitwise_xor")

    def bitwise_not(self) -> Tensor:
        """Bitwise not of an integer or bool tensor (``not`` for bool); the operator ``~``."""
        _check_integral(self._data, "bitwise_not")
        return self._wrap(np.invert(self._data))

    def bitwise_left_shift(self, other: Tensor | ArrayLike) -> Tensor:
        """``self << other`` for integer tensors."""
        return _bitwise(self, other, np.left_shift, "bitwise_left_shift")

    def bitwise_right_shift(self, other: Tensor | ArrayLike) -> Tensor:
        """``self >> other`` for integer tensors."""
        return _bitwise(self, other, np.right_shift, "bitwise_right_shift")

    def __and__(self, other: Tensor | ArrayLike) -> Tensor:
        return self.bitwise_and(other)

    def __or__(self, other: Tensor | ArrayLike) -> Tensor:
        return self.bitwise_or(other)

    def __xor__(self, other: Tensor | ArrayLike) -> Tensor:
        return self.bitwise_xor(other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        return self.bitwise_not()

    def __lshift__(self, other: Tensor | ArrayLike) -> Tensor:
        return self.bitwise_left_shift(other)

    def __rshift__(self, other: Tensor | ArrayLike) -> Tensor:
        return self.bitwise_right_shift(other)

    # --------------------------------------------------------------------- comparison
    def greater(self, other: Tensor | ArrayLike) -> Tensor:
        """``self > other`` (alias of `gt`)."""
        return self.gt(other)

    def greater_equal(self, other: Tensor | ArrayLike) -> Tensor:
        """``self >= other`` (alias of `ge`)."""
        return self.ge(other)

    def less(self, other: Tensor | ArrayLike) -> Tensor:
        """``self < other`` (alias of `lt`)."""
        return self.lt(other)

    def less_equal(self, other: Tensor | ArrayLike) -> Tensor:
        """``self <= other`` (alias of `le`)."""
        return self.le(other)

    def not_equal(self, other: Tensor | ArrayLike) -> Tensor:
        """``self != other`` (alias of `ne`)."""
        return self.ne(other)

    def isclose(
        self,
        other: Tensor | ArrayLike,
        rtol: float = 1e-05,
        atol: float = 1e-08,
        equal_nan: bool = False,
    ) -> Tensor:
        """``|self - other| <= atol + rtol * |other|`` elementwise, as a bool tensor."""
        other = _array(other)
        _check_broadcast(self._data, other, "isclose")
        return self._wrap(np.isclose(self._data, other, rtol=rtol, atol=atol, equal_nan=equal_nan))

    def allclose(
        self,
        other: Tensor | ArrayLike,
        rtol: float = 1e-05,
        atol: float = 1e-08,
        equal_nan: bool = False,
    ) -> bool:
        """True when `isclose` holds for every element."""
        return bool(self.isclose(other, rtol, atol, equal_nan)._data.all())

    def equal(self, other: Tensor) -> bool:
        """True when ``other`` has the same shape and the same values."""
        other = _array(other)
        return self._data.shape == np.shape(other) and bool(np.all(self._data == other))


def _array(x: object) -> object:
    return x._data if isinstance(x, TensorLogic) else x


def _check_broadcast(a: np.ndarray, b: object, op: str) -> None:
    try:
        np.broadcast_shapes(a.shape, np.shape(b))
    except ValueError:
        raise ShapeError(
            f"{op}: the shapes {tuple(a.shape)} and {tuple(np.shape(b))} do not broadcast"
        ) from None


def _binary(self: TensorLogic, other: object, ufunc: Callable, op: str) -> Tensor:
    other = _array(other)
    _check_broadcast(self._data, other, op)
    return self._wrap(np.asarray(ufunc(self._data, other)))


def _check_integral(a: object, op: str) -> None:
    kind = np.asarray(a).dtype.kind if not isinstance(a, (bool, int)) else "i"
    if kind not in "biu":
        raise TypeError(
            f"{op}: only integer and bool tensors are supported, got dtype {np.asarray(a).dtype}"
        )


def _bitwise(self: TensorLogic, other: object, ufunc: Callable, op: str) -> Tensor:
    other = _array(other)
    _check_integral(self._data, op)
    _check_integral(other, op)
    return _binary(self, other, ufunc, op)
