"""Turning the Trainer's arguments (names, configs, classes, instances) into objects."""

from __future__ import annotations

import fnmatch
import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import no_grad
from ..nn import Module
from ..optim import Optimizer
from ..registry import registry
from ..tensor import Tensor

if TYPE_CHECKING:
    from ..nn import Parameter


def resolve_optimizer(spec: Any, model: Module) -> Optimizer:
    """An Optimizer instance as is; a name / ``{"name", "config"}`` / class gets
    ``model.parameters()``."""
    if isinstance(spec, Optimizer):
        return spec
    if isinstance(spec, (str, dict)) or inspect.isclass(spec):
        params = list(model.parameters())
        if not params:
            raise ValueError(
                f"Trainer: the model {type(model).__name__} has no parameters to optimize"
            )
        opt = registry.create("optimizer", spec, params=params)
        if isinstance(opt, Optimizer):
            return opt
        got = opt
    else:
        got = spec
    raise TypeError(
        f"Trainer: optimizer must be a name (e.g. 'adam'), a config dict, an "
        f"Optimizer class or instance, got {type(got).__name__} ({got!r})"
    )


def resolve_loss(spec: Any) -> Callable[..., Tensor]:
    """A Loss, or any callable ``loss(output, target) -> scalar Tensor``."""
    if isinstance(spec, (str, dict)) or inspect.isclass(spec):
        spec = registry.create("loss", spec)
    if callable(spec):
        return spec
    raise TypeError(
        f"Trainer: loss must be a name (e.g. 'cross_entropy'), a config dict, a Loss "
        f"or a callable loss(output, target), got {type(spec).__name__} ({spec!r})"
    )


def resolve_scheduler(spec: Any, optimizer: Optimizer) -> Any:
    """None, an instance with ``step()`` (LRScheduler / ReduceLROnPlateau), or a name / config
    created with ``optimizer``."""
    if spec is None:
        return None
    if isinstance(spec, (str, dict)) or inspect.isclass(spec):
        spec = registry.create("scheduler", spec, optimizer=optimizer)
    if not callable(getattr(spec, "step", None)):
        raise TypeError(
            f"Trainer: scheduler must be an LRScheduler / ReduceLROnPlateau instance, "
            f"a name or a config dict, got {type(spec).__name__} ({spec!r})"
        )
    if getattr(spec, "optimizer", optimizer) is not optimizer:
        raise ValueError(
            "Trainer: the scheduler was built for another optimizer than the trainer's"
        )
    return spec


def resolve_scheduler_interval(interval: str | None, scheduler: Any) -> str:
    """``"epoch"`` or ``"step"``: when the trainer steps ``scheduler``. None picks ``"step"``
    for schedules defined over batches (OneCycleLR) and ``"epoch"`` otherwise."""
    if interval is None:
        entry = registry.entry_of(scheduler) if scheduler is not None else None
        return "step" if entry is not None and entry.name == "OneCycleLR" else "epoch"
    if interval not in ("epoch", "step"):
        raise ValueError(
            f"Trainer: scheduler_interval must be 'epoch', 'step' or None, got {interval!r}"
        )
    if interval == "step" and scheduler is not None and wants_metric(scheduler):
        raise ValueError(
            f"Trainer: {type(scheduler).__name__} steps on a monitored metric, which exists "
            f"once per epoch; use scheduler_interval='epoch'"
        )
    return interval


def wants_metric(scheduler: Any) -> bool:
    """Whether ``scheduler.step`` takes the monitored value (PyTorch's ReduceLROnPlateau
    signature ``step(metrics, epoch=None)``)."""
    try:
        params = list(inspect.signature(scheduler.step).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] in ("metrics", "metric")


def loss_is_from_logits(loss: Any) -> bool:
    """A loss that takes logits (``BCEWithLogitsLoss`` or ``from_logits=True``)."""
    entry = registry.entry_of(loss) if not inspect.isfunction(loss) else None
    name = entry.name if entry is not None else type(loss).__name__
    return (
        "withlogits" in name.lower().replace("_", "") or getattr(loss, "from_logits", False) is True
    )


# -------------------------------------------------------------------- constraints
def resolve_constraints(spec: dict[str, Any] | None, model: Module) -> list:
    """``[(parameter, constraint), ...]`` from ``{name pattern: constraint}`` (fnmatch
    patterns over ``model.named_parameters()``) plus every module attribute
    ``<param>_constraint`` (Keras's ``kernel_constraint`` convention)."""
    named = dict(model.named_parameters())
    pairs = []
    for prefix, module in model.named_modules():
        for attr, value in module.__dict__.items():
            pname = attr[: -len("_constraint")]
            if (
                attr.endswith("_constraint")
                and value is not None
                and module._parameters.get(pname) is not None
            ):
                pairs.append((module._parameters[pname], _constraint(value, f"{prefix}.{attr}")))
    if spec is None:
        return pairs
    if not isinstance(spec, dict):
        raise TypeError(
            f"Trainer: constraints must be None or a dict {{parameter name pattern: "
            f"constraint}}, got {type(spec).__name__}"
        )
    for pattern, value in spec.items():
        matches = [p for name, p in named.items() if fnmatch.fnmatchcase(name, pattern)]
        if not matches:
            raise ValueError(
                f"Trainer: the constraint pattern {pattern!r} matches no parameter; "
                f"the parameters are {list(named)}"
            )
        constraint = _constraint(value, f"constraints[{pattern!r}]")
        pairs.extend((p, constraint) for p in matches)
    return pairs


def _constraint(spec: Any, where: str):
    made = (
        registry.create("constraint", spec)
        if isinstance(spec, (str, dict)) or inspect.isclass(spec)
        else spec
    )
    if not callable(made):
        raise TypeError(
            f"Trainer: {where} must be a constraint (name, config dict or callable "
            f"w -> projected w), got {type(made).__name__}"
        )
    return made


def apply_constraints(pairs: Iterable[tuple[Parameter, Callable[[Tensor], Any]]]) -> None:
    """Project each constrained parameter in place (after the optimizer step, as Keras)."""
    if not pairs:
        return
    with no_grad():
        for p, constraint in pairs:
            new = constraint(p)
            p._data[...] = new._data if isinstance(new, Tensor) else np.asarray(new)


def model_dtype(model: Module) -> np.dtype:
    """The dtype of the model's first floating-point parameter (the default dtype if none)."""
    from ..dtypes import get_default_dtype

    for p in model.parameters():
        if p.dtype.kind == "f":
            return p.dtype
    return np.dtype(get_default_dtype())
