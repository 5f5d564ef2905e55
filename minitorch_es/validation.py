"""Argument checks for the core and for plugins (``mt.validation``), with errors that say what
was expected, what was received and where.

Every check has one signature, ``check_<kind>(value, name, where, **limits)``: ``name`` is the
argument's name, ``where`` the place that received it (a class, a function, a file). It returns
the value normalised (a Python ``int``, ``float`` ...) and raises TypeError for a value of the
wrong kind, ValueError for one out of range. A bool is not accepted as a number. Where an
error must keep another wording (PyTorch's), the predicates `is_int` and `is_real` say what
the checks accept.

    >>> mt.validation.check_int(3, "units", "Dense", low=1)
    3
    >>> mt.validation.check_float(1.5, "p", "Dropout", low=0, high=1)
    Traceback (most recent call last):
    ValueError: Dropout: p must be a real number in [0, 1], got 1.5
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection
from typing import Any

from .ops.reduction import wrap_dim
from .tensor import Tensor


def is_int(value: Any) -> bool:
    """Whether ``value`` is an integer (Python or NumPy) and not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: Any) -> bool:
    """Whether ``value`` is a real number (Python or NumPy, NaN included) and not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(
    value: Any, name: str, where: str, *, low: int | None = None, high: int | None = None
) -> int:
    """``value`` as an ``int`` (a NumPy integer too), with ``low <= value <= high`` when given."""
    # The message is built only on failure: these checks run on every call of some ops.
    if not is_int(value):
        wanted = "an int" + _range(low, high, False, False)
        raise TypeError(f"{where}: {name} must be {wanted}, got {_shown(value)}")
    if (low is not None and value < low) or (high is not None and value > high):
        wanted = "an int" + _range(low, high, False, False)
        raise ValueError(f"{where}: {name} must be {wanted}, got {value!r}")
    return int(value)


def check_float(
    value: Any,
    name: str,
    where: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    finite: bool = False,
) -> float:
    """``value`` as a ``float`` (any real number), within ``low`` / ``high`` when given (excluded
    with ``low_open`` / ``high_open``); NaN is always out of range, and with ``finite`` so are
    the infinities."""

    def wanted() -> str:  # built only on failure
        kind = "a finite real number" if finite else "a real number"
        return kind + _range(low, high, low_open, high_open)

    if not is_real(value):
        raise TypeError(f"{where}: {name} must be {wanted()}, got {_shown(value)}")
    x = float(value)
    inside = not math.isnan(x) and (math.isfinite(x) or not finite)
    if low is not None:
        inside = inside and (x > low if low_open else x >= low)
    if high is not None:
        inside = inside and (x < high if high_open else x <= high)
    if not inside:
        raise ValueError(f"{where}: {name} must be {wanted()}, got {value!r}")
    return x


def check_choice(value: Any, name: str, where: str, *, choices: Collection) -> Any:
    """``value`` if it is one of ``choices``."""
    try:
        ok = value in choices
    except TypeError:  # an unhashable value looked up in a set
        ok = False
    if not ok:
        options = ", ".join(map(repr, choices))
        raise ValueError(f"{where}: {name} must be one of {options}, got {value!r}")
    return value


def check_dim(value: Any, ndim: int, where: str) -> int:
    """``value`` (an int) as a non-negative axis of a tensor with ``ndim`` dimensions, negative
    values counting from the end; out of range is PyTorch's IndexError, never a wrap-around.

        >>> mt.validation.check_dim(-1, 3, "softmax")
        2
    """
    return wrap_dim(check_int(value, "dim", where), ndim, where)


def check_tensor(value: Any, name: str, where: str, *, floating: bool = False) -> Tensor:
    """``value`` if it is a Tensor (of a floating-point dtype with ``floating``)."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{where}: {name} must be a Tensor, got {type(value).__name__}")
    if floating and value.dtype.kind != "f":
        raise TypeError(
            f"{where}: {name} must be a floating-point Tensor, got dtype {value.dtype} "
            f"(convert it with .float() first)"
        )
    return value


def _range(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def _shown(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"
