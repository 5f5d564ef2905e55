"""Data-parallel training on MPI, with PyTorch's names: the same script on one process or on
many.

    mpiexec -n 4 python train.py          # 4 ranks; a plain `python train.py` is 1 rank

A PyTorch script ports by changing its imports (``backend="gloo"`` is accepted as a name of
MPI):

    import minitorch_es as torch
    import minitorch_es.distributed as dist
    from minitorch_es.nn.parallel import DistributedDataParallel as DDP
    from minitorch_es.utils.data.distributed import DistributedSampler

    dist.init_process_group("gloo")
    model = DDP(Net())                         # rank 0's weights on every rank
    sampler = DistributedSampler(dataset, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=64, sampler=sampler)   # per-rank batch
    for epoch in range(10):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad(); loss_fn(model(xb), yb).backward(); opt.step()
    dist.destroy_process_group()

``Trainer.fit`` becomes data-parallel by itself when there is more than one rank: importing this
package installs `strategy_for_world` as the Trainer's default strategy, which gives a
`DataParallelStrategy` then. Horovod's `DistributedOptimizer` is there too.

MPI comes from the optional extra (``pip install -e ".[mpi]"``: mpi4py and MPICH); nothing of
it is imported in a plain run.
"""

from ..training.strategy import set_default_strategy
from .collectives import (
    all_gather,
    all_gather_object,
    all_reduce,
    broadcast,
    broadcast_object,
    broadcast_object_list,
)
from .ddp import DistributedDataParallel
from .optimizer import DistributedOptimizer, average_gradients, broadcast_parameters
from .process_group import (
    Backend,
    ProcessGroup,
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_gloo_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
)
from .reduce_op import ReduceOp, Work
from .rendezvous import barrier
from .strategy import DataParallelStrategy, strategy_for_world
from .world import (
    abort,
    abort_on_failure,
    init,
    is_main,
    launched_by_mpi,
    rank,
    world_size,
)

__all__ = [
    "init_process_group",
    "destroy_process_group",
    "is_initialized",
    "is_available",
    "is_mpi_available",
    "is_gloo_available",
    "is_nccl_available",
    "get_rank",
    "get_world_size",
    "get_backend",
    "Backend",
    "ProcessGroup",
    "group",
    "ReduceOp",
    "Work",
    "barrier",
    "all_reduce",
    "broadcast",
    "all_gather",
    "all_gather_object",
    "broadcast_object_list",
    "broadcast_object",
    "DistributedDataParallel",
    "init",
    "rank",
    "world_size",
    "is_main",
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
