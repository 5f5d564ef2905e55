"""One failing rank ends the whole job, loudly, instead of leaving the others hanging.

In a data-parallel job every rank waits for every other at each all-reduce, so a rank that dies
(an exception, a NaN loss) would leave the rest blocked forever. `abort` prints which rank
failed and why, then calls ``MPI_Abort``, which makes ``mpiexec`` stop every rank and exit
non-zero. `init` installs it as ``sys.excepthook``; ``Trainer.fit`` also wraps training in
`abort_on_failure`, so an exception inside fit aborts even if the script catches it.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Iterator
from types import TracebackType

from .world import world

_installed = False


def failure_message(exc: BaseException, rank: int, size: int) -> str:
    """``"minitorch_es: rank 1 (of 2) failed: ValueError: ..."`` followed by the traceback."""
    head = f"minitorch_es: rank {rank} (of {size}) failed: {type(exc).__name__}: {exc}"
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{head}\n{trace}minitorch_es: aborting all {size} ranks because rank {rank} failed\n"


def abort(exc: BaseException, code: int = 1) -> None:
    """Report ``exc`` as this rank's failure on stderr and abort every rank of the job (in a
    world of one, re-raise it: there is nobody to wake up)."""
    w = world()
    if w.comm is None:
        raise exc
    try:
        sys.stderr.write(failure_message(exc, w.rank, w.size))
        sys.stderr.flush()
    finally:
        w.comm.Abort(code)


@contextlib.contextmanager
def abort_on_failure() -> Iterator[None]:
    """Abort the job if the body raises on this rank (a no-op in a world of one)."""
    if world().comm is None:
        yield
        return
    try:
        yield
    except BaseException as e:  # noqa: BLE001 - even KeyboardInterrupt: the others would hang
        abort(e)


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    abort(exc)


def install_excepthook() -> None:
    """Make an uncaught exception on this rank abort the job (done by ``init`` for N > 1)."""
    global _installed
    if not _installed:
        sys.excepthook = _excepthook
        _installed = True
