"""PyTorch's padding layers: ``ZeroPad``, ``ConstantPad``, ``ReflectionPad``,
``ReplicationPad`` and ``CircularPad``, each for 1, 2 and 3 spatial dimensions (`pad.pad`).

Each class declares its ``mode`` and its number of padded dimensions ``dims``; ``padding`` is
one int (every side) or ``2 * dims`` ints, from the last dimension backwards.
"""

from __future__ import annotations

from collections.abc import Sequence

from minitorch_es import Tensor
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .pad import pad


class _PadNd(Module):
    mode = "constant"  # declared by each subclass, with dims
    dims = 0
    value = None  # the constant of ConstantPad

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        name, n = type(self).__name__, 2 * self.dims
        items = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * n
        if len(items) != n:
            raise ValueError(
                f"{name}: padding must be an int or a tuple of {n} ints, got {len(items)} "
                f"values {items}"
            )
        self.padding = tuple(check_int(p, "padding", name) for p in items)

    def forward(self, input: Tensor) -> Tensor:
        if self.mode == "circular" and input.ndim not in (self.dims + 1, self.dims + 2):
            raise ValueError(
                f"{type(self).__name__}: expected {self.dims + 1}D or {self.dims + 2}D input "
                f"(got {input.ndim}D input)"
            )
        return pad(input, self.padding, self.mode, self.value)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = float(value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ZeroPad1d(_PadNd):
    """Pad the last dimension with zeros: ``padding = (left, right)``."""

    dims = 1


class ZeroPad2d(_PadNd):
    """Pad the last 2 dimensions with zeros: ``padding = (left, right, top, bottom)``."""

    dims = 2


class ZeroPad3d(_PadNd):
    """Pad the last 3 dimensions with zeros: ``(left, right, top, bottom, front, back)``."""

    dims = 3


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dimension with ``value``."""

    dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dimensions with ``value``."""

    dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dimensions with ``value``."""

    dims = 3


class ReflectionPad1d(_PadNd):
    """Pad the last dimension with its reflection (the edge not repeated)."""

    mode, dims = "reflect", 1


class ReflectionPad2d(_PadNd):
    """Pad the last 2 dimensions with their reflection."""

    mode, dims = "reflect", 2


class ReflectionPad3d(_PadNd):
    """Pad the last 3 dimensions with their reflection."""

    mode, dims = "reflect", 3


class ReplicationPad1d(_PadNd):
    """Pad the last dimension by repeating its edge values."""

    mode, dims = "replicate", 1


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dimensions by repeating their edge values."""

    mode, dims = "replicate", 2


class ReplicationPad3d(_PadNd):
    """Pad the last 3 dimensions by repeating their edge values."""

    mode, dims = "replicate", 3


class CircularPad1d(_PadNd):
    """Pad the last dimension with values wrapped around from the other end."""

    mode, dims = "circular", 1


class CircularPad2d(_PadNd):
    """Pad the last 2 dimensions with values wrapped around from the other end."""

    mode, dims = "circular", 2


class CircularPad3d(_PadNd):
    """Pad the last 3 dimensions with values wrapped around from the other end."""

    mode, dims = "circular", 3


PAD_LAYERS = (
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
)
