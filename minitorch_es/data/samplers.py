"""Samplers: the order in which a DataLoader reads a dataset (``torch.utils.data``'s).

A sampler is an iterable of dataset indices (with ``len``); a batch sampler an iterable of
lists of indices. Random samplers draw from the package generator (``mt.manual_seed``) or from
``generator`` (a ``numpy.random.Generator``), afresh each time they are iterated; the numbers
are not PyTorch's, the rules are. `DistributedSampler` (one shard per rank) is in `sampler`.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any

import numpy as np

from ..tensor import Tensor
from .split import _rng


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return int(value)


def _boolean(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} should be a boolean value, but got {name}={value!r}")
    return value


class Sampler:
    """The base of samplers: ``__iter__`` yields indices (``__len__`` is optional).

    A sampler of the even indices:

        >>> class Evens(mt.utils.data.Sampler):
        ...     def __init__(self, n):
        ...         self.n = n
        ...     def __iter__(self):
        ...         return iter(range(0, self.n, 2))
        ...     def __len__(self):
        ...         return (self.n + 1) // 2
        >>> list(Evens(5))
        [0, 2, 4]
    """

    def __init__(self, data_source: Sized | None = None) -> None:
        pass  # PyTorch accepts and ignores it here; subclasses keep what they need

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__()")


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``: what a DataLoader uses without ``shuffle``."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Random indices of ``data_source``: a new permutation each iteration, or with
    ``replacement`` ``num_samples`` independent draws. Without replacement, ``num_samples``
    larger than the dataset gives whole permutations one after the other (PyTorch's rule).

        >>> sampler = mt.utils.data.RandomSampler(range(5))
        >>> sorted(sampler)
        [0, 1, 2, 3, 4]
        >>> len(mt.utils.data.RandomSampler(range(5), replacement=True, num_samples=12))
        12
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: np.random.Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = _boolean(replacement, "replacement")
        if num_samples is not None:
            num_samples = _positive_int(num_samples, "num_samples")
        self._num_samples = num_samples
        self.generator = generator
        _rng(generator, "RandomSampler")  # a bad generator fails here, not at the first epoch

    @property
    def num_samples(self) -> int:
        """How many indices one iteration yields (the dataset's length by default)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def indices(self) -> np.ndarray:
        """One iteration's indices as an int64 array (what iterating yields, drawn the same
        way): a DataLoader takes them so, without a Python int per sample."""
        n, rng = len(self.data_source), _rng(self.generator, "RandomSampler")
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples).astype(np.int64, copy=False)
        whole, rest = divmod(self.num_samples, n)
        parts = [rng.permutation(n) for _ in range(whole)] + [rng.permutation(n)[:rest]]
        return np.concatenate(parts).astype(np.int64, copy=False)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a new random order each iteration (e.g. a validation split
    of one dataset).

        >>> sorted(mt.utils.data.SubsetRandomSampler([7, 3, 5]))
        [3, 5, 7]
    """

    def __init__(
        self, indices: Sequence[int], generator: np.random.Generator | None = None
    ) -> None:
        self.indices = indices
        self.generator = generator
        _rng(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        order = _rng(self.generator, "SubsetRandomSampler").permutation(len(self.indices))
        return (self.indices[i] for i in order.tolist())

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights`` (with
    replacement by default), e.g. to balance classes.

        >>> sampler = mt.utils.data.WeightedRandomSampler([0.0, 1.0, 0.0], num_samples=4)
        >>> list(sampler)
        [1, 1, 1, 1]
    """

    def __init__(
        self,
        weights: Sequence[float] | Tensor | np.ndarray,
        num_samples: int,
        replacement: bool = True,
        generator: np.random.Generator | None = None,
    ) -> None:
        self.num_samples = _positive_int(num_samples, "num_samples")
        self.replacement = _boolean(replacement, "replacement")
        w = np.asarray(weights.numpy(force=True) if isinstance(weights, Tensor) else weights)
        if w.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape {tuple(w.shape)}"
            )
        if w.dtype.kind not in "biuf" or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(
                f"WeightedRandomSampler: weights must be finite numbers >= 0, got {w.tolist()}"
            )
        if not w.sum() > 0:
            raise ValueError("WeightedRandomSampler: the weights sum to 0; nothing can be drawn")
        if not replacement and self.num_samples > np.count_nonzero(w):
            raise ValueError(
                f"WeightedRandomSampler: cannot draw num_samples={self.num_samples} without "
                f"replacement from {np.count_nonzero(w)} indices of non-zero weight"
            )
        self.weights = Tensor(w.astype(np.float64))
        self.generator = generator
        _rng(generator, "WeightedRandomSampler")

    def __iter__(self) -> Iterator[int]:
        p = self.weights.numpy(force=True)
        rng = _rng(self.generator, "WeightedRandomSampler")
        drawn = rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p / p.sum())
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups the indices of ``sampler`` into lists of ``batch_size`` (the last one shorter
    unless ``drop_last``).

        >>> list(mt.utils.data.BatchSampler(range(5), batch_size=2, drop_last=False))
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.sampler = sampler
        self.batch_size = _positive_int(batch_size, "batch_size")
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
