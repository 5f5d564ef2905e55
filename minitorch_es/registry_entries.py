"""What each registry kind accepts, checked when an entry is added.

A layer must be a `Module` subclass, an optimizer an `Optimizer` subclass, and so on; kinds
that also work with plain functions (an activation, a loss, a metric ...) accept any callable
that is not a class, and a class only if it derives from the kind's base. So ``42``,
``"hello"`` or ``None`` registered as a layer fail at once, naming the kind, the name and
who registered them, instead of failing much later with an unrelated error.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from .errors import RegistryError
from .printable import printable

# For each kind: where its base class is defined (None: any class will do, for kinds whose base
# lives in the catalog) and whether a callable that is not a class is accepted ("instance": the
# entries are instances of the base).
EXPECTED = {
    "layer": ("minitorch_es.nn.module:Module", False),
    "activation": ("minitorch_es.nn.module:Module", True),
    "loss": ("minitorch_es.nn.module:Module", True),
    "optimizer": ("minitorch_es.optim.optimizer:Optimizer", False),
    "scheduler": ("minitorch_es.optim.lr_scheduler:LRScheduler", False),
    "callback": ("minitorch_es.training.callback:Callback", False),
    "regularizer": ("minitorch_es.regularizers:Regularizer", True),
    "metric": ("minitorch_es.training.metric:Metric", True),
    "initializer": (None, True),
    "constraint": (None, True),
    "onnx": ("minitorch_es.onnx.translation:Translation", "instance"),
}


def _base(kind: str) -> type | None:
    # Imported on use: the core registers its own classes while its packages are still being
    # imported, so only the module that defines the kind's base may be needed (and it is).
    where = EXPECTED[kind][0]
    if where is None:
        return None
    module, name = where.split(":")
    return getattr(importlib.import_module(module), name)


def check_entry(kind: str, name: str, obj: Any, provider: Any) -> None:
    """Raise `RegistryError` unless ``obj`` is something a ``kind`` entry can be."""
    base, functions = _base(kind), EXPECTED[kind][1]
    if functions == "instance":  # the kind holds descriptions, not classes (ONNX translations)
        if isinstance(obj, base):
            return
        raise RegistryError(
            f"{kind} {printable(repr(name))} from {provider}: expected a {base.__module__}."
            f"{base.__name__}, got {_described(obj)}"
        )
    if inspect.isclass(obj):
        if base is None or issubclass(obj, base):
            return
    elif functions and callable(obj):
        return
    wanted = "a class" if base is None else f"a subclass of {base.__module__}.{base.__name__}"
    if functions:
        wanted += " or a function"
    raise RegistryError(
        f"{kind} {printable(repr(name))} from {provider}: expected {wanted}, got {_described(obj)}"
    )


def _described(obj: Any) -> str:
    if inspect.isclass(obj):
        return f"the class {obj.__module__}.{obj.__qualname__}"
    return f"{type(obj).__name__} {printable(repr(obj), limit=60)}"
