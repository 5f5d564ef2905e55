"""``DistributedSampler``: each rank of a data-parallel job reads its own shard of a dataset
(``torch.utils.data.distributed.DistributedSampler``)."""

from __future__ import annotations

import math
from collections.abc import Sized
from typing import Any

import numpy as np

from ..validation import check_int, is_int


def _int(value: Any, name: str, low: int, where: str = "DistributedSampler") -> int:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return check_int(value, name, where, low=low)


def torch_randperm(n: int, seed: int) -> np.ndarray:
    """``torch.randperm(n, generator=torch.Generator().manual_seed(seed))``, the same numbers:
    PyTorch's CPU generator is the 32-bit Mersenne Twister seeded with the seed's low 32 bits
    (NumPy's ``MT19937`` with its legacy seeding gives the same stream) and ``randperm`` is a
    Fisher-Yates shuffle swapping position ``i`` with ``i + random() % (n - i)``.

        >>> torch_randperm(6, 0).tolist()
        [2, 5, 3, 0, 1, 4]
    """
    bits = np.random.MT19937()
    bits._legacy_seeding(seed & 0xFFFFFFFF)
    draws = bits.random_raw(max(n - 1, 0)).tolist()
    order = list(range(n))
    for i, r in enumerate(draws):  # a Python loop: ~40 ms for 60,000 samples
        j = i + r % (n - i)
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


class DistributedSampler:
    """The indices of rank ``rank``'s shard of ``dataset`` among ``num_replicas`` ranks.

    Every epoch all ranks build the same order -- a permutation drawn from ``seed + epoch`` when
    ``shuffle``, else ``0, 1, ..., n-1`` -- and rank ``r`` takes every ``num_replicas``-th index
    starting at ``r``. So the shards are disjoint and, within one step, rank ``r``'s batch is
    the ``r``-th interleaved part of one global batch. All shards have the same length: without
    ``drop_last`` the order is padded by repeating its first indices up to a multiple of
    ``num_replicas``; with ``drop_last`` its tail is dropped instead. Call `set_epoch`
    before each epoch to get a new order (``Trainer.fit`` does it); ``seed`` must be the same on
    every rank. ``num_replicas`` / ``rank`` default to ``mt.distributed.world_size()`` /
    ``rank()``.

        >>> dataset = mt.data.TensorDataset(mt.arange(10))
        >>> sampler = mt.data.DistributedSampler(dataset, num_replicas=2, rank=1, shuffle=False)
        >>> list(sampler)
        [1, 3, 5, 7, 9]
        >>> loader = mt.data.DataLoader(dataset, batch_size=2, sampler=sampler)
        >>> [xb.tolist() for (xb,) in loader]
        [[1, 3], [5, 7], [9]]

    The shuffled orders are PyTorch's very numbers (`torch_randperm`), so a ported script
    reads the same samples on the same ranks as under PyTorch:

        >>> list(mt.data.DistributedSampler(range(10), num_replicas=3, rank=1, seed=5))
        [4, 3, 2, 1]
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DistributedSampler expected a dataset with __len__, got {type(dataset).__name__}"
            )
        if num_replicas is None or rank is None:
            from ..distributed.world import rank as this_rank
            from ..distributed.world import world_size

            num_replicas = world_size() if num_replicas is None else num_replicas
            rank = this_rank() if rank is None else rank
        num_replicas = _int(num_replicas, "num_replicas", 1)
        if not (is_int(rank) and 0 <= rank < num_replicas):
            raise ValueError(
                f"Invalid rank {rank!r}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas, self.rank = num_replicas, int(rank)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.seed = _int(seed, "seed", 0)
        self.epoch = 0
        n = len(dataset)
        if self.drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Select the order of ``epoch`` (the same on every rank; only matters with shuffle)."""
        self.epoch = _int(epoch, "epoch", 0, "DistributedSampler.set_epoch")

    def indices(self) -> np.ndarray:
        """This rank's shard for the current epoch, as an int64 array."""
        n = len(self.dataset)
        if self.shuffle:
            order = torch_randperm(n, self.seed + self.epoch)
        else:
            order = np.arange(n, dtype=np.int64)
        if self.total_size > n:  # pad by repeating the order (several times for tiny datasets)
            order = np.resize(order, self.total_size)
        else:
            order = order[: self.total_size]
        return order[self.rank : self.total_size : self.num_replicas].astype(np.int64)

    def __iter__(self):
        return iter(self.indices().tolist())

    # ------------------------------------------------------------------ resume
    def state_dict(self) -> dict:
        """What the order depends on besides the rank, so a checkpoint written by rank 0
        restores the order of every rank: ``epoch``, ``seed``, ``num_replicas``, ``shuffle``,
        ``drop_last`` and ``num_samples`` (the dataset's length)."""
        return {
            "epoch": self.epoch,
            "seed": self.seed,
            "num_replicas": self.num_replicas,
            "shuffle": self.shuffle,
            "drop_last": self.drop_last,
            "num_samples": len(self.dataset),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore ``epoch`` and ``seed`` saved by `state_dict` (on any rank of a job with
        the same number of ranks and the same dataset)."""
        where = "DistributedSampler.load_state_dict"
        if not isinstance(state, dict) or not {"epoch", "seed"} <= set(state):
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"{where}: expected a dict with keys 'epoch' and 'seed', got {got}")
        for key, mine in (
            ("num_replicas", self.num_replicas),
            ("shuffle", self.shuffle),
            ("drop_last", self.drop_last),
            ("num_samples", len(self.dataset)),
        ):
            saved = state.get(key, mine)
            saved = np.asarray(saved)[()] if isinstance(saved, np.ndarray) else saved
            saved = saved.item() if isinstance(saved, np.generic) else saved
            if saved != mine:
                hint = " (resume on the same number of ranks)" if key == "num_replicas" else ""
                raise ValueError(
                    f"{where}: the state was saved with {key}={saved!r} but this "
                    f"sampler has {key}={mine!r}{hint}"
                )
        self.epoch = _int(state["epoch"], "epoch", 0, where)
        self.seed = _int(state["seed"], "seed", 0, where)
