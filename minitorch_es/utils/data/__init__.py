"""``mt.utils.data``: PyTorch's ``torch.utils.data`` (datasets, samplers, DataLoader,
``random_split``, ``default_collate``), so ``from torch.utils.data import DataLoader`` ports by
changing ``torch`` to ``minitorch_es``.

These are the very classes of `minitorch_es.data` (one implementation), with PyTorch's rules:

    >>> from minitorch_es.utils.data import DataLoader, TensorDataset, random_split
    >>> train, val = random_split(TensorDataset(mt.randn(10, 2), mt.arange(10)), [0.8, 0.2])
    >>> xb, yb = next(iter(DataLoader(train, batch_size=4, shuffle=True)))
    >>> xb.shape, yb.shape
    (torch.Size([4, 2]), torch.Size([4]))
"""

from ...data.base import ChainDataset, ConcatDataset
from ...data.collate import default_collate, default_convert
from ...data.dataloader import DataLoader, get_worker_info
from ...data.dataset import Dataset, IterableDataset, Subset, TensorDataset
from ...data.samplers import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from ...data.split import random_split
from . import distributed
from .distributed import DistributedSampler

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]
