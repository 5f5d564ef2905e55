"""Loads the plugins into the registry through pluggy, on the registry's first use.

The built-in catalog is itself a set of plugins: the entry points that the ``minitorch-es``
distribution declares in the ``minitorch_es`` group. They are loaded first, through the same hook
as any other plugin, so the core never imports them. Then every other installed distribution's
entry points are loaded, unless ``MINITORCH_ES_DISABLE_PLUGIN_AUTOLOAD`` is set. A plugin that
fails to import or register is reported (a warning, and `failures`) and the others load.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from . import hookspecs
from .errors import warn
from .registry import Provider, Registry, registry

DISTRIBUTION = "minitorch-es"
DISABLE_ENV = "MINITORCH_ES_DISABLE_PLUGIN_AUTOLOAD"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that failed to import or register: its name, provider and the error text."""

    plugin: str
    provider: Provider
    error: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} from {self.provider} failed to load: {self.error}"


_failures: list[PluginFailure] = []
_manager = pluggy.PluginManager(hookspecs.PROJECT)
_manager.add_hookspecs(hookspecs)


class _Staging:
    """What a plugin's hook sees: entries are kept apart and committed only if the whole hook
    succeeds, so a plugin that fails half-way leaves nothing behind."""

    def __init__(self, target: Registry, provider: Provider) -> None:
        self._target, self._provider = target, provider
        self._adds, self._exports = [], []

    def add(
        self, kind: str, name: str, obj: Any, *, aliases: Iterable[str] = (), override: bool = False
    ) -> None:
        self._adds.append((kind, name, obj, tuple(aliases), override))

    def export(self, namespace: str, name: str, obj: Any, *, override: bool = False) -> None:
        self._exports.append((namespace, name, obj, override))

    def commit(self) -> None:
        trial = Registry()
        trial._entries, trial._exports = dict(self._target._entries), dict(self._target._exports)
        trial._by_object = dict(self._target._by_object)
        for kind, name, obj, aliases, override in self._adds:
            trial.add(kind, name, obj, aliases=aliases, override=override, provider=self._provider)
        for namespace, name, obj, override in self._exports:
            trial.export(namespace, name, obj, override=override, provider=self._provider)
        self._target._entries, self._target._exports = trial._entries, trial._exports
        self._target._by_object = trial._by_object


def register_plugin(
    plugin: object, provider: Provider, name: str | None = None, target: Registry = registry
) -> bool:
    """Run one plugin's ``minitorch_es_register`` hook into ``target``; report a failure
    under ``name`` (e.g. the entry-point name; the provider names the distribution)."""
    name = name or getattr(plugin, "__name__", repr(plugin))
    staging = _Staging(target, provider)
    try:
        if not _manager.is_registered(plugin):  # e.g. loaded again into another Registry
            _manager.register(plugin, name=f"{provider.name}:{name}")  # unique across providers
        impls = [
            i for i in _manager.hook.minitorch_es_register.get_hookimpls() if i.plugin is plugin
        ]
        if not impls:
            raise TypeError("it has no @minitorch_es.hookimpl function minitorch_es_register")
        impls[0].function(registry=staging)
        staging.commit()
        return True
    except Exception as e:  # a broken plugin must not take the others down
        failure = PluginFailure(name, provider, f"{type(e).__name__}: {e}")
        _failures.append(failure)
        warn(f"minitorch_es: {failure}", RuntimeWarning)
        return False


def _entry_points():
    return metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP)


def load_plugins(target: Registry = registry) -> None:
    """Register the built-in catalog, then (unless disabled) every installed plugin."""
    eps = sorted(_entry_points(), key=lambda ep: (_dist_name(ep) != DISTRIBUTION, ep.name))
    builtin_found = False
    autoload = not os.environ.get(DISABLE_ENV)
    for ep in eps:
        dist = _dist_name(ep)
        if dist == DISTRIBUTION:
            builtin_found = True
            provider = Provider("builtin", ep.value)
        elif autoload:
            provider = Provider("distribution", dist or "<unknown>", _dist_version(ep))
        else:
            continue
        try:
            plugin = ep.load()
        except Exception as e:
            failure = PluginFailure(ep.name, provider, f"import failed: {type(e).__name__}: {e}")
            _failures.append(failure)
            warn(f"minitorch_es: {failure}", RuntimeWarning)
            continue
        register_plugin(plugin, provider, name=ep.name, target=target)
    if not builtin_found:
        warn(
            "minitorch_es: the built-in catalog was not found (no entry points of the "
            f"{DISTRIBUTION} distribution); install the package, e.g. `pip install -e .`",
            RuntimeWarning,
        )


def failures() -> list[PluginFailure]:
    """Plugins that failed to import or register, in load order."""
    registry._load()
    return list(_failures)


def _dist_name(ep: metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    # Normalised as PEP 503 does, so "minitorch_es" and "minitorch-es" are one name.
    return re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower() if dist is not None else None


def _dist_version(ep: metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.version if dist is not None else ""


registry._before_lookup = load_plugins


def describe(target: Registry = registry, kind: str | None = None) -> str:
    """A listing of every registered entry by kind with its provider, then the functions and
    the failures; with ``kind`` (``"layer"``, or its plural ``"layers"``) that kind's entries
    alone (a ValueError lists the kinds for another name). Lines fit 100 columns."""
    from .console import WIDTH

    lines = []
    target._load()
    kinds = sorted({e.kind for e in target.entries()})
    if kind is not None:
        plurals = {k + "es": k for k in kinds} | {k + "s": k for k in kinds}
        kind = plurals.get(kind, kind)
        if kind not in kinds:
            raise ValueError(f"no entries of kind {kind!r}; the kinds are {', '.join(kinds)}")
    for k in kinds if kind is None else [kind]:
        entries = target.entries(k)
        lines.append(f"{k} ({len(entries)}):")
        for e in entries:
            lines += _entry_lines(e, WIDTH)
    if kind is not None:
        return "\n".join(lines)
    exports = sorted(target._exports.items())
    if exports:
        lines.append(f"functions ({len(exports)}):")
        for (namespace, name), (_, provider) in exports:
            lines.append(f"  mt.{namespace}.{name:<{max(1, 28 - len(namespace) - 4)}} {provider}")
    if _failures:
        lines.append(f"failed to load ({len(_failures)}):")
        lines += [f"  {f}" for f in _failures]
    else:
        lines.append("failed to load: none")
    return "\n".join(lines)


def _entry_lines(entry: Any, width: int) -> list[str]:
    """An entry of `describe`: name, provider and aliases on one line, or on several (indented
    beneath the name) when they do not fit ``width``."""
    indent = " " * 31
    name = f"  {entry.name:<28} "
    aliases = f"[aliases: {', '.join(entry.aliases)}]" if entry.aliases else ""
    line = f"{name}{entry.provider}  {aliases}".rstrip()
    if len(line) <= width:
        return [line]
    head = f"{name}{entry.provider}"
    lines = [head] if len(head) <= width else [name.rstrip(), indent + str(entry.provider)]
    wrap = textwrap.wrap(aliases, width, initial_indent=indent, subsequent_indent=indent + " ")
    return lines + wrap
