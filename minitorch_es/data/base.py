"""The dataset protocols, ``Dataset`` (map-style) and ``IterableDataset`` (streams), and their
combinations ``ConcatDataset`` and ``ChainDataset`` (``a + b``), as ``torch.utils.data``."""

from __future__ import annotations

import bisect
import itertools
import numbers
from collections.abc import Iterable
from typing import Any


class Dataset:
    """A map-style dataset: ``dataset[i]`` is the i-th sample and ``len(dataset)`` their number.

    Subclass it and implement ``__getitem__`` and ``__len__``:

        >>> class Squares(mt.data.Dataset):
        ...     def __len__(self):
        ...         return 10
        ...     def __getitem__(self, i):
        ...         return mt.tensor([float(i)]), mt.tensor([float(i * i)])
        >>> len(Squares()), Squares()[3]
        (10, (tensor([3.]), tensor([9.])))
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__()")

    def __add__(self, other: Dataset) -> Dataset:
        """``a + b`` is ``ConcatDataset([a, b])``."""
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset read as a stream: implement ``__iter__`` (``torch.utils.data.IterableDataset``).

    A DataLoader takes ``batch_size`` consecutive samples at a time from ``iter(dataset)``; it
    cannot shuffle or sample it (shuffle the stream itself).

        >>> class Countdown(mt.utils.data.IterableDataset):
        ...     def __iter__(self):
        ...         return iter(range(5, 0, -1))
        >>> [b.tolist() for b in mt.utils.data.DataLoader(Countdown(), batch_size=2)]
        [[5, 4], [3, 2], [1]]
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__()")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate it, not index it")

    def __len__(self) -> int:
        # A stream has no length unless its class defines one (then a DataLoader has one too).
        raise TypeError(f"object of type {type(self).__name__!r} has no len()")

    def __add__(self, other: Dataset) -> Dataset:
        """``a + b`` is ``ChainDataset([a, b])``: ``a``'s stream, then ``b``'s."""
        return ChainDataset([self, other])


class ConcatDataset(Dataset):
    """The samples of several map-style datasets, one after the other
    (``torch.utils.data.ConcatDataset``; ``a + b`` makes one).

        >>> a = mt.utils.data.TensorDataset(mt.arange(3))
        >>> b = mt.utils.data.TensorDataset(mt.arange(10, 12))
        >>> both = a + b
        >>> len(both), both[3][0].item(), both.cumulative_sizes
        (5, 10, [3, 5])
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(
                    f"ConcatDataset does not support IterableDataset (dataset {i} is a "
                    f"{type(d).__name__}); use ChainDataset"
                )
            if not (hasattr(d, "__len__") and hasattr(d, "__getitem__")):
                raise TypeError(
                    f"ConcatDataset: dataset {i} must be map-style (with __len__ and "
                    f"__getitem__), got {type(d).__name__}"
                )
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if isinstance(index, bool) or not isinstance(index, numbers.Integral):
            raise TypeError(f"ConcatDataset indices must be integers, got {type(index).__name__}")
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"ConcatDataset index {index} is out of range for {n} samples")
        index = int(index) % n
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """The streams of several IterableDatasets, one after the other
    (``torch.utils.data.ChainDataset``).

        >>> class Upto(mt.utils.data.IterableDataset):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(self.n))
        >>> list(mt.utils.data.ChainDataset([Upto(2), Upto(3)]))
        [0, 1, 0, 1, 2]
    """

    def __init__(self, datasets: Iterable[IterableDataset]) -> None:
        self.datasets = list(datasets)

    def __iter__(self):
        for i, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(
                    f"ChainDataset only supports IterableDataset, dataset {i} is a "
                    f"{type(d).__name__}"
                )
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)
