"""Data loading (``torch.utils.data``'s classes, also public as `minitorch_es.utils.data`),
splitting, preprocessing and datasets.

For example:

    from minitorch_es.data import DataLoader, TensorDataset, random_split
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
"""

from . import datasets
from .base import ChainDataset, ConcatDataset
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import Dataset, IterableDataset, Subset, TensorDataset
from .preprocessing import MinMaxScaler, NotFittedError, StandardScaler, one_hot
from .sampler import DistributedSampler
from .samplers import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .split import random_split, train_test_split

__all__ = [
    "Dataset",
    "IterableDataset",
    "TensorDataset",
    "ConcatDataset",
    "ChainDataset",
    "Subset",
    "DataLoader",
    "get_worker_info",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
    "DistributedSampler",
    "default_collate",
    "default_convert",
    "random_split",
    "train_test_split",
    "StandardScaler",
    "MinMaxScaler",
    "NotFittedError",
    "one_hot",
    "datasets",
]
