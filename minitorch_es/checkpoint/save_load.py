"""``mt.save`` / ``mt.load``: what ``torch.save`` takes (state dicts, tensors, containers,
whole models) in a verified HDF5 file, without pickle."""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

from .format import CheckpointError
from .payload import from_stored, to_storable
from .reader import open_checkpoint
from .rebuild import rebuild_model
from .writer import create


def save(obj: Any, f: str | os.PathLike, *, replace_read_only: bool = False) -> None:
    """Save ``obj`` to the HDF5 file ``f``, atomically (``torch.save``; nothing is pickled).

    ``obj`` is what PyTorch programs save: a state dict (a model's or an optimizer's), a
    Tensor, NumPy arrays, numbers, str, None, dicts/lists/tuples of them, or a whole model
    (stored as its registry config plus its weights; every class in it must be registered).
    Keys are str or int. `load` gives back the same types; anything that would not come back
    identical is refused before the file is touched. A read-only file is replaced only with
    ``replace_read_only=True``.

        model = mt.nn.Linear(3, 2)
        mt.save(model.state_dict(), "weights.h5")
        model.load_state_dict(mt.load("weights.h5"))
    """
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(f"mt.save expects a file path (str or os.PathLike), got {type(f).__name__}")
    tree, types = to_storable(obj)
    with create(f, "state_dict", replace_read_only) as w:
        w.json("/", "types", types)
        w.tree("/state", tree, key_paths=True)


def load(
    f: str | os.PathLike,
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Load what `save` wrote (``torch.load``): Tensors as Tensors, arrays as arrays, containers
    as saved. Never unpickles; no code named in the file runs; the file is verified before it
    is parsed (see the format).

    As in PyTorch 2.6+, ``weights_only`` defaults to True and then a whole model is refused
    (`WeightsOnlyError`, a ``pickle.UnpicklingError``); ``weights_only=False`` rebuilds it from
    registered classes, within what the file stores. ``map_location`` may name a device
    (``"cpu"``, ``mt.device``), a dict or a function, as in PyTorch; every tensor is on the CPU.
    ``mmap`` is accepted and ignored. Files upgraded from format 1 (no recorded types) load as
    state dicts of arrays.
    """
    if map_location is not None and not (callable(map_location) or isinstance(map_location, dict)):
        from ..devices import check_device

        check_device(map_location)  # "cuda" etc. get the device module's clear error
    with open_checkpoint(f) as ck:
        if ck.kind != "state_dict":
            raise CheckpointError(
                f"{ck.path!r} holds a {ck.kind}, not an object saved by mt.save; use "
                f"mt.load_checkpoint or mt.load_model"
            )
        tree = ck.tree("/state")
        types = ck.json("/", "types")
    if types is None:  # upgraded from minitorch_es 0.1: a state dict of arrays
        return OrderedDict(tree) if isinstance(tree, dict) else tree
    return from_stored(tree, types, repr(os.fspath(f)), weights_only is not False, rebuild_model)
