"""``mt.accelerator``: PyTorch's device-agnostic accelerator API, on a CPU-only machine."""

from __future__ import annotations


def is_available() -> bool:
    """False: the CPU is the only device."""
    return False


def current_accelerator(check_available: bool = False) -> None:
    """None: there is no accelerator (as ``torch.accelerator.current_accelerator()`` on a CPU
    machine)."""
    return None


def device_count() -> int:
    """0: no accelerator device."""
    return 0
