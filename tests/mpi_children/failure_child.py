"""Run by tests/test_distributed_failures.py as ``mpiexec -n 2 python failure_child.py MODE``:
a DDP training loop in which rank 1 fails at step 3 while rank 0 is inside a collective.

* ``backward``: rank 1's backward raises (rank 0 waits for its gradient buckets);
* ``kill``: rank 1 is killed with SIGKILL (no Python cleanup at all);
* ``save``: only rank 0 calls save_checkpoint (rank 1 sleeps): the rendezvous times out.
"""

import datetime
import os
import signal
import sys
import time

import minitorch_es as mt
import minitorch_es.distributed as dist
from minitorch_es.nn.parallel import DistributedDataParallel as DDP

mode = sys.argv[1]
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=1))
rank = dist.get_rank()


class Fail(mt.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        raise ValueError("backward failed on purpose")


mt.manual_seed(0)
model = DDP(mt.nn.Sequential(mt.nn.Linear(4, 8), mt.nn.Tanh(), mt.nn.Linear(8, 1)))
opt = mt.optim.SGD(model.parameters(), lr=0.1)
x, y = mt.randn(8, 4), mt.randn(8, 1)
for step in range(1000):
    failing = rank == 1 and step == 3
    if failing and mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "save" and step == 3:
        if rank == 0:
            mt.save_checkpoint(sys.argv[2], model=model)
        else:
            time.sleep(30)
    opt.zero_grad()
    out = model(x)
    if failing and mode == "backward":
        out = Fail.apply(out)
    ((out - y) ** 2).mean().backward()
    opt.step()
print("never reached", flush=True)
