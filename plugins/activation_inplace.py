"""PyTorch's in-place functional activations ``F.relu_``, ``F.elu_``, ``F.leaky_relu_``,
``F.selu_`` and ``F.hardtanh_``: each is its functional form with ``inplace=True`` (see
`activation_functions` for how an in-place call behaves under autograd). ``F.rrelu_``,
``F.threshold_`` and ``F.celu_`` live beside their functions."""

from __future__ import annotations

import minitorch_es as mt

from . import activation_functions as F


def relu_(input: mt.Tensor) -> mt.Tensor:
    """`relu` in place."""
    return F.relu(input, inplace=True)


def elu_(input: mt.Tensor, alpha: float = 1.0) -> mt.Tensor:
    """`elu` in place."""
    return F.elu(input, alpha, inplace=True)


def leaky_relu_(input: mt.Tensor, negative_slope: float = 0.01) -> mt.Tensor:
    """`leaky_relu` in place."""
    return F.leaky_relu(input, negative_slope, inplace=True)


def selu_(input: mt.Tensor) -> mt.Tensor:
    """`selu` in place."""
    return F.selu(input, inplace=True)


def hardtanh_(input: mt.Tensor, min_val: float = -1.0, max_val: float = 1.0) -> mt.Tensor:
    """`hardtanh` in place."""
    return F.hardtanh(input, min_val, max_val, inplace=True)


FUNCTIONS = {
    "relu_": relu_,
    "elu_": elu_,
    "leaky_relu_": leaky_relu_,
    "selu_": selu_,
    "hardtanh_": hardtanh_,
}
