"""One registry of everything that can be named: ``(kind, name) -> class``.

Built-ins, user code (``@mt.register("layer")``) and installed plugins all feed it. Names are
case-insensitive and ignore ``_`` and ``-``, so ``"LeakyReLU"``, ``"leaky_relu"`` and
``"leakyrelu"`` are one name; aliases give PyTorch's and Keras's spellings one entry.

The public namespaces are assembled from it: a class registered as kind ``layer``, ``activation``
or ``loss`` is an attribute of ``mt.nn``, ``optimizer`` of ``mt.optim`` and so on
(`NAMESPACE_OF_KIND`); plain functions are published with `Registry.export`.

What one registration records (`Entry`, `Provider`, and the key `normalize` makes of a name) is
in ``registry_records.py``, ``Registry.create`` in ``registry_creation.py``, what each kind
accepts in ``registry_entries.py``.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable
from typing import Any

from .errors import RegistryError  # noqa: F401 (re-exported: mt.registry.RegistryError)
from .registry_creation import RegistryCreation
from .registry_records import Entry, Provider, normalize  # noqa: F401 (re-exported)

KINDS = (
    "activation",
    "initializer",
    "optimizer",
    "scheduler",
    "regularizer",
    "constraint",
    "loss",
    "layer",
    "metric",
    "callback",
    "onnx",  # ONNX translations of Functions and Modules (minitorch_es.onnx.Translation)
)

# Where each kind's classes appear as attributes (e.g. mt.nn.ReLU, mt.optim.Adam).
NAMESPACE_OF_KIND = {
    "layer": "nn",
    "activation": "nn",
    "loss": "nn",
    "initializer": "nn.init",
    "optimizer": "optim",
    "scheduler": "optim.lr_scheduler",
    "regularizer": "regularizers",
    "constraint": "regularizers",
    "metric": "metrics",
    "callback": "callbacks",
}


class Registry(RegistryCreation):
    """Maps ``(kind, name)`` to a class or function; ``mt.registry`` is the package's one.

    The kinds are those of `KINDS`. Look-ups load the plugins on first use; an unknown name
    raises `RegistryError` listing the registered names and the closest matches.

        >>> mt.registry.get("loss", "mse").__name__
        'MSELoss'
        >>> mt.registry.create("activation", "leaky_relu", negative_slope=0.2)
        LeakyReLU(negative_slope=0.2)
        >>> "SGD" in mt.registry.names("optimizer")
        True
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Entry] = {}  # (kind, normalized name or alias)
        self._exports: dict[tuple[str, str], tuple[object, Provider]] = {}
        self._by_object: dict[int, Entry] = {}
        self._before_lookup = None  # callback that loads the plugins on first use
        self._version = 0  # bumped by every change, to invalidate the namespace cache
        self._namespace_cache: dict[str, tuple] = {}

    # ----------------------------------------------------------------- registration
    def add(
        self,
        kind: str,
        name: str,
        obj: Any,
        *,
        aliases: Iterable[str] = (),
        override: bool = False,
        provider: Provider | None = None,
    ) -> None:
        """Register ``obj`` as ``(kind, name)``, also reachable under ``aliases``. ``obj`` must
        fit the kind (a layer is a Module subclass, an optimizer an Optimizer subclass, an
        activation a Module subclass or a function ...: see `registry_entries`)."""
        from .registry_entries import check_entry

        _check_kind(kind)
        aliases = (aliases,) if isinstance(aliases, str) else tuple(aliases)  # not its letters
        for n in (name, *aliases):
            if not isinstance(n, str) or not n or not n.isprintable():
                raise RegistryError(
                    f"registry.add({kind!r}, ...): names and aliases must be non-empty printable "
                    f"strs, got {n!r}"
                )
        if provider is None or provider.kind != "builtin":
            # Built-ins first, so a user's clashing name is the error, not a whole built-in plugin.
            self._load()
        provider = provider or _provider_of(obj)
        check_entry(kind, name, obj, provider)
        entry = Entry(kind, name, obj, provider, aliases)
        keys = [(kind, normalize(n)) for n in (name, *aliases)]
        found = {id(old): old for old in map(self._entries.get, keys) if old is not None}
        clashes = {i: old for i, old in found.items() if old.obj is not obj}
        if clashes and not override:
            key = next(k for k in keys if id(self._entries.get(k)) in clashes)
            old = self._entries[key]
            raise RegistryError(
                f"duplicate {kind} name {key[1]!r}: {obj!r} from {provider} clashes with "
                f"{old.obj!r} ({old.kind} {old.name!r}) from {old.provider}; pick another "
                f"name or pass override=True"
            )
        if not override:
            self._check_namespace(kind, name, obj, provider)
        for old in found.values():
            # An overridden entry goes entirely, aliases included; the same object registered
            # again is described by its latest registration.
            self._remove(old)
        for key in keys:
            self._entries[key] = entry
        self._by_object[id(obj)] = entry
        self._version += 1

    def _check_namespace(self, kind: str, name: str, obj: Any, provider: Provider) -> None:
        """Two different classes must not become the same attribute of one namespace (layers,
        activations and losses all appear in ``mt.nn``)."""
        namespace = NAMESPACE_OF_KIND.get(kind)
        for other in self._entries.values():
            if (
                other.kind != kind
                and other.name == name
                and other.obj is not obj
                and NAMESPACE_OF_KIND.get(other.kind) == namespace
            ):
                raise RegistryError(
                    f"{kind} {name!r} from {provider} and {other.kind} {name!r} from "
                    f"{other.provider} are different objects that would both be "
                    f"mt.{namespace}.{name}; rename one, register the same class, or pass "
                    f"override=True"
                )

    def _remove(self, entry: Entry) -> None:
        self._version += 1
        for key in [k for k, e in self._entries.items() if e is entry]:
            del self._entries[key]
        if self._by_object.get(id(entry.obj)) is entry:
            rest = [e for e in self._entries.values() if e.obj is entry.obj]
            if rest:
                self._by_object[id(entry.obj)] = rest[0]
            else:
                del self._by_object[id(entry.obj)]

    def export(
        self,
        namespace: str,
        name: str,
        obj: Any,
        *,
        override: bool = False,
        provider: Provider | None = None,
    ) -> None:
        """Publish a plain function (e.g. ``relu`` in ``"nn.functional"``) in a namespace."""
        provider = provider or _provider_of(obj)
        old = self._exports.get((namespace, name))
        if old is not None and old[0] is not obj and not override:
            raise RegistryError(
                f"duplicate name {name!r} in mt.{namespace}: from {provider} and from {old[1]}"
            )
        self._exports[(namespace, name)] = (obj, provider)
        self._version += 1

    def register(
        self,
        kind: str,
        name: str | None = None,
        *,
        aliases: Iterable[str] = (),
        override: bool = False,
    ) -> Callable[[Any], Any]:
        """Decorator for user code: ``@mt.register("layer")`` or ``@mt.register("activation",
        name="swish")``; the class name is the default name. The class then works wherever a
        name is accepted, and its instances can be saved in (and rebuilt from) checkpoints:

            @mt.register("activation", aliases=("cube",))
            class Cube(mt.nn.Module):
                def forward(self, x):
                    return x ** 3

            act = mt.registry.create("activation", "cube")    # also mt.nn.Cube
        """

        def decorator(obj: Any):
            self._load()
            self.add(kind, name or obj.__name__, obj, aliases=aliases, override=override)
            return obj

        return decorator

    # ---------------------------------------------------------------------- lookup
    def get(self, kind: str, name: str) -> Any:
        """The object registered as ``(kind, name)``; an unknown name lists what exists."""
        return self.entry(kind, name).obj

    def entry(self, kind: str, name: str) -> Entry:
        """The `Entry` registered as ``(kind, name)`` (with its provider and aliases)."""
        _check_kind(kind)
        self._load()
        if not isinstance(name, str):
            raise RegistryError(f"a {kind} name must be a str, got {type(name).__name__}")
        found = self._entries.get((kind, normalize(name)))
        if found is None:
            names = self.names(kind)
            close = difflib.get_close_matches(
                name, names, n=3, cutoff=0.5
            ) or difflib.get_close_matches(normalize(name), [normalize(n) for n in names], n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise RegistryError(
                f"unknown {kind} {name!r}.{hint} Registered {kind} names: "
                f"{', '.join(names) or '(none)'}"
            )
        return found

    def __contains__(self, key: tuple) -> bool:
        self._load()
        kind, name = key
        return (kind, normalize(name)) in self._entries

    def names(self, kind: str) -> list[str]:
        """The canonical names of one kind, sorted."""
        _check_kind(kind)
        self._load()
        return sorted({e.name for (k, _), e in self._entries.items() if k == kind}, key=str.lower)

    def entries(self, kind: str | None = None) -> list[Entry]:
        """The entries (of one kind, or all), each once, sorted by kind and name."""
        if kind is not None:
            _check_kind(kind)
        self._load()
        unique = {id(e): e for e in self._entries.values() if kind is None or e.kind == kind}
        return sorted(unique.values(), key=lambda e: (e.kind, e.name.lower()))

    def entry_of(self, obj: Any) -> Entry | None:
        """The entry under which a class (or an instance's class) is registered, if any."""
        self._load()
        cls = obj if inspect.isclass(obj) or inspect.isfunction(obj) else type(obj)
        return self._by_object.get(id(cls))

    def namespace(self, namespace: str) -> dict[str, object]:
        """Every public name of ``mt.<namespace>`` that comes from the registry."""
        self._load()
        # Cached: `F.relu` in a training loop resolves through here on every call. The key
        # changes with every add/export/removal and when the tables are replaced or edited.
        key = (
            namespace,
            self._version,
            id(self._entries),
            len(self._entries),
            id(self._exports),
            len(self._exports),
        )
        cached = self._namespace_cache.get(namespace)
        if cached is not None and cached[0] == key:
            return cached[1]
        out = {
            e.name: e.obj
            for e in self._entries.values()
            if NAMESPACE_OF_KIND.get(e.kind) == namespace and inspect.isclass(e.obj)
        }
        out.update({n: obj for (ns, n), (obj, _) in self._exports.items() if ns == namespace})
        self._namespace_cache[namespace] = (key, out)
        return out

    # -------------------------------------------------------------------- plumbing
    def _load(self) -> None:
        if self._before_lookup is not None:
            hook, self._before_lookup = self._before_lookup, None
            hook()


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise RegistryError(f"unknown registry kind {kind!r}; the kinds are: {', '.join(KINDS)}")


def _provider_of(obj: Any) -> Provider:
    return Provider("module", getattr(obj, "__module__", None) or "<unknown>")


registry = Registry()
register = registry.register
