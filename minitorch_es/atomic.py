"""Atomic file writes (checkpoints, ONNX files): a file is written under a temporary name
beside its target, flushed to disk, then renamed over it, so a crash or an error leaves the
previous file intact.

The temporary file is ``.<name>.<random>.tmp`` in the target's directory, created with mode
0666 minus the umask (as ``open()`` would) or with the existing file's mode, and locked
(``flock``) while it is written. A process killed during a save leaves its temporary file
behind unlocked; the next save of the same path removes such files (a locked one belongs to a
save still running and is left alone). A symbolic link is followed and its target replaced, as
``torch.save`` and h5py do; a read-only file is replaced only when asked.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import stat
from collections.abc import Iterator
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows: no locks, so stale temporary files are not collected
    fcntl = None


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike, replace_read_only: bool = False, error: type[Exception] = OSError
) -> Iterator[BinaryIO]:
    """A new binary file opened for reading and writing that replaces ``path`` when the block
    ends without an exception (and is removed when it raises). Problems with ``path`` (a
    missing directory, a read-only file ...) raise ``error`` naming ``path``."""
    with _temporary(path, replace_read_only, error) as (fd, _):
        with os.fdopen(fd, "w+b", closefd=False) as f:
            yield f
            f.flush()


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike, error: type[Exception] = OSError, replace_read_only: bool = False
) -> Iterator[str]:
    """The path of the temporary file to write (by name) instead of ``path``; see
    `atomic_file`."""
    with _temporary(path, replace_read_only, error) as (_, tmp):
        yield tmp


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_file(path) as f:
        f.write(data)


@contextlib.contextmanager
def _temporary(
    path: str | os.PathLike, replace_read_only: bool, error: type[Exception]
) -> Iterator[tuple[int, str]]:
    shown = os.fspath(path)
    target = os.path.realpath(shown)
    directory, name = os.path.split(target)
    mode = _existing_mode(shown, target, replace_read_only, error)
    if not os.path.isdir(directory):
        raise error(f"cannot save to {shown!r}: the directory {directory!r} does not exist")
    remove_stale_temporaries(target)
    fd, tmp = _create_locked(directory, name, shown, error)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        yield fd, tmp
        os.fsync(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    finally:
        os.close(fd)  # releases the lock
    _fsync_directory(directory)


def remove_stale_temporaries(target: str) -> list[str]:
    """Remove the temporary files that interrupted saves of ``target`` left behind (those no
    running save holds locked); returns their paths."""
    if fcntl is None:
        return []
    directory, name = os.path.split(target)
    removed = []
    pattern = os.path.join(glob.escape(directory), glob.escape(_prefix(name)) + "*.tmp")
    for candidate in glob.glob(pattern):
        try:
            fd = os.open(candidate, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(fd, candidate):
                os.remove(candidate)
                removed.append(candidate)
        except OSError:
            pass  # locked: a save in progress
        finally:
            os.close(fd)
    return removed


def _prefix(name: str) -> str:
    return f".{name[:200]}."  # room for the suffix within a file name's 255 bytes


def _existing_mode(
    shown: str, target: str, replace_read_only: bool, error: type[Exception]
) -> int | None:
    """The permission bits to give the new file: the replaced file's, or None for a new one."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise error(f"cannot save to {shown!r}: {e.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"cannot save to {shown!r}: it is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"cannot save to {shown!r}: it is not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if not mode & stat.S_IWUSR and not replace_read_only:
        raise error(
            f"cannot save to {shown!r}: the file is read-only (mode {mode:o}); make it writable "
            f"or pass replace_read_only=True to replace it"
        )
    return mode


def _create_locked(
    directory: str, name: str, shown: str, error: type[Exception]
) -> tuple[int, str]:
    """Create and lock a new temporary file; retried when a concurrent cleanup removed it
    between its creation and the lock."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    while True:
        tmp = os.path.join(directory, f"{_prefix(name)}{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, as for open()
        except FileExistsError:
            continue
        except OSError as e:
            raise error(
                f"cannot save to {shown!r}: cannot create a file in {directory!r} ({e.strerror})"
            ) from None
        if fcntl is None:
            return fd, tmp
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks: no cleanup can take the file either
            return fd, tmp
        if _same_file(fd, tmp):
            return fd, tmp
        os.close(fd)


def _same_file(fd: int, path: str) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
    except OSError:
        return False


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (not possible on every platform and file system)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
