"""``F.pixel_shuffle`` / ``pixel_unshuffle`` and ``nn.PixelShuffle`` / ``PixelUnshuffle``.

``pixel_shuffle`` moves channel blocks into space: ``(*, C r^2, H, W) -> (*, C, H r, W r)``,
output ``[c, h r + i, w r + j]`` = input ``[c r^2 + i r + j, h, w]``; ``pixel_unshuffle`` is its
inverse. Both are a reshape, a permutation and a reshape, so autograd differentiates them
through those ops.
"""

from __future__ import annotations

from minitorch_es import Tensor
from minitorch_es.nn import Module
from minitorch_es.validation import check_int, check_tensor, is_int


def _check(op: str, input: Tensor, factor: int, name: str) -> int:
    if not is_int(factor):
        raise TypeError(f"{op}: {name} must be an int, got {factor!r}")
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {name}, but got {factor}")
    check_tensor(input, "input", op)
    if input.ndim < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s) (shape {list(input.shape)})"
        )
    return int(factor)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``F.pixel_shuffle``: ``(*, C r^2, H, W) -> (*, C, H r, W r)``, ``r = upscale_factor``."""
    r = _check("pixel_shuffle", input, upscale_factor, "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``F.pixel_unshuffle``: ``(*, C, H r, W r) -> (*, C r^2, H, W)``, the inverse of
    `pixel_shuffle`."""
    r = _check("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    *lead, c, h, w = input.shape
    for name, size, dim in (("height", h, -2), ("width", w, -1)):
        if size % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({dim})={size} is not divisible by {r}"
            )
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Module):
    """``PixelShuffle(upscale_factor)``: `pixel_shuffle` as a layer (sub-pixel convolution's
    rearrangement)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = check_int(upscale_factor, "upscale_factor", "PixelShuffle", low=1)

    def forward(self, input: Tensor) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """``PixelUnshuffle(downscale_factor)``: `pixel_unshuffle` as a layer."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = check_int(
            downscale_factor, "downscale_factor", "PixelUnshuffle", low=1
        )

    def forward(self, input: Tensor) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
