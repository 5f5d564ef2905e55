"""Validation of layer constructor arguments, with errors that name the layer and argument."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from minitorch_es import Tensor


def check_int(layer: str, name: str, value: int, minimum: int = 0) -> int:
    """``value`` as an int >= ``minimum``; anything else is a TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{layer}: {name} must be an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{layer}: {name} must be >= {minimum}, got {value}")
    return int(value)


def pair(layer: str, name: str, value: int | Sequence[int], minimum: int = 0) -> tuple:
    """An int or a pair of ints as an ``(h, w)`` tuple (PyTorch's ``_pair``)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{layer}: {name} must be an int or a pair of ints, got {len(value)} values "
                f"{tuple(value)}"
            )
        return tuple(check_int(layer, name, v, minimum) for v in value)
    v = check_int(layer, name, value, minimum)
    return (v, v)


def check_probability(layer: str, p: float) -> float:
    """A dropout probability in [0, 1] (PyTorch's message)."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{layer}: p must be a float, got {type(p).__name__} ({p!r})")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{layer}: dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def describe_shape(x: Tensor | np.ndarray) -> tuple:
    """The shape of a Tensor or array as a plain tuple (for error messages)."""
    return tuple(int(n) for n in getattr(x, "shape", ()))


def check_same_dtype(
    op: str, x: Tensor | np.ndarray, weight: Tensor | np.ndarray, given: bool = False
) -> None:
    """PyTorch refuses an input whose dtype differs from the weight's; so do we, rather than
    silently promoting a float32 graph to float64 (or computing on integer pixels). With
    ``given`` (``x`` is what the user passed) the advice names the conversion of its type, a
    NumPy array's or a Tensor's; inside a Function (arrays only) it names both."""
    if x.dtype == weight.dtype:
        return
    want = np.dtype(weight.dtype).name
    tensor, array = f"x.to(mt.{want})", f"x.astype(np.{want})"
    if not given:
        convert = f"a Tensor x: {tensor}, a NumPy array x: {array}"
    else:
        convert = array if isinstance(x, np.ndarray) else tensor
    model = f" or the model (model.to(mt.{x.dtype}))" if np.dtype(x.dtype).kind == "f" else ""
    raise TypeError(
        f"{op}: expected an input of dtype {want} (the weight's), got {x.dtype}; convert the "
        f"input ({convert}){model}"
    )
