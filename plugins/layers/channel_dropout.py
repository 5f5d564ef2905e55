"""Channel-wise dropout: ``F.dropout1d`` / ``dropout2d`` / ``dropout3d`` and ``nn.Dropout1d``
/ ``Dropout2d`` / ``Dropout3d`` (PyTorch's semantics, warnings included).

Whole channels are zeroed: the mask has one entry per (sample, channel), drawn from the
package generator, and the survivors are scaled by ``1 / (1 - p)``. The result is the input
times that constant mask, so its gradients (of any order) are the mask's.
"""

from __future__ import annotations

import numpy as np

import minitorch_es as mt
from minitorch_es import Tensor
from minitorch_es.errors import warn
from minitorch_es.nn import Module
from minitorch_es.random import generator

from .arguments import dropout_probability


def _feature_dropout(input: Tensor, p: float, op: str) -> Tensor:
    """``input * mask`` with a mask of shape ``(N, C, 1, ..., 1)``."""
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got dtype {input.dtype}")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    if p == 1.0:
        mask = np.zeros(shape, dtype=input.dtype)
    else:
        mask = (generator().random(shape) >= p).astype(input.dtype) / input.dtype.type(1 - p)
    return input * mt.tensor(mask)


def _dropout(input: Tensor, batched: bool, p: float, training: bool, inplace: bool, op: str):  # noqa: ANN202
    """`_feature_dropout` (on a batch of one when ``input`` has no batch dimension), written
    into ``input`` when ``inplace`` (out of place while an ONNX export traces the model)."""
    if not training or p == 0.0:
        return input
    if batched:
        out = _feature_dropout(input, p, op)
    else:
        out = _feature_dropout(input.unsqueeze(0), p, op).squeeze(0)
    if not inplace or mt.onnx.is_in_onnx_export():
        return out
    return input.copy_(out)


def _deprecated_rank(op: str, ndim: int) -> None:
    warn(
        f"{op}: Received a {ndim}-D input to {op}, which is deprecated and will result in an "
        f"error in a future release. To retain the behavior and silence this warning, please "
        f"use dropout instead. Note that {op} exists to provide channel-wise dropout on inputs "
        f"with {op[-2]} spatial dimensions, a channel dimension, and an optional batch dimension "
        f"(i.e. {int(op[-2]) + 1}D or {int(op[-2]) + 2}D inputs).",
        UserWarning,
    )


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """``F.dropout1d``: zero whole channels of ``(N, C, L)`` or ``(C, L)`` input."""
    p = dropout_probability(p, "dropout1d")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            f"dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            f"dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            f"inputs)."
        )
    return _dropout(input, input.ndim == 3, p, training, inplace, "dropout1d")


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """``F.dropout2d``: zero whole channels of ``(N, C, H, W)`` input. As PyTorch, a 3-D input
    is taken as ``(N, C, L)`` (1-D channel dropout), with a warning."""
    p = dropout_probability(p, "dropout2d")
    if input.ndim not in (3, 4):
        _deprecated_rank("dropout2d", input.ndim)
    if input.ndim == 3:
        warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning,
        )
    return _dropout(input, True, p, training, inplace, "dropout2d")


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """``F.dropout3d``: zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    input."""
    p = dropout_probability(p, "dropout3d")
    if input.ndim not in (4, 5):
        _deprecated_rank("dropout3d", input.ndim)
    return _dropout(input, input.ndim == 5, p, training, inplace, "dropout3d")


class _ChannelDropout(Module):
    function = None  # the functional form, declared by each subclass

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = dropout_probability(p, type(self).__name__)
        self.inplace = bool(inplace)

    def forward(self, input: Tensor) -> Tensor:
        return type(self).function(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(_ChannelDropout):
    """Zero whole channels of ``(N, C, L)`` / ``(C, L)`` input with probability ``p`` in
    training, scaling the others by ``1 / (1 - p)``; identity in eval mode."""

    function = staticmethod(dropout1d)


class Dropout2d(_ChannelDropout):
    """Zero whole channels of ``(N, C, H, W)`` input (see `Dropout1d`)."""

    function = staticmethod(dropout2d)


class Dropout3d(_ChannelDropout):
    """Zero whole channels of ``(N, C, D, H, W)`` / ``(C, D, H, W)`` input (see
    `Dropout1d`)."""

    function = staticmethod(dropout3d)
