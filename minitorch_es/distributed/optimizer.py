"""``DistributedOptimizer`` (Horovod's idea) and the gradient average it is built on.

The optimizer packs each (param group, dtype) into one flat gradient buffer (the arena), so
averaging every gradient across ranks is ONE in-place ``Allreduce`` per arena, plus one small
``Allreduce`` of the "has a gradient" masks so that every rank updates the same parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from ..autograd import enable_grad
from ..optim import Optimizer
from .collectives import all_reduce, broadcast, reduce_array
from .world import world

if TYPE_CHECKING:
    from ..tensor import Tensor


def average_gradients(optimizer: Optimizer) -> None:
    """Replace every gradient of ``optimizer`` by its mean over the ranks, in place.

    A parameter without a gradient on some ranks counts as zero there (as PyTorch DDP) and gets
    the average on every rank; a parameter without a gradient anywhere keeps none (and the
    optimizer skips it). Nothing happens in a world of one."""
    size = world().size
    if size == 1:
        return
    arenas = optimizer.arenas()
    for arena in arenas:
        if arena.loose:
            arena.gather_loose_grads()
    local = [arena.has_grad.copy() for arena in arenas]
    masks = reduce_array(np.concatenate(local), "max")  # any rank has a gradient
    offset = 0
    for arena, mine in zip(arenas, local):
        if not mine.all():
            for i in np.flatnonzero(~mine):  # stale values in unused slots must not be summed
                arena.grad[arena.slices[i]] = 0
        all_reduce(arena.grad, "mean")
        arena.has_grad[:] = masks[offset : offset + len(arena)]
        offset += len(arena)
        for i in arena.loose:  # plain Tensors: step() re-reads their .grad
            if arena.has_grad[i]:
                arena.params[i].grad = arena.grad[arena.slices[i]].reshape(arena.shapes[i]).copy()


def broadcast_parameters(optimizer: Optimizer, root: int = 0) -> None:
    """Give every rank rank ``root``'s values of the optimizer's parameters (one ``Bcast`` per
    arena)."""
    for arena in optimizer.arenas():
        broadcast(arena.data, root)


_CLASSES: dict = {}


class DistributedOptimizer:
    """``DistributedOptimizer(optimizer)``: the same optimizer, data-parallel.

    When it is created the parameters are broadcast from rank 0, so every rank starts from the
    same weights; each ``step()`` first averages the gradients across ranks
    (`average_gradients`), so every rank applies the same update. Everything else --
    ``zero_grad``, ``param_groups``, ``state``, ``state_dict`` / ``load_state_dict``, schedulers
    -- is the wrapped optimizer's: the result is an instance of the optimizer's own class
    (``isinstance(opt, mt.optim.Adam)`` holds) that shares its whole state, as Horovod's
    ``hvd.DistributedOptimizer`` subclasses the optimizer it wraps. A checkpoint of it loads
    into the plain optimizer and back.

        opt = mt.distributed.DistributedOptimizer(mt.optim.Adam(model.parameters()))
        for xb, yb in loader:          # a DataLoader with a DistributedSampler
            opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()

    `synchronize` averages the gradients earlier (e.g. before gradient clipping); the
    next ``step()`` then does not average again. In a world of one nothing is communicated.
    """

    def __new__(cls, optimizer: Optimizer):
        if isinstance(optimizer, DistributedOptimizer):
            raise ValueError("DistributedOptimizer: this optimizer is already distributed")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"DistributedOptimizer expected a minitorch_es.optim.Optimizer, got "
                f"{type(optimizer).__name__}"
            )
        base = type(optimizer)
        if base not in _CLASSES:
            # Named as the wrapped class, so checkpoints record the optimizer's own name.
            _CLASSES[base] = type(
                base.__name__,
                (DistributedOptimizer, base),
                {
                    "__module__": base.__module__,
                    "__doc__": base.__doc__,
                    "__qualname__": base.__qualname__,
                },
            )
        self = object.__new__(_CLASSES[base])
        self.__dict__ = optimizer.__dict__  # one state, seen through both objects
        return self

    def __init__(self, optimizer: Optimizer) -> None:
        self._dist_synchronized = False
        broadcast_parameters(self)

    def synchronize(self) -> None:
        """Average the gradients across ranks now (``step()`` will not do it again)."""
        average_gradients(self)
        self._dist_synchronized = True

    def step(self, closure: Callable[[], Tensor | float] | None = None) -> Tensor | float | None:
        """Average the gradients across ranks (unless `synchronize` already did), then
        update as the wrapped optimizer. A ``closure`` runs first (it computes the gradients)."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        if not self._dist_synchronized:
            average_gradients(self)
        self._dist_synchronized = False
        super().step()
        return loss

    def zero_grad(self, set_to_none: bool = True) -> None:
        """As the wrapped optimizer's (also forgets an earlier `synchronize`)."""
        self._dist_synchronized = False
        super().zero_grad(set_to_none)

    def __repr__(self) -> str:
        return f"DistributedOptimizer({super().__repr__()})"
