"""OneCycleLR: the 1cycle policy (warm up to ``max_lr``, then anneal far below the start),
stepped once per batch."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from minitorch_es.optim import Optimizer
from minitorch_es.optim.lr_scheduler import LRScheduler
from minitorch_es.validation import is_int


def per_group(name: str, optimizer: Optimizer, value: Any) -> list:
    """One value per param group: a list/tuple of the right length, or a scalar repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {n}."
            )
        return list(value)
    return [value] * n


class OneCycleLR(LRScheduler):
    """PyTorch's ``OneCycleLR``: the lr goes from ``max_lr / div_factor`` up to ``max_lr`` during
    the first ``pct_start`` of ``total_steps`` (or ``epochs * steps_per_epoch``) and then down to
    ``initial_lr / final_div_factor`` (cosine or linear). ``three_phase=True`` goes back to the
    initial lr before the final descent. With ``cycle_momentum`` the momentum (SGD, RMSprop) or
    ``betas[0]`` (Adam family) moves the opposite way between ``max_momentum`` and
    ``base_momentum``. Stepping beyond ``total_steps`` raises ValueError. Deviation: a phase of
    zero length (``pct_start * total_steps == 1``) ends at once instead of dividing by zero.

    The schedule is a function of ``last_epoch`` and the values it stores in the param groups
    (``initial_lr``, ``max_lr``, ``min_lr``, ``max_momentum``, ``base_momentum``), so restoring
    the optimizer's and this scheduler's state dicts resumes exactly.
    """

    interval = "step"  # total_steps counts optimizer steps (batches)
    run_length_arguments = ("total_steps", "epochs", "steps_per_epoch")

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"OneCycleLR expects an Optimizer, got {type(optimizer).__name__}")
        if total_steps is not None:
            if not (is_int(total_steps) and total_steps > 0):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            if not (is_int(epochs) and epochs > 0):
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not (is_int(steps_per_epoch) and steps_per_epoch > 0):
                raise ValueError(
                    f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}"
                )
            self.total_steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError(
                "You must define either total_steps OR (epochs AND steps_per_epoch) for OneCycleLR"
            )
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}"
            )
        for name, value in (("div_factor", div_factor), ("final_div_factor", final_div_factor)):
            if not value > 0:
                raise ValueError(f"OneCycleLR: expected {name} > 0, got {value!r}")
        self.anneal_strategy = anneal_strategy
        self._schedule_phases = self._phases(pct_start, three_phase)

        max_lrs = per_group("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor

        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            defaults = getattr(optimizer, "defaults", {})
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(
                    f"optimizer must support momentum or beta1 with `cycle_momentum` "
                    f"option enabled ({type(optimizer).__name__} has neither; pass "
                    f"cycle_momentum=False)"
                )
            self.use_beta1 = "betas" in defaults
            highs = per_group("max_momentum", optimizer, max_momentum)
            lows = per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for group, high, low in zip(optimizer.param_groups, highs, lows):
                    self._set_momentum(group, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start: float, three_phase: bool) -> list[dict]:
        # Each phase: the step where it ends and the group keys it anneals between.
        up = float(pct_start * self.total_steps) - 1
        last = self.total_steps - 1
        if three_phase:
            return [
                dict(
                    end_step=up,
                    start_lr="initial_lr",
                    end_lr="max_lr",
                    start_momentum="max_momentum",
                    end_momentum="base_momentum",
                ),
                dict(
                    end_step=float(2 * pct_start * self.total_steps) - 2,
                    start_lr="max_lr",
                    end_lr="initial_lr",
                    start_momentum="base_momentum",
                    end_momentum="max_momentum",
                ),
                dict(
                    end_step=last,
                    start_lr="initial_lr",
                    end_lr="min_lr",
                    start_momentum="max_momentum",
                    end_momentum="max_momentum",
                ),
            ]
        return [
            dict(
                end_step=up,
                start_lr="initial_lr",
                end_lr="max_lr",
                start_momentum="max_momentum",
                end_momentum="base_momentum",
            ),
            dict(
                end_step=last,
                start_lr="max_lr",
                end_lr="min_lr",
                start_momentum="base_momentum",
                end_momentum="max_momentum",
            ),
        ]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _set_momentum(self, group: dict, value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def get_lr(self) -> list[float]:
        """The lr of each param group at step ``last_epoch`` (also sets its momentum)."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps "
                f"is {self.total_steps} (OneCycleLR)"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    span = end_step - start_step
                    # A phase of zero length (e.g. pct_start * total_steps == 1) is already
                    # over; PyTorch divides by zero there.
                    pct = (step - start_step) / span if span else 1.0
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        self._set_momentum(
                            group,
                            self._anneal(
                                group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                            ),
                        )
                    break
                start_step = end_step
        return lrs
