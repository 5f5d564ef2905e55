"""Built-in learning-rate schedulers, registered as kind ``"scheduler"``
(``mt.optim.lr_scheduler.StepLR`` ...), with short aliases (``"step"``, ``"cosine"`` ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt

from .sched_decay import CosineAnnealingLR, ExponentialLR, LinearLR, MultiStepLR, StepLR
from .sched_one_cycle import OneCycleLR
from .sched_plateau import ReduceLROnPlateau

if TYPE_CHECKING:
    from minitorch_es.registry import Registry

__all__ = [
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
]

_ALIASES = {
    StepLR: ("step",),
    MultiStepLR: ("multi_step",),
    ExponentialLR: ("exponential",),
    CosineAnnealingLR: ("cosine", "cosine_annealing"),
    LinearLR: ("linear",),
    OneCycleLR: ("one_cycle",),
    ReduceLROnPlateau: ("plateau", "reduce_on_plateau"),
}


@mt.hookimpl
def minitorch_es_register(registry: Registry):
    """Register the schedulers under their PyTorch names and the aliases above."""
    for cls, aliases in _ALIASES.items():
        registry.add("scheduler", cls.__name__, cls, aliases=aliases)
