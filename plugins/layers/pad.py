"""``F.pad``: PyTorch's padding of the last dimensions, in four modes.

``pad`` lists (before, after) amounts from the last dimension backwards, as PyTorch:
``(left, right, top, bottom, front, back)``. ``constant`` pads any number of dimensions with
``value`` (negative amounts crop). ``reflect``, ``replicate`` and ``circular`` copy input
entries (`padding.source_indices`): they pad the last 1, 2 or 3 dimensions of an input with
one or two more (an optional batch and the channels), with PyTorch's limits on the amounts.
The copies are a gather along each padded axis (`axis_maps`), whose gradient sums the copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from minitorch_es import Tensor
from minitorch_es.autograd import Primitive
from minitorch_es.validation import is_int

from .axis_maps import along_axes, gather_map
from .padding import source_indices

if TYPE_CHECKING:
    from minitorch_es.autograd import Context

MODES = ("constant", "reflect", "replicate", "circular")
_SUPPORTED = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)


class ConstantPad(Primitive):
    """``x`` cropped by ``src`` (a tuple of slices) and placed at ``dst`` in a tensor of
    ``shape`` filled with ``value``; the gradient is the ``dst`` part, put back at ``src``."""

    backward_name = "ConstantPadNdBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, shape: tuple, src: tuple, dst: tuple, value: float):
        out = np.full(shape, value, dtype=x.dtype)
        out[dst] = x[src]
        ctx.spec = (x.shape, src, dst)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        shape, src, dst = ctx.spec
        xp = ctx.xp
        return (xp.index_add(shape, src, xp.getitem(grad, dst)),)


def _check_pad(pad: Sequence[int]) -> tuple[int, ...]:
    if not isinstance(pad, (tuple, list)):
        raise TypeError(
            f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}"
        )
    for i, p in enumerate(pad):
        if not is_int(p):
            raise TypeError(
                f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element "
                f"of type {type(p).__name__} at pos {i}"
            )
    return tuple(int(p) for p in pad)


def _amounts(pad: tuple, ndim: int) -> list[tuple[int, int, int]]:
    """``(dim, before, after)`` for each padded dimension, last dimension first."""
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {len(pad)}: {pad}")
    if len(pad) > 2 * ndim:
        raise RuntimeError(
            f"pad: padding length should be less than or equal to two times the input "
            f"dimension but got padding length {len(pad)} and input of dimension {ndim}"
        )
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


def _constant(input: Tensor, amounts: list, value: float) -> Tensor:
    shape = list(input.shape)
    src, dst = [slice(None)] * len(shape), [slice(None)] * len(shape)
    for d, before, after in amounts:
        size = shape[d] + before + after
        if size < 0:
            raise RuntimeError(
                f"pad: padding ({before}, {after}) of dimension {d} of the input "
                f"{list(input.shape)} leaves a negative size {size}"
            )
        kept = max(0, size - max(before, 0) - max(after, 0))
        start = max(-before, 0)
        src[d], dst[d] = slice(start, start + kept), slice(max(before, 0), max(before, 0) + kept)
        shape[d] = size
    return ConstantPad.apply(input, shape=tuple(shape), src=tuple(src), dst=tuple(dst), value=value)


def _check_copying(input: Tensor, amounts: list, mode: str) -> None:
    """PyTorch's limits for reflect / replicate / circular."""
    shape = list(input.shape)
    batched = len(shape) == len(amounts) + 2
    if mode != "circular" and 0 in shape[1 if batched else 0 :]:
        raise RuntimeError(
            f"pad: {mode} padding expects a {len(amounts) + 1}D or {len(amounts) + 2}D (batch "
            f"mode) tensor with possibly 0 batch size and other non-zero dimensions, but got: "
            f"{shape}"
        )
    for d, before, after in amounts:
        size = shape[d] + before + after
        if mode == "reflect" and max(before, after) >= shape[d]:
            raise RuntimeError(
                f"pad: reflect padding should be less than the corresponding input dimension, "
                f"but got: padding ({before}, {after}) at dimension {d} of input {shape}"
            )
        kept = shape[d] + min(before, 0) + min(after, 0)  # what circular padding wraps around
        if mode == "circular" and max(before, after) > min(shape[d], kept):
            raise RuntimeError(
                f"pad: circular padding ({before}, {after}) at dimension {d} of input {shape} "
                f"causes wrapping around more than once (each amount must be at most the "
                f"dimension's size after cropping, {max(kept, 0)})"
            )
        if size < (0 if mode == "circular" else 1):
            raise RuntimeError(
                f"pad: input dimension {d} of size {shape[d]} is too small for padding "
                f"({before}, {after}): calculated output size {size}"
            )


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """``F.pad``: ``input`` padded by ``pad = (before_last, after_last, before_2nd_last, ...)``
    in ``mode`` (``'constant'`` with ``value``, default 0; ``'reflect'``, ``'replicate'``,
    ``'circular'``). Negative amounts crop.

        >>> F = mt.nn.functional
        >>> F.pad(mt.tensor([[1., 2., 3.]]), (2, 1), mode="reflect")
        tensor([[3., 2., 1., 2., 3., 2.]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    amounts = _amounts(_check_pad(pad), input.ndim)
    if mode not in MODES:
        raise NotImplementedError(
            f"pad: unrecognised padding mode {mode!r} (expected one of {MODES})"
        )
    if mode == "constant":
        return _constant(input, amounts, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'pad: padding mode "{mode}" doesn\'t take in value argument')
    if not amounts or input.ndim not in (len(amounts) + 1, len(amounts) + 2):
        raise NotImplementedError(
            f"pad: padding size {2 * len(amounts)} is not supported for {input.ndim}D input "
            f"tensor.\n{_SUPPORTED}"
        )
    _check_copying(input, amounts, mode)
    maps = [
        gather_map(d, _sources(input.shape[d], before, after, mode), input.shape[d])
        for d, before, after in amounts
    ]
    return along_axes(input, tuple(maps))


def _sources(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """The input position each output position copies. Circular padding first crops (negative
    amounts), then wraps around what is left, as PyTorch."""
    if mode != "circular":
        return source_indices(size, before, after, mode)
    start, kept = max(-before, 0), size + min(before, 0) + min(after, 0)
    return start + source_indices(kept, max(before, 0), max(after, 0), mode)
