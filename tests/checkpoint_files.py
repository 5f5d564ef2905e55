"""Helpers for tests that craft checkpoint files: edit a file with h5py, then re-seal it (the
content digest and the integrity header recomputed), as an attacker who knows the format would,
so that what is tested is the reader's structural checks, not the digests."""

import contextlib

import h5py
import numpy as np

from minitorch_es.checkpoint.seal import seal
from minitorch_es.checkpoint.writer import content_digest


def attributes(f: h5py.File) -> dict:
    """Every attribute of every object, as the writer records them (ints and strs)."""
    found = {"/": dict(f.attrs)}
    f.visititems(lambda name, obj: found.__setitem__("/" + name, dict(obj.attrs)) and None)
    return {
        where: {
            k: v.tolist() if isinstance(v, (np.generic, np.ndarray)) else v
            for k, v in attrs.items()
        }
        for where, attrs in found.items()
        if attrs
    }


def reseal(path) -> None:
    """Recompute the content digest and the integrity header of an edited checkpoint."""
    with h5py.File(path, "r+") as f:
        f.attrs["content_sha256"] = content_digest(attributes(f))
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
