"""Public namespaces assembled from the registry: ``mt.nn``, ``mt.optim``, ``mt.nn.functional``
... give each module a PEP 562 ``__getattr__`` / ``__dir__`` that resolves names through the
registry, so entries of installed plugins appear there as well as under their names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import tensor_activation
from .registry import registry

tensor_activation.namespace = registry.namespace  # x.sigmoid() ... find nn.functional's


def namespace_getattr(namespace: str, module_name: str) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` (PEP 562) that resolves ``mt.<namespace>.<Name>`` through
    the registry, so entries of installed plugins appear there too."""

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        found = registry.namespace(namespace)
        if name in found:
            return found[name]
        raise AttributeError(
            f"module {module_name!r} has no attribute {name!r} (registered names there: "
            f"{', '.join(sorted(found)) or 'none'})"
        )

    return __getattr__


def namespace_dir(namespace: str, own: dict) -> Callable[[], list[str]]:
    """A module-level ``__dir__`` listing a module's own names and those of
    ``mt.<namespace>`` from the registry."""

    def __dir__():
        return sorted(set(own) | set(registry.namespace(namespace)))

    return __dir__
