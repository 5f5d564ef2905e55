"""``LPPool1d``, ``LPPool2d``, ``F.lp_pool1d`` and ``F.lp_pool2d`` (PyTorch semantics).

The power-average pool ``(sum over the window of x ** p) ** (1 / p)``, composed as PyTorch
composes it: the average pool of ``x ** p`` times the window size (so a window that ``ceil_mode``
lets hang over the edge has the average's divisor, as PyTorch's), passed through
``sign(s) * relu(|s|)`` (a zero sum gets a zero gradient), then ``** (1 / p)``. ``p = inf`` is
the max pool of ``|x|``, ``p = -inf`` minus the max pool of ``-|x|``. Every derivative and the
ONNX export are those ops'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from minitorch_es.nn import Module
from minitorch_es.validation import check_float

from .arguments import pair
from .pooling import _tuple, avg_pool2d, max_pool2d
from .pooling_1d import avg_pool1d, max_pool1d, single

if TYPE_CHECKING:
    from minitorch_es import Tensor


def _power_mean(input: Tensor, norm_type: float, where: str, pools: tuple, size: int) -> Tensor:
    """``pools`` = (average pool, max pool) of ``input`` with the layer's window."""
    p = check_float(norm_type, "norm_type", where)
    average, maximum = pools
    if math.isinf(p):
        return maximum(input.abs()) if p > 0 else -maximum(-input.abs())
    out = average(input.pow(p))
    return (out.sign() * out.abs().relu()).mul(size).pow(1.0 / p)


def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """``F.lp_pool1d``: see `LPPool1d`."""
    k = single(kernel_size, "kernel_size", "LPPool1d", low=1)
    pools = (
        lambda x: avg_pool1d(x, k, stride, 0, ceil_mode),
        lambda x: max_pool1d(x, k, stride, 0, 1, ceil_mode),
    )
    return _power_mean(input, norm_type, "LPPool1d", pools, k)


def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """``F.lp_pool2d``: see `LPPool2d`."""
    kh, kw = pair(kernel_size, "kernel_size", "LPPool2d", low=1)
    pools = (
        lambda x: avg_pool2d(x, (kh, kw), stride, 0, ceil_mode),
        lambda x: max_pool2d(x, (kh, kw), stride, 0, 1, ceil_mode),
    )
    return _power_mean(input, norm_type, "LPPool2d", pools, kh * kw)


class _LPPool(Module):
    """Shared by LPPool1d/2d: ``(norm_type, kernel_size, stride=None, ceil_mode=False)``."""

    function = staticmethod(lp_pool1d)  # the functional form

    def __init__(
        self,
        norm_type: float,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        check_float(norm_type, "norm_type", type(self).__name__)
        self.norm_type, self.kernel_size = norm_type, _tuple(kernel_size)
        self.stride = _tuple(stride)
        self.ceil_mode = bool(ceil_mode)

    def forward(self, input: Tensor) -> Tensor:
        return self.function(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPool):
    """Power-average pooling of ``(N, C, L)`` or ``(C, L)`` input: ``(sum of x ** p over each
    window) ** (1 / p)`` with ``p = norm_type`` (``inf``: the maximum of ``|x|``); stride
    defaults to kernel_size, no padding."""

    function = staticmethod(lp_pool1d)


class LPPool2d(_LPPool):
    """Power-average pooling of ``(N, C, H, W)`` or ``(C, H, W)`` input (see `LPPool1d`)."""

    function = staticmethod(lp_pool2d)
