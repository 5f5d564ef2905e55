"""``InstanceNorm1d``, ``InstanceNorm2d`` and ``F.instance_norm`` (PyTorch semantics).

Each channel of each sample is normalised over its positions: group normalisation with one
channel per group, so the statistics, their gradients of any order and the ONNX export are
`group_norm`'s. With running statistics (``use_input_stats=False``: a tracking layer in eval
mode) the map ``(x - running_mean) / sqrt(running_var + eps)`` is composed of differentiable
ops. As PyTorch, training updates the running buffers with the batch mean of the per-instance
means and unbiased variances, and ``num_batches_tracked`` is never counted (``momentum=None``
leaves the buffers unchanged).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es import Tensor
from minitorch_es.validation import check_tensor

from .arguments import check_same_dtype
from .group_norm import check_channel_vector, group_norm
from .normalization import _BatchNorm

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """``F.instance_norm``: normalise each channel of each ``(N, C, *)`` sample over its
    positions (``use_input_stats``; the running buffers, if given, are updated in place) or
    with ``running_mean`` / ``running_var``, then scale and shift each channel."""
    check_tensor(input, "input", "instance_norm")
    if input.ndim < 2:
        raise ValueError(
            f"instance_norm: expected input of at least 2 dimensions (N, C, *), got shape "
            f"{list(input.shape)}"
        )
    if input.dtype.kind != "f":
        raise NotImplementedError(f"instance_norm: not implemented for dtype {input.dtype}")
    if (running_mean is None) != (running_var is None):
        raise ValueError(
            "instance_norm: running_mean and running_var must either both be None or neither "
            "be None"
        )
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        check_channel_vector("instance_norm", name, t, input)
    for name, t in (("weight", weight), ("bias", bias)):
        check_channel_vector("instance_norm", name, t, input)
        if t is not None:
            check_same_dtype("instance_norm", input, t, given=True)
    channel = (input.shape[1],) + (1,) * (input.ndim - 2)
    if use_input_stats:
        positions = int(np.prod(input.shape[2:]))
        if positions <= 1:
            raise ValueError(
                f"instance_norm: expected more than 1 spatial element when training, got "
                f"input size {list(input.shape)}"
            )
        if running_mean is not None:
            _update(running_mean, running_var, input, float(momentum))
        return group_norm(input, input.shape[1], weight, bias, eps)
    if running_mean is None:
        raise ValueError(
            "instance_norm: running_mean and running_var are required when use_input_stats=False"
        )
    scale = (running_var.to(input.dtype).reshape(*channel) + float(eps)).rsqrt()
    out = (input - running_mean.to(input.dtype).reshape(*channel)) * scale
    if weight is not None:
        out = out * weight.reshape(*channel)
    return out if bias is None else out + bias.reshape(*channel)


def _update(running_mean: Tensor, running_var: Tensor, input: Tensor, momentum: float) -> None:
    """PyTorch's update: the batch mean of each instance's mean and unbiased variance."""
    x = input.numpy(force=True).reshape(*input.shape[:2], -1)
    if not x.size:
        return
    mean, var = x.mean(axis=(0, 2)), x.var(axis=2, ddof=1).mean(axis=0)
    with mt.no_grad():
        running_mean.mul_(1.0 - momentum).add_(mt.tensor(momentum * mean, dtype=running_mean.dtype))
        running_var.mul_(1.0 - momentum).add_(mt.tensor(momentum * var, dtype=running_var.dtype))


class _InstanceNorm(_BatchNorm):
    """Shared by InstanceNorm1d/2d: ``(num_features, eps=1e-5, momentum=0.1, affine=False,
    track_running_stats=False, device=None, dtype=None, *, bias=True)``; the parameters and
    buffers are batch norm's."""

    dims = ()  # accepted ranks: (unbatched, batched)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )

    def forward(self, input: Tensor) -> Tensor:
        name, (unbatched, batched) = type(self).__name__, self.dims
        check_tensor(input, "input", name)
        if input.ndim not in self.dims:
            raise ValueError(
                f"{name}: expected {unbatched}D or {batched}D input, got {input.ndim}D input "
                f"of shape {list(input.shape)}"
            )
        channels = input.shape[input.ndim - unbatched]
        if channels != self.num_features:
            where = f"input's size at dim={input.ndim - unbatched}"
            if self.affine:
                raise ValueError(
                    f"{name}: expected {where} to match num_features ({self.num_features}), "
                    f"but got: {channels}."
                )
            warnings.warn(
                f"{name}: {where} does not match num_features. You can silence this warning "
                f"by not passing in num_features, which is not used because affine=False",
                stacklevel=2,
            )
        x = input.unsqueeze(0) if input.ndim == unbatched else input
        out = instance_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
        )
        return out.squeeze(0) if input.ndim == unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of ``(N, C, L)`` or unbatched ``(C, L)`` input: each channel of
    each sample over its ``L`` positions. With ``affine``, a per-channel ``weight`` and
    ``bias``; with ``track_running_stats``, running buffers used in eval mode."""

    dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of ``(N, C, H, W)`` or unbatched ``(C, H, W)`` input (see
    `InstanceNorm1d`)."""

    dims = (3, 4)
