"""Checkpoints of a data-parallel job: written once, by rank 0, with every rank's own state.

In a job of several ranks ``save_checkpoint`` is collective, as
``torch.distributed.checkpoint.save``: every rank calls it, the ranks meet (a checked
rendezvous: a rank missing, e.g. behind ``if rank == 0``, is an error instead of a hang), each
sends its random-generator state and data position to rank 0, rank 0 writes the file, and the
others wait until it is complete (and fail too if rank 0 could not write it).
``load_checkpoint`` gives rank ``r`` the generator state saved by rank ``r`` -- or rank 0's when
the saved job had no rank ``r``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import random as _random
from ..distributed.rendezvous import agree
from ..distributed.world import world
from .format import CheckpointError

if TYPE_CHECKING:
    from .reader import CheckpointReader


def _position(trainer: Any) -> dict:
    """This rank's place in its training data (the trainer's loader), if a trainer is saved."""
    state = trainer.state_dict().get("train_loader") if trainer is not None else None
    if not isinstance(state, dict):
        return {}
    return {"data_position": {k: int(state[k]) for k in ("epoch", "index", "batch_size")}}


def write_once(path: Any, trainer: Any, write: Callable[[list | None], None]) -> None:
    """Call ``write(ranks)`` on the process that writes (``ranks``: every rank's state, None
    in a world of one) and make the others wait for it (see the module notes)."""
    w = world()
    if w.comm is None:
        write(None)
        return
    agree("save_checkpoint")
    mine = {"rank": w.rank, "rng_state": _random.get_state(), **_position(trainer)}
    ranks = w.comm.gather(mine, root=0)
    failure = None
    try:
        if w.rank == 0:
            write(ranks)
    except BaseException as e:  # noqa: BLE001 - the others must hear of it, then it goes on
        failure = e
    agree("save_checkpoint")
    message = w.comm.bcast(None if failure is None else f"{type(failure).__name__}: {failure}")
    if failure is not None:
        raise failure
    if message is not None:
        raise CheckpointError(f"save_checkpoint: rank 0 could not write {path!r}: {message}")


def saved_rng_state(ck: CheckpointReader) -> Any:
    """The generator state this rank restores from a verified file (None if none was saved);
    its form is checked when it is restored."""
    ranks = ck.json("/", "ranks")
    if ranks is None:
        return ck.json("/", "rng_state")
    r = world().rank
    if not (isinstance(ranks, list) and ranks and all(isinstance(x, dict) for x in ranks)):
        raise CheckpointError(f"{ck.path!r}: '/.ranks' is not a list of each rank's state")
    mine = ranks[r if r < len(ranks) else 0]
    if "rng_state" not in mine:
        raise CheckpointError(f"{ck.path!r}: '/.ranks' holds no generator state for rank {r}")
    return mine["rng_state"]
