"""Dtype, device and memory-layout methods of `Tensor` (a mixin): ``to``, ``float()``,
``type_as``, ``element_size``, ``stride``, ``contiguous`` ..."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import devices as _device
from . import dtypes
from . import ops as _ops

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from .tensor import Tensor


class TensorDtype:
    """Dtype, device and layout methods of `Tensor`."""

    __slots__ = ()

    # -------------------------------------------------------------------------- casts
    def to(self, *args, **kwargs) -> Tensor:
        """The tensor converted to a dtype and/or device, as ``torch.Tensor.to``:
        ``to(dtype)``, ``to(device, dtype=None)``, ``to(other)`` (its dtype and device), with
        ``copy=False`` and ``non_blocking`` (ignored). Returns ``self`` when nothing changes
        (a copy with ``copy=True``); a floating cast keeps the graph. Only the CPU exists:
        another device raises.

            >>> mt.ones(2).to("cpu", mt.float64).dtype
            torch.float64
        """
        dtype, dev, copy = _to_arguments(args, kwargs)
        _device.check_device(dev)
        dtype = self._data.dtype if dtype is None else dtype
        if dtype == self._data.dtype:
            return self.clone() if copy else self
        if self._requires_grad and dtype.kind == "f":
            return _ops.Cast.apply(self, dtype)
        return self._wrap(self._data.astype(dtype))

    def type(
        self, dtype: DTypeLike | type | str | None = None, non_blocking: bool = False
    ) -> Tensor | str:
        """Without an argument, the legacy type name (``'torch.FloatTensor'``); with a dtype, a
        legacy type (``mt.LongTensor``) or its name (``'torch.LongTensor'``), ``self`` cast to
        it (``self`` itself when it already is), as ``torch.Tensor.type``.

            >>> mt.ones(2).type(), mt.ones(2).type("torch.LongTensor").dtype
            ('torch.FloatTensor', torch.int64)
        """
        if dtype is None:
            return f"torch.{TYPE_NAMES.get(self._data.dtype.name, 'Tensor')}"
        return self.to(_legacy_dtype(dtype))

    def type_as(self, other: Tensor) -> Tensor:
        """``self.to(other.dtype)``."""
        return self.to(other.dtype)

    def float(self) -> Tensor:
        """``self.to(mt.float32)``."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """``self.to(mt.float64)``."""
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        """``self.to(mt.float16)``."""
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        """``self.to(mt.int64)``."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """``self.to(mt.int32)``."""
        return self.to(dtypes.int32)

    def short(self) -> Tensor:
        """``self.to(mt.int16)``."""
        return self.to(dtypes.int16)

    def char(self) -> Tensor:
        """``self.to(mt.int8)``."""
        return self.to(dtypes.int8)

    def byte(self) -> Tensor:
        """``self.to(mt.uint8)``."""
        return self.to(dtypes.uint8)

    def bool(self) -> Tensor:
        """``self.to(mt.bool)``."""
        return self.to(dtypes.bool)

    def is_floating_point(self) -> bool:
        """True for a floating-point dtype."""
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        """True for a complex dtype (never, today)."""
        return self._data.dtype.kind == "c"

    # ------------------------------------------------------------------------- device
    @property
    def device(self) -> _device.device:
        """The device holding this tensor (always ``device(type='cpu')``)."""
        return _device.CPU

    @property
    def is_cuda(self) -> bool:
        """False: tensors live on the CPU."""
        return False

    def cpu(self) -> Tensor:
        """``self`` (tensors already live on the CPU)."""
        return self

    def cuda(self, device: _device.device | str | int | None = None) -> Tensor:
        """Raises: no GPU backend is installed (see `mt.device`)."""
        _device.backend_of(_device.device("cuda") if device is None else device)
        return self  # pragma: no cover  (only reached with a registered CUDA backend)

    # ------------------------------------------------------------------------- memory
    def clone(self, *, memory_format: object = None) -> Tensor:
        """A copy of the data (C-contiguous); the copy stays in the graph when ``self``
        requires grad."""
        return _ops.Clone.apply(self)

    def contiguous(self, memory_format: object = None) -> Tensor:
        """``self`` when its elements are laid out in row-major order, else a copy that is."""
        return self if self._data.flags.c_contiguous else self.clone()

    def is_contiguous(self, memory_format: object = None) -> bool:
        """True when the elements are laid out in row-major (C) order without gaps."""
        return bool(self._data.flags.c_contiguous)

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The step in elements between neighbours along each dimension (or ``dim``)."""
        size = self._data.itemsize
        strides = tuple(s // size for s in self._data.strides)
        if dim is None:
            return strides
        return strides[_ops.reduction.wrap_dim(dim, self._data.ndim, "stride")]

    def storage_offset(self) -> int:
        """The position of the first element in the memory it shares with its base tensor,
        in elements."""
        owner = self._data
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        return (_address(self._data) - _address(owner)) // self._data.itemsize

    def data_ptr(self) -> int:
        """The address of the first element."""
        return _address(self._data)

    def element_size(self) -> int:
        """The size of one element in bytes."""
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        """The size of one element in bytes."""
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        """The size of all elements in bytes."""
        return self._data.nbytes


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


def _to_arguments(args: tuple, kwargs: dict):
    """(dtype, device, copy) from the overloads of ``Tensor.to``."""
    kwargs = dict(kwargs)
    dtype, dev = kwargs.pop("dtype", None), kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword argument(s) {sorted(kwargs)}")
    for a in args:
        if isinstance(a, TensorDtype):
            dtype, dev = a._data.dtype, a.device
        elif isinstance(a, (str, _device.device)) and not _is_dtype_name(a):
            dev = a
        elif isinstance(a, bool):
            pass  # to(dtype, non_blocking) / copy given positionally: non_blocking is ignored
        elif isinstance(a, int):
            dev = a
        else:
            try:
                dtype = dtypes.numpy_dtype(a)
            except TypeError:
                raise TypeError(
                    f"to() received an invalid combination of arguments: expected a dtype, a "
                    f"device or a Tensor, got {type(a).__name__} {a!r}"
                ) from None
    if dtype is not None:
        dtype = dtypes.numpy_dtype(dtype, "to")
    return dtype, dev, copy


def _is_dtype_name(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dtypes.numpy_dtype(value)
    except TypeError:
        return False
    return True


def _legacy_dtype(value: object) -> np.dtype:
    """The dtype ``Tensor.type(value)`` casts to (PyTorch's errors for what it refuses)."""
    from .tensor import Tensor

    if value is Tensor or value == "torch.Tensor":
        return dtypes.get_default_dtype()
    if isinstance(value, type) and isinstance(getattr(value, "dtype", None), dtypes.dtype):
        return dtypes.numpy_dtype(value.dtype)  # a legacy type, mt.FloatTensor ...
    if isinstance(value, (dtypes.dtype, np.dtype)):
        return dtypes.numpy_dtype(value)
    if isinstance(value, str):
        if value.startswith("torch.cuda."):
            _device.check_device("cuda")
        if value in _BY_TYPE_NAME:
            return np.dtype(_BY_TYPE_NAME[value])
        raise ValueError(f"invalid type: {value!r}")
    if isinstance(value, type):
        raise ValueError(f"invalid type: '{value.__module__}.{value.__qualname__}'")
    raise TypeError("dtype must be a type, str, or dtype object")


# The legacy type (``torch.FloatTensor`` ...) of each dtype, as ``Tensor.type()`` names it.
TYPE_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "float16": "HalfTensor",
    "int64": "LongTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "uint8": "ByteTensor",
    "bool": "BoolTensor",
}
_BY_TYPE_NAME = {f"torch.{name}": dtype for dtype, name in TYPE_NAMES.items()}
