"""Learning-rate decays with a closed form: StepLR, MultiStepLR, ExponentialLR,
CosineAnnealingLR and LinearLR.

Each ``get_lr`` computes the rate from ``base_lrs`` and ``last_epoch`` only (PyTorch's
``_get_closed_form_lr``), so a state dict restored mid-schedule continues exactly and
``step(epoch)`` jumps anywhere. Deviation from PyTorch: its default ``step()`` multiplies the
*current* lr (the "chainable" form), so two schedulers on one optimizer compose and a manual lr
change persists; here the last scheduler to step sets the lr. Likewise, constructing with
``last_epoch=k`` sets the lr of epoch ``k + 1`` (PyTorch >= 2.2 keeps the current lr there).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

from minitorch_es.optim.lr_scheduler import LRScheduler
from minitorch_es.validation import check_float, check_int

if TYPE_CHECKING:
    from minitorch_es.optim import Optimizer


class StepLR(LRScheduler):
    """``lr = base_lr * gamma ** (epoch // step_size)``: decay by ``gamma`` every ``step_size``
    epochs."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        check_int(step_size, "step_size", "StepLR", low=1)
        check_float(gamma, "gamma", "StepLR", low=0)
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lr of each param group at ``last_epoch``."""
        factor = self.gamma ** (self.last_epoch // self.step_size)
        return [base_lr * factor for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """``lr = base_lr * gamma ** (number of milestones <= epoch)``; a milestone listed twice
    decays twice (as in PyTorch)."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        milestones = list(milestones)
        for i, m in enumerate(milestones):
            check_int(m, f"milestones[{i}]", "MultiStepLR", low=0)
        check_float(gamma, "gamma", "MultiStepLR", low=0)
        self.milestones, self.gamma = sorted(int(m) for m in milestones), gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lr of each param group at ``last_epoch``."""
        factor = self.gamma ** bisect_right(self.milestones, self.last_epoch)
        return [base_lr * factor for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """``lr = base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        check_float(gamma, "gamma", "ExponentialLR", low=0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lr of each param group at ``last_epoch``."""
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``: half a cosine
    from ``base_lr`` down to ``eta_min`` in ``T_max`` epochs (and back up after, periodically;
    no warm restarts)."""

    run_length_arguments = ("T_max",)

    def __init__(
        self,
        optimizer: Optimizer,
        T_max: int,
        eta_min: float = 0.0,  # noqa: N803 (PyTorch's name)
        last_epoch: int = -1,
    ) -> None:
        check_int(T_max, "T_max", "CosineAnnealingLR", low=1)
        if not eta_min >= 0:
            raise ValueError(f"CosineAnnealingLR: expected eta_min >= 0, got {eta_min!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lr of each param group at ``last_epoch``."""
        cosine = (1.0 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2.0
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """``lr = base_lr * factor`` with ``factor`` going linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs, then constant (a warm-up with the defaults)."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError(
                f"LinearLR: starting multiplicative factor expected to be greater "
                f"than 0 and less or equal to 1, got start_factor={start_factor!r}"
            )
        if not 0 <= end_factor <= 1:
            raise ValueError(
                f"LinearLR: ending multiplicative factor expected to be between 0 "
                f"and 1, got end_factor={end_factor!r}"
            )
        check_int(total_iters, "total_iters", "LinearLR", low=1)
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lr of each param group at ``last_epoch``."""
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return [base_lr * factor for base_lr in self.base_lrs]
