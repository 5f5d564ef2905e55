"""``DataLoader``: mini-batches of a dataset (``torch.utils.data.DataLoader``), resumable."""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .loader_iter import LoaderIter, StreamIter
from .loader_state import load_loader_state, loader_state
from .samplers import BatchSampler, RandomSampler, SequentialSampler

if TYPE_CHECKING:
    from .dataset import Dataset


class DataLoader:
    """Iterate over ``dataset`` in mini-batches (``torch.utils.data.DataLoader``).

    PyTorch's arguments and rules: each ``for batch in loader`` is one epoch; ``shuffle=True``
    draws a new order each epoch (a `RandomSampler` over the package generator, or over
    ``generator``); ``sampler`` (any iterable of indices with ``len``) or ``batch_sampler``
    (an iterable of lists of indices) choose the order themselves; the last batch is smaller
    unless ``drop_last``; ``batch_size=None`` yields single samples (converted by
    `default_convert`). Batches are made by ``collate_fn`` (`default_collate`: a
    TensorDataset's batch is a list ``[x, y]`` of Tensors). An `IterableDataset` is read as a
    stream, ``batch_size`` samples at a time.

    Loading runs in the calling process: ``num_workers > 0`` gives the same batches as 0 (so
    ``worker_init_fn`` is never called and ``get_worker_info()`` is None); ``pin_memory``,
    ``timeout``, ``prefetch_factor``, ``persistent_workers``, ``multiprocessing_context`` and
    ``pin_memory_device`` are accepted, checked as in PyTorch, and change nothing on the CPU.
    A TensorDataset (or a Subset of one) with the default ``collate_fn`` is batched by indexing
    its arrays directly, which is much faster than stacking samples.

        >>> x, y = mt.randn(100, 3), mt.randint(0, 2, (100,))
        >>> loader = mt.utils.data.DataLoader(mt.utils.data.TensorDataset(x, y), batch_size=32,
        ...                                   shuffle=True)
        >>> len(loader), [len(xb) for xb, yb in loader]
        (4, [32, 32, 32, 4])

    Resuming mid-epoch: ``state_dict()`` describes the most recently started epoch (its
    ``epoch`` count, the sample order as ``permutation`` -- None for a sequential order --,
    the ``index`` of the next batch, and the arguments the order depends on); after
    ``load_state_dict(state)`` the next ``iter(loader)`` yields the remaining batches of that
    epoch in that order, drawing nothing from the generator. A sampler with its own state (a
    `DistributedSampler`) is saved under ``"sampler"`` and recomputes its shard on load. Without
    a loaded state every ``iter(loader)`` starts a new epoch, as in PyTorch.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ):
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        iterable = isinstance(dataset, IterableDataset)
        if not iterable and not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader expected a map-style dataset (with __len__ and __getitem__) or an "
                f"IterableDataset, got {type(dataset).__name__}"
            )
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader expected collate_fn to be callable, got {collate_fn!r}")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not (flag is None or isinstance(flag, (bool, np.bool_))):  # "no" would be truthy
                raise TypeError(
                    f"DataLoader expected {name} to be a bool, got {type(flag).__name__} {flag!r}"
                )
        if iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler)):
                if value not in (None, False):
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, "
                        f"but got {name}={value!r}"
                    )
            if batch_sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler!r}"
                )
        elif len(dataset) == 0:
            raise ValueError(
                f"DataLoader got an empty dataset ({type(dataset).__name__} of length 0)"
            )
        if sampler is not None and shuffle:
            raise ValueError(
                "DataLoader: sampler option is mutually exclusive with shuffle "
                "(got shuffle=True and a sampler; shuffle in the sampler)"
            )
        for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value is not None and not (hasattr(value, "__iter__") and hasattr(value, "__len__")):
                raise TypeError(
                    f"DataLoader expected {name} to be an iterable of indices with __len__, "
                    f"got {type(value).__name__}"
                )
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                    "shuffle, sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None:
            if drop_last:
                raise ValueError(
                    "DataLoader: batch_size=None option disables auto-batching and is mutually "
                    "exclusive with drop_last"
                )
        elif isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
            raise ValueError(
                f"DataLoader expected batch_size to be a positive int, got {batch_size!r}"
            )
        elif batch_size <= 0:
            raise ValueError(
                f"DataLoader expected batch_size to be a positive int, got {batch_size!r}"
            )
        if sampler is None and not iterable:
            if shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        # Our BatchSampler over the sampler (batches are then consecutive runs of its order).
        self._own_batches = batch_sampler is None and batch_size is not None
        if self._own_batches and not iterable:
            batch_sampler = BatchSampler(sampler, int(batch_size), bool(drop_last))
        # PyTorch's "automatic batching": samples are collated into batches.
        self._auto_collation = batch_size is not None if iterable else batch_sampler is not None
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = bool(drop_last)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.collate_fn = collate_fn or (
            default_collate if self._auto_collation else default_convert
        )
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.worker_init_fn, self.generator = worker_init_fn, generator
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor
        self.persistent_workers, self.pin_memory_device = persistent_workers, pin_memory_device
        self.in_order = in_order
        self._epoch = 0  # epochs started so far
        self._order = None  # sample order of the current epoch (None: 0, 1, ..., n-1)
        self._sizes = None  # batch sizes of the current epoch (None: from batch_size)
        self._index = 0  # batches of the current epoch already yielded
        self._resume = False  # a loaded state waits to be continued by the next iter()
        self._active = None  # the iterator whose progress state_dict() reports

    @property
    def shuffle(self) -> bool:
        """Whether the order is a fresh random permutation each epoch (``shuffle=True``)."""
        return type(self.sampler) is RandomSampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # a stream without __len__ has no length: TypeError
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self):
        if isinstance(self.dataset, IterableDataset):
            self._resume, self._epoch, self._index = False, self._epoch + 1, 0
            self._active = StreamIter(self)
            return self._active
        if self._resume:
            self._resume = False
        else:
            self._order, self._sizes = self._draw_order()
            self._epoch += 1
            self._index = 0
        self._active = LoaderIter(self, self._order, self._sizes, self._index)
        return self._active

    @property
    def _user_batches(self) -> bool:
        return self.batch_sampler is not None and not self._own_batches

    @property
    def _sequential(self) -> bool:
        """Whether each epoch reads the dataset in order (batches are then slices)."""
        return (
            not self._user_batches
            and type(self.sampler) is SequentialSampler
            and self.sampler.data_source is self.dataset
        )

    def _draw_order(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        """This epoch's sample order (None when sequential) and, for a batch sampler of the
        user's, the sizes of its batches."""
        if self._user_batches:
            batches = [list(b) for b in self.batch_sampler]
            sizes = np.array([len(b) for b in batches], dtype=np.int64)
            order = np.fromiter(itertools.chain.from_iterable(batches), dtype=np.int64)
            return order, sizes
        if self._sequential:
            return None, None
        if type(self.sampler) is RandomSampler:  # the shuffle=True default: no ints per sample
            return self.sampler.indices(), None
        order = np.fromiter(iter(self.sampler), dtype=np.int64)
        if order.shape != (len(self.sampler),):
            raise ValueError(
                f"DataLoader: the sampler yielded {order.size} indices but its "
                f"len() is {len(self.sampler)}"
            )
        return order, None

    def state_dict(self) -> dict:
        """The loader's position (see the class docstring for the resume contract)."""
        return loader_state(self)

    def load_state_dict(self, state: dict) -> None:
        """Restore a position saved by ``state_dict()``; the next iteration continues from it."""
        load_loader_state(self, state)


def _check_workers(
    num_workers: int, timeout: float, prefetch_factor: int | None, persistent_workers: bool
) -> None:
    """PyTorch's checks of the multiprocessing options (which change nothing here)."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral):
        raise TypeError(f"DataLoader expected num_workers to be an int, got {num_workers!r}")
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if not isinstance(timeout, numbers.Real) or timeout < 0:
        raise ValueError(f"timeout option should be non-negative, got timeout={timeout!r}")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing. Let "
            "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def get_worker_info() -> None:
    """Information about the current loader worker process: always None, since a DataLoader
    loads in the calling process (``torch.utils.data.get_worker_info`` is None there too)."""
    return None
