"""Dtypes (NumPy dtypes under PyTorch's names) and the default floating dtype."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

float16 = half = np.dtype("float16")
float32 = float = np.dtype("float32")
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
uint8 = np.dtype("uint8")
int16 = short = np.dtype("int16")
int32 = int = np.dtype("int32")
int64 = long = np.dtype("int64")
bool = np.dtype("bool")

_default = float32


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the dtype of new floating-point tensors (float32 or float64), as in PyTorch."""
    global _default
    d = np.dtype(dtype)
    if d not in (float32, float64, float16):
        raise TypeError(f"set_default_dtype: only floating dtypes are supported, got {d}")
    _default = d


def get_default_dtype() -> np.dtype:
    """The dtype of new floating-point tensors (float32 unless `set_default_dtype` changed it)."""
    return _default


def is_floating_point(dtype: DTypeLike) -> bool:
    """True for a floating-point dtype."""
    return np.dtype(dtype).kind == "f"


def finfo(type: DTypeLike | None = None) -> np.finfo:
    """Machine limits of a floating dtype (default: the default dtype), as ``torch.finfo``:
    ``bits``, ``eps``, ``max``, ``min``, ``tiny``, ``smallest_normal``, ``resolution``.

        >>> mt.finfo(mt.float32).eps.item()
        1.1920928955078125e-07
    """
    dtype = get_default_dtype() if type is None else np.dtype(type)
    if dtype.kind != "f":
        raise TypeError(
            f"finfo() requires a floating point input type, got {dtype}. Use iinfo to handle "
            f"integer types"
        )
    return np.finfo(dtype)


def iinfo(type: DTypeLike) -> np.iinfo:
    """Machine limits of an integer dtype (``bits``, ``min``, ``max``), as ``torch.iinfo``."""
    dtype = np.dtype(type)
    if dtype.kind not in "iub":
        raise TypeError(
            f"iinfo() requires an integer input type, got {dtype}. Use finfo to handle floating "
            f"point types"
        )
    return np.iinfo(np.uint8 if dtype.kind == "b" else dtype)
