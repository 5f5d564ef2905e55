"""Built-in losses: PyTorch's loss Modules (``mt.nn.MSELoss`` ...) and their functional forms
(``mt.nn.functional.mse_loss`` ..., from `loss_functions`, `binary_losses`, `cross_entropy`,
`kl_div`, `margin_losses`, `triplet_losses`, `likelihood_losses`, `multi_margin_losses`
and `ctc_loss`).

Each class derives `minitorch_es.nn.Loss`, is registered with kind ``"loss"`` under its
PyTorch name plus the Keras / short spellings ("mse", "mae", "binary_crossentropy",
"categorical_crossentropy" ...; names ignore case, ``_`` and ``-``, so "mse_loss" or
"cross-entropy-loss" match too), and rebuilds from ``get_config()``.

Deviations from PyTorch: the deprecated ``size_average`` / ``reduce`` arguments do not exist and
the options after ``weight`` (or all of them, when there is no ``weight``) are keyword-only, so a
positional call written for PyTorch's signatures fails instead of binding to the wrong option
(``HuberLoss(reduction, delta)`` keeps PyTorch's positional order). Targets must have the
input's shape (no silent broadcasting); see `loss_functions` and `cross_entropy`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.nn import Loss
from minitorch_es.validation import check_float, check_int

from . import binary_losses as B
from . import cross_entropy as CE
from . import loss_functions as F
from .class_targets import check_class_weight
from .ctc_loss import CTCLoss, ctc_loss
from .kl_div import KLDivLoss, kl_div
from .likelihood_losses import FUNCTIONS as LIKELIHOOD_FUNCTIONS
from .likelihood_losses import LOSSES as LIKELIHOOD_LOSSES
from .margin_losses import FUNCTIONS as MARGIN_FUNCTIONS
from .margin_losses import LOSSES as MARGIN_LOSSES
from .multi_margin_losses import FUNCTIONS as MULTI_FUNCTIONS
from .multi_margin_losses import LOSSES as MULTI_LOSSES

if TYPE_CHECKING:
    from minitorch_es.registry import Registry


class MSELoss(Loss):
    """Mean squared error ``(x - y)^2`` (Keras: "mse"). The thesis's sum of squared errors
    (sección 3.4) is ``MSELoss(reduction="sum")``.

        >>> mt.nn.MSELoss()(mt.tensor([1., 3.]), mt.tensor([0., 0.]))
        tensor(5.)
        >>> mt.nn.MSELoss(reduction="sum")(mt.tensor([1., 3.]), mt.tensor([0., 0.]))
        tensor(10.)
    """

    task = "regression"

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(Loss):
    """Mean absolute error ``|x - y|`` (Keras: "mae")."""

    task = "regression"

    def __init__(self, *, reduction: str = "mean") -> None:
        super().__init__(reduction)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(Loss):
    """``0.5 d^2`` for ``|d| < delta``, else ``delta (|d| - 0.5 delta)``, with ``d = x - y``."""

    task = "regression"

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = check_float(delta, "delta", "HuberLoss", low=0, low_open=True)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(Loss):
    """``0.5 d^2 / beta`` for ``|d| < beta``, else ``|d| - 0.5 beta`` (HuberLoss / beta)."""

    task = "regression"

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = check_float(beta, "beta", "SmoothL1Loss", low=0)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCELoss(Loss):
    """Binary cross-entropy of probabilities (e.g. a sigmoid's output); ``weight`` rescales
    each element (it broadcasts to the input). Logs are clamped at -100, as PyTorch. Prefer
    `BCEWithLogitsLoss` on logits: it is stable where sigmoid saturates."""

    task = "classification"

    def __init__(
        self, weight: mt.Tensor | np.ndarray | None = None, *, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _constant(weight, "weight", "BCELoss"))

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return B.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(Loss):
    """Sigmoid + binary cross-entropy in one stable formula, on logits. ``pos_weight``
    weighs the positive term (one entry per class, broadcast along the last dim)."""

    task, from_logits = "classification", True

    def __init__(
        self,
        weight: mt.Tensor | np.ndarray | None = None,
        *,
        reduction: str = "mean",
        pos_weight: mt.Tensor | np.ndarray | None = None,
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _constant(weight, "weight", "BCEWithLogitsLoss"))
        self.register_buffer("pos_weight", _constant(pos_weight, "pos_weight", "BCEWithLogitsLoss"))

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return B.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class CrossEntropyLoss(Loss):
    """Softmax + negative log-likelihood on logits ``(N, C)`` / ``(N, C, d1, ...)`` / ``(C)``,
    against class indices or class probabilities; its gradient is ``softmax - target`` (the
    thesis's output delta), scaled by weights and reduction.

    Also registered as Keras's "categorical_crossentropy" (one-hot / probability targets) and
    "sparse_categorical_crossentropy" (class-index targets) — with PyTorch's semantics: the
    input is logits (no softmax layer before it), i.e. Keras's ``from_logits=True``.

        >>> loss_fn = mt.nn.CrossEntropyLoss()
        >>> logits = mt.tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
        >>> loss = loss_fn(logits, mt.tensor([0, 1]))
        >>> round(loss.item(), 4)
        0.1269
        >>> loss.backward()     # logits.grad is (softmax(logits) - one_hot) / N
    """

    task, from_logits = "classification", True

    def __init__(
        self,
        weight: mt.Tensor | np.ndarray | None = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        name = "CrossEntropyLoss"
        self.register_buffer("weight", check_class_weight(weight, name))
        self.ignore_index = check_int(ignore_index, "ignore_index", name)
        self.label_smoothing = check_float(label_smoothing, "label_smoothing", name, low=0, high=1)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return CE.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(Loss):
    """Negative log-likelihood of log-probabilities (``LogSoftmax`` output) against class
    indices; ``CrossEntropyLoss`` is ``NLLLoss`` after ``LogSoftmax(dim=1)``."""

    task = "classification"

    def __init__(
        self,
        weight: mt.Tensor | np.ndarray | None = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        name = "NLLLoss"
        self.register_buffer("weight", check_class_weight(weight, name))
        self.ignore_index = check_int(ignore_index, "ignore_index", name)

    def forward(self, input: mt.Tensor, target: mt.Tensor) -> mt.Tensor:
        return CE.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


def _constant(value: mt.Tensor | np.ndarray | None, name: str, owner: str):
    """The array of a weight-like argument, kept as a buffer (None stays None)."""
    return None if value is None else F.array_of(value, name, owner)


LOSSES = {
    MSELoss: ("mse", "mean_squared_error"),
    L1Loss: ("mae", "l1", "mean_absolute_error"),
    HuberLoss: ("huber",),
    SmoothL1Loss: ("smooth_l1",),
    BCELoss: ("bce", "binary_crossentropy"),
    BCEWithLogitsLoss: ("bce_with_logits", "binary_cross_entropy_with_logits"),
    CrossEntropyLoss: (
        "cross_entropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
    ),
    NLLLoss: ("nll",),
    KLDivLoss: ("kl_div", "kld", "kullback_leibler_divergence"),
    **MARGIN_LOSSES,
    **LIKELIHOOD_LOSSES,
    **MULTI_LOSSES,
    CTCLoss: ("ctc",),
}
FUNCTIONS = {
    "mse_loss": F.mse_loss,
    "l1_loss": F.l1_loss,
    "huber_loss": F.huber_loss,
    "smooth_l1_loss": F.smooth_l1_loss,
    "binary_cross_entropy": B.binary_cross_entropy,
    "binary_cross_entropy_with_logits": B.binary_cross_entropy_with_logits,
    "cross_entropy": CE.cross_entropy,
    "nll_loss": CE.nll_loss,
    "kl_div": kl_div,
    **MARGIN_FUNCTIONS,
    **LIKELIHOOD_FUNCTIONS,
    **MULTI_FUNCTIONS,
    "ctc_loss": ctc_loss,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register the loss Modules and export their functional forms to ``mt.nn.functional``."""
    for cls, aliases in LOSSES.items():
        registry.add("loss", cls.__name__, cls, aliases=aliases)
    for name, function in FUNCTIONS.items():
        registry.export("nn.functional", name, function)
