"""``DataLoader``: mini-batches of a dataset, shuffled from the package generator, resumable."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import random as _random
from ..tensor import Tensor
from ..validation import is_int
from .dataset import fast_arrays

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .dataset import Dataset


def default_collate(samples: Sequence[Any]) -> Tensor | tuple[Tensor, ...] | dict[str, Tensor]:
    """Stack a list of samples into a batch (``torch.utils.data.default_collate``).

    Samples that are tuples/lists give a tuple of Tensors (one per field), dicts a dict, and
    a single Tensor/array/number a Tensor. Python ints become int64, floats float64 (as in
    PyTorch); arrays and Tensors keep their dtype.

        >>> default_collate([(mt.tensor([1., 2.]), 0), (mt.tensor([3., 4.]), 1)])
        (tensor([[1., 2.], [3., 4.]]), tensor([0, 1]))
    """
    if not samples:
        raise ValueError("default_collate expected a non-empty list of samples, got an empty one")
    first = samples[0]
    if isinstance(first, (tuple, list)):
        width = len(first)
        for i, s in enumerate(samples):
            if not isinstance(s, (tuple, list)) or len(s) != width:
                raise ValueError(
                    f"default_collate: sample 0 has {width} fields but sample {i} is "
                    f"{type(s).__name__} with {len(s) if isinstance(s, (tuple, list)) else 1}"
                )
        return tuple(_stack([s[j] for s in samples], f"field {j}") for j in range(width))
    if isinstance(first, dict):
        return {k: _stack([s[k] for s in samples], f"key {k!r}") for k in first}
    return _stack(samples, "samples")


def _stack(values: Sequence[Any], what: str) -> Tensor:
    first = values[0]
    if isinstance(first, bool):
        dtype = np.bool_
    elif isinstance(first, numbers.Integral) and not isinstance(first, np.generic):
        dtype = np.int64
    elif isinstance(first, numbers.Real) and not isinstance(first, np.generic):
        dtype = np.float64
    else:
        dtype = None
    arrays = [v._data if isinstance(v, Tensor) else np.asarray(v, dtype=dtype) for v in values]
    try:
        return Tensor(np.stack(arrays))
    except ValueError:
        shapes = sorted({a.shape for a in arrays})
        raise ValueError(
            f"default_collate: cannot stack {what} of the batch, the samples have different "
            f"shapes {shapes}; pass a collate_fn that handles them"
        ) from None


class DataLoader:
    """Iterate over ``dataset`` in mini-batches (``torch.utils.data.DataLoader``).

    Each ``for batch in loader`` is one epoch; ``len(loader)`` is the number of batches per
    epoch. With ``shuffle=True`` a new permutation is drawn from the package generator
    (``mt.manual_seed``) when each epoch starts. The last batch is smaller unless
    ``drop_last``. A TensorDataset (or a Subset of one) is batched by indexing its arrays
    directly; other datasets are read sample by sample and combined by ``collate_fn``
    (``default_collate``). A ``sampler`` (any iterable of indices with ``len``, e.g. a
    `DistributedSampler`) gives the order instead; as in PyTorch it excludes
    ``shuffle``. The loader does not call ``sampler.set_epoch`` (``Trainer.fit`` does).

        >>> x, y = mt.randn(100, 3), mt.randint(0, 2, (100,))
        >>> loader = mt.data.DataLoader(mt.data.TensorDataset(x, y), batch_size=32, shuffle=True)
        >>> len(loader), [len(xb) for xb, yb in loader]
        (4, [32, 32, 32, 4])

    Resuming mid-epoch -- the contract of ``state_dict()`` / ``load_state_dict()``:

    * ``state_dict()`` describes the epoch of the most recently started iterator:
      ``{"epoch": epochs started so far, "permutation": that epoch's sample order (int64 array,
      None without shuffling), "index": number of batches already yielded (= index of the next
      batch), "num_samples", "batch_size", "shuffle", "drop_last"}``. With a ``sampler`` the
      order is that epoch's indices from the sampler; a sampler with ``state_dict()`` (as
      DistributedSampler) is saved under ``"sampler"`` instead, and recomputes the order on
      load, so the state of one rank restores every rank's own shard.
    * After ``load_state_dict(state)``, the next ``iter(loader)`` yields the remaining batches
      ``index, index+1, ...`` of that epoch in that order (nothing is drawn from the generator);
      later iterations are new epochs. If ``index`` is at the end of the epoch, the next
      iteration directly starts a new epoch.
    * So a fresh loader loaded with the state of another one, with the package RNG state also
      restored (``mt.random.set_state``), yields exactly the batches the original would have.
    * Without a loaded state, every ``iter(loader)`` starts a new epoch (as in PyTorch),
      even if the previous one was abandoned halfway.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        sampler: Iterable[int] | None = None,
        drop_last: bool = False,
        collate_fn: Callable[[list], Any] | None = None,
    ):
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader expected a map-style dataset (with __len__ and __getitem__), got "
                f"{type(dataset).__name__}"
            )
        if not (is_int(batch_size) and batch_size > 0):
            raise ValueError(
                f"DataLoader expected batch_size to be a positive int, got {batch_size!r}"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader expected collate_fn to be callable, got {collate_fn!r}")
        if len(dataset) == 0:
            raise ValueError(
                f"DataLoader got an empty dataset ({type(dataset).__name__} of length 0)"
            )
        if sampler is not None:
            if not (hasattr(sampler, "__iter__") and hasattr(sampler, "__len__")):
                raise TypeError(
                    f"DataLoader expected sampler to be an iterable of indices with "
                    f"__len__, got {type(sampler).__name__}"
                )
            if shuffle:
                raise ValueError(
                    "DataLoader: sampler option is mutually exclusive with shuffle "
                    "(got shuffle=True and a sampler; shuffle in the sampler)"
                )
        self.sampler = sampler
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self._epoch = 0  # epochs started so far
        self._permutation = None  # sample order of the current epoch (None: sequential)
        self._index = 0  # batches of the current epoch already yielded
        self._resume = False  # a loaded state waits to be continued by the next iter()
        self._active = None  # the iterator whose progress state_dict() reports

    def __len__(self) -> int:
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        if self._resume:
            self._resume = False
        else:
            n = len(self.dataset)
            self._permutation = _random.generator().permutation(n) if self.shuffle else None
            if self.sampler is not None:
                self._permutation = self._sampler_order()
            self._epoch += 1
            self._index = 0
        self._active = _LoaderIter(self, self._permutation, self._index)
        return self._active

    def _sampler_order(self) -> np.ndarray:
        order = np.fromiter(iter(self.sampler), dtype=np.int64)
        if order.shape != (len(self.sampler),):
            raise ValueError(
                f"DataLoader: the sampler yielded {order.size} indices but its "
                f"len() is {len(self.sampler)}"
            )
        return order

    def _check_order(self, perm: ArrayLike | None, n: int) -> np.ndarray:
        """A saved order of a sampler without state: ``len(sampler)`` indices into the data."""
        perm = None if perm is None else np.asarray(perm)
        if (
            perm is None
            or perm.shape != (len(self.sampler),)
            or perm.dtype.kind not in "iu"
            or (perm.size and not 0 <= perm.min() <= perm.max() < n)
        ):
            got = None if perm is None else f"dtype {perm.dtype} and shape {perm.shape}"
            raise ValueError(
                f"DataLoader.load_state_dict: with a sampler the permutation must "
                f"be {len(self.sampler)} indices in range({n}), got {got}"
            )
        return perm.astype(np.int64)

    def state_dict(self) -> dict:
        """The loader's position (see the class docstring for the resume contract)."""
        perm = self._permutation
        if self.sampler is not None and hasattr(self.sampler, "state_dict"):
            return {**self._state(None), "sampler": self.sampler.state_dict()}
        return self._state(perm)

    def _state(self, perm: np.ndarray | None) -> dict:
        return {
            "epoch": self._epoch,
            "permutation": None if perm is None else perm.astype(np.int64, copy=True),
            "index": self._index,
            "num_samples": len(self.dataset),
            "batch_size": self.batch_size,
            "shuffle": self.shuffle,
            "drop_last": self.drop_last,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a position saved by ``state_dict()``; the next iteration continues from it."""
        if not isinstance(state, dict):
            raise TypeError(
                f"DataLoader.load_state_dict expected a dict, got {type(state).__name__}"
            )
        missing = [k for k in ("epoch", "permutation", "index") if k not in state]
        if missing:
            raise KeyError(f"DataLoader.load_state_dict: the state lacks the keys {missing}")
        n = len(self.dataset)
        for key, mine in (
            ("num_samples", n),
            ("batch_size", self.batch_size),
            ("shuffle", self.shuffle),
            ("drop_last", self.drop_last),
        ):
            if key in state and _plain(state[key]) != mine:
                raise ValueError(
                    f"DataLoader.load_state_dict: the state was saved with {key}={state[key]!r} "
                    f"but this loader has {key}={mine!r}"
                )
        epoch, index = _plain(state["epoch"]), _plain(state["index"])
        if not isinstance(epoch, int) or epoch < 0:
            raise ValueError(
                f"DataLoader.load_state_dict: epoch must be an int >= 0, got {epoch!r}"
            )
        if not isinstance(index, int) or not 0 <= index <= len(self):
            raise ValueError(
                f"DataLoader.load_state_dict: index must be an int in [0, {len(self)}] (the "
                f"batches per epoch), got {index!r}"
            )
        saved_sampler = state.get("sampler")
        mine = type(self.sampler).__name__ if hasattr(self.sampler, "state_dict") else None
        if (saved_sampler is None) != (mine is None):
            raise ValueError(
                "DataLoader.load_state_dict: "
                + (
                    f"the state has no sampler state but this loader's {mine} needs one"
                    if mine
                    else "the state has a sampler state but this loader has no sampler "
                    "with state (the state was saved with a DistributedSampler)"
                )
            )
        if saved_sampler is not None:
            self.sampler.load_state_dict(saved_sampler)
        perm = state["permutation"]
        if saved_sampler is not None:
            perm = self._sampler_order() if epoch > 0 else None
        elif self.sampler is not None:
            perm = None if perm is None and epoch == 0 else self._check_order(perm, n)
        elif perm is not None:
            perm = np.asarray(perm)
            if (
                perm.shape != (n,)
                or perm.dtype.kind not in "iu"
                or not np.array_equal(np.sort(perm), np.arange(n))
            ):
                raise ValueError(
                    f"DataLoader.load_state_dict: permutation must be a permutation of "
                    f"range({n}), got an array of dtype {perm.dtype} and shape {perm.shape}"
                )
            perm = perm.astype(np.int64)
        elif self.shuffle and epoch > 0:
            raise ValueError(
                "DataLoader.load_state_dict: shuffle=True but the state has no permutation"
            )
        self._epoch, self._permutation, self._index = epoch, perm, index
        self._resume = epoch > 0 and index < len(self)
        self._active = None


def _plain(value: Any):
    """NumPy scalars / 0-d arrays (as read back from a checkpoint) as Python values."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return value.item() if isinstance(value, np.generic) else value


class _LoaderIter:
    """One epoch of a DataLoader, starting at batch ``start``."""

    def __init__(self, loader: DataLoader, order: np.ndarray | None, start: int) -> None:
        self.loader = loader
        self.order = order
        self.next_batch = start
        self.num_batches = len(loader)
        self.size = len(loader.dataset) if order is None else len(order)
        self.fast = fast_arrays(loader.dataset) if loader.collate_fn is None else None

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return self.num_batches - self.next_batch

    def __next__(self):
        if self.next_batch >= self.num_batches:
            raise StopIteration
        loader = self.loader
        start = self.next_batch * loader.batch_size
        stop = min(start + loader.batch_size, self.size)
        batch = self._fetch(start, stop)
        self.next_batch += 1
        if loader._active is self:
            loader._index = self.next_batch
        return batch

    def _fetch(self, start: int, stop: int):
        if self.fast is not None:
            arrays, index_map = self.fast
            if self.order is None and index_map is None:
                # Sequential batches are slices; copy so in-place edits never touch the dataset.
                return tuple(Tensor(a[start:stop].copy()) for a in arrays)
            rows = np.arange(start, stop) if self.order is None else self.order[start:stop]
            if index_map is not None:
                rows = index_map[rows]
            return tuple(Tensor(a[rows]) for a in arrays)
        positions = range(start, stop) if self.order is None else self.order[start:stop].tolist()
        samples = [self.loader.dataset[i] for i in positions]
        collate = self.loader.collate_fn or default_collate
        return collate(samples)
