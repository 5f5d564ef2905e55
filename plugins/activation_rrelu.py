"""RReLU, the randomized leaky ReLU: ``x`` for ``x > 0``, else ``a * x`` with a slope ``a``
drawn uniformly from ``[lower, upper]`` for each element in training (from the package
generator, so ``mt.manual_seed`` reproduces it), and the mean slope ``(lower + upper) / 2`` in
eval mode. The slopes are constants of the derivative (at 0 the gradient is the slope, as
PyTorch's), so the backward formula differentiates again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.random import generator
from minitorch_es.validation import check_float, check_tensor

from .activation_functions import _result

if TYPE_CHECKING:
    from minitorch_es.autograd import Context


class RReLUFunction(Primitive):
    """``where(x > 0, x, slope * x)``, the slopes drawn here in training."""

    backward_name = "RreluWithNoiseBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, lower: float, upper: float, training: bool):
        positive = x > 0
        if training:
            slope = generator().uniform(lower, upper, x.shape).astype(x.dtype, copy=False)
        else:
            slope = np.asarray((lower + upper) / 2, dtype=x.dtype)
        ctx.positive, ctx.slope = positive, slope
        return np.where(positive, x, x * slope)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return ctx.xp.where(ctx.positive, grad, grad * ctx.slope)


def rrelu_bounds(lower: float, upper: float, where: str) -> tuple[float, float]:
    """``(lower, upper)`` as floats (the order is checked when the function runs, as
    PyTorch's)."""
    return check_float(lower, "lower", where), check_float(upper, "upper", where)


def rrelu(
    input: mt.Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> mt.Tensor:
    """``x`` for ``x > 0``, else ``a * x``: ``a`` uniform in ``[lower, upper]`` per element
    when ``training``, ``(lower + upper) / 2`` otherwise."""
    lo, hi = rrelu_bounds(lower, upper, "rrelu")
    if not lo <= hi:
        raise RuntimeError(
            f"rrelu: Lower bound should be less than or equal to the upper bound, got "
            f"lower={lo} and upper={hi}"
        )
    out = RReLUFunction.apply(
        check_tensor(input, "input", "rrelu", floating=True),
        lower=lo,
        upper=hi,
        training=bool(training),
    )
    return _result(input, out, inplace)


def rrelu_(
    input: mt.Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> mt.Tensor:
    """`rrelu` in place."""
    return rrelu(input, lower, upper, training, inplace=True)


class RReLU(Module):
    """The randomized leaky ReLU: random negative slopes in ``[lower, upper]`` in training,
    their mean in eval mode."""

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False
    ) -> None:
        super().__init__()
        self.lower, self.upper = rrelu_bounds(lower, upper, "RReLU")
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else ""
        )


ACTIVATIONS = (RReLU,)
FUNCTIONS = {"rrelu": rrelu, "rrelu_": rrelu_}
