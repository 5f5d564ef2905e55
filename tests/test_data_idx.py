"""IDX reading and writing."""

import gzip
import struct

import numpy as np
import pytest

from minitorch_es.data.datasets import IDXError, read_idx, write_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path, rng, dtype, suffix):
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    path = tmp_path / f"data-idx3{suffix}"
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype) and back.shape == (3, 4, 5)
    np.testing.assert_array_equal(back, array)
    back[0, 0, 0] = 1  # the result is writable
    raw = path.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == (suffix == ".gz")
    np.testing.assert_array_equal(read_idx(raw), array)


def test_header_layout_is_the_standard_one(tmp_path):
    write_idx(tmp_path / "labels", np.array([7, 2, 1], dtype=np.uint8))
    expected = b"\x00\x00\x08\x01" + struct.pack(">I", 3) + bytes([7, 2, 1])
    assert (tmp_path / "labels").read_bytes() == expected
    write_idx(tmp_path / "i32", np.array([1], dtype=np.int32))
    assert (tmp_path / "i32").read_bytes()[-4:] == b"\x00\x00\x00\x01"  # big-endian payload


def _header(code, shape):
    return struct.pack(">HBB", 0, code, len(shape)) + struct.pack(f">{len(shape)}I", *shape)


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\x00\x00", "too short for an IDX header"),
        (b"\x12\x34\x08\x01" + b"\x00" * 8, "bad IDX magic number 0x12340801"),
        (_header(0x0A, (2,)) + b"\x00\x00", "unknown IDX dtype code 0x0A"),
        (b"\x00\x00\x08\x03" + b"\x00" * 4, "declares 3 dimensions but the file has only 8 bytes"),
        (
            _header(0x08, (2, 3)) + b"\x00" * 5,
            r"shape \(2, 3\) of uint8 \(6 bytes of data\) but the file holds 5",
        ),
        (_header(0x0C, (2,)) + b"\x00" * 9, "8 bytes of data"),
        (b"\x1f\x8b" + b"garbage", "corrupt gzip data"),
    ],
)
def test_malformed_files_are_reported_with_their_name(tmp_path, data, match):
    path = tmp_path / "broken-idx"
    path.write_bytes(data)
    with pytest.raises(IDXError, match=match) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    with pytest.raises(IDXError, match="<IDX bytes>"):
        read_idx(data)


def test_truncated_gzip_is_reported(tmp_path):
    path = tmp_path / "t.gz"
    path.write_bytes(gzip.compress(_header(0x08, (4,)) + b"abcd")[:-6])
    with pytest.raises(IDXError, match=f"{path}: corrupt gzip"):
        read_idx(path)


def test_write_rejects_unsupported_dtypes(tmp_path):
    with pytest.raises(TypeError, match="cannot store dtype int64"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.int64))
