"""Map-style datasets over arrays: ``TensorDataset`` and ``Subset`` (``torch.utils.data``); the
bases are in `minitorch_es.data.base`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..creation import tensor as _tensor
from ..tensor import Tensor
from .base import Dataset, IterableDataset  # noqa: F401  (re-exported)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def _as_array(value: Tensor | ArrayLike, where: str) -> np.ndarray:
    """The ndarray behind a Tensor, an ndarray as is, anything else through ``mt.tensor``."""
    if isinstance(value, Tensor):
        arr = value._data
    elif isinstance(value, np.ndarray):
        arr = value
    else:
        arr = _tensor(value)._data
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{where}: expected numeric data (bool, int or float), got dtype {arr.dtype}"
        )
    if arr.ndim == 0:
        raise ValueError(f"{where}: expected at least one dimension (the samples), got a scalar")
    return arr


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors: ``ds[i] == (t0[i], t1[i], ...)``.

    Accepts Tensors or NumPy arrays (their dtype is kept, and no copy is made); all must have
    the same first dimension. ``DataLoader`` batches a TensorDataset by indexing its arrays
    directly, which is much faster than stacking samples.

        >>> ds = mt.data.TensorDataset(mt.randn(100, 3), mt.zeros(100, dtype=mt.int64))
        >>> x, y = ds[0]
        >>> len(ds), x.shape, y.shape
        (100, torch.Size([3]), torch.Size([]))
    """

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset expected at least one tensor or array, got none")
        arrays = tuple(_as_array(t, f"TensorDataset argument {i}") for i, t in enumerate(tensors))
        lengths = [a.shape[0] for a in arrays]
        if len(set(lengths)) > 1:
            described = ", ".join(f"argument {i}: {n}" for i, n in enumerate(lengths))
            raise ValueError(
                f"TensorDataset expected tensors with the same first dimension (number of "
                f"samples), got {described}"
            )
        if lengths[0] == 0:
            raise ValueError("TensorDataset got tensors with 0 samples; a dataset cannot be empty")
        self.arrays = arrays
        self.tensors = tuple(
            t if isinstance(t, Tensor) else Tensor(a) for t, a in zip(tensors, arrays)
        )

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, index: int | slice | Sequence[int] | np.ndarray) -> tuple[Tensor, ...]:
        try:
            return tuple(Tensor(np.asarray(a[index])) for a in self.arrays)
        except IndexError:
            raise IndexError(
                f"TensorDataset index {index!r} is out of range for a dataset of {len(self)} "
                f"samples"
            ) from None


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``torch.utils.data.Subset``).

    Indexing a Subset indexes the dataset at ``indices[i]``:

        >>> ds = mt.data.TensorDataset(mt.arange(100))
        >>> evens = mt.data.Subset(ds, range(0, 100, 2))
        >>> len(evens), evens[3]
        (50, (tensor(6),))
    """

    def __init__(self, dataset: Dataset, indices: Iterable[int] | np.ndarray) -> None:
        idx = np.asarray(list(indices) if not isinstance(indices, np.ndarray) else indices)
        if idx.size and (idx.ndim != 1 or idx.dtype.kind not in "iu"):
            raise TypeError(
                f"Subset expected a 1-d sequence of integer indices, got dtype {idx.dtype} "
                f"and shape {idx.shape}"
            )
        n = len(dataset)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            bad = idx[(idx < 0) | (idx >= n)][0]
            raise IndexError(
                f"Subset index {int(bad)} is out of range for a dataset of {n} samples"
            )
        self.dataset = dataset
        self.indices = idx.astype(np.int64, copy=False).reshape(-1)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int | Sequence[int] | np.ndarray) -> Any:
        if isinstance(index, (list, np.ndarray)):
            return self.dataset[self.indices[np.asarray(index)]]
        return self.dataset[int(self.indices[index])]


def fast_arrays(dataset: Dataset) -> tuple[tuple[np.ndarray, ...], np.ndarray | None] | None:
    """``(arrays, index_map)`` when ``dataset`` is a TensorDataset or a chain of Subsets of one,
    so a batch can be taken with one fancy-index per array; ``None`` otherwise.

    ``index_map`` is None (identity) or an int64 array from the dataset's positions to rows.
    """
    index_map = None
    while isinstance(dataset, Subset):
        index_map = dataset.indices if index_map is None else dataset.indices[index_map]
        dataset = dataset.dataset
    # Exactly TensorDataset: a subclass may override __getitem__ (e.g. to add augmentation).
    if type(dataset) is not TensorDataset:
        return None
    return dataset.arrays, index_map
