"""Rebuilding a model from the architecture stored in a checkpoint, within bounds.

The architecture is untrusted JSON: before anything is built, its registered entries are
counted and checked for form, its dtype tags checked against the dtypes the format knows, and
every class it names must be registered. While the model is built, every parameter and buffer
a module registers is charged against what the file stores (with room for non-persistent
buffers); an architecture that declares more, say ``Linear(40000, 40000)`` beside a few kB of
weights, is refused when the oversized array is registered, before an initializer fills it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..printable import printable
from ..registry import KINDS, registry
from .format import DTYPES, MAX_ARCHITECTURE_ENTRIES, CheckpointError, UnregisteredEntryError
from .providers import ENTRY_KEYS, entries_in
from .restore import restore

if TYPE_CHECKING:
    from ..nn.module import Module

SLACK_BYTES = 64 * 2**20  # non-persistent buffers (masks, tables) are not in the file


def check_architecture(spec: Any, providers: Any, where: str) -> None:
    """Refuse a malformed architecture, or one that names an unregistered class (an
    `UnregisteredEntryError` naming the provider recorded at save time)."""
    if not (isinstance(spec, dict) and ENTRY_KEYS <= set(spec)):
        raise CheckpointError(f"{where}: the architecture is not a registered entry")
    if not isinstance(providers, dict):
        raise CheckpointError(f"{where}: the architecture's providers are not a dict")
    check_stored_config(spec, providers, where)


def check_stored_config(spec: Any, providers: dict, where: str) -> None:
    """Refuse a stored config (an architecture, or the constructor arguments of a model stored
    by its class's name) with too many entries, malformed ones, unknown dtype tags, or
    unregistered entries."""
    stack, count = [spec], 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(obj)
        if not isinstance(obj, dict):
            continue
        if ENTRY_KEYS <= set(obj):
            count += 1
            if count > MAX_ARCHITECTURE_ENTRIES:
                raise CheckpointError(f"{where}: more than {MAX_ARCHITECTURE_ENTRIES} entries")
            _check_entry(obj, where)
        if "__dtype__" in obj or "__array__" in obj:
            tagged = obj["__dtype__"] if "__dtype__" in obj else obj.get("dtype")
            if not isinstance(tagged, str) or tagged not in DTYPES:
                raise CheckpointError(
                    f"{where}: dtype {printable(repr(tagged), limit=60)} is not one of "
                    f"{', '.join(sorted(DTYPES))}"
                )
        stack.extend(obj.values())
    for kind, name in entries_in(spec):
        if (kind, name) not in registry:
            source = providers.get(f"{kind}:{name}", "an unknown provider")
            raise UnregisteredEntryError(
                f"{where}: {kind} {printable(repr(name))} was provided by {printable(source)}; "
                f"install it or register the class (e.g. @mt.register({kind!r})) before loading"
            )


def _check_entry(entry: dict, where: str) -> None:
    kind, name, config = entry["kind"], entry["name"], entry["config"]
    if (
        kind not in KINDS
        or not isinstance(name, str)
        or not (config is None or isinstance(config, dict))
    ):
        raise CheckpointError(
            f"{where}: a malformed entry (kind {printable(repr(kind), limit=40)}, name "
            f"{printable(repr(name), limit=60)}, config of type {type(config).__name__})"
        )


def rebuild_model(config: Any, providers: Any, state: Any, where: str) -> Module:
    """The model a stored architecture describes, with its stored weights ``state`` (a dict of
    arrays or Tensors): the architecture checked (`check_architecture`), built within what
    ``state`` holds (`build`), then loaded. ``where`` names the file (and the place in it)."""
    if not isinstance(state, dict):
        raise CheckpointError(f"{where}: the stored weights are a {type(state).__name__}, not dict")
    check_architecture(config, providers, where)
    stored = sum(np.asarray(v).nbytes for v in state.values() if hasattr(v, "__array__"))
    model = build(config, stored, where)
    restore(where, "model", model.load_state_dict, state)
    return model


def build(spec: dict, stored_bytes: int, where: str) -> Module:
    """The model described by ``spec``, refusing to register more than ``2 * stored_bytes +
    SLACK_BYTES`` of parameters and buffers."""
    from ..config import deserialize
    from ..nn.module import Module

    try:
        with _allocation_limit(2 * stored_bytes + SLACK_BYTES, stored_bytes, where):
            model = deserialize(spec)
    except CheckpointError:
        raise
    except Exception as e:  # a constructor refusing a stored argument, MemoryError ...
        raise CheckpointError(
            f"{where}: cannot rebuild the model from its stored architecture "
            f"({type(e).__name__}: {printable(e, limit=300)})"
        ) from None
    if not isinstance(model, Module):
        raise CheckpointError(
            f"{where}: the stored architecture builds a {type(model).__name__}, not a Module"
        )
    return model


@contextlib.contextmanager
def _allocation_limit(limit: int, stored: int, where: str) -> Iterator[None]:
    """Charge every parameter and buffer registered in this thread against ``limit`` bytes."""
    import threading

    from ..nn import registration_hooks as hooks

    owner = threading.get_ident()
    sizes: dict[tuple[int, str], int] = {}
    keep = []  # the modules charged, so their ids stay unique while charged

    def charge(module: Any, name: str, value: Any) -> None:
        if threading.get_ident() != owner:
            return
        array = np.asarray(value)
        keep.append(module)
        sizes[(id(module), name)] = array.nbytes
        total = sum(sizes.values())
        if total > limit:
            raise CheckpointError(
                f"{where}: the stored architecture declares more than the file stores: "
                f"{type(module).__name__}.{printable(name)} of shape {array.shape} brings the "
                f"model to {total:,} bytes for {stored:,} bytes of stored arrays"
            )

    with (
        hooks.register_module_parameter_registration_hook(charge),
        hooks.register_module_buffer_registration_hook(charge),
    ):
        yield
