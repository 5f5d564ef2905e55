"""``MaxUnpool2d`` and ``F.max_unpool2d`` (PyTorch semantics): the partial inverse of
``MaxPool2d(return_indices=True)``.

Each input value is written at its flat ``h * W + w`` index of its output plane, zeros
elsewhere. The op is linear in the input: its gradient reads the output gradient at the same
indices (``xp.getitem``, itself differentiable), so derivatives of every order follow; ONNX gets
a ``ScatterElements`` over the flattened planes, the indices being a graph value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.autograd import Primitive
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_tensor

from .arguments import describe_shape, pair

if TYPE_CHECKING:
    from collections.abc import Sequence

    from minitorch_es import Tensor
    from minitorch_es.autograd import Context


class MaxUnpool2dFunction(Primitive):
    """``(N, C, H, W)`` values scattered into ``(N, C, *output_hw)`` planes at ``indices``."""

    backward_name = "MaxUnpool2DBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, indices: np.ndarray, *, output_hw: tuple):
        n, c = x.shape[:2]
        flat = indices.reshape(n, c, -1)
        out = np.zeros((n, c, output_hw[0] * output_hw[1]), dtype=x.dtype)
        np.put_along_axis(out, flat, x.reshape(n, c, -1), axis=2)
        # A constant of the derivative: where each input value went.
        ctx.where = (np.arange(n)[:, None, None], np.arange(c)[None, :, None], flat)
        ctx.x_shape = x.shape
        return out.reshape(n, c, *output_hw)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        n, c = ctx.x_shape[:2]
        planes = grad.reshape(n, c, -1)
        return ctx.xp.getitem(planes, ctx.where).reshape(ctx.x_shape), None


def _output_hw(
    shape: tuple, kernel: tuple, stride: tuple, padding: tuple, output_size: Sequence[int] | None
) -> tuple[int, int]:
    """PyTorch's default unpooled size, or ``output_size`` (its last two entries) checked to
    lie strictly within one stride of it."""
    default = [(n - 1) * s - 2 * p + k for n, k, s, p in zip(shape[-2:], kernel, stride, padding)]
    if output_size is None:
        return tuple(default)
    sizes = list(output_size)
    if len(sizes) == 4:
        sizes = sizes[2:]
    if len(sizes) != 2:
        raise ValueError(
            f"max_unpool2d: output_size should be a sequence containing 2 or 4 elements, but "
            f"it has a length of {len(sizes)} ({tuple(output_size)})"
        )
    for d, (size, base, s) in enumerate(zip(sizes, default, stride)):
        if not base - s < size < base + s:
            raise ValueError(
                f'max_unpool2d: invalid output_size "{tuple(output_size)}" (dim {d} must be '
                f"between {base - s} and {base + s})"
            )
    return tuple(int(v) for v in sizes)


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    output_size: Sequence[int] | None = None,
) -> Tensor:
    """``F.max_unpool2d``: see `MaxUnpool2d`."""
    layer = "MaxUnpool2d"
    check_tensor(input, "input", layer)
    check_tensor(indices, "indices", layer)
    k = pair(kernel_size, "kernel_size", layer, low=1)
    s = k if stride is None else pair(stride, "stride", layer, low=1)
    p = pair(padding, "padding", layer)
    shape = describe_shape(input)
    if len(shape) not in (3, 4):
        raise ShapeError(
            f"{layer}: expected 3D (unbatched) or 4D (batched) input, got shape {shape}"
        )
    if describe_shape(indices) != shape:
        raise ShapeError(
            f"{layer}: expected indices of the input's shape {shape}, got indices of shape "
            f"{describe_shape(indices)}"
        )
    if indices.dtype != np.int64:
        raise TypeError(f"{layer}: expected int64 indices, got {indices.dtype}")
    out_hw = _output_hw(shape, k, s, p, output_size)
    index = indices.numpy(force=True)
    bad = (index < 0) | (index >= out_hw[0] * out_hw[1])
    if bad.any():
        raise ValueError(
            f"{layer}: found an invalid max index {int(index[bad][0])} (the output planes are "
            f"of size {out_hw[0]}x{out_hw[1]})"
        )
    batched = len(shape) == 4
    x, i = (input, indices) if batched else (input.unsqueeze(0), indices.unsqueeze(0))
    out = MaxUnpool2dFunction.apply(x, i, output_hw=out_hw)
    return out if batched else out.squeeze(0)


class MaxUnpool2d(Module):
    """The partial inverse of ``MaxPool2d``: ``MaxUnpool2d(kernel_size, stride=None,
    padding=0)``, called as ``unpool(input, indices, output_size=None)`` with the indices
    ``MaxPool2d(..., return_indices=True)`` returned; every other position is zero.
    ``output_size`` resolves the sizes several inputs pool to."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        super().__init__()
        self.kernel_size = pair(kernel_size, "kernel_size", "MaxUnpool2d", low=1)
        none = stride is None or stride == []
        self.stride = self.kernel_size if none else pair(stride, "stride", "MaxUnpool2d", low=1)
        self.padding = pair(padding, "padding", "MaxUnpool2d")

    def forward(
        self, input: Tensor, indices: Tensor, output_size: Sequence[int] | None = None
    ) -> Tensor:
        return max_unpool2d(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
