"""The Adam family: Adam, AdamW, NAdam and Adamax (first and second moment estimates)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt

from .optim_common import check_betas, check_nonnegative, ema_square_, lerp_

if TYPE_CHECKING:
    from minitorch_es.optim import StepState


class _AdamBase(mt.optim.Optimizer):
    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        check_nonnegative(self, group, "eps", "weight_decay")
        check_betas(self, group)


class Adam(_AdamBase):
    r"""Adam (PyTorch's ``torch.optim.Adam``): with ``g = ±grad + weight_decay * param``,

    ``m = b1 m + (1-b1) g``, ``v = b2 v + (1-b2) g²``,
    ``param -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)``;
    ``amsgrad=True`` uses the running maximum of ``v`` instead of ``v``.
    ``decoupled_weight_decay=True`` turns it into `AdamW`.

    State: ``step``, ``exp_avg``, ``exp_avg_sq`` and ``max_exp_avg_sq`` (amsgrad).
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        super().__init__(
            params,
            dict(
                lr=lr,
                betas=tuple(betas),
                eps=eps,
                weight_decay=weight_decay,
                amsgrad=amsgrad,
                foreach=foreach,
                maximize=maximize,
                capturable=capturable,
                differentiable=differentiable,
                fused=fused,
                decoupled_weight_decay=decoupled_weight_decay,
            ),
        )

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ):
        lr, eps = float(group["lr"]), float(group["eps"])
        b1, b2 = (float(b) for b in group["betas"])
        g = grad  # weight decay (decoupled or not) and maximize applied by the Optimizer base
        work = self.scratch(param, 1)
        exp_avg, exp_avg_sq = state.buffer("exp_avg"), state.buffer("exp_avg_sq")
        lerp_(exp_avg, g, 1.0 - b1, work)
        ema_square_(exp_avg_sq, g, b2, work)
        second = exp_avg_sq
        if group["amsgrad"]:
            second = state.buffer("max_exp_avg_sq")
            np.maximum(second, exp_avg_sq, out=second)
        # Bias corrections are Python floats: no float64 array is ever created.
        step_size = lr / (1.0 - b1**step)
        denom = np.sqrt(second, out=work)
        denom /= math.sqrt(1.0 - b2**step)
        denom += eps
        update = np.divide(exp_avg, denom, out=work)
        update *= step_size
        param -= update


class AdamW(Adam):
    r"""Adam with decoupled weight decay (PyTorch's ``torch.optim.AdamW``): the parameter is
    first shrunk, ``param *= 1 - lr * weight_decay``, and the gradient is not changed."""

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )


class NAdam(_AdamBase):
    r"""Adam with Nesterov momentum (PyTorch's ``torch.optim.NAdam``).

    ``mu_t = b1 (1 - 0.5 * 0.96^(t * momentum_decay))``; with ``mu_product`` the running product
    of the ``mu_t`` (a per-parameter number in the state),
    ``param -= lr (1-mu_t) / (1-mu_product) * g / denom
    + lr mu_{t+1} / (1 - mu_product mu_{t+1}) * m / denom`` with
    ``denom = sqrt(v / (1-b2^t)) + eps``.

    State: ``step``, ``exp_avg``, ``exp_avg_sq``, ``mu_product``.
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(
            params,
            dict(
                lr=lr,
                betas=tuple(betas),
                eps=eps,
                weight_decay=weight_decay,
                momentum_decay=momentum_decay,
                decoupled_weight_decay=decoupled_weight_decay,
                foreach=foreach,
                maximize=maximize,
                capturable=capturable,
                differentiable=differentiable,
            ),
        )

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        check_nonnegative(self, group, "momentum_decay")

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ):
        lr, eps = float(group["lr"]), float(group["eps"])
        b1, b2 = (float(b) for b in group["betas"])
        decay = float(group["momentum_decay"])
        g = grad  # weight decay (decoupled or not) and maximize applied by the Optimizer base
        work, numer = self.scratch(param, 1), self.scratch(param, 2)
        mu = b1 * (1.0 - 0.5 * 0.96 ** (step * decay))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * decay))
        # Reset at the first step, so a product missing from a loaded state starts at 1.
        mu_product = (1.0 if step == 1 else state.get_scalar("mu_product", 1.0)) * mu
        state.set_scalar("mu_product", mu_product)
        exp_avg, exp_avg_sq = state.buffer("exp_avg"), state.buffer("exp_avg_sq")
        lerp_(exp_avg, g, 1.0 - b1, work)
        ema_square_(exp_avg_sq, g, b2, work)
        denom = np.divide(exp_avg_sq, 1.0 - b2**step, out=work)
        np.sqrt(denom, out=denom)
        denom += eps
        np.multiply(exp_avg, lr * mu_next / (1.0 - mu_product * mu_next), out=numer)
        # ``g`` is either ``grad`` (read-only) or work array 0: write the sum into work array 0.
        total = np.multiply(g, lr * (1.0 - mu) / (1.0 - mu_product), out=self.scratch(param, 0))
        total += numer
        total /= denom
        param -= total


class Adamax(_AdamBase):
    r"""Adam with the infinity norm (PyTorch's ``torch.optim.Adamax``):
    ``m = b1 m + (1-b1) g``, ``u = max(b2 u, |g| + eps)``, ``param -= lr / (1-b1^t) * m / u``.

    State: ``step``, ``exp_avg``, ``exp_inf``.
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        super().__init__(
            params,
            dict(
                lr=lr,
                betas=tuple(betas),
                eps=eps,
                weight_decay=weight_decay,
                foreach=foreach,
                maximize=maximize,
                differentiable=differentiable,
                capturable=capturable,
            ),
        )

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ):
        lr, eps = float(group["lr"]), float(group["eps"])
        b1, b2 = (float(b) for b in group["betas"])
        g = grad  # weight decay and maximize applied by the Optimizer base
        work = self.scratch(param, 1)
        exp_avg, exp_inf = state.buffer("exp_avg"), state.buffer("exp_inf")
        lerp_(exp_avg, g, 1.0 - b1, work)
        exp_inf *= b2
        norm = np.abs(g, out=work)
        norm += eps
        np.maximum(exp_inf, norm, out=exp_inf)
        update = np.divide(exp_avg, exp_inf, out=work)
        update *= lr / (1.0 - b1**step)
        param -= update
