"""Pooling layers: ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d`` (PyTorch's signatures),
for NCHW or unbatched CHW input. Kernels in `pooling_kernels`, autograd Functions in
`pooling_ops`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import describe_shape, pair
from .pooling_kernels import pooled_size
from .pooling_ops import AdaptiveAvgPool2dFunction, AvgPool2dFunction, MaxPool2dFunction

if TYPE_CHECKING:
    from minitorch_es import Tensor


def _as_4d(layer: str, input: Tensor):
    shape = describe_shape(input)
    if len(shape) not in (3, 4):
        raise ShapeError(
            f"{layer}: expected 3D (unbatched) or 4D (batched) input, got shape {shape}"
        )
    return (input if len(shape) == 4 else input.reshape(1, *shape)), shape


def _check_output(layer: str, shape: tuple[int, ...], out_hw: Sequence[int], settings: str) -> None:
    """A pool whose output would be empty is an error (PyTorch: "Output size is too small")."""
    if min(out_hw) < 1:
        raise ShapeError(
            f"{layer}: output size would be {tuple(out_hw)} for input shape "
            f"{shape} ({settings}); the input is too small"
        )


def _check_half_kernel(
    layer: str, padding: tuple[int, int], kernel: tuple[int, int], dilation: tuple[int, int]
) -> None:
    for p, k, d in zip(padding, kernel, dilation):
        if 2 * p > d * (k - 1) + 1:
            raise ValueError(
                f"{layer}: pad should be at most half of effective kernel size, but "
                f"got pad={p}, kernel_size={k} and dilation={d}"
            )


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """``F.max_pool2d``: see `MaxPool2d`."""
    layer = "MaxPool2d"
    k = pair(kernel_size, "kernel_size", layer, low=1)
    s = k if stride is None or stride == [] else pair(stride, "stride", layer, low=1)
    p, d = pair(padding, "padding", layer), pair(dilation, "dilation", layer, low=1)
    _check_half_kernel(layer, p, k, d)
    x, shape = _as_4d(layer, input)
    out_hw = [pooled_size(*args, ceil_mode) for args in zip(shape[-2:], k, s, p, d)]
    _check_output(
        layer,
        shape,
        out_hw,
        f"kernel_size={k}, stride={s}, padding={p}, dilation={d}, ceil_mode={ceil_mode}",
    )
    sink = [] if return_indices else None
    out = MaxPool2dFunction.apply(
        x, kernel=k, stride=s, padding=p, dilation=d, ceil_mode=bool(ceil_mode), sink=sink
    )
    if len(shape) == 3:
        out = out.reshape(out.shape[1:])
    if not return_indices:
        return out
    (_, kw), (sh, sw), (ph, pw), (dh, dw), arg = k, s, p, d, sink[0].astype(np.int64)
    rows = np.arange(out_hw[0])[:, None] * sh - ph + (arg // kw) * dh
    cols = np.arange(out_hw[1]) * sw - pw + (arg % kw) * dw
    flat = (rows * shape[-1] + cols).astype(np.int64)
    return out, mt.from_numpy(flat.reshape(out.shape))


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """``F.avg_pool2d``: see `AvgPool2d`."""
    layer = "AvgPool2d"
    k = pair(kernel_size, "kernel_size", layer, low=1)
    s = k if stride is None or stride == [] else pair(stride, "stride", layer, low=1)
    p = pair(padding, "padding", layer)
    if divisor_override is not None:
        divisor_override = check_int(divisor_override, "divisor_override", layer, low=1)
    _check_half_kernel(layer, p, k, (1, 1))
    x, shape = _as_4d(layer, input)
    out_hw = [pooled_size(n, *args, 1, ceil_mode) for n, *args in zip(shape[-2:], k, s, p)]
    _check_output(
        layer, shape, out_hw, f"kernel_size={k}, stride={s}, padding={p}, ceil_mode={ceil_mode}"
    )
    out = AvgPool2dFunction.apply(
        x,
        kernel=k,
        stride=s,
        padding=p,
        ceil_mode=bool(ceil_mode),
        count_include_pad=bool(count_include_pad),
        divisor_override=divisor_override,
    )
    return out if len(shape) == 4 else out.reshape(out.shape[1:])


def adaptive_avg_pool2d(
    input: Tensor, output_size: int | None | tuple[int | None, int | None]
) -> Tensor:
    """``F.adaptive_avg_pool2d``: see `AdaptiveAvgPool2d`."""
    sizes = _adaptive_sizes(output_size)
    x, shape = _as_4d("AdaptiveAvgPool2d", input)
    if min(shape[-2:]) < 1:
        raise ShapeError(
            f"AdaptiveAvgPool2d: expected non-empty spatial dimensions, got input shape {shape}"
        )
    sizes = tuple(n if o is None else o for o, n in zip(sizes, shape[-2:]))
    out = AdaptiveAvgPool2dFunction.apply(x, output_size=sizes)
    return out if len(shape) == 4 else out.reshape(out.shape[1:])


def _adaptive_sizes(output_size: int | None | tuple[int | None, int | None]) -> tuple:
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    if len(sizes) != 2:
        raise ValueError(
            f"AdaptiveAvgPool2d: output_size must be an int or a pair, got {output_size!r}"
        )
    return tuple(
        None if o is None else check_int(o, "output_size", "AdaptiveAvgPool2d", low=1)
        for o in sizes
    )


def _tuple(value: Any):
    return tuple(value) if isinstance(value, list) else value


class MaxPoolBase(Module):
    """What MaxPool1d and MaxPool2d share: the call of their functional form ``function`` with
    the stored arguments, and PyTorch's repr."""

    function = staticmethod(max_pool2d)

    def forward(self, input: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        return self.function(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(MaxPoolBase):
    """Max over ``kernel_size`` windows: ``MaxPool2d(kernel_size, stride=None, padding=0,
    dilation=1, return_indices=False, ceil_mode=False)`` as PyTorch (stride defaults to
    kernel_size, padding counts as -inf, the gradient goes to the first maximum, NaN
    propagates; with ``return_indices`` also returns the flat ``h * W + w`` index of each
    maximum, as an int64 tensor)."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size)
        self.stride = self.kernel_size if stride is None else _tuple(stride)
        self.padding, self.dilation = _tuple(padding), _tuple(dilation)
        self.return_indices, self.ceil_mode = bool(return_indices), bool(ceil_mode)
        k = pair(self.kernel_size, "kernel_size", "MaxPool2d", low=1)
        pair(self.stride, "stride", "MaxPool2d", low=1)
        _check_half_kernel(
            "MaxPool2d",
            pair(self.padding, "padding", "MaxPool2d"),
            k,
            pair(self.dilation, "dilation", "MaxPool2d", low=1),
        )


class AvgPool2d(Module):
    """Mean over ``kernel_size`` windows: ``AvgPool2d(kernel_size, stride=None, padding=0,
    ceil_mode=False, count_include_pad=True, divisor_override=None)`` as PyTorch (zero
    padding; with ``count_include_pad=False`` padded zeros are not counted in the divisor)."""

    def __init__(
        self,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size)
        self.stride = self.kernel_size if stride is None else _tuple(stride)
        self.padding = _tuple(padding)
        self.ceil_mode, self.count_include_pad = bool(ceil_mode), bool(count_include_pad)
        self.divisor_override = divisor_override
        k = pair(self.kernel_size, "kernel_size", "AvgPool2d", low=1)
        pair(self.stride, "stride", "AvgPool2d", low=1)
        _check_half_kernel("AvgPool2d", pair(self.padding, "padding", "AvgPool2d"), k, (1, 1))
        if divisor_override is not None:
            check_int(divisor_override, "divisor_override", "AvgPool2d", low=1)

    def forward(self, input: Tensor) -> Tensor:
        return avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (int, pair, or pair with ``None`` = keep the
    input size), with PyTorch's windows ``[floor(i*H/out), ceil((i+1)*H/out))``."""

    def __init__(self, output_size: int | None | tuple[int | None, int | None]) -> None:
        super().__init__()
        _adaptive_sizes(output_size)
        self.output_size = _tuple(output_size)

    def forward(self, input: Tensor) -> Tensor:
        return adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
