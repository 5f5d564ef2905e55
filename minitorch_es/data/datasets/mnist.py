"""MNIST: find the four IDX files locally (or download them), verify and parse them."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from ...console import Progress
from .idx import read_bytes, read_idx

ENV_VAR = "MINITORCH_ES_DATA"

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

# SHA-256 of the UNCOMPRESSED files, so a copy compressed differently still verifies.
SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# Public mirrors of the gzip files, tried in turn.
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]


class ChecksumError(ValueError):
    """A file whose content does not match the published SHA-256."""


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/minitorch_es/mnist`` (``~/.cache/minitorch_es/mnist`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "minitorch_es" / "mnist"


def _search_dirs(data_dir: str | os.PathLike | None):
    """(description, directory) pairs in search order; each root is also tried with /mnist."""
    roots = []
    if data_dir is not None:
        roots.append(("data_dir", Path(data_dir)))
    if os.environ.get(ENV_VAR):
        roots.append((f"${ENV_VAR}", Path(os.environ[ENV_VAR])))
    dirs = []
    for label, root in roots:
        dirs += [(label, root), (label, root / "mnist")]
    dirs.append(("cache", default_cache_dir()))
    return dirs


def _find(name: str, dirs: list[tuple[str, Path]]):
    for _, d in dirs:
        for candidate in (d / name, d / (name + ".gz")):
            if candidate.is_file():
                return candidate
    return None


def _check_sha(name: str, content: bytes, where: str | Path) -> None:
    got = hashlib.sha256(content).hexdigest()
    if got != SHA256[name]:
        raise ChecksumError(
            f"{where}: SHA-256 of the uncompressed content of {name} is {got}, expected "
            f"{SHA256[name]}; the file is corrupt or not the original MNIST (delete it, or "
            f"pass verify=False for your own files)"
        )


def _download(
    name: str, cache: Path, mirrors: Iterable[str], timeout: float, verify: bool, errors: list
):
    """Fetch ``name.gz`` into ``cache`` from the first mirror that works; None if none does."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        errors.append(f"cannot create the cache directory {cache}: {e}")
        return None
    target = cache / (name + ".gz")
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + name + ".gz"
        tmp = None
        try:
            # The temporary file lives next to the target so os.replace is an atomic rename.
            fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".part", dir=cache)
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                headers = getattr(resp, "headers", None)
                total = headers.get("Content-Length") if headers else None
                with Progress(int(total) if total else None, name, "B", scale=True) as bar:
                    while chunk := resp.read(1 << 16):
                        out.write(chunk)
                        bar.update(len(chunk))
            if verify:
                _check_sha(name, read_bytes(tmp), url)
            else:
                read_idx(tmp, name=url)  # at least make sure it parses
            os.replace(tmp, target)  # atomic: readers never see a partial file
            return target
        except Exception as e:  # noqa: BLE001 - any failure means: try the next mirror
            errors.append(f"{url}: {type(e).__name__}: {e}")
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.remove(tmp)
    return None


def _not_found(
    missing: list[str], dirs: list[tuple[str, Path]], download: bool, errors: list[str]
) -> FileNotFoundError:
    looked = "\n".join(f"  - {d} ({label})" for label, d in dirs)
    if not os.environ.get(ENV_VAR):
        looked += f"\n  (${ENV_VAR} is not set)"
    wanted = ", ".join(n + "[.gz]" for n in missing)
    msg = f"MNIST files not found: {wanted}.\nLooked in:\n{looked}"
    if download:
        msg += "\nDownload failed from every mirror:\n" + "\n".join(f"  - {e}" for e in errors)
    else:
        msg += "\nDownloading is disabled (download=False)."
    msg += (
        f"\nProvide the four IDX files (gzip-compressed or not) in a directory and pass "
        f"load_mnist(data_dir=...) or set the environment variable {ENV_VAR} to it, or put "
        f"them in {default_cache_dir()}."
    )
    return FileNotFoundError(msg)


def load_mnist(
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    verify: bool = True,
    *,
    mirrors: Sequence[str] | None = None,
    timeout: float = 30.0,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as ``((x_train, y_train), (x_test, y_test))`` NumPy arrays.

    Images are uint8 ``(N, 28, 28)``, labels int64 ``(N,)``. Each of the four standard files
    (``train-images-idx3-ubyte`` ...; raw or ``.gz``) is looked for in ``data_dir``, then in
    the directory named by ``$MINITORCH_ES_DATA``, then in the cache directory
    (`default_cache_dir`); the first two are also searched in their ``mnist/``
    subdirectory. Missing files are downloaded to the cache from ``mirrors`` (default
    `MIRRORS`) when ``download`` is true. With ``verify`` (default) every file must
    match the SHA-256 of the original; pass ``verify=False`` for files of your own.

        (x_train, y_train), (x_test, y_test) = load_mnist()
        x_train.shape, y_train[:3]      # ((60000, 28, 28), array([5, 0, 4]))
    """
    dirs = _search_dirs(data_dir)
    paths = {key: _find(name, dirs) for key, name in FILES.items()}
    missing = [FILES[k] for k, p in paths.items() if p is None]
    errors: list = []
    if missing and download:
        for key, name in FILES.items():
            if paths[key] is None:
                paths[key] = _download(
                    name, default_cache_dir(), mirrors or MIRRORS, timeout, verify, errors
                )
        missing = [FILES[k] for k, p in paths.items() if p is None]
    if missing:
        raise _not_found(missing, dirs, download, errors)
    arrays = {}
    for key, path in paths.items():
        content = read_bytes(path)
        if verify:
            _check_sha(FILES[key], content, path)
        arrays[key] = read_idx(content, name=str(path))
    for split in ("train", "test"):
        images, labels = arrays[split + "_images"], arrays[split + "_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(
                f"MNIST {split} files do not fit together: images {paths[split + '_images']} have "
                f"shape {images.shape} (expected (N, 28, 28)), labels {paths[split + '_labels']} "
                f"have shape {labels.shape} (expected (N,))"
            )
        if images.dtype != np.uint8:
            raise ValueError(
                f"{paths[split + '_images']}: expected uint8 images, got {images.dtype}"
            )
    return (
        (arrays["train_images"], arrays["train_labels"].astype(np.int64)),
        (arrays["test_images"], arrays["test_labels"].astype(np.int64)),
    )


__all__ = [
    "load_mnist",
    "default_cache_dir",
    "MIRRORS",
    "SHA256",
    "FILES",
    "ENV_VAR",
    "ChecksumError",
]
