"""The HDF5 layer of checkpoints: atomic writes, JSON + dataset trees, and readable errors.

A section of a file (``model``, ``optimizer``, ``trainer`` ...) is one HDF5 group holding a JSON
attribute ``tree`` and the arrays of that tree as datasets. In the JSON an array is replaced by
``{"__dataset__": "relative/path"}``; state dicts put each array at the path of its dotted key
(``"0.weight"`` -> ``0/weight``). Datasets carry Fletcher32 checksums (and gzip when large), so a
corrupted byte is detected and reported with the dataset's name. Nothing is ever pickled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import h5py
import numpy as np

from ..atomic import atomic_path

FORMAT_VERSION = 1
_COMPRESS_ABOVE = 4096  # elements; small arrays are faster and not smaller compressed


class CheckpointError(RuntimeError):
    """A checkpoint that cannot be read or does not fit what it is loaded into."""


@contextmanager
def atomic_h5(path: str) -> Iterator[h5py.File]:
    """Write an HDF5 file under a temporary name in the same directory, flush and fsync it,
    then ``os.replace`` it over ``path``: a crash leaves the previous file intact."""
    with atomic_path(path, CheckpointError) as tmp, h5py.File(tmp, "w") as f:
        yield f
        f.flush()


@contextmanager
def open_h5(path: str) -> Iterator[h5py.File]:
    """Open a checkpoint for reading; missing, non-HDF5 and truncated files raise
    `CheckpointError` naming the file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise CheckpointError(f"checkpoint file not found: {path!r}")
    if not h5py.is_hdf5(path):
        raise CheckpointError(f"{path!r} is not an HDF5 file (or its header is corrupted)")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise CheckpointError(
            f"cannot open {path!r}: the file is truncated or corrupted ({e})"
        ) from None
    try:
        version = int(f.attrs.get("format_version", -1))
        if version > FORMAT_VERSION:
            raise CheckpointError(
                f"{path!r} has checkpoint format version {version}, newer than this library "
                f"supports ({FORMAT_VERSION}); upgrade minitorch_es to read it"
            )
        if version < 1:
            raise CheckpointError(f"{path!r} is an HDF5 file but not a minitorch_es checkpoint")
        yield f
    finally:
        f.close()


def write_tree(group: h5py.Group, tree: Any, key_paths: bool = False) -> None:
    """Store ``tree`` (dicts, lists, numbers, strings, arrays) in ``group``. With ``key_paths``
    the top-level dict's arrays are stored at the path of their dotted keys."""
    counter = iter(range(1 << 62))

    def encode(obj: Any, path_hint: str | None = None, top: bool = False):
        if isinstance(obj, np.ndarray) or hasattr(obj, "__array__") and not isinstance(obj, dict):
            array = obj if isinstance(obj, np.ndarray) else np.asarray(obj)
            if array.dtype.kind not in "biuf":
                raise CheckpointError(
                    f"cannot store an array of dtype {array.dtype} ({path_hint or 'value'})"
                )
            name = path_hint or f"__arrays__/{next(counter)}"
            _write_dataset(group, name, array)
            return {"__dataset__": name}
        if isinstance(obj, dict):
            out = {}
            for k, v in obj.items():
                hint = k.replace(".", "/") if key_paths and top and isinstance(k, str) else None
                out[_encode_key(k)] = encode(v, hint)
            return out
        if isinstance(obj, (list, tuple)):
            return [encode(v) for v in obj]
        if isinstance(obj, np.generic):
            return obj.item()
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        raise CheckpointError(f"cannot store a value of type {type(obj).__name__} in a checkpoint")

    group.attrs["tree"] = json.dumps(encode(tree, None, top=True))


def read_tree(group: h5py.Group, where: str) -> Any:
    """The inverse of `write_tree`; ``where`` names the section in errors."""
    try:
        tree = json.loads(group.attrs["tree"])
    except (KeyError, ValueError) as e:
        raise CheckpointError(
            f"{where}: the section's description is missing or corrupted ({e})"
        ) from None

    def decode(obj: Any):
        if isinstance(obj, dict):
            if set(obj) == {"__dataset__"}:
                return read_dataset(group, obj["__dataset__"], where)
            return {_decode_key(k): decode(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [decode(v) for v in obj]
        return obj

    return decode(tree)


def _write_dataset(group: h5py.Group, name: str, array: np.ndarray) -> None:
    if name in group:
        raise CheckpointError(f"two arrays map to the same place {name!r} in the file")
    ndim = array.ndim
    stored = np.ascontiguousarray(array).reshape(array.shape or (1,))  # HDF5 chunks need >= 1-D
    if array.size == 0:
        ds = group.create_dataset(name, data=stored)
    else:
        ds = group.create_dataset(
            name,
            data=stored,
            fletcher32=True,
            compression="gzip" if array.size > _COMPRESS_ABOVE else None,
        )
    ds.attrs["ndim"] = ndim


def read_dataset(group: h5py.Group, name: str, where: str) -> np.ndarray:
    """The array stored as dataset ``name`` of ``group``, checksum verified; errors name
    ``where``."""
    full = f"{group.name}/{name}"
    try:
        ds = group[name]
        data = ds[()]
    except KeyError:
        raise CheckpointError(f"{where}: dataset {full!r} is missing from the file") from None
    except OSError as e:
        raise CheckpointError(
            f"{where}: dataset {full!r} failed its checksum or could not be read: the file is "
            f"corrupted ({e})"
        ) from None
    data = np.asarray(data)
    if int(ds.attrs.get("ndim", data.ndim)) == 0:
        data = data.reshape(())
    return data


def _encode_key(k: str | int) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, (int, np.integer)) and not isinstance(k, bool):
        return f"__int__{int(k)}"
    raise CheckpointError(f"dict keys in a checkpoint must be str or int, got {k!r}")


def _decode_key(k: str):
    return int(k[7:]) if k.startswith("__int__") else k
