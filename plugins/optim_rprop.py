"""Rprop: resilient backpropagation (Riedmiller and Braun, 1993), PyTorch's
``torch.optim.Rprop``: per-element step sizes that grow while the gradient keeps its sign and
shrink when it flips; only the sign of the gradient is used."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt

if TYPE_CHECKING:
    from minitorch_es.optim import StepState


class Rprop(mt.optim.Optimizer):
    r"""Rprop (PyTorch's ``torch.optim.Rprop``). Each element keeps a step size (initially
    ``lr``), multiplied by ``etas[1]`` when ``g * g_prev > 0``, by ``etas[0]`` when it is
    negative (and the gradient then counts as 0 for this step), and clipped to ``step_sizes``;
    ``param -= sign(g) * step_size``.

    PyTorch's implementation switches are accepted (see
    `minitorch_es.optim.implementation_flags`). State: ``step``, ``prev``,
    ``step_size``.
    """

    def __init__(
        self,
        params: Iterable[mt.Tensor] | Iterable[dict[str, Any]],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            etas=tuple(etas),
            step_sizes=tuple(step_sizes),
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict) -> None:
        super()._check_hyperparameters(group)
        etas, sizes = tuple(group["etas"]), tuple(group["step_sizes"])
        if len(etas) != 2 or not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(
                f"Invalid eta values: {etas} (Rprop expects 0 < etas[0] < 1 < etas[1])"
            )
        if len(sizes) != 2 or not 0.0 <= sizes[0] <= sizes[1]:
            raise ValueError(
                f"Invalid step_sizes: {sizes} (Rprop expects 0 <= step_sizes[0] <= step_sizes[1])"
            )

    def _update(
        self, group: dict, param: np.ndarray, grad: np.ndarray, state: StepState, step: int
    ) -> None:
        eta_minus, eta_plus = (float(e) for e in group["etas"])
        low, high = (float(s) for s in group["step_sizes"])
        prev = state.buffer("prev")
        step_size = state.buffer("step_size", float(group["lr"]))
        product = np.multiply(grad, prev, out=self.scratch(param, 1))
        flipped = product < 0
        factor = np.where(product > 0, eta_plus, np.where(flipped, eta_minus, 1.0))
        step_size *= factor.astype(param.dtype, copy=False)
        np.clip(step_size, low, high, out=step_size)
        prev[...] = grad
        prev[flipped] = 0  # after a sign flip the gradient counts as 0 (no move, no memory)
        np.sign(prev, out=product)
        product *= step_size
        param -= product
