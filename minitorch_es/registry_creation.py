"""``Registry.create`` (a mixin of `Registry`): an instance from a name, a
``{"name", "config"}`` dict, a class or an existing instance."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from .errors import RegistryError
from .rebuild import from_config


class RegistryCreation:
    """The creation of registered objects from their specs (``self.get`` is `Registry`'s)."""

    def create(self, kind: str, spec: Any, **kwargs) -> Any:
        """An instance from a name, a ``{"name": ..., "config": {...}}`` dict, a class or an
        existing instance (returned unchanged). ``kwargs`` are passed to the constructor; a
        registered plain function comes back with ``kwargs`` bound (``functools.partial``).

            >>> mt.registry.create("activation", {"name": "LeakyReLU",
            ...                                   "config": {"negative_slope": 0.1}})
            LeakyReLU(negative_slope=0.1)
            >>> opt = mt.registry.create("optimizer", "sgd", params=mt.nn.Linear(2, 1).parameters(),
            ...                          lr=0.1)
            >>> type(opt).__name__
            'SGD'
        """
        if isinstance(spec, str):
            cls = self.get(kind, spec)
            return cls(**kwargs) if inspect.isclass(cls) else _bind(cls, kwargs)
        if isinstance(spec, dict):
            if "name" not in spec or not set(spec) <= {"name", "config", "kind"}:
                raise RegistryError(
                    f"a {kind} config must be a dict with keys 'name' and 'config' (and "
                    f"optionally 'kind'), got keys {sorted(spec)}"
                )
            if spec.get("kind", kind) != kind:
                raise RegistryError(
                    f"expected a {kind} config, got one of kind {spec['kind']!r} "
                    f"(name {spec['name']!r})"
                )
            cls = self.get(kind, spec["name"])
            config = spec.get("config")
            if config is None:  # what serialize() writes for a class rather than an instance
                config = {}
            if not isinstance(config, dict):
                raise RegistryError(
                    f"the 'config' of {kind} {spec['name']!r} must be a dict of constructor "
                    f"arguments, got {type(config).__name__}"
                )
            config = {**config, **kwargs}
            return from_config(cls, config, self) if inspect.isclass(cls) else _bind(cls, config)
        if inspect.isclass(spec):
            return spec(**kwargs)
        if callable(spec):
            return spec
        raise RegistryError(
            f"cannot make a {kind} from {spec!r}: expected a name, a config dict, a class or a "
            f"callable"
        )


def _bind(fn: Callable, kwargs: dict[str, Any]) -> Callable:
    """A registered function with ``kwargs`` bound (itself when there are none)."""
    return functools.partial(fn, **kwargs) if kwargs else fn
