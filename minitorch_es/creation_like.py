"""The ``*_like`` factories: ``zeros_like``, ``ones_like``, ``empty_like``, ``full_like`` make
a tensor of another's shape (and dtype, unless told otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import devices as _device
from .dtypes import numpy_dtype
from .tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from .devices import device as Device


def _like(
    input: Tensor,
    dtype: DTypeLike | None,
    device: Device | str | None,
    requires_grad: bool,
    make: object,
) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"expected a Tensor as input, got {type(input).__name__}")
    _device.check_device(device)
    dtype = input._data.dtype if dtype is None else numpy_dtype(dtype, "*_like")
    return Tensor(make(input._data.shape, dtype), requires_grad)


def zeros_like(
    input: Tensor,
    *,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    memory_format: object = None,
) -> Tensor:
    """Zeros with the shape (and, unless ``dtype`` is given, the dtype) of ``input``."""
    return _like(input, dtype, device, requires_grad, np.zeros)


def ones_like(
    input: Tensor,
    *,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    memory_format: object = None,
) -> Tensor:
    """Ones with the shape (and, unless ``dtype`` is given, the dtype) of ``input``."""
    return _like(input, dtype, device, requires_grad, np.ones)


def empty_like(
    input: Tensor,
    *,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    memory_format: object = None,
) -> Tensor:
    """An uninitialised tensor like ``input`` (zeros here, see `empty`)."""
    return _like(input, dtype, device, requires_grad, np.zeros)


def full_like(
    input: Tensor,
    fill_value: float | bool,
    *,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    memory_format: object = None,
) -> Tensor:
    """``fill_value`` everywhere, with the shape (and, unless ``dtype`` is given, the dtype)
    of ``input``."""
    return _like(input, dtype, device, requires_grad, lambda s, d: np.full(s, fill_value, dtype=d))
