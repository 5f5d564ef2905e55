"""The process group: which rank this process is and how many there are.

A job started by ``mpiexec -n N python train.py`` (or ``mpirun``, ``srun``) is a world of N ranks
talking through MPI (``mpi4py``). A plain ``python train.py`` is a world of one: every function
here then works without MPI, and ``mpi4py`` is never imported.

The launch is detected from the variables MPI launchers put in each process's environment
(``PMI_SIZE`` / ``PMI_RANK`` for MPICH and Intel MPI, ``OMPI_COMM_WORLD_SIZE`` for Open MPI, ...),
so detection costs nothing and needs no import.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mpi4py import MPI

# Launcher variables holding the world size, and ones that only name the rank.
SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE", "PMIX_SIZE")
RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "MV2_COMM_WORLD_RANK", "PMIX_RANK")

INSTALL_HINT = (
    'install the MPI extra: pip install -e ".[mpi]" in a checkout of minitorch_es, '
    'or pip install "minitorch-es[mpi]"'
)


class _World:
    """The initialised group: ``rank``, ``size`` and the MPI communicator (None for one rank)."""

    def __init__(self, rank: int = 0, size: int = 1, comm: MPI.Comm | None = None) -> None:
        self.rank, self.size, self.comm = rank, size, comm


_world: _World | None = None


def launched_by_mpi(environ: Mapping[str, str] | None = None) -> str | None:
    """The launcher variable showing this process is one of several MPI ranks (e.g.
    ``"PMI_SIZE=2"``), or None for a plain run. A world size of 1 counts as a plain run."""
    env = os.environ if environ is None else environ
    for name in SIZE_VARIABLES:
        value = env.get(name)
        if value is not None:
            try:
                size = int(value)
            except ValueError:
                return f"{name}={value}"  # unreadable: let MPI itself say how many ranks
            return f"{name}={value}" if size > 1 else None
    for name in RANK_VARIABLES:
        if name in env:
            return f"{name}={env[name]}"
    return None


def import_mpi(reason: str) -> ModuleType:
    """``mpi4py.MPI``, or an ImportError that says what to install."""
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError, OSError) as e:
        raise ImportError(
            f"minitorch_es.distributed: {reason}, which needs mpi4py and an MPI library, but "
            f"importing mpi4py failed ({type(e).__name__}: {e}); {INSTALL_HINT}"
        ) from e
    return MPI


def init(use_mpi: bool | None = None) -> None:
    """Set up the process group (idempotent; the other functions call it on first use).

    ``use_mpi=None`` (default) uses MPI exactly when an MPI launcher started the process with
    more than one rank; ``True`` always uses MPI (for launchers that are not recognised);
    ``False`` makes a world of one. With more than one rank, an exception that escapes the
    script on any rank aborts the whole job (see `minitorch_es.distributed.abort`)
    instead of leaving the other ranks waiting forever.
    """
    global _world
    if use_mpi is not None and not isinstance(use_mpi, bool):
        raise TypeError(f"init: use_mpi must be None, True or False, got {use_mpi!r}")
    if _world is not None:
        if use_mpi and _world.comm is None:
            raise RuntimeError(
                "init(use_mpi=True): the process group was already set up as a "
                "world of one (a call to rank()/world_size() came first)"
            )
        return
    launch = launched_by_mpi() if use_mpi is None else ("forced" if use_mpi else None)
    if launch is None:
        _world = _World()
        return
    why = (
        "init(use_mpi=True) was called"
        if launch == "forced"
        else f"this process was launched by mpiexec/mpirun ({launch})"
    )
    MPI = import_mpi(why)
    comm = MPI.COMM_WORLD
    _world = _World(comm.Get_rank(), comm.Get_size(), comm if comm.Get_size() > 1 else None)
    if _world.size > 1:
        from .failure import install_excepthook

        install_excepthook()


def world() -> _World:
    """This process's rank and the number of ranks (initialising MPI on first use)."""
    if _world is None:
        init()
    return _world


def rank() -> int:
    """This process's rank, ``0 .. world_size() - 1`` (0 in a plain run)."""
    return world().rank


def world_size() -> int:
    """The number of ranks in the job (1 in a plain run)."""
    return world().size


def is_main() -> bool:
    """True on rank 0, the rank that prints and writes files."""
    return world().rank == 0


def barrier() -> None:
    """Wait until every rank has reached this call (nothing to wait for in a world of one)."""
    w = world()
    if w.comm is not None:
        w.comm.Barrier()


def _reset() -> None:
    """Forget the process group (tests use it to simulate launches)."""
    global _world
    _world = None
