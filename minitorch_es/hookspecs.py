"""The plugin contract: pluggy markers and the hook specifications (the one place hooks are
declared).

A plugin is a module (or object) with a function marked ``@minitorch_es.hookimpl``:

    import minitorch_es as mt

    @mt.hookimpl
    def minitorch_es_register(registry):
        registry.add("activation", "Cube", Cube)

and, for an installable package, an entry point in the group ``minitorch_es``:

    [project.entry-points.minitorch_es]
    my_plugin = "my_package.plugin"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .registry import Registry

PROJECT = "minitorch_es"
ENTRY_POINT_GROUP = "minitorch_es"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def minitorch_es_register(registry: Registry) -> None:
    """Add entries with ``registry.add(kind, name, obj, aliases=(), override=False)`` and publish
    functions with ``registry.export(namespace, name, fn)``. Called once per plugin, when the
    registry is first used."""
