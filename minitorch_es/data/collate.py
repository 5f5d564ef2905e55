"""``default_collate`` and ``default_convert``: PyTorch's rules for turning samples into batches.

A batch has the structure of one sample, with each leaf stacked along a new first dimension:
Tensors and NumPy arrays are stacked (keeping their dtype), Python floats become a float64
Tensor, ints int64, bools bool, NumPy scalars a Tensor of their dtype, and strings stay a list.
Dicts give a dict, named tuples the named tuple, tuples and lists a **list** of fields (PyTorch
turns tuples into lists, so ``for x, y in loader`` unpacks either way).
"""

from __future__ import annotations

import collections.abc
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor

_WHAT = "tensors, numpy arrays, numbers, dicts or lists"


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch (``torch.utils.data.default_collate``).

    The batch has the structure of one sample (see the module notes):

        >>> x, y = default_collate([(mt.tensor([1., 2.]), 0), (mt.tensor([3., 4.]), 1)])
        >>> x.tolist(), y.tolist(), y.dtype == mt.int64
        ([[1.0, 2.0], [3.0, 4.0]], [0, 1], True)
        >>> batch = default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}])
        >>> batch["x"].dtype == mt.float64, batch["name"]
        (True, ['a', 'b'])
    """
    if isinstance(batch, (str, bytes)) or not isinstance(batch, collections.abc.Sequence):
        raise TypeError(f"default_collate expected a list of samples, got {type(batch).__name__}")
    if len(batch) == 0:
        raise ValueError("default_collate expected a non-empty list of samples, got an empty one")
    return _collate(batch, "the batch")


def _collate(batch: Sequence[Any], where: str) -> Any:
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in batch], where)
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind not in "biufc":
            raise TypeError(
                f"default_collate: batch must contain {_WHAT}; found an array of dtype "
                f"{elem.dtype} in {where}"
            )
        return _stack([Tensor(np.asarray(a)) for a in batch], where)
    if isinstance(elem, np.generic) and elem.dtype.kind in "biufc":
        return Tensor(np.asarray(batch))
    if isinstance(elem, bool):
        return Tensor(np.asarray(batch, dtype=np.bool_))
    if isinstance(elem, numbers.Integral):
        return Tensor(np.asarray(batch, dtype=np.int64))
    if isinstance(elem, numbers.Real):
        return Tensor(np.asarray(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        collated = {key: _collate([d[key] for d in batch], f"key {key!r}") for key in elem}
        try:
            return type(elem)(collated)
        except TypeError:  # a mapping type that cannot be built from a dict
            return collated
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
        return type(elem)(*(_collate(f, f"field {n!r}") for n, f in _fields(batch, where)))
    if isinstance(elem, collections.abc.Sequence):
        fields = [_collate(f, f"field {i} of {where}") for i, f in _fields(batch, where)]
        if isinstance(elem, tuple):
            return fields  # PyTorch's rule: a tuple sample gives a list of batched fields
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(f"default_collate: batch must contain {_WHAT}; found {type(elem)} in {where}")


def _fields(batch: Sequence[Any], where: str):
    """``(name or index, values)`` of each field of sequence samples, all of one length."""
    width = len(batch[0])
    for i, sample in enumerate(batch):
        if len(sample) != width:
            raise RuntimeError(
                f"default_collate: each element in list of batch should be of equal size; "
                f"sample 0 of {where} has {width} fields but sample {i} has {len(sample)}"
            )
    names = getattr(batch[0], "_fields", range(width))
    return zip(names, zip(*batch))


def _stack(tensors: list[Tensor], where: str) -> Tensor:
    from ..functional import stack

    shapes = [tuple(t.shape) for t in tensors]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise RuntimeError(
                f"default_collate: stack expects each tensor to be equal size, but got "
                f"{list(shapes[0])} at entry 0 and {list(shape)} at entry {i} of {where}; pass "
                f"a collate_fn that pads or keeps them apart"
            )
    return stack(tensors)


def default_convert(data: Any) -> Any:
    """What a DataLoader with ``batch_size=None`` yields for one sample
    (``torch.utils.data.default_convert``): NumPy arrays and scalars become Tensors, inside
    dicts, named tuples, tuples (as lists) and lists too; everything else is unchanged.

        >>> x, n = default_convert((np.array([1, 2]), 3))
        >>> type(x).__name__, x.tolist(), n
        ('Tensor', [1, 2], 3)
    """
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc":
        return Tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind in "biufc":
        return Tensor(np.asarray(data))
    if isinstance(data, (str, bytes, Tensor)):
        return data
    if isinstance(data, collections.abc.Mapping):
        converted = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        converted = [default_convert(d) for d in data]
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    return data
