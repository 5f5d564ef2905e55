"""``ReduceOp`` (how `all_reduce` combines the ranks' values) and ``Work`` (the handle of a
collective started with ``async_op=True``), as in ``torch.distributed``."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import numpy as np


class ReduceOp(enum.Enum):
    """The reductions of `all_reduce` (``torch.distributed.ReduceOp``)."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7

    def __repr__(self) -> str:
        return f"<ReduceOp.{self.name}: {self.value}>"


_NAMES = {op.name.lower(): op for op in ReduceOp} | {"mean": ReduceOp.AVG, "prod": ReduceOp.PRODUCT}
_BITWISE = (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR)


def resolve_op(op: ReduceOp | str, dtype: np.dtype, where: str) -> ReduceOp:
    """``op`` as a ReduceOp, checked against the dtype it reduces."""
    red = _NAMES.get(op.lower()) if isinstance(op, str) else op
    if not isinstance(red, ReduceOp):
        raise ValueError(
            f"{where}: op must be a ReduceOp ({', '.join(o.name for o in ReduceOp)}) or its "
            f"name, got {op!r}"
        )
    if red is ReduceOp.AVG and dtype.kind != "f":
        raise TypeError(
            f"{where}: ReduceOp.AVG needs a floating tensor, got dtype {dtype} (use SUM and divide)"
        )
    if red in _BITWISE and dtype.kind not in "iu":
        raise TypeError(f"{where}: ReduceOp.{red.name} needs an integer tensor, got dtype {dtype}")
    if dtype.kind == "b" and red not in (ReduceOp.MAX, ReduceOp.MIN):
        raise TypeError(
            f"{where}: a bool tensor can only be reduced with MAX (any) or MIN (all), got "
            f"ReduceOp.{red.name}"
        )
    return red


def mpi_op(red: ReduceOp) -> Any:
    """The MPI operation of a ReduceOp (AVG sums; the caller divides)."""
    from mpi4py import MPI  # a world of more than one rank exists, so MPI is imported

    return {
        ReduceOp.SUM: MPI.SUM,
        ReduceOp.AVG: MPI.SUM,
        ReduceOp.PRODUCT: MPI.PROD,
        ReduceOp.MIN: MPI.MIN,
        ReduceOp.MAX: MPI.MAX,
        ReduceOp.BAND: MPI.BAND,
        ReduceOp.BOR: MPI.BOR,
        ReduceOp.BXOR: MPI.BXOR,
    }[red]


class Work:
    """A collective started with ``async_op=True`` (``torch.distributed.Work``): `wait`
    blocks until it is done and its result is in the tensor."""

    def __init__(self, request: Any, finish: Callable[[], None] | None = None) -> None:
        self._request, self._finish, self._done = request, finish, request is None

    @classmethod
    def done(cls) -> Work:
        """A Work that is already complete (a world of one)."""
        return cls(None)

    def is_completed(self) -> bool:
        """Whether the operation has finished (without blocking; completes it if so)."""
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def wait(self, timeout: Any = None) -> bool:
        """Block until the operation is done and the tensor holds the result; True."""
        if not self._done:
            self._request.Wait()
            self._complete()
        return True

    def is_success(self) -> bool:
        """Whether it completed (an MPI failure aborts the job instead)."""
        return self.is_completed()

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()
