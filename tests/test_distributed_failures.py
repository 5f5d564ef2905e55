"""A rank that fails in a DDP training loop ends the whole job promptly, with that rank's
error: an exception in its backward (the other rank waits for gradient buckets), a SIGKILL (no
cleanup at all), a checkpoint only rank 0 calls (its rendezvous times out). A hang would fail
these tests with TimeoutExpired."""

import time

import pytest
from mpi_jobs import needs_mpi, run_child


@needs_mpi
@pytest.mark.parametrize(
    "mode, messages",
    [
        (
            "backward",
            [
                "minitorch_es: rank 1 (of 2) failed: ValueError: backward failed on purpose",
                "minitorch_es: aborting all 2 ranks because rank 1 failed",
            ],
        ),
        ("kill", ["BAD TERMINATION", "Killed (signal 9)"]),
        (
            "save",
            [
                "minitorch_es: rank 0 (of 2) failed: RuntimeError: save_checkpoint on rank 0: not "
                "every rank reached save_checkpoint within 0:00:01",
                "not behind `if rank == 0`",
            ],
        ),
    ],
)
def test_a_failing_rank_ends_the_ddp_job_promptly(tmp_path, mode, messages):
    start = time.monotonic()
    proc = run_child("failure_child", mode, tmp_path / "ckpt.h5", timeout=60)
    elapsed = time.monotonic() - start
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    for message in messages:
        assert message in output, output[-3000:]
    assert "never reached" not in output
    assert elapsed < 20  # seconds: the survivors are stopped, not left waiting (rank 1 sleeps 30)
