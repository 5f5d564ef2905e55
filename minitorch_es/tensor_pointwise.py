"""Elementwise math methods of `Tensor` beyond the operators (a mixin): ``add``/``sub``/
``div`` with their options, trigonometry, exponentials and logarithms, rounding,
``fmod``/``remainder``, ``lerp``/``addcmul``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import ops as _ops
from .promotion import operands_dtype, promoted
from .tensor_math import _operand

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .tensor import Tensor


class TensorPointwise:
    """Elementwise math methods of `Tensor`."""

    __slots__ = ()

    # -------------------------------------------------------------------- arithmetic
    def add(self, other: Tensor | ArrayLike, *, alpha: float = 1) -> Tensor:
        """``self + alpha * other``."""
        other = _operand(other, self)
        return _ops.Add.apply(self, other if alpha == 1 else other * alpha)

    def sub(self, other: Tensor | ArrayLike, *, alpha: float = 1) -> Tensor:
        """``self - alpha * other``; alias ``subtract``."""
        other = _operand(other, self)
        return _ops.Sub.apply(self, other if alpha == 1 else other * alpha)

    subtract = sub

    def div(self, other: Tensor | ArrayLike, *, rounding_mode: str | None = None) -> Tensor:
        """``self / other``; ``rounding_mode='trunc'`` rounds toward zero, ``'floor'`` down
        (integers then stay integers); alias ``divide``."""
        if rounding_mode is None:
            return _ops.Div.apply(self, _operand(other, self))
        if rounding_mode == "floor":
            return self.floor_divide(other)
        if rounding_mode != "trunc":
            raise ValueError(
                f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"{rounding_mode!r}"
            )
        a, b = self._data, _array(other)
        want = operands_dtype(a, b)
        if want.kind == "f":
            return (self / other).trunc()
        with np.errstate(divide="ignore", invalid="ignore"):  # integers: exact in float64
            return self._wrap(np.asarray(np.trunc(np.true_divide(a, b))).astype(want))

    divide = div

    def neg(self) -> Tensor:
        """``-self``; alias ``negative``."""
        return _ops.Neg.apply(self)

    negative = neg

    # ------------------------------------------------------------------ trigonometry
    def sin(self) -> Tensor:
        """The sine, elementwise."""
        return _ops.Sin.apply(self)

    def cos(self) -> Tensor:
        """The cosine, elementwise."""
        return _ops.Cos.apply(self)

    def tan(self) -> Tensor:
        """The tangent, elementwise."""
        return _ops.Tan.apply(self)

    def asin(self) -> Tensor:
        """The inverse sine (on [-1, 1]); alias ``arcsin``."""
        return _ops.Asin.apply(self)

    def acos(self) -> Tensor:
        """The inverse cosine (on [-1, 1]); alias ``arccos``."""
        return _ops.Acos.apply(self)

    def atan(self) -> Tensor:
        """The inverse tangent; alias ``arctan``."""
        return _ops.Atan.apply(self)

    def atan2(self, other: Tensor | ArrayLike) -> Tensor:
        """The angle of the point ``(other, self)`` in (-pi, pi]; alias ``arctan2``."""
        return _ops.Atan2.apply(self, _operand(other, self))

    def sinh(self) -> Tensor:
        """The hyperbolic sine."""
        return _ops.Sinh.apply(self)

    def cosh(self) -> Tensor:
        """The hyperbolic cosine."""
        return _ops.Cosh.apply(self)

    def asinh(self) -> Tensor:
        """The inverse hyperbolic sine; alias ``arcsinh``."""
        return _ops.Asinh.apply(self)

    def acosh(self) -> Tensor:
        """The inverse hyperbolic cosine (on [1, inf)); alias ``arccosh``."""
        return _ops.Acosh.apply(self)

    def atanh(self) -> Tensor:
        """The inverse hyperbolic tangent (on (-1, 1)); alias ``arctanh``."""
        return _ops.Atanh.apply(self)

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
    arcsinh, arccosh, arctanh = asinh, acosh, atanh

    # ------------------------------------------------------- exponentials, logarithms
    def exp2(self) -> Tensor:
        """``2 ** self``."""
        return _ops.Exp2.apply(self)

    def expm1(self) -> Tensor:
        """``exp(self) - 1``, accurate near 0."""
        return _ops.Expm1.apply(self)

    def log1p(self) -> Tensor:
        """``log(1 + self)``, accurate near 0."""
        return _ops.Log1p.apply(self)

    def log2(self) -> Tensor:
        """The base-2 logarithm."""
        return _ops.Log2.apply(self)

    def log10(self) -> Tensor:
        """The base-10 logarithm."""
        return _ops.Log10.apply(self)

    def rsqrt(self) -> Tensor:
        """``1 / sqrt(self)``."""
        return _ops.Rsqrt.apply(self)

    def reciprocal(self) -> Tensor:
        """``1 / self`` (integers give the default float dtype)."""
        return _ops.Reciprocal.apply(self)

    def square(self) -> Tensor:
        """``self ** 2``."""
        return self**2

    def erf(self) -> Tensor:
        """The error function ``2 / sqrt(pi) * integral_0^x exp(-t^2) dt``."""
        return _ops.Erf.apply(self)

    def erfc(self) -> Tensor:
        """``1 - erf(self)``."""
        return 1 - _ops.Erf.apply(self)

    def erfinv(self) -> Tensor:
        """The inverse of `erf` on (-1, 1)."""
        return _ops.Erfinv.apply(self)

    def float_power(self, exponent: Tensor | ArrayLike) -> Tensor:
        """``self ** exponent`` computed in float64 (the result is float64), as PyTorch."""
        exponent = exponent.double() if isinstance(exponent, TensorPointwise) else exponent
        return self.double() ** exponent

    # ---------------------------------------------------------------------- rounding
    def floor(self) -> Tensor:
        """The largest integer ``<=`` each element (gradient zero)."""
        return _ops.Floor.apply(self)

    def ceil(self) -> Tensor:
        """The smallest integer ``>=`` each element (gradient zero)."""
        return _ops.Ceil.apply(self)

    def round(self, decimals: int = 0) -> Tensor:
        """Each element rounded to ``decimals`` places, halves to even (gradient zero)."""
        return _ops.Round.apply(self, decimals=int(decimals))

    def trunc(self) -> Tensor:
        """Each element rounded toward zero (gradient zero); alias ``fix``."""
        return _ops.Trunc.apply(self)

    fix = trunc

    def frac(self) -> Tensor:
        """The fractional part ``self - trunc(self)``."""
        return _ops.Frac.apply(self)

    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign of each element (gradient zero); alias ``sgn``."""
        return _ops.Sign.apply(self)

    sgn = sign

    # --------------------------------------------------------------- binary elementwise
    def fmod(self, other: Tensor | ArrayLike) -> Tensor:
        """The remainder of ``self / other`` with the sign of ``self`` (C's fmod)."""
        return _ops.Fmod.apply(self, _operand(other, self))

    def remainder(self, other: Tensor | ArrayLike) -> Tensor:
        """The remainder of ``self / other`` with the sign of ``other`` (Python's ``%``)."""
        return _ops.Remainder.apply(self, _operand(other, self))

    def __mod__(self, other: Tensor | ArrayLike) -> Tensor:
        return self.remainder(other)

    def __rmod__(self, other: Tensor | ArrayLike) -> Tensor:
        return _ops.Remainder.apply(_operand(other, self), self)

    def floor_divide(self, other: Tensor | ArrayLike) -> Tensor:
        """``floor(self / other)`` (integers stay integers; no gradient), as ``//``."""
        a, b = self._data, _array(other)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._wrap(np.asarray(promoted(np.floor_divide(a, b), a, b)))

    def __floordiv__(self, other: Tensor | ArrayLike) -> Tensor:
        return self.floor_divide(other)

    def __rfloordiv__(self, other: Tensor | ArrayLike) -> Tensor:
        a, b = _array(other), self._data
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._wrap(np.asarray(promoted(np.floor_divide(a, b), a, b)))

    def __abs__(self) -> Tensor:
        return self.abs()

    def fmax(self, other: Tensor | ArrayLike) -> Tensor:
        """The elementwise larger of ``self`` and ``other``, ignoring NaN."""
        return _ops.Fmax.apply(self, _operand(other, self))

    def fmin(self, other: Tensor | ArrayLike) -> Tensor:
        """The elementwise smaller of ``self`` and ``other``, ignoring NaN."""
        return _ops.Fmin.apply(self, _operand(other, self))

    def clamp_min(self, min: float | Tensor) -> Tensor:
        """``clamp(min=min)``."""
        return self.clamp(min=min)

    def clamp_max(self, max: float | Tensor) -> Tensor:
        """``clamp(max=max)``."""
        return self.clamp(max=max)

    def lerp(self, end: Tensor | ArrayLike, weight: float | Tensor) -> Tensor:
        """``self + weight * (end - self)``: linear interpolation toward ``end``."""
        return self + weight * (_operand(end, self) - self)

    def addcmul(
        self, tensor1: Tensor | ArrayLike, tensor2: Tensor | ArrayLike, *, value: float = 1
    ) -> Tensor:
        """``self + value * tensor1 * tensor2``."""
        return self + value * _operand(tensor1, self) * _operand(tensor2, self)

    def addcdiv(
        self, tensor1: Tensor | ArrayLike, tensor2: Tensor | ArrayLike, *, value: float = 1
    ) -> Tensor:
        """``self + value * tensor1 / tensor2``."""
        return self + value * _operand(tensor1, self) / _operand(tensor2, self)


def _array(x: object) -> object:
    return x._data if isinstance(x, TensorPointwise) else x
