"""PyTorch's process-group functions (``torch.distributed.init_process_group`` ...) on MPI.

With MPI the launcher (``mpiexec -n N``, ``srun``) starts the processes and tells each one its
rank, so there is nothing to rendezvous: `init_process_group` checks what the script asks for
against the job MPI started and records it. The backend is ``"mpi"``; ``"gloo"``, the name
PyTorch's CPU scripts use, is accepted as another name for it, so such a script runs with its
imports changed. Run without a launcher the job is a world of one and MPI is never imported.

Unlike PyTorch, the collectives (`all_reduce` ...) and `Trainer.fit` also work without
`init_process_group`: they act on the job the launcher started. The PyTorch queries
`get_rank`, `get_world_size` and `get_backend` keep PyTorch's rule and need it.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from ..validation import is_int
from .world import import_mpi, launched_by_mpi, world

DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)  # PyTorch's default for CPU backends
NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)
GPU_BACKENDS = ("nccl", "ucc", "xccl", "hccl")


class Backend(str):
    """The backend names (``torch.distributed.Backend``): ``Backend.MPI`` is the one in use,
    ``Backend.GLOO`` an accepted alias of it."""

    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"


class ProcessGroup:
    """The default group, every rank of the job (``dist.group.WORLD``); subgroups do not
    exist here."""

    def rank(self) -> int:
        """This process's rank in the group."""
        return world().rank

    def size(self) -> int:
        """The number of ranks in the group."""
        return world().size

    def __repr__(self) -> str:
        return "<ProcessGroup WORLD>"


class group:  # noqa: N801  (PyTorch's name: dist.group.WORLD)
    """``dist.group.WORLD``: the default process group."""

    WORLD = ProcessGroup()


class _State:
    initialized = False
    backend: str | None = None
    timeout: datetime.timedelta = DEFAULT_TIMEOUT


def is_available() -> bool:
    """True: ``minitorch_es.distributed`` is always there (MPI itself comes with the ``mpi``
    extra; see `is_mpi_available`)."""
    return True


def is_mpi_available() -> bool:
    """Whether ``mpi4py`` can be imported (the ``mpi`` extra is installed)."""
    import importlib.util

    return importlib.util.find_spec("mpi4py") is not None


def is_gloo_available() -> bool:
    """False: there is no Gloo here (``backend="gloo"`` is accepted as a name of MPI)."""
    return False


def is_nccl_available() -> bool:
    """False: there are no GPUs here."""
    return False


def is_initialized() -> bool:
    """Whether `init_process_group` was called (and `destroy_process_group` was not since)."""
    return _State.initialized


def check_group(value: Any, where: str) -> None:
    """Accept the default group (None or ``group.WORLD``) and nothing else."""
    if value is not None and value is not group.WORLD:
        raise ValueError(
            f"{where}: group must be None or dist.group.WORLD (subgroups are not supported), "
            f"got {value!r}"
        )


def _require(where: str, grp: Any = None) -> None:
    check_group(grp, where)
    if not _State.initialized:
        raise ValueError(NOT_INITIALIZED)


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank (``torch.distributed.get_rank``; needs `init_process_group`)."""
    _require("get_rank", group)
    return world().rank


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of ranks (``torch.distributed.get_world_size``; needs
    `init_process_group`)."""
    _require("get_world_size", group)
    return world().size


def get_backend(group: ProcessGroup | None = None) -> str:
    """``"mpi"`` (``torch.distributed.get_backend``; needs `init_process_group`)."""
    _require("get_backend", group)
    return Backend(_State.backend)


def timeout() -> datetime.timedelta:
    """How long a rank waits for the others at a checked rendezvous (``barrier``,
    ``save_checkpoint``) before failing: `init_process_group`'s ``timeout``, 30 minutes by
    default."""
    return _State.timeout


def _check_backend(backend: Any) -> str:
    if backend is None:
        return Backend.MPI
    if not isinstance(backend, str):
        raise TypeError(f"init_process_group: backend must be a str, got {type(backend).__name__}")
    name = backend.lower()
    if ":" in name:  # "cpu:gloo,cuda:nccl": the CPU part is what runs here
        pairs = dict(p.split(":", 1) for p in name.split(",") if ":" in p)
        if "cpu" not in pairs:
            raise ValueError(
                f"init_process_group: backend {backend!r} names no backend for the cpu device "
                f"(e.g. 'cpu:gloo,cuda:nccl')"
            )
        name = pairs["cpu"]
    if name in (Backend.MPI, Backend.GLOO):
        return Backend.MPI
    if name in GPU_BACKENDS:
        raise RuntimeError(
            f"init_process_group: backend {backend!r} needs GPUs; minitorch_es runs on the CPU "
            f"over MPI: use backend='mpi' (or 'gloo', accepted as its alias)"
        )
    raise ValueError(
        f"init_process_group: unknown backend {backend!r}; use 'mpi' (or 'gloo', an alias of "
        f"it here)"
    )


def _check_launch(world_size: Any, rank: Any, init_method: Any) -> None:
    """The ranks the script asks for must be the ones the launcher started."""
    for name, value in (("world_size", world_size), ("rank", rank)):
        if not is_int(value) or value < -1:
            raise ValueError(
                f"init_process_group: {name} must be an int >= 0 (or -1), got {value!r}"
            )
    if init_method is not None:
        if not isinstance(init_method, str) or not init_method.startswith(
            ("env://", "tcp://", "file://")
        ):
            raise ValueError(
                f"init_process_group: init_method must be None or a URL 'env://', 'tcp://host:"
                f"port' or 'file://path', got {init_method!r}"
            )
    w = world()
    launch = launched_by_mpi() or "no MPI launcher: a world of one"
    env = {}
    if init_method in (None, "env://"):  # torchrun's variables, if a launcher set them
        env = {k: os.environ[k] for k in ("WORLD_SIZE", "RANK") if k in os.environ}
    for name, wanted, actual in (
        ("world_size", world_size, w.size),
        ("rank", rank, w.rank),
        ("WORLD_SIZE", env.get("WORLD_SIZE"), w.size),
        ("RANK", env.get("RANK"), w.rank),
    ):
        if wanted is None or wanted == -1 or str(wanted) == str(actual):
            continue
        hint = (
            "launch N ranks with mpiexec -n N python script.py"
            if w.size == 1
            else "the MPI launcher decides the ranks; drop the argument or make it agree"
        )
        raise ValueError(
            f"init_process_group: {name}={wanted} but this process is rank {w.rank} of "
            f"{w.size} ({launch}); {hint}"
        )


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: datetime.timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    store: Any = None,
    group_name: str = "",
    pg_options: Any = None,
    device_id: Any = None,
) -> None:
    """Join the job's default process group (``torch.distributed.init_process_group``).

    ``backend`` is ``"mpi"`` (the default; ``"gloo"`` is accepted as another name of it, and
    ``"cpu:gloo,cuda:nccl"`` takes its CPU part). The MPI launcher has already placed the
    processes, so ``init_method`` (``"env://"``, ``"tcp://..."``, ``"file://..."``),
    ``world_size`` and ``rank`` are only checked against the job it started; ``timeout`` (a
    ``datetime.timedelta``) bounds how long `barrier` and ``save_checkpoint`` wait for the
    other ranks before failing instead of hanging. Calling it twice is an error, as in PyTorch.

        >>> import minitorch_es.distributed as dist
        >>> dist.init_process_group("gloo")      # a plain run: a world of one
        >>> dist.get_rank(), dist.get_world_size(), dist.get_backend()
        (0, 1, 'mpi')
        >>> dist.destroy_process_group()
    """
    if _State.initialized:
        raise ValueError("trying to initialize the default process group twice!")
    name = _check_backend(backend)
    if timeout is not None and (
        not isinstance(timeout, datetime.timedelta) or timeout <= datetime.timedelta(0)
    ):
        raise TypeError(
            f"init_process_group: timeout must be a positive datetime.timedelta, got {timeout!r}"
        )
    if store is not None:
        raise ValueError(
            "init_process_group: store= is not supported: the MPI launcher connects the ranks"
        )
    if not isinstance(group_name, str):
        raise TypeError(f"init_process_group: group_name must be a str, got {group_name!r}")
    if device_id is not None and str(device_id) != "cpu":
        raise ValueError(
            f"init_process_group: device_id must be None or the cpu device, got {device_id!r}"
        )
    if launched_by_mpi():
        import_mpi("init_process_group")
    _check_launch(world_size, rank, init_method)
    _State.backend = name
    _State.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    _State.initialized = True


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Leave the default process group (``torch.distributed.destroy_process_group``). MPI
    itself stays up until the process exits (it cannot be started twice), so
    `init_process_group` may be called again."""
    check_group(group, "destroy_process_group")
    if not _State.initialized:
        raise ValueError(NOT_INITIALIZED)
    _State.initialized = False
    _State.backend = None
    _State.timeout = DEFAULT_TIMEOUT
