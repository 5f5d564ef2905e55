"""Layer arguments: pairs of ints, dropout probabilities, input shapes and dtypes, with errors
that name the layer and argument (on top of ``mt.validation``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.validation import check_float, check_int

if TYPE_CHECKING:
    from minitorch_es import Tensor


def pair(value: int | Sequence[int], name: str, layer: str, low: int = 0) -> tuple:
    """An int or a pair of ints (each ``>= low``) as an ``(h, w)`` tuple (PyTorch's ``_pair``)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(
                f"{layer}: {name} must be an int or a pair of ints, got {len(value)} values "
                f"{tuple(value)}"
            )
        return tuple(check_int(v, name, layer, low=low) for v in value)
    v = check_int(value, name, layer, low=low)
    return (v, v)


def dropout_probability(p: float, where: str) -> float:
    """A dropout probability in [0, 1] (PyTorch's message)."""
    p = check_float(p, "p", where)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{where}: dropout probability has to be between 0 and 1, but got {p}")
    return p


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
    want, have = np.dtype(weight.dtype).name, np.dtype(x.dtype)
    tensor, array = f"x.to(mt.{want})", f"x.astype(np.{want})"
    if not given:
        convert = f"a Tensor x: {tensor}, a NumPy array x: {array}"
    else:
        convert = array if isinstance(x, np.ndarray) else tensor
    model = f" or the model (model.to(mt.{have.name}))" if have.kind == "f" else ""
    raise TypeError(
        f"{op}: expected an input of dtype {want} (the weight's), got {have.name}; convert the "
        f"input ({convert}){model}"
    )
