"""Converting a checkpoint of format version 1 (minitorch_es 0.1) to the current format.

Version 1 files carry no integrity header, so libhdf5 has to parse them unverified: a damaged
one can make it fail in unexpected ways or hang. They are therefore not read by `load`,
`load_checkpoint` or `load_model`; `upgrade` reads one on the user's explicit request (for a
file they trust), still refusing links and external or virtual storage, and writes it again in
the current format, with its digests.
"""

from __future__ import annotations

import json
import os
from typing import Any

import h5py
import numpy as np

from ..printable import printable
from .format import SECTIONS, CheckpointError
from .writer import create

# The attributes of format 1 that format 2 keeps as fields, as they are (JSON or plain text).
_ROOT_JSON = ("metadata", "rng_state", "ranks", "types")
_GROUP_TEXT = {
    "model": ("config", "providers", "config_error"),
    "optimizer": ("type", "config"),
    "scheduler": ("type",),
}


def upgrade(path: str | os.PathLike, out: str | os.PathLike | None = None) -> str:
    """Rewrite the format-1 checkpoint ``path`` in the current format, to ``out`` (default:
    ``path`` itself, replaced atomically); returns the path written. Only for files you trust:
    libhdf5 parses a format-1 file before anything can be verified.

        mt.checkpoint.upgrade("old_run.h5")
        mt.load_checkpoint("old_run.h5", model=model)
    """
    shown = os.fspath(path)
    target = shown if out is None else os.fspath(out)
    try:
        with h5py.File(shown, "r") as f:
            content = _read_version_1(f, shown)
    except CheckpointError:
        raise
    except Exception as e:  # anything libhdf5 or h5py raise on a damaged file
        raise CheckpointError(
            f"cannot read {shown!r} as a checkpoint of format version 1 ({type(e).__name__}: "
            f"{printable(e, limit=200)})"
        ) from None
    with create(target, content["kind"]) as w:
        for name in _ROOT_JSON:
            if name in content:
                w.field("/", name, content[name])
        for group, attrs in content["attributes"].items():
            for name, value in attrs.items():
                w.field(group, name, value)
        for group, tree in content["trees"].items():
            w.tree(group, tree, key_paths=group in ("/state", "/model/state"))
    return target


def _read_version_1(f: h5py.File, shown: str) -> dict:
    version = f.attrs.get("format_version")
    if version != 1 or f.attrs.get("framework") != "minitorch_es":
        raise CheckpointError(
            f"{shown!r} is not a minitorch_es checkpoint of format version 1 (format_version "
            f"{printable(repr(version))})"
        )
    _refuse_links_and_outside_storage(f, shown)
    kind = _text(f.attrs.get("kind"))
    content: dict[str, Any] = {"kind": kind, "attributes": {}, "trees": {}}
    for name in _ROOT_JSON:
        if name in f.attrs:
            content[name] = _text(f.attrs[name])
    groups = ["state"] if kind == "state_dict" else [s for s in SECTIONS if s in f]
    for name in groups:
        state = f[name] if name == "state" else f[name]["state"]
        content["trees"][state.name] = _tree(state, shown)
        attrs = {
            k: _text(f[name].attrs[k]) for k in _GROUP_TEXT.get(name, ()) if k in f[name].attrs
        }
        if attrs:
            content["attributes"][f"/{name}"] = attrs
    return content


def _refuse_links_and_outside_storage(f: h5py.File, shown: str) -> None:
    stack = [f]
    while stack:
        group = stack.pop()
        for name in group:
            where = f"{group.name.rstrip('/')}/{name}"
            if not isinstance(group.get(name, getlink=True), h5py.HardLink):
                raise CheckpointError(f"{shown!r}: {where!r} is a link; refusing to follow it")
            obj = group[name]
            if isinstance(obj, h5py.Group):
                stack.append(obj)
                continue
            plist = obj.id.get_create_plist()
            if plist.get_layout() == h5py.h5d.VIRTUAL or plist.get_external_count():
                raise CheckpointError(f"{shown!r}: {where!r} keeps its data in another file")


def _tree(group: h5py.Group, shown: str) -> Any:
    def decode(obj: Any) -> Any:
        if isinstance(obj, dict):
            if set(obj) == {"__dataset__"}:
                dataset = group[obj["__dataset__"]]
                data = np.asarray(dataset[()])
                return data.reshape(()) if int(dataset.attrs.get("ndim", data.ndim)) == 0 else data
            return {_key(k): decode(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [decode(v) for v in obj]
        return obj

    return decode(json.loads(_text(group.attrs["tree"])))


def _key(key: str) -> str | int:
    return int(key[7:]) if key.startswith("__int__") else key


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
