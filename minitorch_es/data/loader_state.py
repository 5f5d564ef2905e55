"""A DataLoader's position within its epochs, saved and restored (the resume contract of
`DataLoader.state_dict`): what was saved is checked against the loader it is loaded into."""

from __future__ import annotations

from typing import Any

import numpy as np

from .dataset import IterableDataset


def loader_state(loader: Any) -> dict:
    """``{"epoch", "permutation", "index", "num_samples", "batch_size", "shuffle",
    "drop_last"}``, plus ``"batch_sizes"`` for a batch sampler of the user's and ``"sampler"``
    (instead of the order) for a sampler with its own state."""
    stream = isinstance(loader.dataset, IterableDataset)
    order = loader._order
    state = {
        "epoch": loader._epoch,
        "permutation": None if order is None else order.astype(np.int64, copy=True),
        "index": loader._index,
        "num_samples": None if stream else len(loader.dataset),
        "batch_size": loader.batch_size,
        "shuffle": loader.shuffle,
        "drop_last": loader.drop_last,
    }
    if loader._sizes is not None:
        state["batch_sizes"] = loader._sizes.copy()
    if hasattr(loader.sampler, "state_dict"):
        state["permutation"] = None
        state["sampler"] = loader.sampler.state_dict()
    return state


def load_loader_state(loader: Any, state: dict) -> None:
    """Check ``state`` against ``loader`` and make the next ``iter(loader)`` continue it."""
    where = "DataLoader.load_state_dict"
    if not isinstance(state, dict):
        raise TypeError(f"{where} expected a dict, got {type(state).__name__}")
    missing = [k for k in ("epoch", "permutation", "index") if k not in state]
    if missing:
        raise KeyError(f"{where}: the state lacks the keys {missing}")
    stream = isinstance(loader.dataset, IterableDataset)
    mine = {
        "num_samples": None if stream else len(loader.dataset),
        "batch_size": loader.batch_size,
        "shuffle": loader.shuffle,
        "drop_last": loader.drop_last,
    }
    for key, value in mine.items():
        if key in state and _plain(state[key]) != value:
            raise ValueError(
                f"{where}: the state was saved with {key}={_plain(state[key])!r} but this loader "
                f"has {key}={value!r}"
            )
    epoch, index = _plain(state["epoch"]), _plain(state["index"])
    if not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"{where}: epoch must be an int >= 0, got {epoch!r}")
    if stream:
        if index not in (0, None):
            raise ValueError(
                f"{where}: an IterableDataset cannot be resumed mid-epoch (the state is at "
                f"batch {index}); its stream restarts with each epoch"
            )
        loader._epoch, loader._index, loader._resume, loader._active = epoch, 0, False, None
        return
    order, sizes = _saved_order(loader, state, epoch)
    count = len(loader) if sizes is None else len(sizes)
    if not isinstance(index, int) or not 0 <= index <= count:
        raise ValueError(
            f"{where}: index must be an int in [0, {count}] (the batches per epoch), got {index!r}"
        )
    loader._epoch, loader._order, loader._sizes, loader._index = epoch, order, sizes, index
    loader._resume = epoch > 0 and index < count
    loader._active = None


def _saved_order(loader: Any, state: dict, epoch: int):
    """The order (and batch sizes) of the saved epoch, checked: recomputed by a sampler with
    state, else read from the state."""
    where = "DataLoader.load_state_dict"
    saved_sampler = state.get("sampler")
    stateful = type(loader.sampler).__name__ if hasattr(loader.sampler, "state_dict") else None
    if (saved_sampler is None) != (stateful is None):
        raise ValueError(
            f"{where}: "
            + (
                f"the state has no sampler state but this loader's {stateful} needs one"
                if stateful
                else "the state has a sampler state but this loader has no sampler with "
                "state (the state was saved with a DistributedSampler)"
            )
        )
    if saved_sampler is not None:
        loader.sampler.load_state_dict(saved_sampler)
        return loader._draw_order() if epoch > 0 else (None, None)
    n = len(loader.dataset)
    perm = state["permutation"]
    sizes = state.get("batch_sizes")
    if sizes is not None:
        sizes = np.asarray(sizes)
        if sizes.ndim != 1 or sizes.dtype.kind not in "iu" or (sizes.size and sizes.min() < 1):
            raise ValueError(f"{where}: batch_sizes must be 1-d positive ints, got {sizes!r}")
        sizes = sizes.astype(np.int64)
    if perm is None:
        if epoch > 0 and not loader._sequential:
            raise ValueError(
                f"{where}: this loader's {type(loader.sampler).__name__} draws an order each "
                f"epoch but the state has no permutation"
            )
        return None, sizes
    perm = np.asarray(perm)
    wanted = int(sizes.sum()) if sizes is not None else len(loader.sampler)
    if (
        perm.shape != (wanted,)
        or perm.dtype.kind not in "iu"
        or (perm.size and not 0 <= perm.min() <= perm.max() < n)
    ):
        raise ValueError(
            f"{where}: the permutation must be {wanted} indices in range({n}), got an array of "
            f"dtype {perm.dtype} and shape {perm.shape}"
        )
    if loader.shuffle and not np.array_equal(np.sort(perm), np.arange(n)):
        raise ValueError(
            f"{where}: with shuffle=True the permutation must be a permutation of range({n})"
        )
    return perm.astype(np.int64), sizes


def _plain(value: Any):
    """NumPy scalars / 0-d arrays (as read back from a checkpoint) as Python values."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    return value.item() if isinstance(value, np.generic) else value
