"""Deterministic factories: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``/``ones``/
``empty``/``full`` (and their ``_like`` forms), ``eye``, ``arange``, ``linspace``,
``logspace``. Each takes PyTorch's ``dtype=``, ``device=`` (the CPU) and ``requires_grad=``;
random factories are in `minitorch_es.sampling`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import devices as _device
from .dtypes import get_default_dtype, numpy_dtype
from .size import size_of
from .tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from .devices import device as Device


def tensor(
    data: Tensor | ArrayLike,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a Tensor).

    Python floats become the default dtype (float32); NumPy arrays keep their dtype, as in
    PyTorch.

        >>> mt.tensor([[1., 2.], [3., 4.]])
        tensor([[1., 2.],
                [3., 4.]])
        >>> mt.tensor([1, 2]).dtype, mt.tensor(0.5, dtype=mt.float64).dtype
        (torch.int64, torch.float64)
    """
    _device.check_device(device)
    dtype = None if dtype is None else numpy_dtype(dtype, "tensor")
    source = data._data if isinstance(data, Tensor) else data
    keeps_dtype = isinstance(source, (np.ndarray, np.generic))
    if isinstance(source, (list, tuple)) and any(isinstance(v, Tensor) for v in source):
        source = [np.asarray(v) for v in source]  # a list of tensors (one element each)
    try:
        arr = np.array(source, dtype=dtype, copy=True)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"mt.tensor expected numbers or (nested) sequences of numbers of a regular shape, "
            f"got {type(data).__name__}: {e}"
        ) from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"mt.tensor expected numeric data (bool, int or float), got an array of dtype "
            f"{arr.dtype} from {type(data).__name__}"
        )
    if dtype is None and not keeps_dtype and arr.dtype == np.float64:
        arr = arr.astype(get_default_dtype())
    return Tensor(arr, requires_grad=requires_grad)


def as_tensor(
    data: Tensor | ArrayLike, dtype: DTypeLike | None = None, device: Device | str | None = None
) -> Tensor:
    """Like `tensor`, but returns ``data`` itself when it already is a Tensor of ``dtype``,
    and shares the memory of a NumPy array of that dtype."""
    _device.check_device(device)
    if isinstance(data, Tensor):
        return (
            data
            if dtype is None or data.dtype == numpy_dtype(dtype, "as_tensor")
            else data.to(dtype)
        )
    if isinstance(data, np.ndarray) and (
        dtype is None or data.dtype == numpy_dtype(dtype, "as_tensor")
    ):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` and keeping its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype} (expected bool/int/float)")
    return Tensor(array)


def _made(
    data: np.ndarray, device: object, requires_grad: bool, out: Tensor | None, op: str
) -> Tensor:
    """The new tensor (or ``out`` holding its values), after checking ``device``."""
    _device.check_device(device)
    if out is not None:
        from .out import write_out

        return write_out(out, Tensor._wrap(data), op)
    return Tensor(data, requires_grad=requires_grad)


def _dtype(dtype: DTypeLike | None, op: str) -> np.dtype:
    return get_default_dtype().dtype if dtype is None else numpy_dtype(dtype, op)


def zeros(
    *size,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    **kwargs,
) -> Tensor:
    """A tensor of zeros: ``mt.zeros(2, 3)`` or ``mt.zeros((2, 3))``; the default dtype unless
    ``dtype`` is given."""
    shape = size_of(_size_arg(size, kwargs, "zeros"), "zeros")
    return _made(np.zeros(shape, dtype=_dtype(dtype, "zeros")), device, requires_grad, out, "zeros")


def ones(
    *size,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    **kwargs,
) -> Tensor:
    """A tensor of ones: ``mt.ones(2, 3)`` or ``mt.ones((2, 3))``; the default dtype unless
    ``dtype`` is given."""
    shape = size_of(_size_arg(size, kwargs, "ones"), "ones")
    return _made(np.ones(shape, dtype=_dtype(dtype, "ones")), device, requires_grad, out, "ones")


def empty(
    *size,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
    **kwargs,
) -> Tensor:
    """A tensor whose values are to be written before use. Unlike PyTorch's (whatever the
    memory held), they are zeros here, so a program that reads them is reproducible."""
    shape = size_of(_size_arg(size, kwargs, "empty"), "empty")
    return _made(np.zeros(shape, dtype=_dtype(dtype, "empty")), device, requires_grad, out, "empty")


def full(
    size: int | Sequence[int],
    fill_value: float | bool,
    *,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value (a
    float gives the default dtype, an int int64, a bool bool), as in PyTorch."""
    dtype = _value_dtype(fill_value) if dtype is None else numpy_dtype(dtype, "full")
    data = np.full(size_of((size,), "full"), fill_value, dtype=dtype)
    return _made(data, device, requires_grad, out, "full")


def _value_dtype(value: object) -> np.dtype:
    kind = np.asarray(getattr(value, "_data", value)).dtype.kind
    return get_default_dtype() if kind == "f" else np.dtype(bool if kind == "b" else np.int64)


def _size_arg(size: tuple, kwargs: dict, op: str) -> tuple:
    if "size" in kwargs:
        if size:
            raise TypeError(f"{op}() got the size both positionally and as size=")
        size = (kwargs.pop("size"),)
    kwargs.pop("layout", None)
    kwargs.pop("pin_memory", None)
    if kwargs:
        raise TypeError(f"{op}() got unexpected keyword argument(s) {sorted(kwargs)}")
    return size


def eye(
    n: int,
    m: int | None = None,
    *,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """An ``n x m`` (default ``n x n``) matrix with ones on the diagonal."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"eye: n and m must be non-negative, got n={n}, m={m}")
    return _made(np.eye(n, m, dtype=_dtype(dtype, "eye")), device, requires_grad, out, "eye")


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    *,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; ``arange(n)`` counts from 0.
    All-integer arguments give int64, otherwise the default float dtype, as in PyTorch."""
    if end is None:
        start, end = 0, start
    values = [getattr(v, "_data", v) for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("arange: upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        integral = all(np.asarray(v).dtype.kind in "iub" for v in values)
        dtype = np.int64 if integral else get_default_dtype()
    start, end, step = (np.asarray(v).item() for v in values)
    data = np.arange(
        start, end, step, dtype=np.float64 if numpy_dtype(dtype, "arange").kind == "f" else None
    )
    return _made(data.astype(dtype), device, requires_grad, out, "arange")


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    data = np.linspace(float(start), float(end), steps).astype(_dtype(dtype, "linspace"))
    return _made(data, device, requires_grad, out, "linspace")


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    out: Tensor | None = None,
    dtype: DTypeLike | None = None,
    device: Device | str | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` values ``base ** e`` for ``e`` evenly spaced from ``start`` to ``end``."""
    if steps < 0:
        raise RuntimeError("logspace: number of steps must be non-negative")
    data = np.logspace(float(start), float(end), steps, base=base).astype(_dtype(dtype, "logspace"))
    return _made(data, device, requires_grad, out, "logspace")
