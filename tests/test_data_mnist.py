"""load_mnist: local search order, formats, checksums and (mocked) downloads."""

import gzip
import hashlib
import io
import os
import pathlib
import urllib.error

import numpy as np
import pytest

from minitorch_es.data.datasets import ChecksumError, load_mnist, mnist, write_idx

REAL = pathlib.Path("/work/shared/data/mnist")
NAMES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """No real cache, no env var, and any network access fails the test."""
    monkeypatch.delenv(mnist.ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))

    def no_network(*args, **kwargs):
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", no_network)


def _tiny(rng):
    return {
        NAMES[0]: rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        NAMES[1]: np.array([3, 1, 4, 1, 5], dtype=np.uint8),
        NAMES[2]: rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        NAMES[3]: np.array([9, 2, 6], dtype=np.uint8),
    }


def _write(directory, arrays, gz):
    directory.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        write_idx(directory / (name + (".gz" if gz else "")), array)


def _check(result, arrays):
    (x_train, y_train), (x_test, y_test) = result
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    np.testing.assert_array_equal(x_train, arrays[NAMES[0]])
    np.testing.assert_array_equal(y_train, arrays[NAMES[1]])
    np.testing.assert_array_equal(x_test, arrays[NAMES[2]])
    np.testing.assert_array_equal(y_test, arrays[NAMES[3]])


@pytest.mark.parametrize("gz", [True, False])
def test_load_from_data_dir(tmp_path, rng, gz):
    arrays = _tiny(rng)
    _write(tmp_path / "files", arrays, gz)
    _check(load_mnist(tmp_path / "files", download=False, verify=False), arrays)


@pytest.mark.parametrize("sub", ["", "mnist"])
def test_load_from_env_var(tmp_path, rng, monkeypatch, sub):
    arrays = _tiny(rng)
    _write(tmp_path / "root" / sub, arrays, gz=True)
    monkeypatch.setenv(mnist.ENV_VAR, str(tmp_path / "root"))
    _check(load_mnist(verify=False), arrays)


def test_data_dir_comes_before_env_var_and_cache(tmp_path, rng, monkeypatch):
    first, second = _tiny(rng), _tiny(rng)
    _write(tmp_path / "a", first, gz=False)
    _write(tmp_path / "b", second, gz=True)
    _write(tmp_path / "xdg" / "minitorch_es" / "mnist", second, gz=True)
    monkeypatch.setenv(mnist.ENV_VAR, str(tmp_path / "b"))
    _check(load_mnist(tmp_path / "a", verify=False), first)
    _check(load_mnist(verify=False), second)
    monkeypatch.delenv(mnist.ENV_VAR)
    _check(load_mnist(verify=False), second)  # found in the XDG cache


def test_checksum_mismatch_is_refused(tmp_path, rng):
    arrays = _tiny(rng)
    _write(tmp_path, arrays, gz=True)
    with pytest.raises(ChecksumError) as info:
        load_mnist(tmp_path, download=False)
    message = str(info.value)
    got = hashlib.sha256(gzip.decompress((tmp_path / (NAMES[0] + ".gz")).read_bytes())).hexdigest()
    assert NAMES[0] in message and got in message and mnist.SHA256[NAMES[0]] in message


def test_mismatched_files_are_reported(tmp_path, rng):
    arrays = _tiny(rng)
    arrays[NAMES[1]] = arrays[NAMES[1]][:4]
    _write(tmp_path, arrays, gz=False)
    with pytest.raises(ValueError, match=r"train files do not fit together.*\(5, 28, 28\).*\(4,\)"):
        load_mnist(tmp_path, download=False, verify=False)


class _Response(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}


def test_download_falls_back_to_the_next_mirror(tmp_path, rng, monkeypatch):
    arrays = _tiny(rng)
    payload = {}
    for name, array in arrays.items():
        write_idx(tmp_path / name, array)
        raw = (tmp_path / name).read_bytes()
        payload[name + ".gz"] = gzip.compress(raw)
        monkeypatch.setitem(mnist.SHA256, name, hashlib.sha256(raw).hexdigest())
    for name in NAMES:
        os.remove(tmp_path / name)
    calls = []

    def fake_urlopen(url, timeout=None):
        calls.append(url)
        assert timeout == 5
        if url.startswith("https://dead.example/"):
            raise urllib.error.URLError("connection refused")
        return _Response(payload[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(mnist.urllib.request, "urlopen", fake_urlopen)
    mirrors = ["https://dead.example/", "https://ok.example/m"]
    result = load_mnist(tmp_path / "empty", mirrors=mirrors, timeout=5)
    _check(result, arrays)
    assert calls[:2] == [
        "https://dead.example/" + NAMES[0] + ".gz",
        "https://ok.example/m/" + NAMES[0] + ".gz",
    ]
    cache = tmp_path / "xdg" / "minitorch_es" / "mnist"
    assert sorted(os.listdir(cache)) == sorted(n + ".gz" for n in NAMES)  # no temporary files left
    calls.clear()
    _check(load_mnist(), arrays)  # now served from the cache
    assert calls == []


def test_total_failure_lists_every_place_and_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv(mnist.ENV_VAR, str(tmp_path / "env"))
    served = []

    def fake_urlopen(url, timeout=None):
        if "bad-content" in url:
            served.append(url)
            return _Response(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x01\x07"))
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(FileNotFoundError) as info:
        load_mnist(
            tmp_path / "given", mirrors=["https://a.example/", "https://bad-content.example/"]
        )
    message = str(info.value)
    cache = tmp_path / "xdg" / "minitorch_es" / "mnist"
    for place in (
        tmp_path / "given",
        tmp_path / "given" / "mnist",
        tmp_path / "env",
        tmp_path / "env" / "mnist",
        cache,
    ):
        assert str(place) in message
    for name in NAMES:
        assert f"https://a.example/{name}.gz: URLError" in message
        assert f"https://bad-content.example/{name}.gz: ChecksumError" in message
    assert "data_dir=" in message and mnist.ENV_VAR in message
    assert len(served) == 4 and os.listdir(cache) == []  # the bad downloads were discarded


def test_missing_without_download(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=False") as info:
        load_mnist(tmp_path, download=False)
    assert "is not set" in str(info.value) and "train-images-idx3-ubyte[.gz]" in str(info.value)


@pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not available")
def test_real_mnist_files():
    (x_train, y_train), (x_test, y_test) = load_mnist(REAL, download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert np.bincount(y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert y_test.min() == 0 and y_test.max() == 9
