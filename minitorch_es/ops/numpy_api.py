"""The array namespace of backward formulas on the fast path: NumPy's functions (array-API
names), plus the few gradient helpers NumPy lacks.

`minitorch_es.ops.tensor_api` has a differentiable function of the same name and signature for
each of these, so a formula written as ``ctx.xp.where(mask, grad, 0)`` serves both paths (see
`minitorch_es.autograd.function`). Add a name to both modules, or to neither.
"""

from __future__ import annotations

import numpy as np
from numpy import (  # noqa: F401  (the namespace's contents)
    abs,
    astype,
    broadcast_to,
    concat,
    cos,
    cosh,
    cumprod,
    cumsum,
    einsum,
    exp,
    expand_dims,
    flip,
    log,
    matmul,
    matrix_transpose,
    maximum,
    mean,
    minimum,
    moveaxis,
    ones_like,
    permute_dims,
    prod,
    reshape,
    roll,
    sign,
    sin,
    sinh,
    sqrt,
    squeeze,
    stack,
    sum,
    where,
    zeros_like,
)

from .broadcast import unbroadcast  # noqa: F401


def pow(a, b):  # noqa: A001  (the array-API name)
    """``a ** b``, elementwise."""
    return np.power(a, b)


def vecdot(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    """The dot products of ``a`` and ``b`` along ``axis`` (real arrays): one BLAS dot per
    vector on NumPy 2, no product array."""
    if hasattr(np, "vecdot"):
        return np.vecdot(a, b, axis=axis)
    return np.sum(a * b, axis=axis)


def logcumsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    """``log(cumsum(exp(x)))`` along ``axis``, without overflow."""
    return np.logaddexp.accumulate(x, axis=axis)


def split(x: np.ndarray, indices, axis: int) -> list:
    """``x`` cut before each of ``indices`` along ``axis`` (``np.split``'s meaning)."""
    return np.split(x, indices, axis=axis)


def getitem(x: np.ndarray, index):
    """``x[index]``."""
    return x[index]


def index_add(shape: tuple, index, values: np.ndarray) -> np.ndarray:
    """Zeros of ``shape`` with ``values`` added at ``index`` (repeated indices accumulate): the
    gradient of ``x[index]``."""
    out = np.zeros(shape, dtype=values.dtype)
    if is_basic_index(index):
        out[index] = values  # a view: no element is selected twice
    else:
        np.add.at(out, index, values)
    return out


def index_put(x: np.ndarray, index, values) -> np.ndarray:
    """A copy of ``x`` with ``values`` written at ``index`` (``x[index] = values``)."""
    out = x.copy()
    out[index] = values
    return out


def is_basic_index(index) -> bool:
    """True when ``index`` uses only ints, slices, None and Ellipsis (NumPy's basic
    indexing: it selects each element at most once)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (slice, int, np.integer)) for i in items)
