"""Rebuilding objects from their configs: the inverse of ``Configurable.get_config`` and
``config.to_jsonable``.

Nested registered objects are looked up in the ``registry`` each function is given (the
package's ``mt.registry`` through the wrappers in `minitorch_es.config`), so this module does
not import the registry, which itself rebuilds objects from configs with it.
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol

import numpy as np

from .dtypes import as_dtype
from .errors import ConfigError


class Registry(Protocol):
    """What rebuilding needs of a registry: the object registered as ``(kind, name)``."""

    def get(self, kind: str, name: str) -> Any: ...


def from_config(cls: type, config: dict, registry: Registry) -> Any:
    """Instantiate ``cls`` from a JSON config made by ``get_config`` (nested entries decoded
    with ``registry``)."""
    config = {k: from_jsonable(v, registry) for k, v in config.items()}
    maker = getattr(cls, "from_config", None)
    return maker(config) if maker is not None else call_with_config(cls, config)


def call_with_config(cls: type, config: dict) -> Any:
    """``cls(**config)``, spreading the entries of variadic ``*args`` / ``**kwargs``."""
    params = inspect.signature(cls.__init__).parameters
    args, kwargs = [], {}
    order = list(params.values())
    star = next((p for p in order if p.kind is inspect.Parameter.VAR_POSITIONAL), None)
    if star is not None and config.get(star.name):
        # Arguments before a non-empty ``*args`` can only be given by position.
        config = dict(config)
        for p in order[1 : order.index(star)]:  # without self
            if p.name not in config and p.default is inspect.Parameter.empty:
                raise ConfigError(f"{cls.__name__}: the config lacks the argument {p.name!r}")
            args.append(config.pop(p.name, p.default))
    for name, value in config.items():
        p = params.get(name)
        if p is not None and p.kind is inspect.Parameter.VAR_POSITIONAL:
            args.extend(value)
        elif p is not None and p.kind is inspect.Parameter.VAR_KEYWORD:
            kwargs.update(value)
        elif p is None and not any(
            q.kind is inspect.Parameter.VAR_KEYWORD for q in params.values()
        ):
            raise ConfigError(
                f"{cls.__name__} has no constructor argument {name!r} (config keys: "
                f"{sorted(config)}; accepted: {[n for n in params if n != 'self']})"
            )
        else:
            kwargs[name] = value
    return cls(*args, **kwargs)


def from_jsonable(value: Any, registry: Registry) -> Any:
    """The inverse of ``config.to_jsonable``: tagged dicts become arrays, dtypes and objects
    (looked up in ``registry``) again."""
    if isinstance(value, list):
        return [from_jsonable(v, registry) for v in value]
    if isinstance(value, dict):
        if "__dtype__" in value:
            return as_dtype(value["__dtype__"], "config __dtype__")
        if "__array__" in value:
            arr = np.asarray(value["__array__"], dtype=value["dtype"])
            if value.get("tensor"):
                from .tensor import Tensor

                return Tensor(arr)
            return arr
        if {"kind", "name", "config"} <= set(value):
            return deserialize(value, registry)
        return {k: from_jsonable(v, registry) for k, v in value.items()}
    return value


def deserialize(spec: dict, registry: Registry) -> Any:
    """The object a ``{"kind", "name", "config"}`` dict describes (``config.serialize``'s
    inverse)."""
    obj = registry.get(spec["kind"], spec["name"])
    if spec.get("config") is None:
        return obj
    return from_config(obj, spec["config"], registry)
