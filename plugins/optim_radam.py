"""RAdam: Adam with the variance of its adaptive learning rate rectified (Liu et al., 2020),
PyTorch's ``torch.optim.RAdam``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt

from .optim_adam import _AdamBase
from .optim_common import ema_square_, lerp_

if TYPE_CHECKING:
    from minitorch_es.optim import StepState


class RAdam(_AdamBase):
    r"""RAdam (PyTorch's ``torch.optim.RAdam``). With ``g = ±grad + weight_decay * param`` (or
    decoupled decay ``param *= 1 - lr * weight_decay``), Adam's moments ``m``, ``v`` and
    ``rho_inf = 2 / (1 - b2) - 1``, ``rho_t = rho_inf - 2 t b2^t / (1 - b2^t)``:

    * while ``rho_t <= 5`` (the first steps), SGD with momentum: ``param -= lr m / (1 - b1^t)``;
    * then ``param -= lr m / (1 - b1^t) * r_t * sqrt(1 - b2^t) / (sqrt(v) + eps)`` with the
      rectification ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2)
      rho_t))``.

    PyTorch's implementation switches are accepted (see
    `minitorch_es.optim.implementation_flags`). State: ``step``, ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
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
                maximize=maximize,
                foreach=foreach,
                capturable=capturable,
                differentiable=differentiable,
                decoupled_weight_decay=decoupled_weight_decay,
            ),
        )

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ) -> None:
        lr, eps = float(group["lr"]), float(group["eps"])
        b1, b2 = (float(b) for b in group["betas"])
        g = grad  # weight decay (decoupled or not) and maximize applied by the Optimizer base
        work = self.scratch(param, 1)
        exp_avg, exp_avg_sq = state.buffer("exp_avg"), state.buffer("exp_avg_sq")
        lerp_(exp_avg, g, 1.0 - b1, work)
        ema_square_(exp_avg_sq, g, b2, work)
        correction1, correction2 = 1.0 - b1**step, 1.0 - b2**step
        rho_inf = 2.0 / (1.0 - b2) - 1.0
        rho_t = rho_inf - 2.0 * step * b2**step / correction2
        if rho_t > 5.0:  # the variance of the adaptive rate is tractable: rectify it
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            denom = np.sqrt(exp_avg_sq, out=work)
            denom += eps
            update = np.divide(exp_avg, denom, out=work)
            update *= lr / correction1 * math.sqrt(correction2) * rect
        else:
            update = np.multiply(exp_avg, lr / correction1, out=work)
        param -= update
