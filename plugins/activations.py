"""Built-in activations: PyTorch's activation Modules (``mt.nn.ReLU()`` ...) and their functional
forms (``mt.nn.functional.relu`` ..., from `activation_functions`).

Each Module is registered with kind ``"activation"``, so a layer can take ``activation="relu"``
and a config can name it. Names are matched ignoring case, ``_`` and ``-``, so PyTorch's class
names also cover the functional / Keras spellings ("leaky_relu", "log_softmax" ...); the aliases
added are the names that differ: "linear" (Keras's "no activation") for Identity and "swish" for
SiLU. ``Identity`` is the layers plugin's class (PyTorch's ``nn.Identity``), registered here as
an activation as well, so ``mt.nn.Identity`` stays one class. The thesis (section 3.6) defines
sigmoid, tanh, ReLU, leaky ReLU and softmax.

``inplace`` arguments are accepted with PyTorch's meaning (see `activation_functions` for
how they behave under autograd).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.nn import Module
from minitorch_es.validation import check_choice, check_float, check_int

from . import activation_extras as extras
from . import activation_functions as F
from . import activation_prelu as prelu
from .layers import Identity  # one class for mt.nn.Identity, registered as a layer there too

if TYPE_CHECKING:
    from minitorch_es.registry import Registry


class _Pointwise(Module):
    """An activation without options (beyond ``inplace``)."""

    function = None  # the functional form, set by subclasses

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return type(self).function(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``, element-wise; outputs in (0, 1)."""

    saturates_at = (0.0, 1.0)  # where its derivative vanishes (read by DeadUnitMonitor)

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """The hyperbolic tangent, element-wise; outputs in (-1, 1)."""

    saturates_at = (-1.0, 1.0)

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.tanh(input)


class ReLU(_Pointwise):
    """``max(0, x)``, element-wise."""

    function = staticmethod(F.relu)
    dies_at_zero = True  # no gradient where the output is 0: a unit can stop learning


class ReLU6(_Pointwise):
    """``min(max(0, x), 6)``, element-wise."""

    function = staticmethod(F.relu6)
    dies_at_zero = True


class SELU(_Pointwise):
    """``scale * elu(x, alpha)`` with alpha ~ 1.6733 and scale ~ 1.0507."""

    function = staticmethod(F.selu)


class SiLU(_Pointwise):
    """``x * sigmoid(x)`` (Keras's and the literature's "swish")."""

    function = staticmethod(F.silu)


class Mish(_Pointwise):
    """``x * tanh(softplus(x))``."""

    function = staticmethod(F.mish)


class LeakyReLU(Module):
    """``x`` for ``x > 0``, else ``negative_slope * x`` (the thesis's alpha)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = check_float(negative_slope, "negative_slope", "LeakyReLU")
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = check_float(alpha, "alpha", "ELU")
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``x * Phi(x)`` with the normal CDF Phi; ``approximate='tanh'`` for the tanh formula."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = check_choice(
            approximate, "approximate", "GELU", choices=F.GELU_APPROXIMATIONS
        )

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``; the identity where ``beta x > threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = F.softplus_beta(beta, "Softplus")
        self.threshold = check_float(threshold, "threshold", "Softplus")

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """``x`` clipped to ``[min_val, max_val]``."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val, self.max_val = F.hardtanh_bounds(min_val, max_val, "Hardtanh")
        self.inplace = inplace

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else ""
        )


class _AlongDim(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = None if dim is None else check_int(dim, "dim", type(self).__name__)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """Softmax along ``dim``. ``dim=None`` (PyTorch's default) picks dim 0 for 0-, 1- and 3-d
    inputs and 1 otherwise, with a warning, exactly as PyTorch; pass ``dim`` (usually -1)."""

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.softmax(input, self.dim)


class LogSoftmax(_AlongDim):
    """``log(softmax(x))`` along ``dim``, computed stably; ``dim=None`` as `Softmax`."""

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return F.log_softmax(input, self.dim)


ACTIVATIONS = (
    Sigmoid,
    Tanh,
    ReLU,
    LeakyReLU,
    Softmax,
    LogSoftmax,
    Identity,
    ELU,
    SELU,
    GELU,
    SiLU,
    Softplus,
    Mish,
    Hardtanh,
    ReLU6,
)
ALIASES = {"Identity": ("linear",), "SiLU": ("swish",)}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register the activation Modules and export their functional forms to ``mt.nn.functional``."""
    for cls in (*ACTIVATIONS, *extras.ACTIVATIONS, *prelu.ACTIVATIONS):
        registry.add("activation", cls.__name__, cls, aliases=ALIASES.get(cls.__name__, ()))
    for name, function in {**F.FUNCTIONS, **extras.FUNCTIONS, **prelu.FUNCTIONS}.items():
        registry.export("nn.functional", name, function)
