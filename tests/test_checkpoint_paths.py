"""Where a checkpoint is written: permissions, symbolic links, read-only files and
directories, and the temporary files of interrupted saves."""

import contextlib
import fcntl
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.atomic import remove_stale_temporaries
from minitorch_es.checkpoint import CheckpointError

STATE = {"w": np.arange(6, dtype=np.float32).reshape(2, 3)}


@contextlib.contextmanager
def umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_honours_the_umask(tmp_path, mask, expected):
    with umask(mask):
        mt.save(STATE, tmp_path / "w.h5")
    assert mode(tmp_path / "w.h5") == expected


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / "w.h5"
    mt.save(STATE, path)
    os.chmod(path, 0o640)
    with umask(0o022):
        mt.save({"w": STATE["w"] + 1}, path)
    assert mode(path) == 0o640 and mt.load(path, weights_only=False)["w"][0, 0] == 1


def test_a_symlink_is_followed_and_its_target_replaced(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "w.h5"
    mt.save(STATE, target)
    link = tmp_path / "latest.h5"
    link.symlink_to(os.path.join("real", "w.h5"))  # relative, as ln -s makes them
    mt.save({"w": STATE["w"] * 2}, link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "w.h5")
    np.testing.assert_array_equal(mt.load(target, weights_only=False)["w"], STATE["w"] * 2)
    assert sorted(os.listdir(tmp_path)) == ["latest.h5", "real"]
    assert os.listdir(tmp_path / "real") == ["w.h5"]  # the temporary file was beside the target


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.h5"
    link.symlink_to(tmp_path / "new.h5")
    mt.save(STATE, link)
    assert link.is_symlink() and (tmp_path / "new.h5").is_file()


def test_a_read_only_file_is_replaced_only_when_asked(tmp_path):
    path = tmp_path / "w.h5"
    mt.save(STATE, path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match=r"cannot save to '.*w\.h5': the file is read-only"):
        mt.save({"w": STATE["w"] + 1}, path)
    with pytest.raises(CheckpointError, match="read-only.*replace_read_only=True"):
        mt.save_checkpoint(path, model=mt.nn.Linear(2, 1))
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["w.h5"]
    mt.save({"w": STATE["w"] + 1}, path, replace_read_only=True)
    assert mode(path) == 0o444 and mt.load(path, weights_only=False)["w"][0, 0] == 1


def test_errors_name_the_path_the_user_gave(tmp_path, monkeypatch):
    with pytest.raises(CheckpointError, match=r"cannot save to '.*the_0': it is a directory"):
        mt.save(STATE, tmp_path)
    with pytest.raises(CheckpointError, match="the directory '.*nope' does not exist"):
        mt.save(STATE, tmp_path / "nope" / "w.h5")
    real_open = os.open

    # What a 0555 directory does to a non-root user, simulated: the suite runs as root in CI,
    # where a real read-only directory is writable and a test of it could only be skipped.
    def read_only_directory(path, flags, *args):
        if str(path).endswith(".tmp") and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only_directory)
    with pytest.raises(CheckpointError) as info:
        mt.save(STATE, tmp_path / "w.h5")
    assert str(info.value) == (
        f"cannot save to {str(tmp_path / 'w.h5')!r}: cannot create a file in {str(tmp_path)!r} "
        f"(Permission denied)"
    )


def test_stale_temporary_files_are_removed_but_not_those_of_a_running_save(tmp_path):
    path = tmp_path / "w.h5"
    stale = tmp_path / ".w.h5.0123456789ab.tmp"  # left by a killed save: nobody holds its lock
    stale.write_bytes(b"half a checkpoint")
    running = tmp_path / ".w.h5.ba9876543210.tmp"
    running.write_bytes(b"being written")
    other = tmp_path / ".other.h5.0123456789ab.tmp"  # another file's: not ours to touch
    other.write_bytes(b"")
    fd = os.open(running, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as the writing process holds it
    try:
        mt.save(STATE, path)
    finally:
        os.close(fd)
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["w.h5", running.name, other.name]
    )  # fmt: skip
    assert remove_stale_temporaries(str(path)) == [str(running)]  # its writer is gone now


def test_kill_9_during_saves_leaves_no_temporary_file_after_the_next_save(tmp_path):
    path = tmp_path / "big.h5"
    script = textwrap.dedent(f"""
        import numpy as np, minitorch_es as mt
        state = {{"w": np.zeros((1000, 1000), dtype=np.float32)}}
        print("ready", flush=True)
        while True:
            state["w"] += 1
            mt.save(state, {str(path)!r})
    """)
    for _ in range(5):  # kill until one kill lands inside a save (almost always the first)
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready"
            time.sleep(0.3)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
        if any(name.endswith(".tmp") for name in os.listdir(tmp_path)):
            break
    assert any(name.endswith(".tmp") for name in os.listdir(tmp_path))
    mt.save(STATE, path)
    assert os.listdir(tmp_path) == ["big.h5"]


def test_names_with_glob_characters(tmp_path):
    path = tmp_path / "run[1]*.h5"
    stale = tmp_path / ".run[1]*.h5.0123456789ab.tmp"
    stale.write_bytes(b"")
    unrelated = tmp_path / ".run1x.h5.0123456789ab.tmp"  # what an unescaped pattern would match
    unrelated.write_bytes(b"")
    mt.save(STATE, path)
    assert sorted(os.listdir(tmp_path)) == sorted([path.name, unrelated.name])
