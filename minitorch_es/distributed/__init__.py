"""Data-parallel training on MPI: the same script on one process or on many.

    mpiexec -n 4 python train.py          # 4 ranks; a plain `python train.py` is 1 rank

``Trainer.fit`` becomes data-parallel by itself when there is more than one rank: importing this
package installs `strategy_for_world` as the Trainer's default strategy, which gives a
`DataParallelStrategy` then. A loop of your own uses `DistributedOptimizer` and
`minitorch_es.data.DistributedSampler`:

    import minitorch_es as mt
    sampler = mt.data.DistributedSampler(dataset, shuffle=True, seed=0)
    loader = mt.data.DataLoader(dataset, batch_size=64, sampler=sampler)   # per-rank batch
    opt = mt.distributed.DistributedOptimizer(mt.optim.Adam(model.parameters()))
    for epoch in range(10):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()
    if mt.distributed.is_main():
        mt.save_checkpoint("model.h5", model=model, optimizer=opt)
    mt.distributed.barrier()

MPI comes from the optional extra (``pip install -e ".[mpi]"``: mpi4py and MPICH); nothing of
it is imported in a plain run.
"""

from ..training.strategy import set_default_strategy
from .collectives import all_reduce, broadcast, broadcast_object
from .optimizer import DistributedOptimizer, average_gradients, broadcast_parameters
from .strategy import DataParallelStrategy, strategy_for_world
from .world import (
    abort,
    abort_on_failure,
    barrier,
    init,
    is_main,
    launched_by_mpi,
    rank,
    world_size,
)

__all__ = [
    "init",
    "rank",
    "world_size",
    "is_main",
    "barrier",
    "all_reduce",
    "broadcast",
    "broadcast_object",
    "DistributedOptimizer",
    "average_gradients",
    "broadcast_parameters",
    "abort",
    "abort_on_failure",
    "launched_by_mpi",
    "DataParallelStrategy",
    "strategy_for_world",
]

set_default_strategy(strategy_for_world)
