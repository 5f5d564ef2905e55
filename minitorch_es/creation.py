"""Factory functions: ``tensor``, ``from_numpy``, ``zeros``, ``ones``, ``randn`` ..."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import random as _random
from .dtypes import get_default_dtype
from .tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike


def tensor(
    data: Tensor | ArrayLike, dtype: DTypeLike | None = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a Tensor).

    Python floats become the default dtype (float32); NumPy arrays keep their dtype, as in
    PyTorch.

        >>> mt.tensor([[1., 2.], [3., 4.]])
        tensor([[1., 2.],
                [3., 4.]])
        >>> mt.tensor([1, 2]).dtype, mt.tensor(0.5, dtype=mt.float64).dtype
        (dtype('int64'), dtype('float64'))
    """
    source = data._data if isinstance(data, Tensor) else data
    keeps_dtype = isinstance(source, (np.ndarray, np.generic))
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


def as_tensor(data: Tensor | ArrayLike, dtype: DTypeLike | None = None) -> Tensor:
    """Like `tensor`, but returns ``data`` itself when it already is a Tensor of ``dtype``."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == np.dtype(dtype)):
        return data
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` and keeping its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expected a numpy.ndarray, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype} (expected bool/int/float)")
    return Tensor(array)


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    try:
        return tuple(int(n) for n in size)
    except (TypeError, ValueError):
        raise TypeError(
            f"expected a size as integers or one tuple of integers, got {size}"
        ) from None


def _float_dtype(dtype: DTypeLike | None):
    return get_default_dtype() if dtype is None else np.dtype(dtype)


def zeros(*size, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros: ``mt.zeros(2, 3)`` or ``mt.zeros((2, 3))``; the default dtype unless
    ``dtype`` is given."""
    return Tensor(np.zeros(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def ones(*size, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones: ``mt.ones(2, 3)`` or ``mt.ones((2, 3))``; the default dtype unless
    ``dtype`` is given."""
    return Tensor(np.ones(_size(size), dtype=_float_dtype(dtype)), requires_grad)


def full(
    size: int | Sequence[int],
    fill_value: float,
    dtype: DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``; the dtype follows the value (a
    float gives the default dtype, an int int64, a bool bool), as in PyTorch."""
    if dtype is None:
        kind = np.asarray(fill_value).dtype.kind
        dtype = get_default_dtype() if kind == "f" else (np.bool_ if kind == "b" else np.int64)
    return Tensor(np.full(_size((size,)), fill_value, dtype=dtype), requires_grad)


def zeros_like(t: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless ``dtype`` is given, the dtype) of ``t``."""
    return Tensor(np.zeros_like(t._data, dtype=dtype), requires_grad)


def ones_like(t: Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless ``dtype`` is given, the dtype) of ``t``."""
    return Tensor(np.ones_like(t._data, dtype=dtype), requires_grad)


def eye(
    n: int, m: int | None = None, dtype: DTypeLike | None = None, requires_grad: bool = False
) -> Tensor:
    """An ``n x m`` (default ``n x n``) matrix with ones on the diagonal."""
    return Tensor(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; ``arange(n)`` counts from 0.
    All-integer arguments give int64, otherwise the default float dtype, as in PyTorch."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if integral else get_default_dtype()
    return Tensor(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: DTypeLike | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    return Tensor(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def _draw(op: str, method: Callable[..., np.ndarray], size: tuple, dtype: DTypeLike) -> np.ndarray:
    # NumPy draws float32 / float64 only; float16 (a valid default dtype) is rounded from float32.
    dtype = _float_dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: expected a floating point dtype, got {dtype}")
    direct = dtype if dtype in (np.float32, np.float64) else np.float32
    return method(_size(size), dtype=direct).astype(dtype, copy=False)


def randn(*size, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the package generator."""
    return Tensor(_draw("randn", _random.generator().standard_normal, size, dtype), requires_grad)


def rand(*size, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1) from the package generator."""
    data = _draw("rand", _random.generator().random, size, dtype)
    if data.dtype not in (np.float32, np.float64):  # rounded from float32, it may reach 1.0
        data = np.minimum(data, np.nextafter(data.dtype.type(1), data.dtype.type(0)))
    return Tensor(data, requires_grad)


def randint(
    low: int,
    high: int | Sequence[int] | None = None,
    size: int | Sequence[int] = (),
    dtype: DTypeLike | None = None,
) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` and ``randint(low, high, size)`` as in
    PyTorch."""
    if isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    data = _random.generator().integers(low, high, size=_size((size,)), dtype=dtype or np.int64)
    return Tensor(data)


def randperm(n: int) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64) from the package generator."""
    return Tensor(_random.generator().permutation(n).astype(np.int64))
