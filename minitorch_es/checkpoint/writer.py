"""Writing a checkpoint: fields (texts), trees and their arrays into a new HDF5 file, then the
content digest, the integrity header and the atomic replacement of the target."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterator
from typing import Any

import h5py
import numpy as np

from ..atomic import atomic_file
from ..version import __version__
from .format import FORMAT_VERSION, MAX_KEY_DEPTH, CheckpointError
from .seal import USERBLOCK_SIZE, seal
from .trees import array_digest, encode


def content_digest(fields: dict[str, dict[str, str]]) -> str:
    """The SHA-256 of every field of a file (but ``content_sha256`` itself), over a canonical
    JSON form; each tree inside carries the digests of its arrays."""
    items = sorted(
        [where, name, value]
        for where, values in fields.items()
        for name, value in values.items()
        if (where, name) != ("/", "content_sha256")
    )
    return hashlib.sha256(json.dumps(items, ensure_ascii=True).encode()).hexdigest()


class CheckpointWriter:
    """Collects what a checkpoint holds while its HDF5 file is written (see `create`)."""

    def __init__(self, h5: h5py.File, kind: str) -> None:
        self._h5 = h5
        self._fields: dict[str, dict[str, str]] = {}
        self.field("/", "format_version", str(FORMAT_VERSION))
        self.field("/", "framework", "minitorch_es")
        self.field("/", "framework_version", __version__)
        self.field("/", "created", time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        self.field("/", "kind", kind)

    def field(self, where: str, name: str, value: str) -> None:
        """Store the text ``value`` as field ``name`` of group ``where`` ("/", "/model" ...):
        the dataset ``.name`` of its UTF-8 bytes, creating the group."""
        group = self._h5.require_group(where)
        group.create_dataset("." + name, data=np.frombuffer(value.encode("utf-8"), np.uint8))
        self._fields.setdefault(where, {})[name] = value

    def json(self, where: str, name: str, value: Any) -> None:
        """Store the JSON of ``value`` as field ``name`` (NumPy scalars as Python numbers)."""
        try:
            text = json.dumps(value, default=_python_scalar, allow_nan=True)
        except (TypeError, ValueError) as e:
            raise CheckpointError(f"cannot store {name} of {where}: {e}") from None
        self.field(where, name, text)

    def tree(self, where: str, tree: Any, key_paths: bool = False) -> None:
        """Store ``tree`` in the group ``where``: its JSON as field ``tree``, its arrays as
        datasets. With ``key_paths`` the arrays of a top-level dict of dotted keys (a state
        dict) are stored at the path of their key ("0.weight" -> ``0/weight``)."""
        group = self._h5.require_group(where)
        taken: dict[str, str] = {}  # dataset path -> "dataset" | "group"
        counter = iter(range(1 << 62))

        def store(array: np.ndarray, here: str, keys: tuple) -> dict:
            name = _key_path(keys, taken) if key_paths else None
            if name is None:
                name = f"__arrays__/{next(counter)}"
            group.create_dataset(name, data=array)  # contiguous, unfiltered
            return {
                "__dataset__": name,
                "dtype": array.dtype.name,
                "shape": list(array.shape),
                "sha256": array_digest(array),
            }

        encoded = encode(tree, store, where.strip("/"))
        self.field(where, "tree", json.dumps(encoded, allow_nan=True))

    def finish(self) -> None:
        """Write the content digest (call once, after everything else)."""
        self.field("/", "content_sha256", content_digest(self._fields))


@contextlib.contextmanager
def create(
    path: str | os.PathLike, kind: str, replace_read_only: bool = False
) -> Iterator[CheckpointWriter]:
    """Write a checkpoint of ``kind`` ("state_dict" or "checkpoint") atomically to ``path``."""
    with atomic_file(path, replace_read_only, CheckpointError) as f:
        with h5py.File(f, "w", userblock_size=USERBLOCK_SIZE) as h5:
            writer = CheckpointWriter(h5, kind)
            yield writer
            writer.finish()
        seal(f)


def _key_path(keys: tuple, taken: dict[str, str]) -> str | None:
    """The dataset path of a top-level state-dict key, or None when the key cannot be a path
    (then the array goes to ``__arrays__``)."""
    if len(keys) != 1 or not isinstance(keys[0], str):
        return None
    parts = keys[0].split(".")
    if len(parts) > MAX_KEY_DEPTH or not all(map(_path_component, parts)):
        return None
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts))]
    path = "/".join(parts)
    if path in taken or any(taken.get(p) == "dataset" for p in prefixes):
        return None
    taken.update(dict.fromkeys(prefixes, "group"))
    taken[path] = "dataset"
    return path


def _path_component(part: str) -> bool:
    # Printable, without "/", and not starting with "__" (which would collide with "__arrays__").
    return bool(part) and part.isprintable() and "/" not in part and not part.startswith("__")


def _python_scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{value!r} (a {type(value).__name__}) is not JSON-serialisable")
