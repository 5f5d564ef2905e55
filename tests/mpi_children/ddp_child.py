"""Run by tests/test_ddp.py as ``mpiexec -n 2 python ddp_child.py OUT``: the PyTorch-named
collectives and DistributedDataParallel on 2 ranks. Each rank writes what it saw to
``OUT/rank<r>.npz`` (arrays) and ``OUT/rank<r>.json`` (messages); the test checks them against
NumPy references."""

import datetime
import json
import sys

import numpy as np

import minitorch_es as mt
import minitorch_es.distributed as dist
from minitorch_es.distributed import rendezvous
from minitorch_es.nn.parallel import DistributedDataParallel as DDP

out = sys.argv[1]
arrays, messages = {}, {}


def error_of(call):
    try:
        call()
    except (RuntimeError, ValueError, TypeError) as e:
        return f"{type(e).__name__}: {e}"
    return None


messages["before init"] = error_of(dist.get_rank)
messages["world_size=3"] = error_of(lambda: dist.init_process_group("mpi", world_size=3))
dist.init_process_group("gloo", init_method="env://", timeout=datetime.timedelta(seconds=20))
rank, size = dist.get_rank(), dist.get_world_size()
messages["backend"] = dist.get_backend()

# ------------------------------------------------------------------ collectives
values = np.array([[1.5, -2.0], [3.0, 4.0]], np.float32) * (rank + 1)
for op in ("SUM", "AVG", "PRODUCT", "MIN", "MAX"):
    t = mt.tensor(values.copy())
    dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
    arrays[f"all_reduce {op}"] = t.numpy()
ints = mt.tensor(np.array([6, 3], np.int64) + rank)
dist.all_reduce(ints, op=dist.ReduceOp.BXOR)
arrays["all_reduce BXOR"] = ints.numpy()
strided = np.arange(8.0).reshape(2, 4)[:, ::2] * (rank + 1)  # not contiguous
dist.all_reduce(strided)
arrays["all_reduce strided"] = strided
t = mt.tensor(values.copy())
work = dist.all_reduce(t, op=dist.ReduceOp.AVG, async_op=True)
work.wait()
arrays["all_reduce async AVG"] = t.numpy()
arrays["completed"] = np.array(work.is_completed())
t = mt.tensor(values.copy())
dist.broadcast(t, src=1)
arrays["broadcast src=1"] = t.numpy()
gathered = [mt.zeros(2, 2) for _ in range(size)]
dist.all_gather(gathered, mt.tensor(values))
arrays["all_gather"] = np.stack([g.numpy() for g in gathered])
objects = [None] * size
dist.all_gather_object(objects, {"rank": rank})
messages["all_gather_object"] = objects
listed = [rank, f"from {rank}"]
dist.broadcast_object_list(listed, src=1)
messages["broadcast_object_list"] = listed
dist.barrier()
# Ranks in different checked operations both fail with a message naming them.
messages["mismatch"] = error_of(
    lambda: rendezvous.agree("save_checkpoint") if rank == 0 else dist.barrier()
)


# ------------------------------------------------------------------------- DDP
class Probe(mt.autograd.Function):
    """The identity; its backward notes how many buckets the reducer had started by then."""

    reducer = None
    started = []

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        Probe.started.append(Probe.reducer.next_bucket)
        return grad


class Net(mt.nn.Module):
    def __init__(self, unused=False):
        super().__init__()
        self.first = mt.nn.Linear(4, 8)
        self.norm = mt.nn.BatchNorm1d(8)
        self.second = mt.nn.Linear(8, 6)
        self.third = mt.nn.Linear(6, 3)
        self.act = mt.nn.Tanh()
        self.spare = mt.nn.Linear(3, 3) if unused else None  # used on rank 0 only
        self.never = mt.nn.Linear(3, 3) if unused else None  # used nowhere

    def forward(self, x):
        h = self.act(self.norm(self.first(x)))
        h = self.third(self.act(Probe.apply(self.second(h))))
        if self.spare is not None and dist.get_rank() == 0:
            h = self.spare(h)
        return h


rng = np.random.default_rng(0)
x_all = rng.normal(size=(8, 4)).astype(np.float32)
y_all = rng.normal(size=(8, 3)).astype(np.float32)
mine = slice(4 * rank, 4 * rank + 4)
arrays["x"], arrays["y"] = x_all, y_all

mt.manual_seed(rank)  # different weights: DDP starts from rank 0's
net = Net()
arrays["rank0 weights"] = np.concatenate([p.numpy(force=True).ravel() for p in net.parameters()])
net.norm.running_mean._data[...] = rank + 7.0  # a buffer that differs: broadcast at forward
model = DDP(net, bucket_cap_mb=1e-4)  # about 100 bytes: every parameter in its own bucket
Probe.reducer = model.reducer
arrays["weights after DDP()"] = np.concatenate(
    [p.numpy(force=True).ravel() for p in net.parameters()]
)
arrays["buckets"] = np.array([len(b.indices) for b in model.reducer.buckets])
loss = ((model(mt.tensor(x_all[mine])) - mt.tensor(y_all[mine])) ** 2).mean()
arrays["running_mean"] = net.norm.running_mean.numpy(force=True).copy()
loss.backward()
arrays["started at first layer"] = np.array(Probe.started)
for name, p in net.named_parameters():
    arrays[f"grad {name}"] = p.grad.numpy(force=True).copy()

# no_sync: two local backward passes, then a synchronised one that averages their sum
for p in net.parameters():
    p.grad = None
with model.no_sync():
    for part in (slice(0, 2), slice(2, 4)):
        xb, yb = x_all[mine][part], y_all[mine][part]
        ((model(mt.tensor(xb)) - mt.tensor(yb)) ** 2).mean().backward()
arrays["local after no_sync"] = net.third.weight.grad.numpy(force=True).copy()
((model(mt.tensor(x_all[mine])) - mt.tensor(y_all[mine])) ** 2).mean().backward()
arrays["synced after no_sync"] = net.third.weight.grad.numpy(force=True).copy()

# find_unused_parameters: `spare` used on rank 0 only, `never` nowhere
mt.manual_seed(0)
odd = Net(unused=True)
odd_model = DDP(odd, find_unused_parameters=True)
Probe.reducer = odd_model.reducer
odd_model(mt.tensor(x_all[mine])).sum().backward()
arrays["spare grad"] = odd.spare.weight.grad.numpy(force=True)
messages["never grad"] = repr(odd.never.weight.grad)
arrays["odd third grad"] = odd.third.weight.grad.numpy(force=True)

# without find_unused_parameters the same model is an error at the end of backward
mt.manual_seed(0)
strict = DDP(Net(unused=True))
Probe.reducer = strict.reducer
messages["unused"] = error_of(lambda: strict(mt.tensor(x_all[mine])).sum().backward())
# Trainer.fit of a DDP model: the model averages, the strategy does not average again
fitted = {}
for wrap in (False, True):
    mt.manual_seed(5)
    plain = mt.nn.Sequential(mt.nn.Linear(4, 6), mt.nn.Tanh(), mt.nn.Linear(6, 3))
    trainer = mt.Trainer(DDP(plain) if wrap else plain, "sgd", "mse", metrics=None)
    trainer.fit(x_all, y_all, epochs=2, batch_size=2, shuffle=False, verbose=0)
    fitted[wrap] = np.concatenate([p.numpy(force=True).ravel() for p in plain.parameters()])
arrays["fit plain"], arrays["fit ddp"] = fitted[False], fitted[True]
messages["different models"] = error_of(lambda: DDP(mt.nn.Linear(3, 2 + rank)))
messages["device_ids"] = error_of(lambda: DDP(mt.nn.Linear(3, 2), device_ids=[0]))

np.savez(f"{out}/rank{rank}.npz", **arrays)
with open(f"{out}/rank{rank}.json", "w") as f:
    json.dump(messages, f)
dist.destroy_process_group()
