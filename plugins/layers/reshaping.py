"""Shape-only layers: ``Flatten``, ``Unflatten`` and ``Identity`` (PyTorch semantics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import describe_shape

if TYPE_CHECKING:
    from minitorch_es import Tensor


def _wrap(layer: str, dim: int, ndim: int, what: str) -> int:
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise ShapeError(
            f"{layer}: {what}={dim} is out of range for an input with {ndim} "
            f"dimensions (expected in [{-max(ndim, 1)}, {max(ndim, 1) - 1}])"
        )
    return dim % max(ndim, 1)


class Flatten(Module):
    """Flattens dimensions ``start_dim..end_dim`` into one: ``Flatten(start_dim=1, end_dim=-1)``
    turns ``(N, C, H, W)`` into ``(N, C*H*W)``."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = check_int(start_dim, "start_dim", "Flatten")
        self.end_dim = check_int(end_dim, "end_dim", "Flatten")

    def forward(self, input: Tensor) -> Tensor:
        shape = describe_shape(input)
        s = _wrap("Flatten", self.start_dim, len(shape), "start_dim")
        e = _wrap("Flatten", self.end_dim, len(shape), "end_dim")
        if s > e:
            raise ShapeError(
                f"Flatten: start_dim={self.start_dim} comes after "
                f"end_dim={self.end_dim} for input shape {shape}"
            )
        if not shape:
            return input.reshape(1)
        return input.reshape(*shape[:s], int(np.prod(shape[s : e + 1])), *shape[e + 1 :])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expands dimension ``dim`` into ``unflattened_size``: ``Unflatten(1, (1, 28, 28))`` turns
    ``(N, 784)`` into ``(N, 1, 28, 28)`` (one entry may be -1)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = check_int(dim, "dim", "Unflatten")
        if not isinstance(unflattened_size, (tuple, list)) or not unflattened_size:
            raise TypeError(
                f"Unflatten: unflattened_size must be a non-empty tuple of ints, "
                f"got {unflattened_size!r}"
            )
        sizes = tuple(
            check_int(n, "unflattened_size", "Unflatten", low=-1) for n in unflattened_size
        )
        if sizes.count(-1) > 1:
            raise ValueError(
                f"Unflatten: only one entry of unflattened_size can be -1, got {sizes}"
            )
        self.unflattened_size = sizes

    def forward(self, input: Tensor) -> Tensor:
        shape = describe_shape(input)
        d = _wrap("Unflatten", self.dim, len(shape), "dim")
        sizes = self.unflattened_size
        known = int(np.prod([n for n in sizes if n != -1]))
        n = shape[d] if shape else 1
        if (-1 in sizes and (known == 0 or n % known)) or (-1 not in sizes and known != n):
            raise ShapeError(
                f"Unflatten: unflattened_size {sizes} does not fit dimension "
                f"{self.dim} of size {n} (input shape {shape})"
            )
        sizes = tuple(n // known if s == -1 else s for s in sizes)
        return input.reshape(*shape[:d], *sizes, *shape[d + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Identity(Module):
    """Returns its input unchanged; constructor arguments are accepted and ignored (PyTorch)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input
