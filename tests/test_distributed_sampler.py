"""DistributedSampler gives the indices PyTorch's gives: the same shards, padding and drop_last,
and, shuffled, the very permutations of torch.randperm seeded with seed + epoch."""

import numpy as np
import pytest
from torch_parity import reference

from minitorch_es.data.sampler import torch_randperm
from minitorch_es.utils.data.distributed import DistributedSampler

# (dataset length, num_replicas, seed, epoch, shuffle, drop_last)
CASES = np.array(
    [
        (10, 3, 0, 0, 1, 0),
        (10, 3, 5, 2, 1, 0),
        (10, 3, 5, 2, 1, 1),
        (11, 2, 7, 0, 1, 0),
        (11, 2, 7, 1, 1, 0),
        (2, 5, 0, 0, 1, 0),  # padded with the data several times
        (9, 4, 3, 0, 0, 0),
        (9, 4, 3, 0, 0, 1),
        (1000, 2, 2**32 + 5, 3, 1, 0),  # seeds use their low 32 bits, as PyTorch's generator
    ]
)


def torch_shards(torch, cases):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler

    out = []
    for n, replicas, seed, epoch, shuffle, drop_last in cases.tolist():
        shards = []
        for rank in range(replicas):
            s = TorchSampler(
                range(n),
                replicas,
                rank,
                shuffle=bool(shuffle),
                seed=seed,
                drop_last=bool(drop_last),
            )
            s.set_epoch(epoch)
            shards.append(np.array(list(s), dtype=np.int64))
        out.append(np.stack(shards))
    return out


def test_shards_are_pytorchs():
    expected = reference("data/distributed_sampler", torch_shards, cases=CASES)
    for case, want in zip(CASES.tolist(), expected):
        n, replicas, seed, epoch, shuffle, drop_last = case
        got = []
        for rank in range(replicas):
            s = DistributedSampler(
                range(n),
                replicas,
                rank,
                shuffle=bool(shuffle),
                seed=seed,
                drop_last=bool(drop_last),
            )
            s.set_epoch(epoch)
            assert len(s) == want.shape[1]
            got.append(list(s))
        np.testing.assert_array_equal(np.array(got), want, err_msg=str(case))


@pytest.mark.parametrize("n", [0, 1, 2, 17, 1500])
def test_torch_randperm_is_torch_randperm(n):
    seeds = np.array([0, 1, 12345])
    want = reference(
        f"data/randperm_{n}",
        lambda torch, seeds: [
            torch.randperm(n, generator=torch.Generator().manual_seed(int(s))).numpy()
            for s in seeds
        ],
        seeds=seeds,
    )
    for seed, w in zip(seeds.tolist(), want):
        np.testing.assert_array_equal(torch_randperm(n, seed), w)
