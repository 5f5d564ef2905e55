"""Devices: where a tensor's memory lives, and the array module that computes on it.

Only the CPU exists today; its array module is NumPy. A device is also the seam where a GPU
array module would plug in: a `Backend` names the array module (``xp``) whose arrays hold the
tensors of that device — CuPy's API follows NumPy's, so a CUDA backend would register
``Backend("cuda", cupy)`` with `register_backend`, and a tensor's ``_data`` would then be a
CuPy array. Asking for a device whose backend is not installed is a clear error, never a NumPy
dtype error.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np


class Backend:
    """An array module serving one device type (``numpy`` for ``"cpu"``)."""

    def __init__(self, type: str, xp: ModuleType) -> None:
        self.type = type
        self.xp = xp


_BACKENDS: dict[str, Backend] = {"cpu": Backend("cpu", np)}
_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "ipu", "mtia")


def register_backend(backend: Backend) -> None:
    """Make ``backend.type`` a usable device type (the seam for a GPU array module)."""
    _BACKENDS[backend.type] = backend


class device:
    """A device, as ``torch.device``: ``mt.device("cpu")``, ``mt.device("cuda", 0)`` or
    ``mt.device("cuda:0")``. Creating one never fails for a known type; using one whose
    backend is not installed (any GPU here) raises a RuntimeError that says so.

        >>> mt.device("cpu")
        device(type='cpu')
        >>> mt.zeros(2).device
        device(type='cpu')
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string like 'cpu', got {type!r}")
        name, _, idx = type.partition(":")
        if idx:
            if index is not None:
                raise RuntimeError(f"device(): type {type!r} already has an index")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: {type!r}")
            index = int(idx)
        if name not in _KNOWN_TYPES and name not in _BACKENDS:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device "
                f"string: {type}"
            )
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index!r}")
        self.type, self.index = name, index

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")
_default = CPU


def backend_of(dev: device | str | int | None) -> Backend:
    """The backend serving ``dev`` (None: the default device); an error for one not installed."""
    if dev is None:
        dev = _default
    elif isinstance(dev, int):  # torch accepts an ordinal for the accelerator
        dev = device("cuda", dev)
    elif not isinstance(dev, device):
        dev = device(dev)
    backend = _BACKENDS.get(dev.type)
    if backend is None:
        raise RuntimeError(
            f"device {str(dev)!r} is not available: minitorch_es runs on the CPU with NumPy and "
            f"no {dev.type.upper()} backend is installed (mt.cuda.is_available() is False); "
            f"use device='cpu'"
        )
    return backend


def check_device(dev: device | str | int | None) -> device:
    """``dev`` as a usable device (the CPU); raises for a device without a backend."""
    backend_of(dev)
    return _default if dev is None else dev if isinstance(dev, device) else device(dev)


def set_default_device(dev: device | str | None) -> None:
    """Set the device new tensors are created on (only ``"cpu"`` is available), as
    ``torch.set_default_device``."""
    global _default
    _default = CPU if dev is None else check_device(dev)


def get_default_device() -> device:
    """The device new tensors are created on (``device(type='cpu')``)."""
    return _default
