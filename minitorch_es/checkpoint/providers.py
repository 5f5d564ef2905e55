"""The registry entries (and their providers) a model's config names: recorded in a file so
that loading it where an entry is missing can say which plugin provided it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import serialize
from ..registry import registry

ENTRY_KEYS = frozenset(["kind", "name", "config"])


def entries_in(spec: Any) -> Iterator[tuple[str, str]]:
    """Every ``(kind, name)`` named in an architecture, in order."""
    stack = [spec]
    while stack:
        obj = stack.pop()
        if isinstance(obj, dict):
            if ENTRY_KEYS <= set(obj):
                yield obj["kind"], obj["name"]
            stack.extend(reversed(list(obj.values())))
        elif isinstance(obj, list):
            stack.extend(reversed(obj))


def providers(model: Any) -> dict:
    """``{"kind:name": provider}`` of every registry entry ``model``'s config names."""
    out = {}
    for kind, name in entries_in(serialize(model)):
        out[f"{kind}:{name}"] = str(registry.entry(kind, name).provider)
    return out
