"""PyTorch's type promotion: the dtype of ``a + b`` for tensors, 0-d tensors and numbers.

Operands rank in three tiers: tensors with dimensions, 0-d tensors, Python numbers. The
result is the promoted dtype of the highest tier, unless a lower tier holds a higher category
(bool < integer < floating): then that category wins, and a Python float stands for the
default dtype. So ``int64 tensor + 2.5`` is float32 and ``float32 tensor + float64 0-d
tensor`` stays float32, where NumPy answers float64 for both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .dtypes import dtype, get_default_dtype, numpy_dtype, of_numpy

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def category(dtype: np.dtype) -> int:
    """0 bool, 1 integer, 2 floating, 3 complex."""
    return _CATEGORY[dtype.kind]


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def promote_types(type1: DTypeLike, type2: DTypeLike) -> dtype:
    """The smallest dtype both ``type1`` and ``type2`` convert to, as
    ``torch.promote_types``: an integer meeting a float gives that float.

        >>> mt.promote_types(mt.int64, mt.float16)
        torch.float16
    """
    return of_numpy(_promote(_dtype(type1, "promote_types"), _dtype(type2, "promote_types")))


def _promote(a: np.dtype, b: np.dtype) -> np.dtype:
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def can_cast(from_: DTypeLike, to: DTypeLike) -> bool:
    """Whether PyTorch's type promotion allows casting ``from_`` to ``to`` (never down a
    category: float to integer, integer to bool), as ``torch.can_cast``."""
    return category(_dtype(from_, "can_cast")) <= category(_dtype(to, "can_cast"))


def result_type(tensor1: object, tensor2: object) -> dtype:
    """The dtype of an arithmetic operation on ``tensor1`` and ``tensor2`` (Tensors or
    numbers), as ``torch.result_type``.

        >>> mt.result_type(mt.tensor([1, 2]), 2.5), mt.result_type(mt.tensor([1, 2]), 2)
        (torch.float32, torch.int64)
    """
    return of_numpy(operands_dtype(_array_of(tensor1), _array_of(tensor2)))


def operands_dtype(*operands: object) -> np.dtype:
    """`result_type` of arrays (0-d ones are the middle tier) and Python numbers."""
    tiers: list = [None, None, None]  # dimensioned, 0-d, numbers
    for x in operands:
        if isinstance(x, np.ndarray):
            tier, dt = (0 if x.ndim else 1), x.dtype
        else:
            tier, dt = 2, _number_dtype(x)
        tiers[tier] = dt if tiers[tier] is None else _promote(tiers[tier], dt)
    out = None
    for dt in tiers:  # from the highest tier down: a lower tier wins only on category
        if out is None:
            out = dt
        elif dt is not None and category(dt) > category(out):
            out = dt
    return out


def promoted(out: np.ndarray, a: object, b: object, *, floating: bool = False) -> np.ndarray:
    """``out`` (NumPy's result for ``a op b``) in PyTorch's dtype; ``floating``: the op always
    gives a floating result (true division). Cheap when NumPy already agrees."""
    dt = out.dtype
    # The hot path (same-dtype arrays): dtype identity first, it is cheaper than equality.
    if (
        (type(a) is not np.ndarray or a.dtype is dt or a.dtype == dt)
        and (type(b) is not np.ndarray or b.dtype is dt or b.dtype == dt)
        and (not floating or dt.kind == "f")
    ):
        return out
    want = operands_dtype(a, b)
    if floating and want.kind in "biu":
        want = get_default_dtype().dtype
    return out if want == dt else out.astype(want)


def _number_dtype(x: object) -> np.dtype:
    if isinstance(x, (bool, np.bool_)):
        return np.dtype(bool)
    if isinstance(x, (int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(x, (float, np.floating)):
        return get_default_dtype().dtype
    if isinstance(x, complex):
        return np.dtype(np.complex128 if get_default_dtype() == np.float64 else np.complex64)
    return np.asarray(x).dtype


def _array_of(x: object) -> object:
    data = getattr(x, "_data", None)
    if isinstance(data, np.ndarray):
        return data
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (bool, int, float, complex, np.generic)):
        return x
    raise TypeError(
        f"result_type expected Tensors or numbers, got {type(x).__name__} (wrap it with mt.tensor)"
    )


def _dtype(value: DTypeLike, op: str) -> np.dtype:
    dt = numpy_dtype(value, op)
    if dt.kind not in _CATEGORY:
        raise TypeError(f"{op}: unsupported dtype {dt} (expected bool, integer or floating)")
    return dt


def floating(a: np.ndarray) -> np.ndarray:
    """``a`` itself when floating, else cast to the default dtype: what a floating-only op
    (``sin``, ``exp`` ...) computes on, as PyTorch does for integer and bool tensors."""
    return a if a.dtype.kind in "fc" else a.astype(get_default_dtype().dtype)
