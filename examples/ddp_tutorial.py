"""Data-parallel training written as PyTorch's DDP tutorial writes it: only the imports differ
from the PyTorch program (point them back at ``torch`` and it runs under ``torchrun``).

    mpiexec -n 2 python examples/ddp_tutorial.py            # 2 ranks, batch 32 per rank
    python examples/ddp_tutorial.py --batch-size 64         # 1 rank, the same global batch

Every rank builds the same data and model, ``DistributedDataParallel`` copies rank 0's weights
to the others and averages the gradients during ``backward()``, and ``DistributedSampler`` gives
each rank its shard of each epoch's order. Two ranks with ``--batch-size b`` take the same steps
as one process with ``--batch-size 2b`` (tests/test_ddp.py checks the weights agree to 1e-6).
Rank 0 prints and saves the weights.
"""

import argparse

import minitorch_es as torch
import minitorch_es.distributed as dist
import minitorch_es.nn as nn
import minitorch_es.optim as optim
from minitorch_es.nn.parallel import DistributedDataParallel as DDP
from minitorch_es.utils.data import DataLoader, TensorDataset
from minitorch_es.utils.data.distributed import DistributedSampler


class ToyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net1 = nn.Linear(20, 64)
        self.relu = nn.ReLU()
        self.net2 = nn.Linear(64, 5)

    def forward(self, x):
        return self.net2(self.relu(self.net1(x)))


def main():
    parser = argparse.ArgumentParser(description="DDP on a toy classification problem")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32, help="samples per rank and step")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--save", default="ddp_model.pt", help="where rank 0 saves the weights")
    args = parser.parse_args()

    dist.init_process_group(backend="gloo")
    rank = dist.get_rank()
    world_size = dist.get_world_size()

    torch.manual_seed(0)  # the same data on every rank; each rank reads its own shard of it
    x = torch.randn(512, 20)
    y = (x[:, :5] + 0.5 * x[:, 5:10]).argmax(dim=1)
    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=0)
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler)

    torch.manual_seed(rank)  # different initial weights: DDP starts every rank from rank 0's
    model = ToyModel()
    ddp_model = DDP(model)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.SGD(ddp_model.parameters(), lr=args.lr, momentum=0.9)

    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        total, batches = 0.0, 0
        for inputs, labels in loader:
            optimizer.zero_grad()
            loss = loss_fn(ddp_model(inputs), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        if rank == 0:
            print(f"epoch {epoch + 1}: mean loss of rank 0's batches {total / batches:.4f}")

    if rank == 0:
        torch.save(ddp_model.module.state_dict(), args.save)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
