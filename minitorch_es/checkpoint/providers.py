"""The registry entries (and their providers) a model's config names: recorded in a file so
that loading it where an entry is missing can say which plugin provided it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import serialize
from ..registry import registry


def entries_in(obj: Any) -> Iterator[tuple[str, str]]:
    """The ``(kind, name)`` of every registry entry named in a config tree."""
    if isinstance(obj, dict):
        if {"kind", "name", "config"} <= set(obj):
            yield obj["kind"], obj["name"]
        for v in obj.values():
            yield from entries_in(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from entries_in(v)


def providers(model: Any) -> dict:
    """``{"kind:name": provider}`` of every registry entry ``model``'s config names."""
    out = {}
    for kind, name in entries_in(serialize(model)):
        out[f"{kind}:{name}"] = str(registry.entry(kind, name).provider)
    return out
