"""``AdaptiveMaxPool1d``, ``AdaptiveMaxPool2d`` and their functional forms (PyTorch semantics).

The maximum over PyTorch's adaptive windows ``[floor(i*n/out), ceil((i+1)*n/out))`` is taken
one axis at a time (a maximum over a rectangle is the maximum over its rows of the maxima over
its columns) with the differentiable ``max(dim)`` of each window: one op per output row and per
output column, never per pixel. ``max(dim)`` sends the gradient to the first maximum of its
window, so the gradient reaches the first maximum of each rectangle in row-major order, as
PyTorch's; its derivatives of every order and its ONNX export are those ops'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import describe_shape
from .pooling import _tuple
from .pooling_1d import as_2d_pool, from_2d_pool, single

if TYPE_CHECKING:
    from minitorch_es import Tensor


def _max_along(x: Tensor, dim: int, out: int) -> tuple[Tensor, np.ndarray]:
    """The maxima of ``x`` over the ``out`` adaptive windows along ``dim`` (-1 or -2), stacked
    along ``dim``, and the position along ``dim`` of each (an int64 array)."""
    size, values, where = x.shape[dim], [], []
    after = (slice(None),) * (-1 - dim)
    for i in range(out):
        start, stop = i * size // out, -(-(i + 1) * size // out)
        best, index = x[(..., slice(start, stop), *after)].max(dim=dim)
        values.append(best)
        where.append(index.numpy(force=True) + start)
    return mt.stack(values, dim), np.stack(where, axis=dim).astype(np.int64)


def _pool(x: Tensor, out_hw: tuple[int, int], return_indices: bool):
    """Adaptive max pooling of ``(N, C, H, W)`` ``x``, with the flat ``h * W + w`` indices."""
    columns, cols = _max_along(x, -1, out_hw[1])
    out, rows = _max_along(columns, -2, out_hw[0])
    if not return_indices:
        return out
    flat = rows * x.shape[-1] + np.take_along_axis(cols, rows, axis=-2)
    return out, mt.from_numpy(flat)


def _check_spatial(layer: str, shape: tuple[int, ...], dims: int) -> None:
    if min(shape[-dims:]) < 1:
        raise ShapeError(
            f"{layer}: expected non-empty sizes for the non-batch dimensions, got input shape "
            f"{shape}"
        )


def adaptive_max_pool1d(
    input: Tensor, output_size: int | tuple[int], return_indices: bool = False
) -> Tensor | tuple[Tensor, Tensor]:
    """``F.adaptive_max_pool1d``: see `AdaptiveMaxPool1d`."""
    layer = "AdaptiveMaxPool1d"
    size = single(output_size, "output_size", layer, low=1)
    x, shape = as_2d_pool(layer, input)
    _check_spatial(layer, shape, 1)
    out = _pool(x, (1, size), return_indices)
    if not return_indices:
        return from_2d_pool(out, shape)
    return from_2d_pool(out[0], shape), from_2d_pool(out[1], shape)


def _sizes_2d(output_size: int | None | Sequence[int | None]) -> tuple[int | None, int | None]:
    layer = "AdaptiveMaxPool2d"
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise ValueError(f"{layer}: output_size must be an int or a pair, got {output_size!r}")
    return tuple(None if o is None else check_int(o, "output_size", layer, low=1) for o in sizes)


def adaptive_max_pool2d(
    input: Tensor,
    output_size: int | None | tuple[int | None, int | None],
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """``F.adaptive_max_pool2d``: see `AdaptiveMaxPool2d`."""
    layer = "AdaptiveMaxPool2d"
    sizes = _sizes_2d(output_size)
    shape = describe_shape(input)
    if len(shape) not in (3, 4):
        raise ShapeError(
            f"{layer}: expected 3D (unbatched) or 4D (batched) input, got shape {shape}"
        )
    _check_spatial(layer, shape, 2)
    out_hw = tuple(n if o is None else o for o, n in zip(sizes, shape[-2:]))
    out = _pool(input if len(shape) == 4 else input.unsqueeze(0), out_hw, return_indices)
    if len(shape) == 4:
        return out
    return out.squeeze(0) if not return_indices else (out[0].squeeze(0), out[1].squeeze(0))


class AdaptiveMaxPool1d(Module):
    """Max pooling of ``(N, C, L)`` or ``(C, L)`` input to ``output_size`` positions over
    PyTorch's adaptive windows; with ``return_indices`` also the int64 position of each
    maximum along ``L``."""

    def __init__(self, output_size: int | tuple[int], return_indices: bool = False) -> None:
        super().__init__()
        single(output_size, "output_size", "AdaptiveMaxPool1d", low=1)
        self.output_size, self.return_indices = _tuple(output_size), bool(return_indices)

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return adaptive_max_pool1d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """Max pooling of ``(N, C, H, W)`` or ``(C, H, W)`` input to ``output_size`` (an int, a
    pair, or a pair with ``None`` = keep that size) over PyTorch's adaptive windows; with
    ``return_indices`` also the flat ``h * W + w`` int64 index of each maximum."""

    def __init__(
        self, output_size: int | None | tuple[int | None, int | None], return_indices: bool = False
    ) -> None:
        super().__init__()
        _sizes_2d(output_size)
        self.output_size = _tuple(output_size)
        self.return_indices = bool(return_indices)

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
