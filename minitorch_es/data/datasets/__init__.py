"""Ready-made datasets: MNIST (with IDX parsing), ``make_moons`` and the thesis's toy data."""

from .idx import IDXError, read_idx, write_idx
from .mnist import ChecksumError, default_cache_dir, load_mnist
from .moons import make_moons
from .toy import thesis_regression, xor

__all__ = [
    "load_mnist",
    "default_cache_dir",
    "ChecksumError",
    "read_idx",
    "write_idx",
    "IDXError",
    "make_moons",
    "xor",
    "thesis_regression",
]
