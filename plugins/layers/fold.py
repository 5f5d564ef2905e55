"""``F.unfold`` / ``F.fold`` and ``nn.Unfold`` / ``nn.Fold`` (PyTorch's im2col and col2im).

``unfold`` copies every sliding ``kernel_size`` block of a zero-padded ``(N, C, H, W)`` input
into a column: ``(N, C * kh * kw, L)``, channel-major within a column, blocks in row-major
order. ``fold`` is its adjoint: it sums the columns back into an image, overlapping entries
added. Each is therefore the other's gradient, so both differentiate any number of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from minitorch_es import Tensor
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.validation import check_tensor, is_int

if TYPE_CHECKING:
    from minitorch_es.autograd import Context

IntPair = int | Sequence[int]


class Blocks(NamedTuple):
    """The sliding blocks of a ``size`` (H, W) image: ``counts`` blocks per dimension."""

    size: tuple
    kernel: tuple
    dilation: tuple
    padding: tuple
    stride: tuple
    counts: tuple

    def window(self, i: int, j: int) -> tuple:
        """The slices of the padded image that kernel position ``(i, j)`` reads, one entry
        per block."""
        return tuple(
            slice(k * d, k * d + s * (n - 1) + 1, s)
            for k, d, s, n in zip((i, j), self.dilation, self.stride, self.counts)
        )


def blocks(size: tuple, kernel: tuple, dilation: tuple, padding: tuple, stride: tuple) -> Blocks:
    """The `Blocks` of an image of ``size``."""
    counts = tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, d, p, s in zip(size, kernel, dilation, padding, stride)
    )
    return Blocks(tuple(size), kernel, dilation, padding, stride, counts)


def im2col(x: np.ndarray, b: Blocks) -> np.ndarray:
    """``(N, C, H, W)`` -> ``(N, C*kh*kw, L)``."""
    (ph, pw), (kh, kw) = b.padding, b.kernel
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
    cols = np.empty((*x.shape[:2], kh, kw, *b.counts), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = padded[(..., *b.window(i, j))]
    return cols.reshape(x.shape[0], -1, b.counts[0] * b.counts[1])


def col2im(cols: np.ndarray, b: Blocks) -> np.ndarray:
    """``(N, C*kh*kw, L)`` -> ``(N, C, H, W)``, overlapping entries summed."""
    (ph, pw), (kh, kw), (h, w) = b.padding, b.kernel, b.size
    n = cols.shape[0]
    grid = cols.reshape(n, -1, kh, kw, *b.counts)
    out = np.zeros((n, grid.shape[1], h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[(..., *b.window(i, j))] += grid[:, :, i, j]
    return out[:, :, ph : ph + h, pw : pw + w]


class UnfoldFunction(Primitive):
    """`im2col`; the gradient is `col2im` (recorded as `FoldFunction` when a graph is built)."""

    backward_name = "Im2ColBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, blocks: Blocks):
        ctx.blocks = blocks
        return im2col(x, blocks)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        if isinstance(grad, Tensor):
            return (FoldFunction.apply(grad, blocks=ctx.blocks),)
        return (col2im(grad, ctx.blocks),)


class FoldFunction(Primitive):
    """`col2im`; the gradient is `im2col` (recorded as `UnfoldFunction` when a graph is built)."""

    backward_name = "Col2ImBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, cols: np.ndarray, *, blocks: Blocks):
        ctx.blocks = blocks
        return col2im(cols, blocks)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        if isinstance(grad, Tensor):
            return (UnfoldFunction.apply(grad, blocks=ctx.blocks),)
        return (im2col(grad, ctx.blocks),)


def _pair(op: str, name: str, value: IntPair, minimum: int) -> tuple:
    items = list(value) if isinstance(value, (tuple, list)) else [value]
    for i, v in enumerate(items):
        if not is_int(v):
            raise TypeError(
                f"{op}: {name} must be an int or a tuple of 2 ints, but found element of type "
                f"{type(v).__name__} at pos {i}"
            )
    if len(items) == 1:
        items *= 2
    if len(items) != 2:
        raise RuntimeError(f"{op}: it is expected {name} equals to 2, but got size {len(items)}")
    if min(items) < minimum:
        rule = "non-negative" if minimum == 0 else "greater than zero"
        raise RuntimeError(f"{op}: {name} should be {rule}, but got {name}={tuple(items)}")
    return tuple(int(v) for v in items)


def _geometry(op: str, size: IntPair, kernel_size: IntPair, dilation, padding, stride) -> Blocks:  # noqa: ANN001
    return blocks(
        _pair(op, "output_size", size, 0),
        _pair(op, "kernel_size", kernel_size, 1),
        _pair(op, "dilation", dilation, 1),
        _pair(op, "padding", padding, 0),
        _pair(op, "stride", stride, 1),
    )


def _check_input(op: str, input: Tensor, ndims: tuple) -> None:
    """``input`` is a float Tensor of ``ndims = (unbatched, batched)`` dimensions, with no
    empty dimension but the batch."""
    check_tensor(input, "input", op)
    shape = list(input.shape)
    if input.ndim not in ndims or 0 in shape[1 if input.ndim == ndims[1] else 0 :]:
        raise RuntimeError(
            f"{op}: expected {ndims[0]}D or {ndims[1]}D (batch mode) tensor with possibly 0 "
            f"batch size and other non-zero dimensions for input, but got: {shape}"
        )
    if input.dtype.kind != "f":
        raise NotImplementedError(f"{op}: not implemented for dtype {input.dtype} (floats only)")


def unfold(
    input: Tensor,
    kernel_size: IntPair,
    dilation: IntPair = 1,
    padding: IntPair = 0,
    stride: IntPair = 1,
) -> Tensor:
    """``F.unfold``: the sliding blocks of an ``(N, C, H, W)`` (or ``(C, H, W)``) input as
    columns, ``(N, C * kh * kw, L)``.

        >>> tuple(mt.nn.functional.unfold(mt.arange(4.).reshape(1, 1, 2, 2), 1).shape)
        (1, 1, 4)
    """
    _check_input("unfold", input, (3, 4))
    b = _geometry("unfold", tuple(input.shape[-2:]), kernel_size, dilation, padding, stride)
    if min(b.counts) < 1:
        raise RuntimeError(
            f"unfold: given input with spatial size {b.size}, kernel_size={b.kernel}, "
            f"dilation={b.dilation}, padding={b.padding}, calculated shape of the array of "
            f"sliding blocks as {b.counts}, but its components must be at least one."
        )
    if input.ndim == 3:
        return UnfoldFunction.apply(input.unsqueeze(0), blocks=b).squeeze(0)
    return UnfoldFunction.apply(input, blocks=b)


def fold(
    input: Tensor,
    output_size: IntPair,
    kernel_size: IntPair,
    dilation: IntPair = 1,
    padding: IntPair = 0,
    stride: IntPair = 1,
) -> Tensor:
    """``F.fold``: columns ``(N, C * kh * kw, L)`` (or ``(C * kh * kw, L)``) summed into an
    ``(N, C, *output_size)`` image, the adjoint of `unfold`."""
    _check_input("fold", input, (2, 3))
    b = _geometry("fold", output_size, kernel_size, dilation, padding, stride)
    rows, length = input.shape[-2:]
    per_block = b.kernel[0] * b.kernel[1]
    if rows % per_block:
        raise RuntimeError(
            f"fold: expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={rows} and kernel_size={b.kernel}."
        )
    if min(b.counts) < 0 or b.counts[0] * b.counts[1] != length:
        raise RuntimeError(
            f"fold: given output_size={b.size}, kernel_size={b.kernel}, dilation={b.dilation}, "
            f"padding={b.padding}, stride={b.stride}, expected size of input's dimension 2 to "
            f"match the calculated number of sliding blocks {b.counts[0]} * {b.counts[1]} = "
            f"{b.counts[0] * b.counts[1]}, but got input.size(2)={length}."
        )
    if input.ndim == 2:
        return FoldFunction.apply(input.unsqueeze(0), blocks=b).squeeze(0)
    return FoldFunction.apply(input, blocks=b)


class _BlockLayer(Module):
    def _keep(self, **options: IntPair) -> None:
        """Store the options as given, sequences as tuples (a config gives them back as lists)."""
        for name, value in options.items():
            setattr(self, name, tuple(value) if isinstance(value, (tuple, list)) else value)

    def extra_repr(self) -> str:
        names = ("output_size", "kernel_size", "dilation", "padding", "stride")
        return ", ".join(f"{n}={getattr(self, n)}" for n in names if hasattr(self, n))


class Unfold(_BlockLayer):
    """``nn.Unfold(kernel_size, dilation=1, padding=0, stride=1)``: `unfold` as a layer."""

    def __init__(
        self, kernel_size: IntPair, dilation: IntPair = 1, padding: IntPair = 0, stride: IntPair = 1
    ) -> None:
        super().__init__()
        _geometry("Unfold", 1, kernel_size, dilation, padding, stride)  # checks the arguments
        self._keep(kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)

    def forward(self, input: Tensor) -> Tensor:
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)


class Fold(_BlockLayer):
    """``nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1)``: `fold` as a
    layer."""

    def __init__(
        self,
        output_size: IntPair,
        kernel_size: IntPair,
        dilation: IntPair = 1,
        padding: IntPair = 0,
        stride: IntPair = 1,
    ) -> None:
        super().__init__()
        _geometry("Fold", output_size, kernel_size, dilation, padding, stride)
        self._keep(output_size=output_size, kernel_size=kernel_size)
        self._keep(dilation=dilation, padding=padding, stride=stride)

    def forward(self, input: Tensor) -> Tensor:
        return fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )
