"""Running test programs as MPI jobs (``mpiexec -n 2``), shared by the distributed tests.

Without the ``mpi`` extra the MPI tests skip, unless ``MINITORCH_ES_REQUIRE_MPI`` is set (CI),
where they fail instead."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

MPIEXEC = Path(sys.executable).parent / "mpiexec"
CHILDREN = Path(__file__).parent / "mpi_children"


def mpi_unavailable():
    """Why MPI jobs cannot run here, or None."""
    if importlib.util.find_spec("mpi4py") is None:
        return "mpi4py is not installed (pip install -e '.[mpi]')"
    if not MPIEXEC.exists():
        return f"no mpiexec next to {sys.executable} (pip install -e '.[mpi]')"
    return None


needs_mpi = pytest.mark.skipif(
    mpi_unavailable() is not None and not os.environ.get("MINITORCH_ES_REQUIRE_MPI"),
    reason=f"MPI tests skipped: {mpi_unavailable()}",
)

ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def run_python(script, *args, ranks=1, timeout=120):
    """Run ``python script args`` on ``ranks`` MPI ranks (a plain process for 0), return the
    CompletedProcess (a hang fails the test with TimeoutExpired)."""
    cmd = [sys.executable, str(script), *map(str, args)]
    if ranks:
        cmd = [str(MPIEXEC), "-n", str(ranks), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV)


def run_child(name, *args, ranks=2, timeout=120):
    """Run ``tests/mpi_children/<name>.py`` (see `run_python`)."""
    return run_python(CHILDREN / f"{name}.py", *args, ranks=ranks, timeout=timeout)
