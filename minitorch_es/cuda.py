"""``mt.cuda``: answers as PyTorch does on a machine without a GPU (no CUDA backend exists)."""

from __future__ import annotations


def is_available() -> bool:
    """False: no CUDA backend is installed (see `minitorch_es.devices`)."""
    return False


def device_count() -> int:
    """0: no CUDA device."""
    return 0


def is_initialized() -> bool:
    """False: CUDA is never initialized."""
    return False


def manual_seed(seed: int) -> None:
    """Accepted and ignored (no CUDA generator), as in PyTorch without a GPU."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored (no CUDA generator), as in PyTorch without a GPU."""


def synchronize(device: object = None) -> None:
    """Raises: there is no CUDA device to wait for."""
    raise RuntimeError("mt.cuda.synchronize(): no CUDA backend is installed (CPU only)")
