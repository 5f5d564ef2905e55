"""``RMSNorm`` and ``F.rms_norm`` (PyTorch semantics).

Each sample is divided by the root mean square of its trailing ``normalized_shape`` values,
``x / sqrt(mean(x ** 2) + eps)``, then scaled elementwise by ``weight``; unlike LayerNorm there
is no centring and no bias. Composed of differentiable ops (mean, rsqrt, products), so its
gradients of any order and its ONNX export are theirs. ``eps=None`` is the machine epsilon of
the input's dtype, as PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es import Tensor
from minitorch_es.nn import Module
from minitorch_es.validation import check_int, check_tensor

from .arguments import check_same_dtype
from .options import check_device, new_parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def _shape_tuple(normalized_shape: int | Sequence[int], where: str) -> tuple[int, ...]:
    dims = normalized_shape if isinstance(normalized_shape, (tuple, list)) else (normalized_shape,)
    return tuple(check_int(n, "normalized_shape", where, low=0) for n in dims)


def rms_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """``F.rms_norm``: ``input / sqrt(mean(input ** 2) + eps) * weight``, the mean taken over
    the trailing ``normalized_shape`` dimensions; ``eps=None`` is ``finfo(input.dtype).eps``.

        >>> F = mt.nn.functional
        >>> F.rms_norm(mt.tensor([[3.0, -4.0]], dtype=mt.float64), [2], eps=0.0).tolist()
        [[0.848528137423857, -1.131370849898476]]
    """
    check_tensor(input, "input", "rms_norm")
    dims = _shape_tuple(normalized_shape, "rms_norm")
    k = len(dims)
    if k == 0 or tuple(input.shape[input.ndim - k :]) != dims or input.ndim < k:
        raise RuntimeError(
            f"rms_norm: given normalized_shape={list(dims)}, expected input with shape "
            f"[*, {', '.join(map(str, dims))}], but got input of size {list(input.shape)}"
        )
    if input.dtype.kind != "f":
        raise NotImplementedError(f"rms_norm: not implemented for dtype {input.dtype}")
    if weight is not None:
        if tuple(weight.shape) != dims:
            raise RuntimeError(
                f"rms_norm: expected weight to be of same shape as normalized_shape, but got "
                f"weight of shape {list(weight.shape)} and normalized_shape = {list(dims)}"
            )
        check_same_dtype("rms_norm", input, weight, given=True)
    eps = float(np.finfo(input.dtype).eps) if eps is None else float(eps)
    axes = tuple(range(input.ndim - k, input.ndim))
    out = input * (input * input).mean(dim=axes, keepdim=True).add(eps).rsqrt()
    return out if weight is None else out * weight


class RMSNorm(Module):
    """Root-mean-square normalisation over the trailing ``normalized_shape`` dimensions:
    ``RMSNorm(normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None)``.
    With ``elementwise_affine`` a ``weight`` of ``normalized_shape`` (ones) is learnt;
    ``eps=None`` is the machine epsilon of the input's dtype."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        check_device(device, "RMSNorm")
        self.normalized_shape = _shape_tuple(normalized_shape, "RMSNorm")
        self.eps = None if eps is None else float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        if self.elementwise_affine:
            self.weight = new_parameter(self.normalized_shape, dtype)
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight to ones (PyTorch)."""
        if self.weight is not None:
            with mt.no_grad():
                self.weight.fill_(1)

    def forward(self, input: Tensor) -> Tensor:
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )
