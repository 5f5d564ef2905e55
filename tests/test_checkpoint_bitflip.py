"""Bit flips in a small checkpoint (model + Adam + StepLR): a sample of the full sweep of
benchmarks/checkpoint_bitflip.py (which covers every bit of every byte; its figures are in
docs/guide/checkpoints.md). Every variant raises CheckpointError."""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "checkpoint_bitflip.py"
spec = importlib.util.spec_from_file_location("checkpoint_bitflip", SCRIPT)
bitflip = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bitflip)


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    path = tmp_path_factory.mktemp("flip") / "small.h5"
    bitflip.build(str(path))
    return path


def test_the_swept_file_loads(original):
    assert bitflip.fingerprint(str(original)) == bitflip.fingerprint(str(original))


def test_flips_are_caught_before_hdf5_parses(original, tmp_path):
    """The whole integrity header and every 29th byte after it, one bit each: all refused by
    the header check (no HDF5 parsing happens, so no hang is possible)."""
    data = original.read_bytes()
    good = bitflip.fingerprint(str(original))
    offsets = [*range(bitflip.USERBLOCK), *range(bitflip.USERBLOCK, len(data), 29)]
    results = {
        offset: bitflip.outcome(data, str(tmp_path / "v.h5"), offset, offset % 8, False, good)
        for offset in offsets
    }
    assert {r for r in results.values()} == {"error"}, {
        o: r for o, r in results.items() if r != "error"
    }


def test_flips_behind_a_recomputed_header_never_load_silently_different(original):
    """With the header recomputed the damage reaches libhdf5 and the reader's own checks:
    each variant is refused or loads identically (bytes never read), within a timeout."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--reseal", "--step", "157", "--bits", "5"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "SILENT DIFFERENCE: 0" in lines[3] and lines[4:] == [
        "  other exception: 0",
        "  hang: 0",
    ]
