"""The integrity header: a digest of the whole file, kept in the HDF5 user block and checked
before libhdf5 parses anything.

libhdf5 trusts the bytes it reads: a single flipped bit in its metadata can make it raise an
unrelated error, return wrong values or loop forever. So the first ``USERBLOCK_SIZE`` bytes of a
checkpoint (a region HDF5 reserves for the application and never interprets) hold, in ASCII,

    minitorch_es checkpoint
    format 2
    size <length of the file in bytes>
    sha256 <hex digest of every byte after the user block>

followed by zero bytes up to ``USERBLOCK_SIZE``; `verify` checks all of it, to the last padding
byte, before the file is handed to HDF5.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import BinaryIO

from .format import FORMAT_VERSION, CheckpointError

USERBLOCK_SIZE = 512
MAGIC = b"minitorch_es checkpoint\n"
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_HEADER = re.compile(rb"format ([0-9]{1,9})\nsize ([0-9]{1,20})\nsha256 ([0-9a-f]{64})\n")
_CHUNK = 1 << 20


def seal(f: BinaryIO, version: int = FORMAT_VERSION) -> None:
    """Write the header of the HDF5 file open in ``f`` (made with ``userblock_size=
    USERBLOCK_SIZE``) from its current contents."""
    size = f.seek(0, os.SEEK_END)
    header = MAGIC + b"format %d\nsize %d\nsha256 %s\n" % (version, size, _digest(f).encode())
    f.seek(0)
    f.write(header.ljust(USERBLOCK_SIZE, b"\0"))


def verify(f: BinaryIO, path: str) -> None:
    """Check the header of the file open in ``f`` against its contents; ``path`` (as the user
    gave it) names the file in the `CheckpointError`."""
    head = f.read(USERBLOCK_SIZE)
    if not head.startswith(MAGIC):
        raise CheckpointError(_no_header(head, path))
    match = _HEADER.match(head, len(MAGIC))
    if match is None:
        raise CheckpointError(f"{path!r}: the integrity header is corrupted (unreadable)")
    version, size, digest = int(match[1]), int(match[2]), match[3].decode()
    if version != FORMAT_VERSION:
        newer = "newer than" if version > FORMAT_VERSION else "other than the version"
        raise CheckpointError(
            f"{path!r} has checkpoint format version {version}, {newer} this library reads "
            f"({FORMAT_VERSION}); use the minitorch_es version that wrote it (or the file's "
            f"header is corrupted)"
        )
    if head[match.end() :].strip(b"\0"):
        raise CheckpointError(f"{path!r}: the integrity header is corrupted (stray bytes)")
    actual = os.fstat(f.fileno()).st_size
    if actual != size:
        raise CheckpointError(
            f"{path!r} is {actual} bytes long, its header says {size}: the file is truncated "
            f"or corrupted"
        )
    if _digest(f) != digest:
        raise CheckpointError(
            f"{path!r} failed its integrity check (SHA-256 of the contents differs from the "
            f"one written at save time): the file is corrupted"
        )


def _digest(f: BinaryIO) -> str:
    f.seek(USERBLOCK_SIZE)
    h = hashlib.sha256()
    while chunk := f.read(_CHUNK):
        h.update(chunk)
    return h.hexdigest()


def _no_header(head: bytes, path: str) -> str:
    if head.startswith(HDF5_SIGNATURE):
        return (
            f"{path!r} is an HDF5 file without the minitorch_es integrity header: a checkpoint "
            f"of format version 1 (minitorch_es 0.1) or not a minitorch_es checkpoint. Version 1 "
            f"files are not read by default because libhdf5 would parse them unverified; if you "
            f"trust this one, convert it with mt.checkpoint.upgrade({path!r})"
        )
    if not head:
        return f"{path!r} is empty, not a minitorch_es checkpoint"
    return f"{path!r} is not a minitorch_es checkpoint (it does not start with its header)"
