"""ASGD: stochastic gradient descent with a decaying rate and a running average of the iterates
(Polyak and Juditsky, 1992), PyTorch's ``torch.optim.ASGD``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt

from .optim_common import check_nonnegative

if TYPE_CHECKING:
    from minitorch_es.optim import StepState


def _float32(value: float) -> float:
    """PyTorch keeps ASGD's ``eta`` and ``mu`` as scalars of its default dtype, float32."""
    return float(np.float32(value))


class ASGD(mt.optim.Optimizer):
    r"""Averaged SGD (PyTorch's ``torch.optim.ASGD``): with ``g = ±grad + weight_decay *
    param``, ``param *= 1 - lambd * eta``, ``param -= eta * g``, then the average
    ``ax += mu (param - ax)``; after step ``t``, ``eta = lr / (1 + lambd lr t)^alpha`` and
    ``mu = 1 / max(1, t - t0)`` (so the average starts at step ``t0``).

    PyTorch's implementation switches are accepted (see
    `minitorch_es.optim.implementation_flags`). State: ``step``, ``eta``, ``mu`` (per
    parameter) and the average ``ax``.
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            lambd=lambd,
            alpha=alpha,
            t0=t0,
            weight_decay=weight_decay,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            capturable=capturable,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        check_nonnegative(self, group, "weight_decay")

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ) -> None:
        lr, lambd = float(group["lr"]), float(group["lambd"])
        alpha, t0 = float(group["alpha"]), float(group["t0"])
        eta = state.get_scalar("eta", _float32(lr)) if step > 1 else _float32(lr)
        mu = state.get_scalar("mu", 1.0) if step > 1 else 1.0
        param *= 1.0 - lambd * eta
        work = np.multiply(grad, eta, out=self.scratch(param, 1))
        param -= work
        ax = state.buffer("ax")
        if mu != 1:
            np.subtract(param, ax, out=work)
            work *= mu
            ax += work
        else:
            ax[...] = param
        state.set_scalar("eta", _float32(lr / (1 + lambd * lr * step) ** alpha))
        state.set_scalar("mu", _float32(1 / max(1, step - t0)))
