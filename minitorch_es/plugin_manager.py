"""Loads the plugins into the registry through pluggy, on the registry's first use.

The built-in catalog is itself a set of plugins: the entry points that the ``minitorch-es``
distribution declares in the ``minitorch_es`` group. They are loaded first, through the same hook
as any other plugin, so the core never imports them. Then every other installed distribution's
entry points are loaded, unless ``MINITORCH_ES_DISABLE_PLUGIN_AUTOLOAD`` is set; one plugin is
left out by naming it (its entry point or its distribution) in ``MINITORCH_ES_DISABLE_PLUGINS``
or with `disable_plugin`. A plugin is untrusted code: one that fails to import or register (even
with ``sys.exit()``; only KeyboardInterrupt goes through) is reported (a warning, and
`failures`) and the others load; one that overrides another provider's entry is announced.
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
from .printable import printable
from .registry import Entry, Provider, Registry, normalize, registry
from .registry_entries import check_entry

DISTRIBUTION = "minitorch-es"
DISABLE_ENV = "MINITORCH_ES_DISABLE_PLUGIN_AUTOLOAD"
DISABLE_PLUGINS_ENV = "MINITORCH_ES_DISABLE_PLUGINS"


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that failed to import or register: its name, provider and the error text."""

    plugin: str
    provider: Provider
    error: str

    def __str__(self) -> str:
        # The error text comes from the plugin: escaped before it reaches a terminal.
        return (
            f"plugin {printable(repr(self.plugin))} from {self.provider} failed to load: "
            f"{printable(self.error, limit=500)}"
        )


_failures: list[PluginFailure] = []
_disabled: dict[str, str] = {}  # normalised name -> how it was disabled
_skipped: list[str] = []  # "entry point (distribution)" of each plugin left out
_loaded = False
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
        aliases = (aliases,) if isinstance(aliases, str) else tuple(aliases)
        check_entry(kind, name, obj, self._provider)  # fails at the plugin's own line
        self._adds.append((kind, name, obj, aliases, override))

    def export(self, namespace: str, name: str, obj: Any, *, override: bool = False) -> None:
        self._exports.append((namespace, name, obj, override))

    def overrides(self) -> list[tuple[Entry, str, str]]:
        """The entries of other providers this plugin replaces: (old entry, kind, name)."""
        found = []
        for kind, name, obj, aliases, override in self._adds:
            for key in [(kind, normalize(n)) for n in (name, *aliases)]:
                old = self._target._entries.get(key)
                if override and old is not None and old.obj is not obj:
                    if old.provider != self._provider and old not in [f[0] for f in found]:
                        found.append((old, kind, name))
        return found

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
        overrides = staging.overrides()
        staging.commit()
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # even SystemExit: a broken plugin must not end the program
        _fail(name, provider, e)
        return False
    for old, kind, entry in overrides:
        builtin = f" of the distribution {DISTRIBUTION}" if old.provider.kind == "builtin" else ""
        warn(
            f"minitorch_es: plugin {printable(repr(name))} from {provider} overrides {kind} "
            f"{old.name!r} of {old.provider}{builtin} (registered as {printable(repr(entry))}); "
            f"to keep the original, disable the plugin: {DISABLE_PLUGINS_ENV}="
            f"{printable(name)}",
            RuntimeWarning,
        )
    return True


def _fail(name: str, provider: Provider, error: BaseException, what: str = "") -> None:
    failure = PluginFailure(name, provider, f"{what}{type(error).__name__}: {error}")
    _failures.append(failure)
    warn(f"minitorch_es: {failure}", RuntimeWarning)


def _entry_points():
    return metadata.entry_points(group=hookspecs.ENTRY_POINT_GROUP)


def disable_plugin(name: str) -> None:
    """Leave out the plugin ``name`` (an entry-point name or a distribution name, as
    ``minitorch-es plugins`` shows them) when plugins load; the same as listing it in the
    environment variable ``MINITORCH_ES_DISABLE_PLUGINS`` (comma-separated). Call it before
    the registry is first used; the built-in catalog cannot be disabled.

        >>> from minitorch_es.plugin_manager import disable_plugin
        >>> disable_plugin("some-plugin")  # doctest: +SKIP
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"disable_plugin expects a plugin name (a str), got {name!r}")
    if _loaded:
        raise RuntimeError(
            f"disable_plugin({name!r}): the plugins are already loaded (the registry was used); "
            f"call it before the first use of the registry, or set {DISABLE_PLUGINS_ENV}"
        )
    _disabled[_normalise(name)] = "disable_plugin()"


def load_plugins(target: Registry = registry) -> None:
    """Register the built-in catalog, then (unless disabled) every installed plugin."""
    global _loaded
    _loaded = True
    eps = sorted(_entry_points(), key=lambda ep: (_dist_name(ep) != DISTRIBUTION, ep.name))
    builtin_found = False
    autoload = not os.environ.get(DISABLE_ENV)
    disabled = {**_from_environment(), **_disabled}
    used = set()
    for ep in eps:
        dist = _dist_name(ep)
        if dist == DISTRIBUTION:
            builtin_found = True
            provider = Provider("builtin", ep.value)
        elif not autoload:
            continue
        else:
            provider = Provider("distribution", dist or "<unknown>", _dist_version(ep))
            hit = {_normalise(ep.name), dist} & set(disabled)
            if hit:
                used |= hit
                _skipped.append(f"{ep.name} ({provider}; {disabled[hit.pop()]})")
                continue
        try:
            plugin = ep.load()
        except KeyboardInterrupt:
            raise
        except BaseException as e:  # an import that exits or raises anything
            _fail(ep.name, provider, e, "import failed: ")
            continue
        register_plugin(plugin, provider, name=ep.name, target=target)
    unknown = sorted(set(disabled) - used)
    if unknown and autoload:
        warn(
            f"minitorch_es: no installed plugin is named {', '.join(map(repr, unknown))} "
            f"(disabled by {', '.join(sorted({disabled[u] for u in unknown}))}); see "
            f"`minitorch-es plugins` for the names",
            RuntimeWarning,
        )
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


def _from_environment() -> dict[str, str]:
    names = re.split(r"[,\s]+", os.environ.get(DISABLE_PLUGINS_ENV, ""))
    return {_normalise(n): DISABLE_PLUGINS_ENV for n in names if n}


def _normalise(name: str) -> str:
    # As PEP 503 does, so "my_plugin" and "My-Plugin" are one name.
    return re.sub(r"[-_.]+", "-", name).lower()


def _dist_name(ep: metadata.EntryPoint) -> str | None:
    dist = getattr(ep, "dist", None)
    return _normalise(dist.metadata["Name"]) if dist is not None else None


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
            lines += map(printable, _entry_lines(e, WIDTH))  # names from a plugin's metadata
    if kind is not None:
        return "\n".join(lines)
    exports = sorted(target._exports.items())
    if exports:
        lines.append(f"functions ({len(exports)}):")
        for (namespace, name), (_, provider) in exports:
            width = max(1, 28 - len(namespace) - 4)
            lines.append(printable(f"  mt.{namespace}.{name:<{width}} {provider}"))
    if _skipped:
        lines.append(f"disabled ({len(_skipped)}):")
        lines += [f"  {printable(s)}" for s in _skipped]
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
