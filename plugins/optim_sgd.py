"""SGD: gradient descent, with optional momentum, Nesterov momentum and L2 weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt

from .optim_common import check_nonnegative

if TYPE_CHECKING:
    from minitorch_es.optim import StepState


class SGD(mt.optim.Optimizer):
    r"""Gradient descent: ``param -= lr * g`` (PyTorch's ``torch.optim.SGD``).

    With ``g = ±grad + weight_decay * param`` and, when ``momentum > 0``, a velocity
    ``b = momentum * b + (1 - dampening) * g`` (on a parameter's first step ``b = g``, as in
    PyTorch); the step uses ``b``, or ``g + momentum * b`` with ``nesterov=True``.

    Full-batch gradient descent, stochastic gradient descent and mini-batch gradient descent (the
    thesis, section 3.7) are all this optimizer: they differ only in how many examples the
    gradient is computed from, i.e. the ``batch_size`` of the DataLoader — the whole dataset
    (one update per epoch, a smooth error curve), one example (one update per example, a noisy
    curve) or a mini-batch in between. Hence the aliases ``"gd"`` and ``"gradient_descent"``.

    State per parameter: ``step`` (PyTorch's SGD keeps none) and ``momentum_buffer`` (only when
    ``momentum > 0``).

        >>> w = mt.nn.Parameter(mt.tensor([1.0]))
        >>> opt = mt.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w.data                  # 1 - 0.1 * 2
        tensor([0.8000])
    """

    steps_in_state = False  # PyTorch's SGD state is only momentum_buffer

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
                foreach=foreach,
                differentiable=differentiable,
                fused=fused,
            ),
        )

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        check_nonnegative(self, group, "momentum", "weight_decay")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"Nesterov momentum requires a momentum and zero dampening (SGD got momentum="
                f"{group['momentum']}, dampening={group['dampening']})"
            )

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ):
        lr, momentum = float(group["lr"]), float(group["momentum"])
        g = grad  # weight decay and maximize applied by the Optimizer base
        work = self.scratch(param, 1)
        if momentum != 0:
            buf = state.buffer("momentum_buffer")
            if step == 1:  # PyTorch starts the velocity at the first gradient, undamped
                buf[...] = g
            else:
                buf *= momentum
                dampening = float(group["dampening"])
                if dampening == 0:
                    buf += g
                else:
                    np.multiply(g, 1.0 - dampening, out=work)
                    buf += work
            if group["nesterov"]:
                np.multiply(buf, momentum, out=work)
                g = np.add(work, g, out=work)
            else:
                g = buf
        np.multiply(g, lr, out=work)
        param -= work
