"""Turning what ``fit`` / ``evaluate`` / ``predict`` accept into DataLoaders.

Accepted: arrays / Tensors / nested lists (``x`` with ``y``), a map-style ``Dataset`` whose
samples are ``(x, y)`` (or ``x`` for predict), or a ``DataLoader`` (used as it is: its
``batch_size`` and ``shuffle`` win over fit's).

``validation_split`` takes the LAST fraction of the samples, before any shuffling (Keras):
``split_at = floor(n * (1 - validation_split))``, training on ``[:split_at]`` and validating on
``[split_at:]``. For a Dataset the tail is a ``Subset``; a DataLoader cannot be split (pass its
dataset, or ``validation_data``).
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import DataLoader, Dataset, Subset, TensorDataset
from ..tensor import Tensor
from ..validation import check_float, check_int

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def _is_array_like(x: Any) -> bool:
    return isinstance(x, (Tensor, np.ndarray, list, tuple)) and not isinstance(x, Dataset)


def _as_dataset(
    x: Tensor | ArrayLike | Dataset, y: Tensor | ArrayLike | None, where: str, need_y: bool
):
    if isinstance(x, DataLoader):
        raise AssertionError("handled by the caller")
    if isinstance(x, Dataset) or (
        hasattr(x, "__getitem__") and hasattr(x, "__len__") and not _is_array_like(x)
    ):
        if y is not None:
            raise ValueError(
                f"{where}: y must be None when x is a {type(x).__name__} (the "
                f"dataset's samples carry the targets), got {type(y).__name__}"
            )
        return x
    if not _is_array_like(x):
        raise TypeError(
            f"{where}: x must be an array, a Tensor, a Dataset or a DataLoader, got "
            f"{type(x).__name__}"
        )
    if y is None:
        if need_y:
            raise ValueError(f"{where}: targets y are required when x is an array or a Tensor")
        return TensorDataset(x)
    nx, ny = len(x), len(y)
    if nx != ny:
        raise ValueError(
            f"{where}: x and y must have the same number of samples, got {nx} and {ny}"
        )
    return TensorDataset(x, y)


def make_loader(
    x: Tensor | ArrayLike | Dataset | DataLoader,
    y: Tensor | ArrayLike | None = None,
    *,
    batch_size: int = 32,
    shuffle: bool = False,
    where: str = "fit",
    need_y: bool = True,
) -> DataLoader:
    """A DataLoader over ``x`` (and ``y``)."""
    if isinstance(x, DataLoader):
        if y is not None:
            raise ValueError(
                f"{where}: y must be None when x is a DataLoader, got {type(y).__name__}"
            )
        return x
    check_int(batch_size, "batch_size", where, low=1)
    return DataLoader(_as_dataset(x, y, where, need_y), batch_size=batch_size, shuffle=shuffle)


def split_tail(
    x: Tensor | ArrayLike | Dataset,
    y: Tensor | ArrayLike | None,
    validation_split: float,
    where: str = "fit",
) -> tuple:
    """``(x_train, y_train, x_val, y_val)`` with the last ``validation_split`` fraction held out
    (datasets give ``(train_subset, None, val_subset, None)``)."""
    check_float(validation_split, "validation_split", where, low=0, high=1, high_open=True)
    if isinstance(x, DataLoader):
        raise ValueError(
            f"{where}: validation_split cannot split a DataLoader; pass its dataset (the tail "
            f"becomes the validation set) or give validation_data"
        )
    data = _as_dataset(x, y, where, need_y=True)
    n = len(data)
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(
            f"{where}: validation_split={validation_split} of {n} samples leaves "
            f"{split_at} for training and {n - split_at} for validation; both must be non-empty"
        )
    if isinstance(data, TensorDataset) and _is_array_like(x):
        return x[:split_at], y[:split_at], x[split_at:], y[split_at:]
    return Subset(data, range(split_at)), None, Subset(data, range(split_at, n)), None


def make_fit_loaders(
    x: Tensor | ArrayLike | Dataset | DataLoader,
    y: Tensor | ArrayLike | None,
    *,
    batch_size: int,
    shuffle: bool,
    validation_split: float,
    validation_data: tuple | Dataset | DataLoader | None,
) -> tuple[DataLoader, DataLoader | None]:
    """``(train_loader, val_loader or None)`` for ``fit``; ``validation_data`` wins over
    ``validation_split`` (as in Keras)."""
    val = None
    if validation_data is not None:
        val = _validation_loader(validation_data, batch_size)
    elif validation_split:
        x, y, xv, yv = split_tail(x, y, validation_split)
        val = make_loader(xv, yv, batch_size=batch_size, where="fit (validation split)")
    elif not isinstance(validation_split, numbers.Real) or validation_split != 0:
        split_tail(x, y, validation_split)  # raises a clear error for a bad value
    train = make_loader(x, y, batch_size=batch_size, shuffle=shuffle, where="fit")
    return train, val


def _validation_loader(data: tuple | Dataset | DataLoader, batch_size: int):
    where = "fit (validation_data)"
    if isinstance(data, (DataLoader, Dataset)):
        return make_loader(data, batch_size=batch_size, where=where)
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return make_loader(data[0], data[1], batch_size=batch_size, where=where)
    raise TypeError(
        f"{where}: expected a tuple (x_val, y_val), a Dataset or a DataLoader, got "
        f"{type(data).__name__}"
        + (f" of length {len(data)}" if isinstance(data, (tuple, list)) else "")
    )


def unpack_batch(batch: Any, where: str, need_y: bool = True) -> tuple[Any, Any]:
    """``(x, y)`` from what a loader yields: a tuple/list ``(x, y)``, or ``(x,)`` / a bare
    Tensor when no targets are needed."""
    if isinstance(batch, (tuple, list)):
        if len(batch) == 2:
            return batch[0], batch[1]
        if len(batch) == 1 and not need_y:
            return batch[0], None
        raise ValueError(
            f"{where}: a batch must be (inputs, targets); got a "
            f"{type(batch).__name__} of {len(batch)} items"
        )
    if need_y:
        raise ValueError(
            f"{where}: a batch must be (inputs, targets); got a single "
            f"{type(batch).__name__} (a dataset without targets?)"
        )
    return batch, None


def require_batches(loader: Any, what: str) -> None:
    """Refuse a loader that yields no batch at all (fit would report a loss of NaN and an
    accuracy of 0 without a word). A loader without a length (over an IterableDataset) cannot
    be checked ahead."""
    try:
        if len(loader) > 0:
            return
    except TypeError:
        return
    dataset = getattr(loader, "dataset", None)
    size = f"{len(dataset)} samples, " if hasattr(dataset, "__len__") else ""
    batch = getattr(loader, "batch_size", "?")
    drop = getattr(loader, "drop_last", None)
    raise ValueError(
        f"fit: the {what} data gives no batches ({size}batch_size={batch}, drop_last={drop}); "
        f"use a smaller batch_size or drop_last=False"
    )
