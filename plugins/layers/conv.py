"""``Conv2d``: 2-D convolution over NCHW input (PyTorch's ``nn.Conv2d``), by im2col.

The weight is ``(out_channels, in_channels // groups, kh, kw)``; the thesis's "filter" sliding
over the image is one row of it. See `conv_kernels` for the forward/backward kernels and
`conv_ops` for the autograd Function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import minitorch_es as mt
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import describe_shape, pair
from .conv_ops import Conv2dFunction
from .im2col import output_size
from .options import (
    check_device,
    default_bias_init,
    default_weight_init,
    finish,
    initialize,
    options_repr,
    setup_weights,
)
from .padding import MODES, check_padding, pad2d

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor

PADDING_MODES = ("zeros", *MODES)


def resolve_padding(
    layer: str,
    padding: int | tuple[int, int] | str,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> tuple:
    """``padding`` (int, pair, 'valid' or 'same') as ``(top, bottom, left, right)``.

    'same' follows PyTorch: total ``dilation * (kernel - 1)`` per axis, the odd extra pixel on
    the bottom/right; it requires stride 1.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(
                f"{layer}: invalid padding string {padding!r}, should be one of "
                f"{{'valid', 'same'}} (or an int / pair of ints)"
            )
        if stride != (1, 1):
            raise ValueError(
                f"{layer}: padding='same' is not supported for strided convolutions "
                f"(got stride={stride})"
            )
        th, tw = (d * (k - 1) for d, k in zip(dilation, kernel))
        return (th // 2, th - th // 2, tw // 2, tw - tw // 2)
    ph, pw = pair(padding, "padding", layer)
    return (ph, ph, pw, pw)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """``F.conv2d`` on NCHW input (zero padding; int, pair, 'valid' or 'same')."""
    stride, dilation = (
        pair(stride, "stride", "conv2d", low=1),
        pair(dilation, "dilation", "conv2d", low=1),
    )
    pads = resolve_padding("conv2d", padding, tuple(weight.shape[2:]), stride, dilation)
    return Conv2dFunction.apply(
        input, weight, bias, stride=stride, pads=pads, dilation=dilation, groups=groups
    )


class Conv2d(Module):
    """2-D convolution: ``Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0,
    dilation=1, groups=1, bias=True, padding_mode='zeros', dtype=None)`` exactly as PyTorch
    (padding: int, pair, 'valid' or 'same'; padding_mode: 'zeros', 'reflect', 'replicate',
    'circular'; input ``(N, C, H, W)`` or unbatched ``(C, H, W)``; PyTorch's default init).
    Keras-style keyword options as `Linear`: ``activation``, ``weight_init``,
    ``bias_init``, ``weight_regularizer``, ``bias_regularizer``, ``activity_regularizer``,
    ``weight_constraint``, ``bias_constraint``.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        activation: str | dict[str, Any] | Callable | None = None,
        weight_init: str | dict[str, Any] | Callable | None = None,
        bias_init: str | dict[str, Any] | Callable | None = None,
        weight_regularizer: str | dict[str, Any] | Callable | None = None,
        bias_regularizer: str | dict[str, Any] | Callable | None = None,
        activity_regularizer: str | dict[str, Any] | Callable | None = None,
        weight_constraint: str | dict[str, Any] | Callable | None = None,
        bias_constraint: str | dict[str, Any] | Callable | None = None,
    ) -> None:
        super().__init__()
        name = "Conv2d"
        check_device(device, name)
        self.in_channels = check_int(in_channels, "in_channels", name, low=0)
        self.out_channels = check_int(out_channels, "out_channels", name, low=0)
        self.groups = check_int(groups, "groups", name, low=1)
        for arg, value in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if value % self.groups:
                raise ValueError(
                    f"{name}: {arg} ({value}) must be divisible by groups ({self.groups})"
                )
        self.kernel_size = pair(kernel_size, "kernel_size", name, low=1)
        self.stride = pair(stride, "stride", name, low=1)
        self.dilation = pair(dilation, "dilation", name, low=1)
        self._pads = resolve_padding(name, padding, self.kernel_size, self.stride, self.dilation)
        self.padding = padding if isinstance(padding, str) else self._pads[::2]
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {list(PADDING_MODES)}, but got "
                f"padding_mode={padding_mode!r}"
            )
        self.padding_mode = padding_mode
        setup_weights(
            self,
            (self.out_channels, self.in_channels // self.groups, *self.kernel_size),
            bias,
            dtype,
            weight_init=weight_init,
            bias_init=bias_init,
            activation=activation,
            weight_regularizer=weight_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            weight_constraint=weight_constraint,
            bias_constraint=bias_constraint,
        )

    def reset_parameters(self) -> None:
        """Re-draw the parameters (``weight_init``/``bias_init`` or PyTorch's default)."""
        initialize(self.weight, self.weight_init, default_weight_init)
        if self.bias is not None:
            fan_in = self.weight.shape[1] * self.kernel_size[0] * self.kernel_size[1]
            initialize(self.bias, self.bias_init, default_bias_init(fan_in))

    def forward(self, input: Tensor) -> Tensor:
        shape = describe_shape(input)
        if len(shape) not in (3, 4):
            raise ShapeError(
                f"Conv2d: expected 3D (unbatched) or 4D (batched) input, got shape {shape}"
            )
        if shape[-3] != self.in_channels:
            order = "0, 3, 1, 2" if len(shape) == 4 else "2, 0, 1"
            nhwc = (
                f"; it looks channels-last (NHWC): move the channels first with x.permute({order})"
                f" (NumPy: x.transpose({order}))"
                if shape[-1] == self.in_channels
                else ""
            )
            raise ShapeError(
                f"Conv2d: expected NCHW input with {self.in_channels} channels "
                f"(in_channels), got shape {shape}{nhwc}"
            )
        x = input if len(shape) == 4 else input.reshape(1, *shape)
        pads = self._pads
        if self.padding_mode != "zeros" and any(pads):
            check_padding("Conv2d", shape, pads, self.padding_mode)
            x, pads = pad2d(x, pads, self.padding_mode), (0, 0, 0, 0)
        self._check_size(shape)
        out = Conv2dFunction.apply(
            x,
            self.weight,
            self.bias,
            stride=self.stride,
            pads=pads,
            dilation=self.dilation,
            groups=self.groups,
        )
        if len(shape) == 3:
            out = out.reshape(out.shape[1:])
        return finish(self, out)

    def _check_size(self, shape: tuple[int, ...]) -> None:
        top, bottom, left, right = self._pads
        padded = (shape[-2] + top + bottom, shape[-1] + left + right)
        sizes = [
            output_size(n, k, s, 0, d)
            for n, k, s, d in zip(padded, self.kernel_size, self.stride, self.dilation)
        ]
        if min(sizes) < 1:
            span = tuple(d * (k - 1) + 1 for d, k in zip(self.dilation, self.kernel_size))
            raise ShapeError(
                f"Conv2d: input of spatial size {tuple(shape[-2:])} (padded: {padded}) is smaller "
                f"than the dilated kernel {span}; got input shape {tuple(shape)}"
            )

    def extra_repr(self) -> str:
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s + options_repr(self)
