"""The iterators of a DataLoader's epochs: over a map-style dataset (resumable at any batch)
and over an IterableDataset's stream."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..tensor import Tensor
from .collate import default_collate
from .dataset import fast_arrays


class LoaderIter:
    """One epoch of a DataLoader over a map-style dataset, starting at batch ``start``."""

    def __init__(
        self, loader: Any, order: np.ndarray | None, sizes: np.ndarray | None, start: int
    ) -> None:
        self.loader, self.order = loader, order
        total = len(loader.dataset) if order is None else len(order)
        if sizes is None:  # consecutive batches of batch_size (1 sample without batching)
            step = loader.batch_size or 1
            stops = list(range(step, total + 1, step))
            if total % step and not loader.drop_last:
                stops.append(total)
            sizes = np.diff([0, *stops])
        self.bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.next_batch = start
        fast = loader._auto_collation and loader.collate_fn is default_collate
        self.fast = fast_arrays(loader.dataset) if fast else None

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return len(self.bounds) - 1 - self.next_batch

    def __next__(self):
        if self.next_batch >= len(self.bounds) - 1:
            raise StopIteration
        start, stop = self.bounds[self.next_batch], self.bounds[self.next_batch + 1]
        batch = self._fetch(int(start), int(stop))
        self.next_batch += 1
        if self.loader._active is self:
            self.loader._index = self.next_batch
        return batch

    def _fetch(self, start: int, stop: int):
        loader = self.loader
        if self.fast is not None:
            arrays, index_map = self.fast
            if self.order is None and index_map is None:
                # Sequential batches are slices; copy so in-place edits never touch the dataset.
                return [Tensor(a[start:stop].copy()) for a in arrays]
            rows = np.arange(start, stop) if self.order is None else self.order[start:stop]
            if index_map is not None:
                rows = index_map[rows]
            return [Tensor(a[rows]) for a in arrays]
        rows = range(start, stop) if self.order is None else self.order[start:stop].tolist()
        if not loader._auto_collation:
            return loader.collate_fn(loader.dataset[rows[0]])
        return loader.collate_fn([loader.dataset[i] for i in rows])


class StreamIter:
    """One epoch of a DataLoader over an IterableDataset."""

    def __init__(self, loader: Any) -> None:
        self.loader, self.stream, self.next_batch = loader, iter(loader.dataset), 0

    def __iter__(self):
        return self

    def __next__(self):
        loader = self.loader
        if not loader._auto_collation:
            batch = loader.collate_fn(next(self.stream))
        else:
            samples = list(itertools.islice(self.stream, loader.batch_size))
            if not samples or (loader.drop_last and len(samples) < loader.batch_size):
                raise StopIteration
            batch = loader.collate_fn(samples)
        self.next_batch += 1
        if loader._active is self:
            loader._index = self.next_batch
        return batch
