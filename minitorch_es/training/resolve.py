"""Turning the Trainer's arguments (names, configs, classes, instances) into objects."""

from __future__ import annotations

import fnmatch
import inspect
from collections.abc import Callable, Sequence
from typing import Any

from ..dtypes import dtype
from ..nn import Module
from ..optim import Optimizer
from ..registry import registry
from ..tensor import Tensor
from .metric import resolve_metric


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


def scheduler_class(spec: Any) -> type | None:
    """The class of a scheduler given as a name, a config dict, a class or an instance."""
    if spec is None:
        return None
    if isinstance(spec, str):
        return registry.get("scheduler", spec)
    if isinstance(spec, dict) and isinstance(spec.get("name"), str):
        return registry.get("scheduler", spec["name"])
    return spec if inspect.isclass(spec) else type(spec)


def needs_run_length(spec: Any) -> bool:
    """Whether the Trainer must create the scheduler ``spec`` in ``fit``: it is a name, config
    or class whose class declares ``run_length_arguments`` and the spec sets none of them."""
    if not (isinstance(spec, (str, dict)) or inspect.isclass(spec)):
        return False
    wanted = getattr(scheduler_class(spec), "run_length_arguments", ())
    given = (spec.get("config") or {}) if isinstance(spec, dict) else {}
    return bool(wanted) and not any(given.get(name) is not None for name in wanted)


def resolve_scheduler(spec: Any, optimizer: Optimizer, run_length: int | None = None) -> Any:
    """None, an instance with ``step()`` (LRScheduler / ReduceLROnPlateau), or a name / config
    / class created with ``optimizer`` (and ``run_length`` as the first of the class's
    ``run_length_arguments`` when given)."""
    if spec is None:
        return None
    if isinstance(spec, (str, dict)) or inspect.isclass(spec):
        extra = {}
        if run_length is not None:
            extra[scheduler_class(spec).run_length_arguments[0]] = int(run_length)
        spec = registry.create("scheduler", spec, optimizer=optimizer, **extra)
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
    """``"epoch"`` or ``"step"``: when the trainer steps ``scheduler`` (an instance, or the spec
    of one). None takes what the scheduler declares (``interval``, default ``"epoch"``)."""
    declared = scheduler if _is_instance(scheduler) else scheduler_class(scheduler)
    if interval is None:
        interval = getattr(declared, "interval", "epoch")
    if interval not in ("epoch", "step"):
        raise ValueError(
            f"Trainer: scheduler_interval must be 'epoch', 'step' or None, got {interval!r}"
        )
    if interval == "step" and getattr(declared, "monitor", None) is not None:
        name = declared.__name__ if inspect.isclass(declared) else type(declared).__name__
        raise ValueError(
            f"Trainer: {name} steps on a monitored metric ({declared.monitor!r}), which exists "
            f"once per epoch; use scheduler_interval='epoch'"
        )
    return interval


def monitored_value(logs: dict, key: str, scheduler: Any) -> float:
    """The value of ``logs[key]`` for a scheduler that monitors ``key``; a ``val_`` key falls
    back to the training value when there is no validation data (as the loss did always)."""
    if key in logs:
        return logs[key]
    if key.startswith("val_") and key[4:] in logs:
        return logs[key[4:]]
    raise KeyError(
        f"fit: {type(scheduler).__name__} monitors {key!r}, which is not in the epoch's logs "
        f"{sorted(logs)}; set its monitor attribute to one of them"
    )


def _is_instance(spec: Any) -> bool:
    return spec is not None and not (isinstance(spec, (str, dict)) or inspect.isclass(spec))


# -------------------------------------------------------------------- constraints
def attach_constraints(spec: dict[str, Any] | None, model: Module) -> None:
    """Set ``parameter.constraint`` from ``{name pattern: constraint}`` (fnmatch patterns over
    ``model.named_parameters()``); the optimizer then applies it after every step."""
    if spec is None:
        return
    if not isinstance(spec, dict):
        raise TypeError(
            f"Trainer: constraints must be None or a dict {{parameter name pattern: "
            f"constraint}}, got {type(spec).__name__}"
        )
    named = dict(model.named_parameters())
    for pattern, value in spec.items():
        matches = [p for name, p in named.items() if fnmatch.fnmatchcase(name, pattern)]
        if not matches:
            raise ValueError(
                f"Trainer: the constraint pattern {pattern!r} matches no parameter; "
                f"the parameters are {list(named)}"
            )
        constraint = registry.create("constraint", value)
        if not callable(constraint):
            raise TypeError(
                f"Trainer: constraints[{pattern!r}] must be a constraint (name, config dict or "
                f"callable w -> projected w), got {type(constraint).__name__}"
            )
        for p in matches:
            p.constraint = constraint


def model_dtype(model: Module) -> dtype:
    """The dtype of the model's first floating-point parameter (the default dtype if none)."""
    from ..dtypes import get_default_dtype

    for p in model.parameters():
        if p.dtype.kind == "f":
            return p.dtype
    return get_default_dtype()


RESERVED_LOG_KEYS = ("loss", "lr", "batch", "size", "batch_loss")


def resolve_metrics(
    metrics: str | Sequence[Any] | dict[str, Any] | Callable[..., Any] | None, loss_fn: Any
) -> list:
    """The Trainer's ``metrics`` argument as a list of `Metric` s: ``"auto"`` is accuracy for a
    loss that declares ``task = "classification"``; names get the loss's ``from_logits``."""
    if isinstance(metrics, str) and metrics == "auto":
        classification = getattr(loss_fn, "task", None) == "classification"
        metrics = ["accuracy"] if classification else None
    if metrics is None:
        return []
    if isinstance(metrics, (str, dict)) or not isinstance(metrics, (list, tuple)):
        metrics = [metrics]
    logits = getattr(loss_fn, "from_logits", False) is True
    out = [
        resolve_metric(spec, f"Trainer: metrics[{i}]", from_logits=logits)
        for i, spec in enumerate(metrics)
    ]
    names = [m.name for m in out]
    for name in names:
        if names.count(name) > 1 or name in RESERVED_LOG_KEYS or name.startswith("val_"):
            raise ValueError(
                f"Trainer: metric names must be unique and not reserved "
                f"({', '.join(RESERVED_LOG_KEYS)}, val_*); got {names}"
            )
    return out
