"""How an operation becomes ONNX nodes: a `Translation`, declared in the registry (kind
``"onnx"``) by the core for its primitive ops and by plugins for theirs.

A translation targets either an autograd ``Function`` (every call of it that the exporter
traces becomes the nodes its ``emit`` adds) or a ``Module`` class (every call of such a module
inside the exported model is emitted as one unit; the ops of its forward are not traced). The
exporter finds them by class, never by name: the registry name only identifies the entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..registry import Entry, Provider, Registry, RegistryError

if TYPE_CHECKING:
    from ..nn import Module


class ExportError(RuntimeError):
    """A model, argument or construct that cannot be exported to ONNX; the message says which
    op or layer, and why."""


@dataclass(frozen=True)
class Translation:
    """The ONNX translation of one autograd Function or Module class.

    ``emit(g, call)`` adds nodes with ``g.op(...)`` (see `GraphBuilder`) and returns the name
    of the value that stands for the call's result (a sequence of names for a module returning
    several tensors). ``call`` (a `Call`) gives the ONNX names of the arguments, their shapes
    and the options the op was called with. ``varying`` lists the arguments (positions of
    ``forward``'s positional arguments, names of keyword ones) that are not tensors but may
    change with the batch size, such as a target shape computed from it, which ``emit``
    handles itself (by reading dims from ``call.dims``); any other argument that changes
    between two traces with different batch sizes is an error.
    """

    target: type
    emit: Callable[..., Any]
    varying: tuple[int | str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.target, type):
            raise TypeError(
                f"Translation: target must be a Function or Module class, got {self.target!r}"
            )
        if not callable(self.emit):
            raise TypeError(f"Translation of {self.target.__name__}: emit must be callable")


def add_translation(
    registry: Registry,
    target: type,
    emit: Callable[..., Any],
    *,
    varying: Iterable[int | str] = (),
) -> None:
    """Declare, inside a plugin's ``minitorch_es_register(registry)`` hook, how ``target`` (a
    Function or Module class) is exported: ``emit(g, call)`` adds its ONNX nodes. The entry is
    registered as kind ``"onnx"`` under the target's qualified name.

        @mt.hookimpl
        def minitorch_es_register(registry):
            mt.onnx.add_translation(registry, CubeFunction, lambda g, call: g.op(
                "Pow", call.input(0), g.constant(np.float32(3))))
    """
    name = f"{target.__module__}.{target.__qualname__}"
    options = {}
    if isinstance(registry, Registry):
        # Called from user code, not from a plugin's hook: the provider is the emit's module
        # (the registry would otherwise name the module that defines Translation).
        options["provider"] = Provider("module", getattr(emit, "__module__", None) or "?")
    registry.add("onnx", name, Translation(target, emit, tuple(varying)), **options)


def translations(registry: Registry) -> dict[type, Entry]:
    """Every registered translation by target class; an entry that is not a `Translation`, or
    two entries for one class, is an error naming the providers."""
    found: dict[type, Entry] = {}
    for entry in registry.entries("onnx"):
        if not isinstance(entry.obj, Translation):
            raise RegistryError(
                f"onnx entry {entry.name!r} from {entry.provider} must be a "
                f"mt.onnx.Translation, got {type(entry.obj).__name__}"
            )
        target = entry.obj.target
        if target in found:
            other = found[target]
            raise RegistryError(
                f"two ONNX translations of {target.__qualname__}: {other.name!r} from "
                f"{other.provider} and {entry.name!r} from {entry.provider}; remove one or "
                f"register with override=True under the same name"
            )
        found[target] = entry
    return found


def describe_layer(path: str, module: Module | None, registry: Registry) -> str:
    """``layer 'features.3' (Conv2d from built-in (...))``: a layer by its dotted path, class
    and the plugin that registered the class."""
    if module is None:
        return "outside any layer"
    cls = type(module)
    entry = registry.entry_of(cls)
    origin = (
        f"from {entry.provider}"
        if entry is not None and entry.obj is cls
        else f"not registered, defined in {cls.__module__}"
    )
    where = f"layer '{path}'" if path else "the model"
    return f"{where} ({cls.__qualname__}, {origin})"


def missing_translation(target: type, path: str, module: Module | None, registry: Registry) -> str:
    """The message for an op or layer that has no translation."""
    kind = "autograd Function" if _is_function(target) else "Module"
    return (
        f"no ONNX translation for {target.__qualname__} (an {kind} defined in "
        f"{target.__module__}), called in {describe_layer(path, module, registry)}. The plugin "
        f"that provides it can declare one with mt.onnx.add_translation(registry, "
        f"{target.__qualname__}, emit) in its minitorch_es_register hook (see 'ONNX "
        f"translations' in the plugin guide)"
    )


def _is_function(cls: type) -> bool:
    from ..autograd import Function

    return issubclass(cls, Function)
