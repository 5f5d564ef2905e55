"""``ShardSampler``: one rank's part of the order a one-process DataLoader reads, so that a
data-parallel ``fit`` on N ranks sees the very batches of a one-process ``fit``; and
`restate_position`, which moves a saved loader position to another number of ranks.

A data-parallel ``fit`` shards its training loader this way: every epoch the loader's own
sampler (a RandomSampler drawing from the package generator, or sequential) gives the epoch's
order -- the global order, drawn on every rank exactly as one process draws it, then taken
from rank 0 so that the ranks agree whatever happened to their generators. Rank ``r`` of ``N``
reads positions ``r, r + N, r + 2N, ...`` of it (padded to a multiple of ``N`` by repeating its
start, as `DistributedSampler`). With ``batch_size`` ``b`` per rank, global step ``k`` is
positions ``[kNb, (k+1)Nb)``: the batch ``k`` of one process with ``batch_size`` ``N * b``.

Its state holds that global order, so a checkpoint describes the position in a way that does
not depend on the number of ranks; `restate_position` turns a saved position (of one process or
of N ranks) into one for the loader at hand on M ranks: the same epoch, order and samples done.
Between epochs any batch size goes; in the middle of an epoch the global batch (ranks x
per-rank batch) must be the same, so the run goes on with the very same global steps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .samplers import Sampler, SequentialSampler

KIND = "shard"  # marks a ShardSampler's state in a saved loader position


def _plain(value: Any):
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return value.item() if isinstance(value, np.generic) else value


class ShardSampler(Sampler):
    """Rank ``rank``'s part of the order ``base`` (a sampler) draws each epoch, among
    ``num_replicas`` ranks (see the module notes). ``agree`` (optional) is applied to each new
    order before it is split, e.g. a broadcast from rank 0.

        >>> base = mt.utils.data.SequentialSampler(range(7))
        >>> [list(ShardSampler(base, 2, r)) for r in range(2)]
        [[0, 2, 4, 6], [1, 3, 5, 0]]
    """

    def __init__(
        self,
        base: Sampler,
        num_replicas: int,
        rank: int,
        agree: Callable[[np.ndarray], Any] | None = None,
    ) -> None:
        if not 0 <= rank < num_replicas:
            raise ValueError(f"ShardSampler: rank must be in [0, {num_replicas - 1}], got {rank}")
        self.base, self.num_replicas, self.rank, self.agree = base, num_replicas, rank, agree
        self.shuffled = not isinstance(base, SequentialSampler)
        self.order: np.ndarray | None = None  # the global order of the current epoch
        self._restored: np.ndarray | None = None

    def __len__(self) -> int:
        return -(-len(self.base) // self.num_replicas)

    def __iter__(self) -> Iterator[int]:
        order, self._restored = self._restored, None
        if order is None:  # a new epoch: drawn as one process draws it
            order = np.fromiter(iter(self.base), dtype=np.int64)
            if self.agree is not None:
                self.agree(order)
        self.order = order
        total = len(self) * self.num_replicas
        padded = np.resize(order, total) if total > len(order) else order
        return iter(padded[self.rank : total : self.num_replicas].tolist())

    def state_dict(self) -> dict:
        """``{"kind", "order" (the epoch's global order, None when sequential), "shuffled",
        "num_replicas", "num_samples"}``: the order does not depend on the number of ranks."""
        keep = self.shuffled and self.order is not None
        return {
            "kind": KIND,
            "order": self.order.copy() if keep else None,
            "shuffled": self.shuffled,
            "num_replicas": self.num_replicas,
            "num_samples": len(self.base),
        }

    def load_state_dict(self, state: dict) -> None:
        """Make the next iteration continue the saved epoch's order (saved on any number of
        ranks: `restate_position` moves the loader's index)."""
        where = "ShardSampler.load_state_dict"
        if not isinstance(state, dict) or _plain(state.get("kind")) != KIND:
            raise ValueError(f"{where}: expected the state of a ShardSampler, got {state!r:.80}")
        n = len(self.base)
        if (
            _plain(state.get("num_samples")) != n
            or bool(_plain(state["shuffled"])) != self.shuffled
        ):
            raise ValueError(
                f"{where}: the state was saved for {_plain(state.get('num_samples'))} samples, "
                f"shuffled={_plain(state['shuffled'])}, but this loader has {n}, "
                f"shuffled={self.shuffled}"
            )
        order = state["order"]
        if order is None:
            self._restored = np.arange(n, dtype=np.int64) if not self.shuffled else None
            return
        order = np.asarray(order)
        if order.shape != (n,) or order.dtype.kind not in "iu":
            raise ValueError(
                f"{where}: the order must be {n} indices, got {order.dtype} {order.shape}"
            )
        self._restored = order.astype(np.int64)


def _world_of(state: dict) -> int | None:
    """The ranks a loader position was saved on: N for a ShardSampler's, 1 for a plain
    loader's, None for another sampler with state (not moved)."""
    sampler = state.get("sampler")
    if sampler is None:
        return 1
    if isinstance(sampler, dict) and _plain(sampler.get("kind")) == KIND:
        return int(_plain(sampler["num_replicas"]))
    return None


def restate_position(saved: dict, loader: Any, batches: int | None) -> tuple[dict, int | None]:
    """``(position, batches)`` for ``loader`` from a position ``saved`` by a loader of another
    number of ranks or batch size, with ``batches`` finished in the running epoch (None
    between epochs); unchanged when nothing differs or the position is another sampler's."""
    sampler = getattr(loader, "sampler", None)
    ranks = sampler.num_replicas if isinstance(sampler, ShardSampler) else 1
    if isinstance(sampler, ShardSampler) or not hasattr(sampler, "state_dict"):
        saved_ranks = _world_of(saved)
    else:
        saved_ranks = None  # the loader has a sampler of another kind (a DistributedSampler)
    size, old = loader.batch_size, _plain(saved.get("batch_size"))
    if saved_ranks in (None, ranks) or size is None or old is None:
        return saved, batches  # the same number of ranks: the loader checks the rest
    index = int(_plain(saved["index"]))
    if batches in (None, 0):  # between epochs: only the end of the epoch is kept
        new_index, new_batches = (0 if index == 0 else -1), batches
    elif saved_ranks * old != ranks * size:
        wanted = saved_ranks * old
        hint = f"batch_size={wanted // ranks}" if wanted % ranks == 0 else "another number of ranks"
        raise ValueError(
            f"the checkpoint was written in the middle of an epoch by {saved_ranks} rank(s) x "
            f"{old} samples per step (a global batch of {wanted}); {ranks} rank(s) x {size} "
            f"continue it only with the same global batch: use {hint}, or resume from a "
            f"checkpoint written at the end of an epoch"
        )
    else:  # the same global batch: the same global steps
        new_index = new_batches = int(batches)
    sharded = isinstance(sampler, ShardSampler)
    order, shuffled = _global_order(saved)
    if shuffled != (sampler.shuffled if sharded else bool(loader.shuffle)):
        raise ValueError(
            f"the checkpoint's run was {'' if shuffled else 'not '}shuffled but this fit is "
            f"{'not ' if shuffled else ''}(shuffle={not shuffled})"
        )
    state = {k: v for k, v in saved.items() if k not in ("sampler", "permutation")}
    state["batch_size"], state["shuffle"] = size, loader.shuffle
    if sharded:
        state["permutation"] = None
        state["sampler"] = {
            "kind": KIND,
            "order": order,
            "shuffled": shuffled,
            "num_replicas": ranks,
            "num_samples": _plain(saved["num_samples"]),
        }
    else:
        state["permutation"] = order
    state["index"] = new_index if new_index >= 0 else len(loader)
    return state, new_batches


def _global_order(saved: dict) -> tuple[np.ndarray | None, bool]:
    """The saved epoch's global order (None: sequential) and whether the run shuffled."""
    sampler = saved.get("sampler")
    if sampler is None:
        return saved.get("permutation"), bool(_plain(saved.get("shuffle")))
    return sampler.get("order"), bool(_plain(sampler.get("shuffled")))
