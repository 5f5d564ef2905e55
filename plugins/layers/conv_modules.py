"""``Conv1d``, ``ConvTranspose1d`` and ``ConvTranspose2d`` (PyTorch's ``nn`` classes, their
arguments, weight layouts, initialisation, checks and printing); the computations are
`conv_nd`'s functional forms.

A convolution's weight is ``(out_channels, in_channels / groups, *kernel)``, a transposed
one's ``(in_channels, out_channels / groups, *kernel)``; both are initialised as PyTorch does,
``kaiming_uniform_(a=sqrt(5))`` and a bias from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` with
``fan_in = weight.shape[1] * prod(kernel)``. (The Keras-style options of ``Conv2d`` are not
offered here.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.nn import Module
from minitorch_es.validation import check_choice, check_int

from .conv_nd import IntOrTuple, conv1d, conv_transpose, ntuple, padding_1d, transposed_size
from .options import check_device, default_bias_init, default_weight_init, new_parameter
from .pad import pad

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_PYTORCH_MODE = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}


class _ConvNd(Module):
    dims = 0  # spatial dimensions, declared by each subclass
    transposed = False  # weight (in, out / groups, *kernel) and the transposed computation

    def _setup(
        self,
        channels: tuple[int, int],
        kernel_size: IntOrTuple,
        stride: IntOrTuple,
        padding: IntOrTuple | str,
        dilation: IntOrTuple,
        groups: int,
        bias: bool,
        padding_mode: str,
        device: str | mt.device | None,
        dtype: DTypeLike | None,
        output_padding: IntOrTuple = 0,
    ) -> None:
        name, n = type(self).__name__, self.dims
        self.in_channels = check_int(channels[0], "in_channels", name, low=1)
        self.out_channels = check_int(channels[1], "out_channels", name, low=1)
        self.groups = check_int(groups, "groups", name, low=1)
        for arg in ("in_channels", "out_channels"):
            if getattr(self, arg) % self.groups:
                raise ValueError(f"{name}: {arg} must be divisible by groups ({self.groups})")
        self.kernel_size = ntuple(kernel_size, n, "kernel_size", name, low=1)
        self.stride = ntuple(stride, n, "stride", name, low=1)
        self.dilation = ntuple(dilation, n, "dilation", name, low=1)
        self.output_padding = ntuple(output_padding, n, "output_padding", name)
        self.padding_mode = check_choice(padding_mode, "padding_mode", name, choices=PADDING_MODES)
        if self.transposed and padding_mode != "zeros":
            raise ValueError(f'{name}: Only "zeros" padding mode is supported for {name}')
        if isinstance(padding, str) and not self.transposed:
            padding_1d(name, padding, self.kernel_size[0], self.stride[0], self.dilation[0])
            self.padding = padding
        else:
            self.padding = ntuple(padding, n, "padding", name)
        check_device(device, name)
        pair = (self.in_channels, self.out_channels)
        rows, cols = pair[::-1] if not self.transposed else pair
        self.weight = new_parameter((rows, cols // self.groups, *self.kernel_size), dtype)
        if bias:
            self.bias = new_parameter((self.out_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation (see the module notes)."""
        default_weight_init(self.weight)
        if self.bias is not None:
            default_bias_init(self.weight.shape[1] * math.prod(self.kernel_size))(self.bias)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * self.dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over ``(N, C, L)`` (or ``(C, L)``) input: ``Conv1d(in_channels,
    out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
    padding_mode='zeros', device=None, dtype=None)`` as PyTorch (padding: an int, 'valid' or
    'same'; padding_mode: 'zeros', 'reflect', 'replicate', 'circular')."""

    dims = 1

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: IntOrTuple | str = 0,
        dilation: IntOrTuple = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        channels = (in_channels, out_channels)
        self._setup(
            channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )

    def forward(self, input: Tensor) -> Tensor:
        k, s, d = self.kernel_size[0], self.stride[0], self.dilation[0]
        if self.padding_mode == "zeros":
            return conv1d(input, self.weight, self.bias, s, self.padding, d, self.groups)
        left, right = padding_1d("Conv1d", self.padding, k, s, d)
        x = pad(input, (left, right), mode=_PYTORCH_MODE[self.padding_mode])
        return conv1d(x, self.weight, self.bias, s, 0, d, self.groups)


class _ConvTransposeNd(_ConvNd):
    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: IntOrTuple = 0,
        output_padding: IntOrTuple = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: IntOrTuple = 1,
        padding_mode: str = "zeros",
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        self._setup(
            (in_channels, out_channels),
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
            output_padding,
        )

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        """The transposed convolution; ``output_size`` (the last ``dims`` sizes wanted, or
        a whole shape) picks the ``output_padding`` that gives it, as PyTorch."""
        out_pad = self.output_padding
        if output_size is not None:
            out_pad = self._output_padding(input, output_size)
        op = f"conv_transpose{self.dims}d"
        return conv_transpose(
            op,
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            out_pad,
            self.groups,
            self.dilation,
            self.dims,
        )

    def _output_padding(self, input: Tensor, output_size: Sequence[int]) -> tuple:
        name, n = type(self).__name__, self.dims
        wanted = tuple(check_int(v, "output_size", name) for v in output_size)
        if len(wanted) not in (n, n + 2):
            raise ValueError(
                f"{name}: output_size must have {n} or {n + 2} elements (the spatial sizes, or "
                f"a whole shape), got {len(wanted)}: {wanted}"
            )
        wanted, sizes = wanted[-n:], tuple(input.shape[-n:])
        geometry = zip(sizes, self.kernel_size, self.stride, self.padding, self.dilation)
        smallest = tuple(transposed_size(m, k, s, p, 0, d) for m, k, s, p, d in geometry)
        largest = tuple(m + s - 1 for m, s in zip(smallest, self.stride))
        if any(not lo <= w <= hi for w, lo, hi in zip(wanted, smallest, largest)):
            raise ValueError(
                f"{name}: requested an output size of {wanted}, but valid sizes range from "
                f"{list(smallest)} to {list(largest)} (for an input of {list(sizes)})"
            )
        return tuple(w - m for w, m in zip(wanted, smallest))


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution (PyTorch's ``nn.ConvTranspose1d``): ``(in_channels,
    out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
    dilation=1, padding_mode='zeros', device=None, dtype=None)``; output length ``(L - 1)
    stride - 2 padding + dilation (kernel - 1) + output_padding + 1``."""

    dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (PyTorch's ``nn.ConvTranspose2d``), the arguments of
    `ConvTranspose1d` per spatial dimension; the gradient of a ``Conv2d`` with respect to its
    input, run forward (decoders, upsampling)."""

    dims = 2
