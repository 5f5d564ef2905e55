"""Helpers for tests that craft checkpoint files: edit a file with h5py, then re-seal it (the
content digest and the integrity header recomputed), as an attacker who knows the format would,
so that what is tested is the reader's structural checks, not the digests."""

import contextlib

import h5py
import numpy as np

from minitorch_es.checkpoint.seal import seal
from minitorch_es.checkpoint.writer import content_digest


def field(f: h5py.File, group: str, name: str) -> str:
    """The text of field ``name`` of ``group`` (the dataset ``group/.name``)."""
    return f[f"{group.rstrip('/')}/.{name}"][()].tobytes().decode("utf-8")


def set_field(f: h5py.File, group: str, name: str, value) -> None:
    """Replace (or add) field ``name`` of ``group``: a str as UTF-8 bytes, anything else (to
    craft a malformed field) as given."""
    path = f"{group.rstrip('/')}/.{name}"
    if path in f:
        del f[path]
    data = np.frombuffer(value.encode("utf-8"), np.uint8) if isinstance(value, str) else value
    f.create_dataset(path, data=data)


def fields(f: h5py.File) -> dict:
    """Every well-formed field of every group, as the writer records them."""
    found = {}

    def visit(name, obj):
        if not isinstance(name, str):  # a name that is not UTF-8: h5py gives bytes
            return
        base = name.rsplit("/", 1)[-1]
        if isinstance(obj, h5py.Dataset) and base.startswith(".") and obj.dtype == np.uint8:
            group = "/" + name.rsplit("/", 1)[0] if "/" in name else "/"
            found.setdefault(group, {})[base[1:]] = obj[()].tobytes().decode("utf-8", "replace")

    f.visititems(visit)
    return found


def reseal(path) -> None:
    """Recompute the content digest and the integrity header of an edited checkpoint."""
    with h5py.File(path, "r+") as f:
        set_field(f, "/", "content_sha256", content_digest(fields(f)))
    with open(path, "r+b") as raw:
        seal(raw)


@contextlib.contextmanager
def edit(path):
    """Open a checkpoint with h5py for writing; re-seal it afterwards."""
    with h5py.File(path, "r+") as f:
        yield f
    reseal(path)


def flip(path, offset: int, mask: int = 0xFF) -> None:
    """XOR the byte at ``offset`` of the file with ``mask``."""
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([byte ^ mask]))
