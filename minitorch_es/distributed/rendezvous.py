"""A checked meeting of all ranks: `barrier`, and the start of a collective that only some
ranks might reach (``save_checkpoint`` behind ``if rank == 0``).

Each rank says which operation it is in; they meet in one non-blocking ``Iallgather``, polled
until it completes or the process group's timeout passes. So two ranks in different operations
(one in ``save_checkpoint``, one in ``barrier``) both fail at once with a message naming them,
and a rank that never comes makes the others fail after the timeout, instead of a hang.

The ranks also meet once more when their program ends (an ``atexit`` handler): a rank that ends
early (``sys.exit()``, or the end of a script whose other ranks still have a ``barrier`` or a
checkpoint to reach) then ends the job at once with a message naming both places, instead of
leaving the others waiting in their operation. A rank that waits there longer than the timeout
says so on stderr and goes on waiting: the others may be busy on their own.
"""

from __future__ import annotations

import atexit
import datetime
import math
import sys
import time

import numpy as np

from . import world as _world_module
from .process_group import ProcessGroup, check_group
from .process_group import timeout as group_timeout
from .reduce_op import Work
from .world import abort, world

# The operations that meet here, by code (a rank sends its code, the others compare).
OPERATIONS = ("barrier", "save_checkpoint", "evaluate or predict", "the end of the program")
END = OPERATIONS.index("the end of the program")


def agree(
    operation: str, where: str | None = None, limit: datetime.timedelta | None = None
) -> None:
    """Wait until every rank has called the same `operation` (one of `OPERATIONS`); raise a
    RuntimeError if some rank is in another one or does not come within ``limit`` (the process
    group's timeout by default)."""
    w = world()
    if w.comm is None:
        return
    where = where or operation
    mine = np.array([OPERATIONS.index(operation)], np.int64)
    codes = np.empty(w.size, np.int64)
    request = w.comm.Iallgather(mine, codes)
    limit = group_timeout() if limit is None else limit
    deadline = time.monotonic() + limit.total_seconds()
    pause = 0.0
    while not request.Test():
        if time.monotonic() > deadline:
            head = f"{where} on rank {w.rank}: not every rank reached {operation} within {limit}"
            if operation != OPERATIONS[END]:
                raise RuntimeError(
                    f"{head} (init_process_group(timeout=...)); {operation} must be called on "
                    f"every rank (not behind `if rank == 0`)"
                )
            # At the end, a late rank may be busy on its own (rank 0 alone evaluating or
            # plotting): say why this rank waits, but never end the others' work.
            sys.stderr.write(
                f"minitorch_es: {head}; this rank's program has ended and it waits for the "
                f"others' (if one of them waits in a collective this rank never reached, the "
                f"job will not end: stop it, and raise an exception rather than sys.exit)\n"
            )
            sys.stderr.flush()
            deadline = math.inf
        time.sleep(pause)
        pause = min(0.002, pause + 5e-5)  # spin first, then yield the core
    if (codes != mine[0]).any():
        calls = ", ".join(f"rank {r} in {OPERATIONS[c]}" for r, c in enumerate(codes))
        rule = f"{operation} must be called on every rank, at the same point"
        if END in codes:  # a rank's program ended (sys.exit, or its script ran out)
            rule = "a rank ended its program (sys.exit or the end of its script) early"
        raise RuntimeError(
            f"{where} on rank {w.rank}: the ranks are in different collective operations "
            f"({calls}); {rule}"
        )


def barrier(
    group: ProcessGroup | None = None,
    async_op: bool = False,
    device_ids: list | None = None,
    timeout: datetime.timedelta | None = None,
) -> Work | None:
    """Wait until every rank has reached this call (``torch.distributed.barrier``). A rank
    that is in another checked operation, or does not come within the process group's
    timeout (``init_process_group(timeout=...)``), makes it fail rather than hang."""
    check_group(group, "barrier")
    if device_ids is not None and list(device_ids):
        raise ValueError(f"barrier: device_ids are for GPUs, got {device_ids!r}")
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"barrier: timeout must be a datetime.timedelta, got {timeout!r}")
    agree("barrier", limit=timeout)
    return Work.done() if async_op else None


@atexit.register
def _meet_at_exit() -> None:
    """Before MPI shuts down, the ranks of a job of several meet here (see the module notes);
    one that is in another checked operation ends the job with a message."""
    current = _world_module._world  # not world(): that would set up a process group
    if current is None or current.comm is None:
        return
    if sys.modules["mpi4py.MPI"].Is_finalized():  # the script shut MPI down itself
        return
    try:
        agree("the end of the program")
    except RuntimeError as e:
        abort(e)
