"""Further PyTorch activations: ``LogSigmoid``, ``Softsign``, ``Softmin``, ``Tanhshrink``,
``Threshold``, ``Hardshrink``, ``Softshrink``, ``CELU``, their functional forms (with
``F.threshold_`` and ``F.celu_``), PyTorch's names, signatures, defaults, reprs and errors.

Softsign, Tanhshrink and Softmin are compositions, as in PyTorch (``x / (1 + |x|)``,
``x - tanh(x)``, ``softmax(-x)``: the same graph nodes and derivatives at 0); the others are
one Primitive each (`activation_more_ops`). ``inplace`` behaves as in `activation_functions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.nn import Module
from minitorch_es.validation import check_float, check_tensor

from . import activation_gumbel as gumbel
from . import activation_inplace as inplace_forms
from . import activation_more_ops as ops
from . import activation_rrelu as rrelu
from .activation_functions import _along_dim, _result, tanh
from .activation_ops import SoftmaxFunction
from .activations import _AlongDim

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es.registry import Registry


def _floating(input: mt.Tensor, where: str) -> mt.Tensor:
    return check_tensor(input, "input", where, floating=True)


def logsigmoid(input: mt.Tensor) -> mt.Tensor:
    """``log(1 / (1 + exp(-x)))``, computed as ``-softplus(-x)``: finite for any finite x."""
    return ops.LogSigmoidFunction.apply(_floating(input, "logsigmoid"))


def softsign(input: mt.Tensor) -> mt.Tensor:
    """``x / (1 + |x|)``."""
    return input / (1 + _floating(input, "softsign").abs())


def tanhshrink(input: mt.Tensor) -> mt.Tensor:
    """``x - tanh(x)``."""
    return _floating(input, "tanhshrink") - tanh(input)


def softmin(
    input: mt.Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: DTypeLike | None = None
) -> mt.Tensor:
    """``softmax(-x)`` along ``dim`` (``dim=None``: PyTorch's implicit rule, with its
    warning; ``dtype`` casts the input first). ``_stacklevel`` is PyTorch's and unused."""
    return _along_dim(SoftmaxFunction, -_floating(input, "softmin"), dim, dtype, "softmin")


def threshold(input: mt.Tensor, threshold: float, value: float, inplace: bool = False) -> mt.Tensor:
    """``x`` where ``x > threshold``, else ``value``."""
    th = check_float(threshold, "threshold", "threshold")
    value = check_float(value, "value", "threshold")
    out = ops.ThresholdFunction.apply(_floating(input, "threshold"), threshold=th, value=value)
    return _result(input, out, inplace)


_threshold = threshold  # threshold_'s argument ``threshold`` hides the function


def threshold_(input: mt.Tensor, threshold: float, value: float) -> mt.Tensor:
    """`threshold` in place."""
    return _threshold(input, threshold, value, inplace=True)


def hardshrink(input: mt.Tensor, lambd: float = 0.5) -> mt.Tensor:
    """``x`` where ``|x| > lambd``, else 0."""
    lambd = check_float(lambd, "lambd", "hardshrink")
    return ops.HardshrinkFunction.apply(_floating(input, "hardshrink"), lambd=lambd)


def softshrink(input: mt.Tensor, lambd: float = 0.5) -> mt.Tensor:
    """``x`` moved ``lambd`` towards 0, and 0 where ``|x| <= lambd`` (``lambd >= 0``)."""
    lambd = check_float(lambd, "lambd", "softshrink")
    if not lambd >= 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, got {lambd}")
    return ops.SoftshrinkFunction.apply(_floating(input, "softshrink"), lambd=lambd)


def celu(input: mt.Tensor, alpha: float = 1.0, inplace: bool = False) -> mt.Tensor:
    """``max(0, x) + min(0, alpha (exp(x / alpha) - 1))`` (``alpha != 0``)."""
    alpha = check_float(alpha, "alpha", "celu")
    if alpha == 0:
        raise RuntimeError("celu: alpha cannot be 0 (the formula divides by it)")
    out = ops.CELUFunction.apply(_floating(input, "celu"), alpha=alpha)
    return _result(input, out, inplace)


def celu_(input: mt.Tensor, alpha: float = 1.0) -> mt.Tensor:
    """`celu` in place."""
    return celu(input, alpha, inplace=True)


# ------------------------------------------------------------------------------ Modules
class LogSigmoid(Module):
    """``log(sigmoid(x))``, element-wise, stable for any x; outputs in (-inf, 0)."""

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``, element-wise; outputs in (-1, 1)."""

    saturates_at = (-1.0, 1.0)  # where its derivative vanishes (read by DeadUnitMonitor)

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return softsign(input)


class Tanhshrink(Module):
    """``x - tanh(x)``, element-wise."""

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return tanhshrink(input)


class Softmin(_AlongDim):
    """``softmax(-x)`` along ``dim``; ``dim=None`` as `Softmax` (PyTorch's implicit rule)."""

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return softmin(input, self.dim)


def _inplace_repr(module: Module) -> str:
    return ", inplace=True" if module.inplace else ""


class Threshold(Module):
    """``x`` where ``x > threshold``, else ``value``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = check_float(threshold, "threshold", "Threshold")
        self.value = check_float(value, "value", "Threshold")
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return _threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + _inplace_repr(self)


class Hardshrink(Module):
    """``x`` where ``|x| > lambd``, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = check_float(lambd, "lambd", type(self).__name__)

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """``x`` moved ``lambd`` towards 0, and 0 where ``|x| <= lambd``."""

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return softshrink(input, self.lambd)


class CELU(Module):
    """``max(0, x) + min(0, alpha (exp(x / alpha) - 1))``, element-wise."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = check_float(alpha, "alpha", "CELU")
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_repr(self)


ACTIVATIONS = (LogSigmoid, Softsign, Softmin, Tanhshrink, Threshold, Hardshrink, Softshrink, CELU)
FUNCTIONS = {
    "logsigmoid": logsigmoid,
    "softsign": softsign,
    "softmin": softmin,
    "tanhshrink": tanhshrink,
    "threshold": threshold,
    "threshold_": threshold_,
    "hardshrink": hardshrink,
    "softshrink": softshrink,
    "celu": celu,
    "celu_": celu_,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register these activation Modules and export their functional forms."""
    for cls in (*ACTIVATIONS, *rrelu.ACTIVATIONS):
        registry.add("activation", cls.__name__, cls)
    for name, function in {
        **FUNCTIONS,
        **rrelu.FUNCTIONS,
        **inplace_forms.FUNCTIONS,
        **gumbel.FUNCTIONS,
    }.items():
        registry.export("nn.functional", name, function)
