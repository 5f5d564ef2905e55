"""``Dropout``: inverted dropout (PyTorch's ``nn.Dropout``).

In training each element is zeroed with probability ``p`` and the survivors are scaled by
``1 / (1 - p)``, so the expected activation is unchanged and eval mode is the identity. The mask
is drawn from the package generator (``mt.manual_seed`` reproduces it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.random import generator

from .arguments import dropout_probability

if TYPE_CHECKING:
    from minitorch_es import Tensor
    from minitorch_es.autograd import Context


class DropoutFunction(Primitive):
    """``x * mask``, with ``mask`` = (keep / (1 - p)) drawn here; backward ``grad * mask``."""

    backward_name = "MulBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, p: float):
        dtype = x.dtype if x.dtype.kind == "f" else np.float64
        if p == 1.0:
            mask = np.zeros(x.shape, dtype=dtype)
        else:
            mask = (generator().random(x.shape, dtype=np.float64) >= p).astype(dtype)
            mask *= 1.0 / (1.0 - p)
        ctx.mask = mask  # a constant of the derivative
        return x * mask

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return (grad * ctx.mask,)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """``F.dropout``: inverted dropout when ``training``, the identity otherwise."""
    p = dropout_probability(p, "dropout")
    if not training or p == 0.0:
        return input
    return DropoutFunction.apply(input, p=p)


class Dropout(Module):
    """Zero each element with probability ``p`` in training, scaling the rest by 1/(1-p);
    identity in eval mode. ``Dropout(p=0.5, inplace=False)``; ``inplace`` is accepted for
    PyTorch compatibility but the result is always a new tensor (autograd needs the input)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = dropout_probability(p, "Dropout")
        self.inplace = bool(inplace)

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
