"""Collective operations on NumPy arrays, in place: ``all_reduce``, ``broadcast``.

Each is one MPI call on the array's own memory (``Allreduce`` with ``MPI.IN_PLACE``, ``Bcast``);
in a world of one they only check their arguments. A Tensor is accepted for its ``.data``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ..validation import check_int
from .world import world

REDUCE_OPS = ("sum", "mean", "max", "min")


def _buffer(array: np.ndarray | Tensor, where: str) -> np.ndarray:
    arr = array._data if isinstance(array, Tensor) else array
    if not isinstance(arr, np.ndarray):
        raise TypeError(
            f"{where}: expected a NumPy array or a Tensor (reduced in place), got "
            f"{type(array).__name__}"
        )
    if not arr.flags.c_contiguous or not arr.flags.writeable:
        raise ValueError(
            f"{where}: the array must be C-contiguous and writeable to be reduced "
            f"in place (got shape {arr.shape}, contiguous="
            f"{arr.flags.c_contiguous}, writeable={arr.flags.writeable}); pass "
            f"np.ascontiguousarray(a) and use the result"
        )
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected a bool, integer or float array, got dtype {arr.dtype}")
    return arr


def _mpi_op(op: str):
    from mpi4py import MPI  # already imported: a world of more than one rank exists

    return {"sum": MPI.SUM, "mean": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN}[op]


def all_reduce(array: np.ndarray | Tensor, op: str = "sum") -> np.ndarray | Tensor:
    """Combine ``array`` element-wise across all ranks, in place, and return it: every rank ends
    with the ``"sum"``, ``"mean"``, ``"max"`` or ``"min"`` over ranks
    (``torch.distributed.all_reduce``; ``"mean"`` is Horovod's average, floats only). Bool
    arrays take ``"max"`` (any) and ``"min"`` (all)."""
    arr = _buffer(array, "all_reduce")
    if op not in REDUCE_OPS:
        raise ValueError(
            f"all_reduce: op must be one of {', '.join(map(repr, REDUCE_OPS))}, got {op!r}"
        )
    if op == "mean" and arr.dtype.kind != "f":
        raise TypeError(
            f"all_reduce: op='mean' needs a float array, got dtype {arr.dtype} "
            f"(use op='sum' and divide)"
        )
    if arr.dtype.kind == "b" and op not in ("max", "min"):
        raise TypeError(
            f"all_reduce: a bool array can only be reduced with 'max' (any) or "
            f"'min' (all), got op={op!r}"
        )
    w = world()
    if w.comm is not None and arr.size:
        buf = arr.view(np.uint8) if arr.dtype.kind == "b" else arr
        from mpi4py import MPI

        w.comm.Allreduce(MPI.IN_PLACE, buf, op=_mpi_op(op))
        if op == "mean":
            arr /= w.size
    return array


def _check_root(root: int, where: str) -> int:
    return check_int(root, "root (a rank)", where, low=0, high=world().size - 1)


def broadcast(array: np.ndarray | Tensor, root: int = 0) -> np.ndarray | Tensor:
    """Overwrite ``array`` on every rank with rank ``root``'s values, in place, and return it
    (``torch.distributed.broadcast``). Every rank must pass an array of the same shape and
    dtype."""
    arr = _buffer(array, "broadcast")
    root = _check_root(root, "broadcast")
    w = world()
    if w.comm is not None and arr.size:
        w.comm.Bcast(arr.view(np.uint8) if arr.dtype.kind == "b" else arr, root=root)
    return array


def broadcast_object(obj: Any, root: int = 0) -> Any:
    """Rank ``root``'s ``obj`` (any picklable value), returned on every rank
    (``torch.distributed.broadcast_object_list`` for one object)."""
    root = _check_root(root, "broadcast_object")
    w = world()
    return obj if w.comm is None else w.comm.bcast(obj, root=root)
