"""``LocalResponseNorm`` and ``F.local_response_norm`` (PyTorch semantics).

Each value is divided by ``(k + alpha * mean of x ** 2 over size neighbouring channels) **
beta``; the neighbourhood of channel ``c`` is ``[c - size // 2, c + (size - 1) // 2]``, zeros
outside the channels counting in the mean. The mean is an average pool of ``x ** 2`` over the
channels, padded as PyTorch pads it, so every derivative and the ONNX export are those ops'.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_float, check_int, check_tensor

from .pad import pad
from .pooling import avg_pool2d

if TYPE_CHECKING:
    from minitorch_es import Tensor


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """``F.local_response_norm``: normalise ``(N, C, *)`` input across neighbouring channels
    (see `LocalResponseNorm`)."""
    check_tensor(input, "input", "local_response_norm")
    size = check_int(size, "size", "local_response_norm", low=1)
    if input.ndim < 3:
        raise ShapeError(
            f"local_response_norm: expected 3D or higher dimensionality input (N, C, *), got "
            f"shape {tuple(input.shape)}"
        )
    if input.numel() == 0:
        return input
    channels, positions = input.shape[1], math.prod(input.shape[2:])
    squares = (input * input).reshape(-1, 1, channels, positions)  # channels as a height
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    mean = avg_pool2d(squares, (size, 1), stride=1).reshape(*input.shape)
    return input / (mean * float(alpha) + float(k)).pow(float(beta))


class LocalResponseNorm(Module):
    """Local response normalisation across channels: ``LocalResponseNorm(size, alpha=1e-4,
    beta=0.75, k=1.0)``, ``x / (k + alpha * mean(x ** 2 over size channels)) ** beta`` on
    ``(N, C, *)`` input."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = check_int(size, "size", "LocalResponseNorm", low=1)
        for name, value in (("alpha", alpha), ("beta", beta), ("k", k)):
            check_float(value, name, "LocalResponseNorm")
        self.alpha, self.beta, self.k = alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
