"""``mt.save`` / ``mt.load``: what ``torch.save`` takes (state dicts, tensors, containers,
whole models) in a verified HDF5 file, without pickle."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from typing import IO, Any

from ..serialization import resolve_weights_only
from .format import CheckpointError
from .payload import from_stored, to_storable
from .reader import open_checkpoint
from .rebuild import rebuild_model
from .writer import create


def save(obj: Any, f: str | os.PathLike | IO[bytes], *, replace_read_only: bool = False) -> None:
    """Save ``obj`` to the HDF5 file ``f``, atomically (``torch.save``; nothing is pickled).
    ``f`` may also be a binary file open for writing (``open(path, "wb")``): the whole file is
    written into it once it is complete.

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
    if _is_file(f, "write"):
        with _scratch(f) as path:
            save(obj, path)
            with open(path, "rb") as done:
                shutil.copyfileobj(done, f)
        return
    if not isinstance(f, (str, os.PathLike)):
        raise TypeError(
            f"mt.save expects a file path (str or os.PathLike) or a binary file open for "
            f"writing, got {type(f).__name__}"
        )
    tree, types = to_storable(obj)
    with create(f, "state_dict", replace_read_only) as w:
        w.json("/", "types", types)
        w.tree("/state", tree, key_paths=True)


def load(
    f: str | os.PathLike | IO[bytes],
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
    state dicts of arrays. ``f`` may be a binary file open for reading (``open(path, "rb")``).
    A NumPy array that is not a tensor is refused with ``weights_only=True``, as PyTorch 2.6+
    refuses it, unless allowed (`minitorch_es.serialization`, which also reads PyTorch's
    ``TORCH_FORCE_(NO_)WEIGHTS_ONLY_LOAD`` environment variables).
    """
    weights_only = resolve_weights_only(weights_only)
    if _is_file(f, "read"):
        with _scratch(f) as path:
            with open(path, "wb") as copy:
                shutil.copyfileobj(f, copy)
            try:
                return load(path, map_location, weights_only=weights_only)
            except CheckpointError as e:  # name the user's file object, not the scratch copy
                name = getattr(f, "name", None)
                shown = repr(name) if isinstance(name, str) else f"the {type(f).__name__} given"
                e.args = tuple(
                    a.replace(repr(path), shown).replace(path, shown) if isinstance(a, str) else a
                    for a in e.args
                )
                raise
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
    return from_stored(tree, types, repr(os.fspath(f)), weights_only, rebuild_model)


def _is_file(f: Any, method: str) -> bool:
    """``f`` is an open file object (it has ``read`` / ``write``), not a path."""
    return not isinstance(f, (str, os.PathLike)) and callable(getattr(f, method, None))


@contextlib.contextmanager
def _scratch(f: IO[bytes]) -> Iterator[str]:
    """A path in a private temporary directory, named after the file object ``f`` (so errors
    name it), removed afterwards: HDF5 reads and writes whole files by path."""
    name = os.path.basename(str(getattr(f, "name", "stream"))) or "stream"
    with tempfile.TemporaryDirectory(prefix="minitorch_es-") as tmp:
        yield os.path.join(tmp, name)
