"""Collective operations with PyTorch's names and signatures: `all_reduce`, `broadcast`,
`all_gather`, `all_gather_object`, `broadcast_object_list` (``torch.distributed``).

Each works in place on a Tensor (or a NumPy array) through one MPI call on its memory
(``Allreduce`` with ``MPI.IN_PLACE``, ``Bcast``, ``Allgather``); ``async_op=True`` starts the
non-blocking form and returns a `Work` to ``wait()`` on. In a world of one they only check
their arguments. They need no `init_process_group`: they act on the job the launcher started.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ..validation import check_int
from .process_group import ProcessGroup, check_group
from .reduce_op import ReduceOp, Work, mpi_op, resolve_op
from .world import world

__all__ = ["ReduceOp", "Work"]


def writable_buffer(value: np.ndarray | Tensor, where: str) -> np.ndarray:
    """The array a collective works on in place: a Tensor's or the array itself."""
    arr = value._data if isinstance(value, Tensor) else value
    if not isinstance(arr, np.ndarray):
        raise TypeError(
            f"{where}: expected a Tensor or a NumPy array (changed in place), got "
            f"{type(value).__name__}"
        )
    if not arr.flags.writeable:
        raise ValueError(f"{where}: the array of shape {arr.shape} is read-only")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{where}: expected a bool, integer or float tensor, got dtype {arr.dtype}")
    return arr


def _wire(arr: np.ndarray) -> np.ndarray:
    """What goes over MPI: a contiguous array (bools as bytes, which MPI knows)."""
    buf = arr if arr.flags.c_contiguous else np.ascontiguousarray(arr)
    return buf.view(np.uint8) if buf.dtype.kind == "b" else buf


def _changed(value: np.ndarray | Tensor, arr: np.ndarray, buf: np.ndarray) -> None:
    """Copy a contiguous stand-in back and count the in-place change of a Tensor."""
    if not np.may_share_memory(buf, arr):
        arr[...] = buf.view(arr.dtype) if arr.dtype.kind == "b" else buf
    if isinstance(value, Tensor):
        value._version[0] += 1


def all_reduce(
    tensor: Tensor | np.ndarray,
    op: ReduceOp | str = ReduceOp.SUM,
    group: ProcessGroup | None = None,
    async_op: bool = False,
) -> Work | None:
    """Combine ``tensor`` element-wise over all ranks, in place: every rank ends with the
    ``ReduceOp.SUM`` (default), ``AVG``, ``PRODUCT``, ``MIN``, ``MAX`` (or ``BAND`` / ``BOR``
    / ``BXOR`` on integers) over the ranks (``torch.distributed.all_reduce``). Returns None,
    or a `Work` with ``async_op=True``. ``op`` may also be the name (``"sum"``; ``"mean"`` is
    ``AVG``). Bool tensors take ``MAX`` (any) and ``MIN`` (all).

        >>> t = mt.tensor([1.0, 2.0])
        >>> mt.distributed.all_reduce(t, op=mt.distributed.ReduceOp.MAX)   # a world of one
        >>> t
        tensor([1., 2.])
    """
    check_group(group, "all_reduce")
    arr = writable_buffer(tensor, "all_reduce")
    red = resolve_op(op, arr.dtype, "all_reduce")
    w = world()
    if w.comm is None or not arr.size:
        _changed(tensor, arr, arr)
        return Work.done() if async_op else None
    from mpi4py import MPI

    buf = _wire(arr)

    def finish() -> None:
        if red is ReduceOp.AVG:
            np.divide(buf, w.size, out=buf)
        _changed(tensor, arr, buf)

    if async_op:
        return Work(w.comm.Iallreduce(MPI.IN_PLACE, buf, op=mpi_op(red)), finish)
    w.comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op(red))
    finish()
    return None


def _check_src(src: int | None, group_src: int | None, where: str) -> int:
    if src is None and group_src is None:
        raise ValueError(f"{where}: Must specify global_rank or group_rank (src=...)")
    if src is not None and group_src is not None:
        raise ValueError(f"{where}: Can't specify both group_rank and global_rank")
    root = src if src is not None else group_src
    return check_int(root, "src (a rank)", where, low=0, high=world().size - 1)


def broadcast(
    tensor: Tensor | np.ndarray,
    src: int | None = None,
    group: ProcessGroup | None = None,
    async_op: bool = False,
    group_src: int | None = None,
) -> Work | None:
    """Overwrite ``tensor`` on every rank with rank ``src``'s values, in place
    (``torch.distributed.broadcast``); every rank passes a tensor of the same shape and
    dtype."""
    check_group(group, "broadcast")
    arr = writable_buffer(tensor, "broadcast")
    root = _check_src(src, group_src, "broadcast")
    w = world()
    if w.comm is None or not arr.size:
        return Work.done() if async_op else None
    buf = _wire(arr)

    def finish() -> None:
        _changed(tensor, arr, buf)

    if async_op:
        return Work(w.comm.Ibcast(buf, root=root), finish)
    w.comm.Bcast(buf, root=root)
    finish()
    return None


def all_gather(
    tensor_list: list,
    tensor: Tensor | np.ndarray,
    group: ProcessGroup | None = None,
    async_op: bool = False,
) -> Work | None:
    """Fill ``tensor_list[i]`` (in place) with rank ``i``'s ``tensor``
    (``torch.distributed.all_gather``): one entry per rank, each of ``tensor``'s shape and
    dtype."""
    check_group(group, "all_gather")
    arr = writable_buffer(tensor, "all_gather")
    w = world()
    if not isinstance(tensor_list, list) or len(tensor_list) != w.size:
        got = len(tensor_list) if isinstance(tensor_list, list) else type(tensor_list).__name__
        raise RuntimeError(
            f"all_gather: tensor_list must be a list of {w.size} tensors (one per rank), got {got}"
        )
    outs = [writable_buffer(t, f"all_gather: tensor_list[{i}]") for i, t in enumerate(tensor_list)]
    for i, out in enumerate(outs):
        if out.shape != arr.shape or out.dtype != arr.dtype:
            raise ValueError(
                f"all_gather: tensor_list[{i}] has shape {out.shape} and dtype {out.dtype}, "
                f"but tensor has shape {arr.shape} and dtype {arr.dtype}"
            )
    gathered = np.empty((w.size, *arr.shape), arr.dtype)
    if w.comm is None:
        gathered[0] = arr
    else:
        w.comm.Allgather(_wire(arr), _wire(gathered))
    for value, out, part in zip(tensor_list, outs, gathered):
        _changed(value, out, part)
    return Work.done() if async_op else None


def all_gather_object(object_list: list, obj: Any, group: ProcessGroup | None = None) -> None:
    """Fill ``object_list[i]`` with rank ``i``'s ``obj`` (any picklable value;
    ``torch.distributed.all_gather_object``)."""
    check_group(group, "all_gather_object")
    w = world()
    if not isinstance(object_list, list) or len(object_list) != w.size:
        got = len(object_list) if isinstance(object_list, list) else type(object_list).__name__
        raise ValueError(
            f"all_gather_object: object_list must be a list of {w.size} entries (one per rank), "
            f"got {got}"
        )
    object_list[:] = [obj] if w.comm is None else w.comm.allgather(obj)


def broadcast_object_list(
    object_list: list,
    src: int | None = None,
    group: ProcessGroup | None = None,
    device: Any = None,
    group_src: int | None = None,
) -> None:
    """Replace the entries of ``object_list`` on every rank by rank ``src``'s (picklable
    values; ``torch.distributed.broadcast_object_list``)."""
    check_group(group, "broadcast_object_list")
    if not isinstance(object_list, list):
        raise TypeError(
            f"broadcast_object_list: object_list must be a list, got {type(object_list).__name__}"
        )
    root = _check_src(src, group_src, "broadcast_object_list")
    w = world()
    if w.comm is not None:
        object_list[:] = w.comm.bcast(object_list, root=root)


def broadcast_object(obj: Any, src: int = 0) -> Any:
    """Rank ``src``'s ``obj`` (any picklable value), returned on every rank."""
    root = check_int(src, "src (a rank)", "broadcast_object", low=0, high=world().size - 1)
    w = world()
    return obj if w.comm is None else w.comm.bcast(obj, root=root)


def reduce_array(array: np.ndarray, op: ReduceOp | str = ReduceOp.SUM) -> np.ndarray:
    """`all_reduce` of a NumPy array, returned (for the package's own bookkeeping)."""
    all_reduce(array, op)
    return array
