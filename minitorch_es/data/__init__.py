"""Data loading (``torch.utils.data``-style), splitting, preprocessing and datasets.

For example:

    from minitorch_es.data import DataLoader, TensorDataset, random_split
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
"""

from . import datasets
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset
from .preprocessing import MinMaxScaler, NotFittedError, StandardScaler, one_hot
from .sampler import DistributedSampler
from .split import random_split, train_test_split

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "DataLoader",
    "DistributedSampler",
    "default_collate",
    "random_split",
    "train_test_split",
    "StandardScaler",
    "MinMaxScaler",
    "NotFittedError",
    "one_hot",
    "datasets",
]
