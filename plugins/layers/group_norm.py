"""``GroupNorm`` and ``F.group_norm`` (PyTorch semantics).

The channels of each sample are split into ``num_groups`` groups; each group (its channels and
all their positions) is normalised with its own mean and biased variance, then every channel
gets its own affine ``weight * x_hat + bias``. The normalisation is the layers' `Normalize`
op over the last axis of the ``(N, groups, channels_per_group * positions)`` view, so its
gradients (of any order) and its ONNX export are LayerNorm's; the affine map is per channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es import Tensor
from minitorch_es.nn import Module
from minitorch_es.validation import check_int, check_tensor, is_int

from .arguments import check_same_dtype
from .normalization import Normalize
from .options import check_device, new_parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def check_channel_vector(op: str, name: str, param: Tensor | None, input: Tensor) -> None:
    """``param``, if given, must hold one value per channel (dimension 1) of ``input``."""
    if param is not None and tuple(param.shape) != (input.shape[1],):
        raise RuntimeError(
            f"{op}: expected {name} to be a vector of size equal to the number of "
            f"channels in input, but got {name} of shape {list(param.shape)} and input of shape "
            f"{list(input.shape)}"
        )


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """``F.group_norm``: normalise ``(N, C, *)`` input over groups of ``C / num_groups``
    channels (and all positions), then scale and shift each channel."""
    check_tensor(input, "input", "group_norm")
    if not is_int(num_groups):
        raise TypeError(f"group_norm: num_groups must be an int, got {num_groups!r}")
    if num_groups <= 0:
        raise RuntimeError(
            f"group_norm: expected num groups to be greater than 0, got {num_groups}"
        )
    if input.ndim < 2:
        raise RuntimeError(
            f"group_norm: expected at least 2 dimensions for input tensor but received "
            f"{input.ndim} (shape {list(input.shape)})"
        )
    if input.dtype.kind != "f":
        raise NotImplementedError(f"group_norm: not implemented for dtype {input.dtype}")
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            f"group_norm: expected number of channels in input to be divisible by num_groups, "
            f"but got input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    for name, param in (("weight", weight), ("bias", bias)):
        check_channel_vector("group_norm", name, param, input)
        if param is not None:
            check_same_dtype("group_norm", input, param, given=True)
    per_group = c // num_groups * int(np.prod(input.shape[2:]))
    out = input.reshape(n, num_groups, per_group)
    if out.numel():  # an empty input has nothing to normalise (and no statistics)
        view, param_axes = (1, 1, per_group), (0, 1)
        out = Normalize.apply(
            out, None, None, axes=(2,), view=view, param_axes=param_axes, eps=float(eps)
        )
    out = out.reshape(*input.shape)
    channel = (c,) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(*channel)
    if bias is not None:
        out = out + bias.reshape(*channel)
    return out


class GroupNorm(Module):
    """Group normalisation of ``(N, C, *)`` input: ``GroupNorm(num_groups, num_channels,
    eps=1e-5, affine=True, device=None, dtype=None, *, bias=True)``. With ``affine``, a
    per-channel ``weight`` (ones) and ``bias`` (zeros; none when ``bias=False``) are learnt.
    ``GroupNorm(1, C)`` normalises each sample as a whole, ``GroupNorm(C, C)`` each channel
    (instance normalisation)."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_groups = check_int(num_groups, "num_groups", "GroupNorm", low=1)
        self.num_channels = check_int(num_channels, "num_channels", "GroupNorm", low=0)
        if self.num_channels % self.num_groups:
            raise ValueError(
                f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                f"({num_groups})"
            )
        check_device(device, "GroupNorm")
        self.eps, self.affine = float(eps), bool(affine)
        if self.affine:
            self.weight = new_parameter((self.num_channels,), dtype)
        else:
            self.register_parameter("weight", None)
        if self.affine and bias:
            self.bias = new_parameter((self.num_channels,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones, bias to zeros (PyTorch)."""
        with mt.no_grad():
            if self.weight is not None:
                self.weight.fill_(1)
            if self.bias is not None:
                self.bias.zero_()

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim >= 2 and input.shape[1] != self.num_channels:
            raise RuntimeError(
                f"GroupNorm: expected input with {self.num_channels} channels (num_channels) "
                f"in dimension 1, got shape {list(input.shape)}"
            )
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        s = f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
        return s + (", bias=False" if self.affine and self.bias is None else "")
