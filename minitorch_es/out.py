"""``out=``: writing a function's result into a given tensor, as PyTorch does."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from .autograd import grad_mode
from .promotion import can_cast

if TYPE_CHECKING:
    from .tensor import Tensor


def write_out(out: Tensor | tuple, result: Tensor | tuple, op: str) -> Tensor | tuple:
    """Copy ``result`` into ``out`` (a Tensor, or a tuple for several results) and return
    ``out``. As in PyTorch: refused when autograd would have to track it, a result type that
    cannot be cast to ``out``'s dtype is an error, and ``out`` is resized to the result's
    shape (with a warning when it had elements)."""
    from .tensor import Tensor

    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{op}(): out must be a tuple of {len(result)} tensors")
        written = tuple(write_out(o, r, op) for o, r in zip(out, result))
        return type(result)(*written) if hasattr(result, "_fields") else written
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if grad_mode._enabled and (result._requires_grad or out._requires_grad):
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic "
            f"differentiation, but one of the arguments requires grad."
        )
    if not can_cast(result.dtype, out.dtype):
        raise RuntimeError(
            f"{op}(): result type {result.dtype} can't be cast to the desired output type "
            f"{out.dtype}"
        )
    if out._data.shape != result._data.shape:
        if out._data.size:
            warnings.warn(
                f"{op}(): an output with one or more elements was resized since it had shape "
                f"{tuple(out.shape)}, which does not match the required output shape "
                f"{tuple(result.shape)}",
                UserWarning,
                stacklevel=3,
            )
        out._data = np.empty(result._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._version[0] += 1
    return out
