"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm`` (PyTorch semantics).

Both normalise ``x_hat = (x - mean) / sqrt(var + eps)`` (biased variance) and apply an affine
map ``weight * x_hat + bias``. One fused Function each does it (`normalization_ops`), with the
closed-form backward ``dx = invstd * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))``,
means taken over the normalised axes (or ``dx = invstd * dx_hat`` when fixed running
statistics were used); batch norm's kernels work on channel rows (`normalization_kernels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es import Tensor
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import describe_shape
from .normalization_ops import BatchNormFunction, Normalize
from .options import check_device, new_parameter, parameter_dtype

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def batch_norm(
    input: Tensor,
    running_mean: Tensor | np.ndarray | None,
    running_var: Tensor | np.ndarray | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """``F.batch_norm``: batch statistics when ``training`` (the running buffers, if given, are
    updated in place with the unbiased variance), otherwise the running statistics."""
    shape = describe_shape(input)
    axes = (0, *range(2, len(shape)))
    if len(shape) < 2:
        raise ShapeError(
            f"BatchNorm: expected input with at least 2 dimensions (N, C, ...), got shape {shape}"
        )
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError(
                "batch_norm: running_mean and running_var are required when training=False"
            )
        return BatchNormFunction.apply(
            input, weight, bias, eps=eps, stats=(_values(running_mean), _values(running_var))
        )
    count = int(np.prod([shape[a] for a in axes]))
    if count <= 1:
        raise ShapeError(
            f"BatchNorm: expected more than 1 value per channel when training, got "
            f"input shape {shape}"
        )
    stats = []
    out = BatchNormFunction.apply(input, weight, bias, eps=eps, sink=stats)
    if running_mean is not None:
        mean, var = (s.reshape(-1) for s in stats)
        running_mean *= 1.0 - momentum
        running_mean += momentum * mean
        running_var *= 1.0 - momentum
        running_var += (momentum * count / (count - 1)) * var  # PyTorch: unbiased running var
    return out


def _values(t: Tensor | np.ndarray) -> np.ndarray:
    return t.numpy(force=True) if isinstance(t, Tensor) else np.asarray(t)


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """``F.layer_norm`` over the trailing ``normalized_shape`` dimensions."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    k = len(normalized_shape)
    shape = describe_shape(input)
    if k == 0 or shape[len(shape) - k :] != tuple(normalized_shape):
        raise ShapeError(
            f"LayerNorm: expected input with trailing dimensions "
            f"{tuple(normalized_shape)} (normalized_shape), got shape {shape}"
        )
    lead = len(shape) - k
    return Normalize.apply(
        input,
        weight,
        bias,
        axes=tuple(range(lead, len(shape))),
        view=(1,) * lead + tuple(normalized_shape),
        param_axes=tuple(range(lead)),
        eps=eps,
    )


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d: ``(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True, device=None, dtype=None, *, bias=True)`` (``bias=False``: an
    affine scale without shift, as PyTorch 2.13's)."""

    dims = ()  # accepted input ranks

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        check_device(device, name)
        self.num_features = check_int(num_features, "num_features", name, low=0)
        self.eps, self.momentum = float(eps), None if momentum is None else float(momentum)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        self.register_parameter(
            "weight", new_parameter((self.num_features,), dtype) if self.affine else None
        )
        with_bias = self.affine and bool(bias)
        self.register_parameter(
            "bias", new_parameter((self.num_features,), dtype) if with_bias else None
        )
        if self.track_running_stats:
            dt = parameter_dtype(dtype)
            self.register_buffer("running_mean", np.zeros(self.num_features, dtype=dt))
            self.register_buffer("running_var", np.ones(self.num_features, dtype=dt))
            self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))
        else:
            for buffer in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(buffer, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Zero the running mean and the batch count, set the running variance to one."""
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def reset_parameters(self) -> None:
        """Running statistics reset; weight to ones and bias to zeros (PyTorch)."""
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, input: Tensor):
        shape, name = describe_shape(input), type(self).__name__
        if len(shape) not in self.dims:
            ranks = " or ".join(f"{d}D" for d in self.dims)
            raise ShapeError(f"{name}: expected {ranks} input, got shape {shape}")
        if shape[1] != self.num_features:
            raise ShapeError(
                f"{name}: expected input with {self.num_features} channels "
                f"(num_features) in dimension 1, got shape {shape}"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked[...] += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked)
        use_batch = self.training or not self.track_running_stats
        return batch_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_batch,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` input over N (and L), per channel.
    Training uses the batch statistics (biased variance) and updates ``running_mean`` /
    ``running_var`` with ``momentum`` (unbiased variance; ``momentum=None`` = cumulative
    average); eval mode uses the running statistics."""

    dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` input per channel (see `BatchNorm1d`)."""

    dims = (4,)


class LayerNorm(Module):
    """Normalisation over the trailing ``normalized_shape`` dimensions of each sample:
    ``LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None)``."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        check_device(device, "LayerNorm")
        dims = (
            normalized_shape if isinstance(normalized_shape, (tuple, list)) else (normalized_shape,)
        )
        self.normalized_shape = tuple(
            check_int(n, "normalized_shape", "LayerNorm", low=0) for n in dims
        )
        self.eps, self.elementwise_affine = float(eps), bool(elementwise_affine)
        if self.elementwise_affine:
            self.weight = new_parameter(self.normalized_shape, dtype)
            if bias:
                self.bias = new_parameter(self.normalized_shape, dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones, bias to zeros (PyTorch)."""
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine="
            f"{self.elementwise_affine}, bias={self.bias is not None}"
        )
