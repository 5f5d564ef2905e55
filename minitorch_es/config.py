"""Configs: every registered class can describe itself and be rebuilt from that description.

`Configurable` records the arguments an instance was constructed with (after defaults are
applied), so ``get_config()`` needs no code in subclasses. Nested registered objects become
``{"kind", "name", "config"}`` dicts; arrays and dtypes get small tagged dicts; everything is
JSON-serialisable, which is how a checkpoint stores a model's architecture. The way back is
`from_config` / `from_jsonable` / `deserialize` (see `minitorch_es.rebuild`).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from . import rebuild
from .dtypes import dtype
from .errors import ConfigError
from .rebuild import call_with_config
from .registry import registry


class Configurable:
    """Mixin: ``get_config()`` returns the constructor arguments; ``from_config`` rebuilds.

    Subclasses need no code for it: the arguments of the outermost ``__init__`` call are
    recorded (defaults filled in). Module, Loss, Optimizer, LRScheduler and Regularizer derive
    from it.

        >>> layer = mt.nn.Linear(3, 2, bias=False)
        >>> config = layer.get_config()
        >>> config["in_features"], config["bias"]
        (3, False)
        >>> mt.registry.create("layer", {"name": "Linear", "config": layer.get_config()})
        Linear(in_features=3, out_features=2, bias=False)
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or getattr(init, "_records_config", False):
            return
        signature = inspect.signature(init)

        @functools.wraps(init)
        def __init__(self: Configurable, *args, **kw):
            # Only the outermost constructor records: super().__init__ calls must not overwrite.
            if "_init_args" not in self.__dict__:
                try:
                    bound = signature.bind(self, *args, **kw)
                except TypeError:
                    # Python's own message names the class ("Linear.__init__() missing ...").
                    return init(self, *args, **kw)
                bound.apply_defaults()
                args_dict = dict(list(bound.arguments.items())[1:])
                object.__setattr__(self, "_init_args", args_dict)
                object.__setattr__(self, "_init_signature", signature)
            init(self, *args, **kw)

        __init__._records_config = True
        # setattr, not `cls.__init__ = ...`: editors (jedi) would read the assignment and show
        # the wrapper's (*args, **kw) instead of the subclass's own signature.
        setattr(cls, "__init__", __init__)  # noqa: B010

    #: Constructor arguments that ``get_config`` leaves out: values that a state dict carries
    #: (``Embedding``'s initial table ``_weight``), which would only bloat the config.
    config_excluded: tuple[str, ...] = ()

    def get_config(self) -> dict:
        """The constructor arguments as JSON-serialisable values."""
        args = self.__dict__.get("_init_args", {})
        where, excluded = type(self).__name__, type(self).config_excluded
        return {k: to_jsonable(v, f"{where}.{k}") for k, v in args.items() if k not in excluded}

    @classmethod
    def from_config(cls, config: dict):
        """Rebuild from ``get_config()`` output whose nested values were already decoded."""
        return call_with_config(cls, config)


def from_config(cls: type, config: dict) -> Any:
    """Instantiate ``cls`` from a JSON config made by ``get_config`` (nested entries decoded)."""
    return rebuild.from_config(cls, config, registry)


def from_jsonable(value: Any) -> Any:
    """The inverse of `to_jsonable`: tagged dicts become arrays, dtypes and objects again."""
    return rebuild.from_jsonable(value, registry)


def deserialize(spec: dict) -> Any:
    """The inverse of `serialize`."""
    return rebuild.deserialize(spec, registry)


def to_jsonable(value: Any, where: str = "value") -> Any:
    """``value`` as JSON-compatible data; registered objects become nested configs."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ConfigError(f"{where}: only dicts with str keys can be stored in a config")
        return {k: to_jsonable(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, (np.dtype, dtype)) or (
        inspect.isclass(value) and issubclass(value, np.generic)
    ):
        return {"__dtype__": np.dtype(value).name}
    data = value if isinstance(value, np.ndarray) else getattr(value, "_data", None)
    if isinstance(data, np.ndarray):
        return {
            "__array__": data.tolist(),
            "dtype": data.dtype.name,
            "tensor": not isinstance(value, np.ndarray),
        }
    return serialize(value, where)


def serialize(obj: Any, where: str = "object") -> dict:
    """``{"kind", "name", "config"}`` for an instance of a registered class (or the class or
    function itself, with ``config`` None)."""
    entry = registry.entry_of(obj)
    if entry is None:
        what = getattr(obj, "__name__", None) or type(obj).__name__
        raise ConfigError(
            f"{where}: {what} is not a registered entry, so it cannot be stored in a config; "
            f"register it with @mt.register(kind)"
        )
    is_instance = not (inspect.isclass(obj) or inspect.isfunction(obj))
    config = obj.get_config() if is_instance and hasattr(obj, "get_config") else None
    return {"kind": entry.kind, "name": entry.name, "config": config}
