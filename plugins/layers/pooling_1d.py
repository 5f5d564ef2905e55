"""1-D pooling layers: ``MaxPool1d``, ``AvgPool1d``, ``AdaptiveAvgPool1d`` (PyTorch's
signatures), for ``(N, C, L)`` or unbatched ``(C, L)`` input.

A 1-D pool is the 2-D pool of `pooling` over a height of one (kernel, stride and dilation 1
along it, no padding): the same kernels, gradients of every order and ONNX translations,
exactly. The arguments and shapes are checked here first, so that errors name the 1-D layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import describe_shape
from .pooling import (
    MaxPoolBase,
    _check_half_kernel,
    _check_output,
    _tuple,
    adaptive_avg_pool2d,
    avg_pool2d,
    max_pool2d,
)
from .pooling_kernels import pooled_size

if TYPE_CHECKING:
    from minitorch_es import Tensor


def single(value: int | Sequence[int], name: str, layer: str, low: int = 0) -> int:
    """An int or a one-element tuple of an int (each ``>= low``) as an int (PyTorch's
    ``_single``)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(
                f"{layer}: {name} must be an int or a tuple of one int, got {len(value)} values "
                f"{tuple(value)}"
            )
        (value,) = value
    return check_int(value, name, layer, low=low)


def as_2d_pool(layer: str, input: Tensor) -> tuple[Tensor, tuple[int, ...]]:
    """``(N, C, L)`` or ``(C, L)`` input as ``(N, C, 1, L)``, and the input's shape."""
    shape = describe_shape(input)
    if len(shape) not in (2, 3):
        raise ShapeError(
            f"{layer}: expected 2D (unbatched) or 3D (batched) input, got shape {shape}"
        )
    n, c, length = (1, *shape) if len(shape) == 2 else shape
    return input.reshape(n, c, 1, length), shape


def from_2d_pool(out: Tensor, shape: tuple[int, ...]) -> Tensor:
    """A pool's ``(N, C, 1, L_out)`` result in the input's layout."""
    return out.reshape(*shape[:-1], out.shape[-1])


def _stride(stride: int | Sequence[int] | None, kernel: int, layer: str) -> int:
    return kernel if stride is None or stride == [] else single(stride, "stride", layer, low=1)


def max_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """``F.max_pool1d``: see `MaxPool1d`."""
    layer = "MaxPool1d"
    k = single(kernel_size, "kernel_size", layer, low=1)
    s = _stride(stride, k, layer)
    p, d = single(padding, "padding", layer), single(dilation, "dilation", layer, low=1)
    _check_half_kernel(layer, (p,), (k,), (d,))
    x, shape = as_2d_pool(layer, input)
    settings = f"kernel_size={k}, stride={s}, padding={p}, dilation={d}, ceil_mode={ceil_mode}"
    _check_output(layer, shape, [pooled_size(shape[-1], k, s, p, d, ceil_mode)], settings)
    out = max_pool2d(x, (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if not return_indices:
        return from_2d_pool(out, shape)
    values, indices = out  # a height of one: the flat index h * L + l is l
    return from_2d_pool(values, shape), from_2d_pool(indices, shape)


def avg_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """``F.avg_pool1d``: see `AvgPool1d`."""
    layer = "AvgPool1d"
    k = single(kernel_size, "kernel_size", layer, low=1)
    s, p = _stride(stride, k, layer), single(padding, "padding", layer)
    _check_half_kernel(layer, (p,), (k,), (1,))
    x, shape = as_2d_pool(layer, input)
    settings = f"kernel_size={k}, stride={s}, padding={p}, ceil_mode={ceil_mode}"
    _check_output(layer, shape, [pooled_size(shape[-1], k, s, p, 1, ceil_mode)], settings)
    out = avg_pool2d(x, (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return from_2d_pool(out, shape)


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int]) -> Tensor:
    """``F.adaptive_avg_pool1d``: see `AdaptiveAvgPool1d`."""
    layer = "AdaptiveAvgPool1d"
    size = single(output_size, "output_size", layer, low=1)
    x, shape = as_2d_pool(layer, input)
    if shape[-1] < 1:
        raise ShapeError(f"{layer}: expected a non-empty last dimension, got input shape {shape}")
    return from_2d_pool(adaptive_avg_pool2d(x, (1, size)), shape)


class MaxPool1d(MaxPoolBase):
    """Max over ``kernel_size`` windows of ``(N, C, L)`` or ``(C, L)`` input:
    ``MaxPool1d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
    ceil_mode=False)`` as PyTorch (stride defaults to kernel_size, padding counts as -inf, the
    gradient goes to the first maximum; with ``return_indices`` also the int64 position of each
    maximum along ``L``)."""

    function = staticmethod(max_pool1d)

    def __init__(
        self,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] | None = None,
        padding: int | tuple[int] = 0,
        dilation: int | tuple[int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        k = single(kernel_size, "kernel_size", "MaxPool1d", low=1)
        p, d = (
            single(padding, "padding", "MaxPool1d"),
            single(dilation, "dilation", "MaxPool1d", low=1),
        )
        _stride(stride, k, "MaxPool1d")
        _check_half_kernel("MaxPool1d", (p,), (k,), (d,))
        self.kernel_size, self.padding = _tuple(kernel_size), _tuple(padding)
        self.dilation = _tuple(dilation)
        self.stride = self.kernel_size if stride is None else _tuple(stride)
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)


class AvgPool1d(Module):
    """Mean over ``kernel_size`` windows of ``(N, C, L)`` or ``(C, L)`` input:
    ``AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)``
    as PyTorch (zero padding; with ``count_include_pad=False`` padded zeros are not counted)."""

    def __init__(
        self,
        kernel_size: int | tuple[int],
        stride: int | tuple[int] | None = None,
        padding: int | tuple[int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        k = single(kernel_size, "kernel_size", "AvgPool1d", low=1)
        p = single(padding, "padding", "AvgPool1d")
        _check_half_kernel("AvgPool1d", (p,), (k,), (1,))
        # PyTorch keeps them as 1-tuples (its repr shows kernel_size=(3,)).
        self.kernel_size, self.padding = (k,), (p,)
        self.stride = (_stride(stride, k, "AvgPool1d"),)
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool1d(Module):
    """Average pooling of ``(N, C, L)`` or ``(C, L)`` input to ``output_size`` positions over
    PyTorch's windows ``[floor(i*L/out), ceil((i+1)*L/out))``."""

    def __init__(self, output_size: int | tuple[int]) -> None:
        super().__init__()
        single(output_size, "output_size", "AdaptiveAvgPool1d", low=1)
        self.output_size = _tuple(output_size)

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool1d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
