"""``Size``: the type of ``Tensor.shape``, a tuple of ints as ``torch.Size``."""

from __future__ import annotations

import math


class Size(tuple):
    """The dimensions of a tensor: a tuple of ints (``x.shape == (2, 3)`` holds) that prints
    and counts as ``torch.Size``.

        >>> s = mt.zeros(2, 3).shape
        >>> s, s.numel(), s[1:]
        (torch.Size([2, 3]), 6, torch.Size([3]))
    """

    __slots__ = ()

    def __new__(cls, sizes: object = ()) -> Size:
        """``mt.Size([2, 3])`` from any iterable of non-negative ints."""
        values = tuple(sizes)
        for n in values:
            if isinstance(n, bool) or not hasattr(n, "__index__"):
                raise TypeError(
                    f"torch.Size() takes an iterable of 'int' (item {values.index(n)} is "
                    f"'{type(n).__name__}')"
                )
        return tuple.__new__(cls, (int(n) for n in values))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (the product of the sizes)."""
        return math.prod(self)

    def __getitem__(self, index: int | slice) -> int | Size:
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out

    def __add__(self, other: tuple) -> Size:
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other: tuple) -> Size:
        return Size(tuple(other) + tuple(self))

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__


def size_of(size: tuple, op: str = "a factory") -> tuple:
    """The shape from ``*size`` arguments: ints, or one sequence of ints; never negative."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        shape = tuple(int(n.__index__()) for n in size)
    except (TypeError, AttributeError):
        raise TypeError(
            f"{op}: expected a size as integers or one tuple of integers, got {size}"
        ) from None
    if any(n < 0 for n in shape):
        raise RuntimeError(f"{op}: Dimension size must be non-negative, got {shape}")
    return shape
