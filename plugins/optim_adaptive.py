"""Adaptive learning rates from squared-gradient averages: RMSprop, Adagrad and Adadelta."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt

from .optim_common import check_nonnegative, check_unit_interval, ema_square_, lerp_

if TYPE_CHECKING:
    from minitorch_es.optim import StepState


class RMSprop(mt.optim.Optimizer):
    r"""RMSprop (PyTorch's ``torch.optim.RMSprop``): with ``g = ±grad + weight_decay * param``,
    ``v = alpha v + (1-alpha) g²`` and ``avg = sqrt(v) + eps`` (``eps`` outside the root; with
    ``centered=True``, ``avg = sqrt(v - ga²) + eps`` where ``ga`` averages ``g``), the step is
    ``param -= lr * g / avg``, or with momentum ``b = momentum b + g / avg; param -= lr b``.

    State: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0), ``grad_avg`` (centered).
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(
            params,
            dict(
                lr=lr,
                alpha=alpha,
                eps=eps,
                weight_decay=weight_decay,
                momentum=momentum,
                centered=centered,
                capturable=capturable,
                foreach=foreach,
                maximize=maximize,
                differentiable=differentiable,
            ),
        )

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        check_nonnegative(self, group, "eps", "momentum", "weight_decay")
        check_unit_interval(self, group, "alpha")

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ):
        lr, alpha = float(group["lr"]), float(group["alpha"])
        momentum = float(group["momentum"])
        g = grad  # weight decay and maximize applied by the Optimizer base
        work = self.scratch(param, 1)
        square_avg = state.buffer("square_avg")
        ema_square_(square_avg, g, alpha, work)
        if group["centered"]:
            grad_avg = state.buffer("grad_avg")
            lerp_(grad_avg, g, 1.0 - alpha, work)
            avg = np.multiply(grad_avg, grad_avg, out=work)
            np.subtract(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(square_avg, out=work)
        avg += float(group["eps"])
        update = np.divide(g, avg, out=work)
        if momentum > 0:
            buf = state.buffer("momentum_buffer")
            buf *= momentum
            buf += update
            update = np.multiply(buf, lr, out=work)
        else:
            update *= lr
        param -= update


class Adagrad(mt.optim.Optimizer):
    r"""Adagrad (PyTorch's ``torch.optim.Adagrad``): ``sum += g²`` (starting at
    ``initial_accumulator_value``) and ``param -= lr / (1 + (t-1) lr_decay) * g / (sqrt(sum)
    + eps)``, with ``g = ±grad + weight_decay * param``.

    State: ``step``, ``sum``. Deviation: PyTorch creates the state of every parameter at
    construction; here it appears at a parameter's first step (same values).
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            dict(
                lr=lr,
                lr_decay=lr_decay,
                weight_decay=weight_decay,
                initial_accumulator_value=initial_accumulator_value,
                eps=eps,
                foreach=foreach,
                maximize=maximize,
                differentiable=differentiable,
                fused=fused,
            ),
        )

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        check_nonnegative(
            self, group, "lr_decay", "weight_decay", "initial_accumulator_value", "eps"
        )

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ):
        clr = float(group["lr"]) / (1.0 + (step - 1) * float(group["lr_decay"]))
        g = grad  # weight decay and maximize applied by the Optimizer base
        work = self.scratch(param, 1)
        initial = float(group["initial_accumulator_value"])
        acc = state.buffer("sum", fill=initial)
        if step == 1:  # also right for a parameter whose state was absent from a loaded dict
            acc.fill(initial)
        acc += np.multiply(g, g, out=work)
        std = np.sqrt(acc, out=work)
        std += float(group["eps"])
        update = np.divide(g, std, out=work)
        update *= clr
        param -= update


class Adadelta(mt.optim.Optimizer):
    r"""Adadelta (PyTorch's ``torch.optim.Adadelta``): ``v = rho v + (1-rho) g²``,
    ``delta = sqrt(u + eps) / sqrt(v + eps) * g``, ``u = rho u + (1-rho) delta²``,
    ``param -= lr * delta``, with ``g = ±grad + weight_decay * param``.

    State: ``step``, ``square_avg``, ``acc_delta``.
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(
            params,
            dict(
                lr=lr,
                rho=rho,
                eps=eps,
                weight_decay=weight_decay,
                foreach=foreach,
                capturable=capturable,
                maximize=maximize,
                differentiable=differentiable,
            ),
        )

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        check_nonnegative(self, group, "eps", "weight_decay")
        check_unit_interval(self, group, "rho")

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ):
        rho, eps = float(group["rho"]), float(group["eps"])
        g = grad  # weight decay and maximize applied by the Optimizer base
        work, delta = self.scratch(param, 1), self.scratch(param, 2)
        square_avg, acc_delta = state.buffer("square_avg"), state.buffer("acc_delta")
        ema_square_(square_avg, g, rho, work)
        std = np.add(square_avg, eps, out=work)
        np.sqrt(std, out=std)
        np.add(acc_delta, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= std
        delta *= g
        ema_square_(acc_delta, delta, rho, work)
        delta *= float(group["lr"])
        param -= delta
