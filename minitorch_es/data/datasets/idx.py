"""The IDX file format of MNIST: ``read_idx`` and ``write_idx`` (gzip-compressed or raw).

Layout: two zero bytes, a dtype code byte, the number of dimensions ``d``; then ``d``
big-endian uint32 sizes; then the values, big-endian, in C order.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

# IDX dtype code -> big-endian NumPy dtype.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in IDX_DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """A malformed IDX file (the message names the file and what is wrong)."""


def read_bytes(path: str | os.PathLike) -> bytes:
    """The content of ``path``, decompressed if it is gzip (detected by its magic bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    return decompress(data, str(path))


def decompress(data: bytes, name: str) -> bytes:
    """``data`` gunzipped if it starts with the gzip magic bytes, else as is."""
    if data[:2] != _GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:
        raise IDXError(f"{name}: corrupt gzip data ({e})") from None


def read_idx(path_or_bytes: str | os.PathLike | bytes, name: str | None = None) -> np.ndarray:
    """Parse an IDX file (a path, or its bytes, gzip-compressed or not) into an array.

    The array has the file's dimensions and the native-endian version of its dtype.

        labels = read_idx("train-labels-idx1-ubyte.gz")     # shape (60000,), uint8
    """
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        name = name or "<IDX bytes>"
        data = decompress(bytes(path_or_bytes), name)
    else:
        name = name or str(path_or_bytes)
        data = read_bytes(path_or_bytes)
    if len(data) < 4:
        raise IDXError(f"{name}: too short for an IDX header ({len(data)} bytes, need at least 4)")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise IDXError(
            f"{name}: bad IDX magic number 0x{data[:4].hex()} (expected two zero bytes, "
            f"a dtype code and the number of dimensions); is this an IDX file?"
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_DTYPES)
        raise IDXError(f"{name}: unknown IDX dtype code 0x{code:02X} (known: {known})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(
            f"{name}: the header declares {ndim} dimensions but the file has only {len(data)} bytes"
        )
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise IDXError(
            f"{name}: the header declares shape {shape} of {dtype.newbyteorder('=')} "
            f"({expected} bytes of data) but the file holds {len(data) - header} bytes "
            f"of data"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # also makes the result writable


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as an IDX file (gzip-compressed when ``path`` ends with ``.gz``).

    Supported dtypes: uint8, int8, int16, int32, float32, float64.
    """
    arr = np.asarray(array)
    native = arr.dtype.newbyteorder("=")
    if native not in _CODES:
        supported = ", ".join(str(d) for d in _CODES)
        raise TypeError(f"write_idx: IDX cannot store dtype {arr.dtype} (supported: {supported})")
    if arr.ndim > 255:
        raise ValueError(f"write_idx: IDX stores at most 255 dimensions, got {arr.ndim}")
    payload = (
        struct.pack(">HBB", 0, _CODES[native], arr.ndim)
        + struct.pack(f">{arr.ndim}I", *arr.shape)
        + np.ascontiguousarray(arr, dtype=IDX_DTYPES[_CODES[native]]).tobytes()
    )
    if os.fspath(path).endswith(".gz"):
        payload = gzip.compress(payload)
    with open(path, "wb") as f:
        f.write(payload)
