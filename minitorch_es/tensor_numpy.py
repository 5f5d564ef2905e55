"""How NumPy's functions treat a `Tensor` (a mixin): ``np.exp(t)``, ``ndarray * t``,
``np.isfinite(t.grad)``, ``np.mean(t)``.

A NumPy ufunc whose meaning is a Tensor operation (``+ - * / ** @``, comparisons, ``exp``,
``log``, ...) runs that operation, so ``ndarray * tensor`` stays in the graph. Any other ufunc
computes on the arrays and returns a Tensor without a graph, and other NumPy functions
(``np.mean``, ``np.allclose`` ...) compute on the arrays and return what NumPy returns. Both
refuse a tensor that requires grad while grad mode is on, as PyTorch's ``numpy()`` does,
rather than silently cut the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .autograd import grad_mode

# ufunc -> the Tensor method computing it (the first Tensor operand as ``self``)
_METHODS = {
    np.add: ("__add__", "__radd__"),
    np.subtract: ("__sub__", "__rsub__"),
    np.multiply: ("__mul__", "__rmul__"),
    np.true_divide: ("__truediv__", "__rtruediv__"),
    np.power: ("__pow__", "__rpow__"),
    np.matmul: ("__matmul__", "__rmatmul__"),
    np.maximum: ("maximum", "maximum"),
    np.minimum: ("minimum", "minimum"),
    np.equal: ("__eq__", "__eq__"),
    np.not_equal: ("__ne__", "__ne__"),
    np.less: ("__lt__", "__gt__"),
    np.less_equal: ("__le__", "__ge__"),
    np.greater: ("__gt__", "__lt__"),
    np.greater_equal: ("__ge__", "__le__"),
    np.negative: ("__neg__", None),
    np.exp: ("exp", None),
    np.log: ("log", None),
    np.sqrt: ("sqrt", None),
    np.absolute: ("abs", None),
}

# NumPy functions that only read shapes or types: never a reason to refuse.
_SHAPE_ONLY = {np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj}


class TensorNumpy:
    """NumPy interoperability of `Tensor`."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs, **kwargs) -> Any:
        from .tensor import Tensor

        names = _METHODS.get(ufunc)
        if names is not None and method == "__call__" and not kwargs:
            if len(inputs) == 1:
                return getattr(inputs[0], names[0])()
            a, b = inputs
            if isinstance(a, Tensor):
                return getattr(a, names[0])(b)
            if names[1] is not None:
                return getattr(b, names[1])(a)
        _refuse_graph(inputs, f"np.{ufunc.__name__}")
        arrays = tuple(x._data if isinstance(x, Tensor) else x for x in inputs)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(o._data if isinstance(o, Tensor) else o for o in out)
        result = getattr(ufunc, method)(*arrays, **kwargs)
        if out is not None:
            for o in out:
                if isinstance(o, Tensor):
                    o._version[0] += 1
            return out[0] if len(out) == 1 else out
        if isinstance(result, tuple):
            return tuple(Tensor._wrap(np.asarray(r)) for r in result)
        return Tensor._wrap(np.asarray(result)) if method != "at" else None

    def __array_function__(self, func: Any, types: tuple, args: tuple, kwargs: dict) -> Any:
        if func not in _SHAPE_ONLY:
            _refuse_graph(args, f"np.{func.__name__}")
            _refuse_graph(tuple(kwargs.values()), f"np.{func.__name__}")
        return func(*_to_arrays(args), **_to_arrays(kwargs))


def _refuse_graph(values: tuple, where: str) -> None:
    from .tensor import Tensor

    if not grad_mode._enabled:
        return
    for v in _flat(values):
        if isinstance(v, Tensor) and v._requires_grad:
            raise RuntimeError(
                f"{where}: Can't call numpy() on Tensor that requires grad. Use "
                f"tensor.detach().numpy() instead (or the mt.* function of the same name)."
            )


def _flat(values: tuple):  # noqa: ANN202
    for v in values:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def _to_arrays(value: Any) -> Any:
    from .tensor import Tensor

    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, tuple):
        return tuple(_to_arrays(v) for v in value)
    if isinstance(value, list):
        return [_to_arrays(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_arrays(v) for k, v in value.items()}
    return value
