"""The gradient reducer of `DistributedDataParallel`: buckets all-reduced while backward runs.

The parameters are grouped into buckets of at most ``bucket_cap_mb`` MiB, in reverse order of
``module.parameters()`` (roughly the order backward produces their gradients; the first
bucket is kept small, 1 MiB, so communication starts early), one dtype per bucket. A
post-accumulate-grad hook on each parameter copies its finished gradient into its bucket; when
a bucket is full it is all-reduced with a non-blocking ``MPI_Iallreduce`` while backward goes
on with the earlier layers. Buckets start in the same order on every rank (MPI requires it), a
bucket waiting for the ones before it. At the end of backward (a callback queued on the
engine) the reducer waits for every bucket and writes the averages back into ``.grad``.

MPI makes progress on non-blocking operations inside MPI calls, so each hook also tests the
buckets in flight (``MPI_Testall``), which moves them along between two layers' backward.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..autograd import engine
from ..tensor import Tensor
from .world import world

FIRST_BUCKET_BYTES = 1 << 20  # PyTorch's first bucket: 1 MiB

UNUSED_MESSAGE = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `DistributedDataParallel`, and by making sure all "
    "`forward` function outputs participate in calculating loss."
)


class Bucket:
    """Parameters whose gradients are all-reduced together, through one flat ``buffer``."""

    def __init__(self, indices: list[int], params: list, dtype: np.dtype) -> None:
        self.indices = indices
        sizes = [params[i]._data.size for i in indices]
        ends = np.cumsum(sizes)
        self.slices = {i: slice(int(e - s), int(e)) for i, s, e in zip(indices, sizes, ends)}
        self.buffer = np.zeros(int(ends[-1]), dtype)
        self.pending = len(indices)
        self.request: Any = None


def assign_buckets(params: list, cap_bytes: int, first_bytes: int = FIRST_BUCKET_BYTES) -> list:
    """The buckets of ``params``: reverse order, one dtype each, at most ``cap_bytes`` (the
    first at most ``min(first_bytes, cap_bytes)``); a parameter larger than the cap is a
    bucket of its own."""
    buckets: list[Bucket] = []
    open_: dict = {}  # dtype -> (indices, bytes) of the bucket being filled
    for i in reversed(range(len(params))):
        arr = params[i]._data
        limit = min(first_bytes, cap_bytes) if not buckets else cap_bytes
        indices, size = open_.get(arr.dtype, ([], 0))
        if indices and size + arr.nbytes > limit:
            buckets.append(Bucket(indices, params, arr.dtype))
            indices, size = [], 0
        open_[arr.dtype] = (indices + [i], size + arr.nbytes)
    for dtype, (indices, _) in open_.items():
        if indices:
            buckets.append(Bucket(indices, params, dtype))
    return buckets


def leaves_reached(outputs: Any) -> set[int]:
    """``id`` of every leaf tensor the graph of ``outputs`` (Tensors in any nesting of
    tuples, lists and dicts) leads back to."""
    stack, seen, found = [], set(), set()
    todo = [outputs]
    while todo:
        value = todo.pop()
        if isinstance(value, Tensor):
            if value._ctx is None:
                found.add(id(value))
            else:
                stack.append(value._ctx)
        elif isinstance(value, (tuple, list)):
            todo.extend(value)
        elif isinstance(value, dict):
            todo.extend(value.values())
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for edge in node.edges:
            if edge is not None:
                if edge[0] is None:
                    found.add(id(edge[2]))
                else:
                    stack.append(edge[0])
    return found


class Reducer:
    """Averages the gradients of ``named_params`` across ranks during backward (see the
    module notes). `prepare` arms it for one backward pass."""

    def __init__(
        self, named_params: Iterable[tuple[str, Any]], cap_bytes: int, find_unused: bool
    ) -> None:
        pairs = list(named_params)
        self.names = [n for n, _ in pairs]
        self.params = [p for _, p in pairs]
        self.find_unused = find_unused
        self.buckets = assign_buckets(self.params, cap_bytes)
        self.home = {i: b for b in self.buckets for i in b.indices}
        self.index = {id(p): i for i, p in enumerate(self.params)}
        self.handles = [p.register_post_accumulate_grad_hook(self._grad_ready) for p in self.params]
        self.armed = self.started = False
        self.ready = np.zeros(len(self.params), bool)
        self.used = np.zeros(len(self.params), bool)
        self.unused: list[int] = []
        self.next_bucket = 0

    def prepare(self, outputs: Any) -> None:
        """Expect one backward pass from ``outputs`` (called by the forward)."""
        if self.started:
            raise RuntimeError(UNUSED_MESSAGE)  # the previous pass never finished its buckets
        for b in self.buckets:
            b.pending, b.request = len(b.indices), None
        self.ready[:] = self.used[:] = False
        self.next_bucket = 0
        if self.find_unused:
            reached = leaves_reached(outputs)
            self.unused = [i for i, p in enumerate(self.params) if id(p) not in reached]
        self.armed = True

    def remove(self) -> None:
        """Unregister the hooks."""
        for h in self.handles:
            h.remove()

    # ------------------------------------------------------------------ backward
    def _grad_ready(self, param: Tensor) -> None:
        if not self.armed:
            return  # no_sync(), or a backward without a forward through the wrapper
        if not self.started:
            self.started = True
            engine.queue_callback(self._finalize)
            for i in self.unused:  # they contribute zeros (PyTorch's find_unused_parameters)
                self._mark(i, None)
        i = self.index[id(param)]
        self.used[i] = True
        self._mark(i, param.grad._data)

    def _mark(self, i: int, grad: np.ndarray | None) -> None:
        if self.ready[i]:
            raise RuntimeError(
                f"Expected to mark a variable ready only once. Parameter {self.names[i]!r} got "
                f"its gradient twice in one iteration (a second backward through the same "
                f"forward, or a parameter shared by several outputs used in separate "
                f"backward calls)"
            )
        self.ready[i] = True
        bucket = self.home[i]
        target = bucket.buffer[bucket.slices[i]]
        if grad is None:
            target.fill(0)
        else:
            target[...] = grad.reshape(-1)
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch()
        elif self.next_bucket:
            self._progress()

    def _launch(self) -> None:
        """Start the buckets that are full, in order."""
        from mpi4py import MPI

        comm = world().comm
        while self.next_bucket < len(self.buckets):
            b = self.buckets[self.next_bucket]
            if b.pending:
                break
            b.request = comm.Iallreduce(MPI.IN_PLACE, b.buffer, op=MPI.SUM)
            self.next_bucket += 1
        self._progress()

    def _progress(self) -> None:
        from mpi4py import MPI

        MPI.Request.Testall([b.request for b in self.buckets[: self.next_bucket]])

    def _finalize(self) -> None:
        """End of backward: wait for the buckets and write the averages into ``.grad``."""
        from mpi4py import MPI

        self.armed = self.started = False
        if self.next_bucket < len(self.buckets):
            missing = [self.names[i] for i in np.flatnonzero(~self.ready)]
            raise RuntimeError(
                f"{UNUSED_MESSAGE} Parameters which did not receive grad for rank "
                f"{world().rank}: {', '.join(missing)}"
            )
        used = self.used
        if self.find_unused:  # a parameter no rank used keeps its .grad untouched
            used = used.copy()
            world().comm.Allreduce(MPI.IN_PLACE, used.view(np.uint8), op=MPI.MAX)
        MPI.Request.Waitall([b.request for b in self.buckets])
        size = world().size
        for b in self.buckets:
            b.buffer /= size
            for i, sl in b.slices.items():
                if not used[i]:
                    continue
                p = self.params[i]
                avg = b.buffer[sl].reshape(p._data.shape)
                if p.grad is None:
                    p.grad = avg.copy()
                else:
                    p.grad._data[...] = avg
