"""What ``mt.save`` accepts besides a state dict: tensors, nested containers and whole models.

The storage layer keeps trees of dicts, lists, numbers, strings and arrays. `to_storable` turns
what a PyTorch program passes to ``torch.save`` into such a tree plus a list of *types*: the
path of every node whose Python type the tree alone would lose (a Tensor or Parameter stored as
its array, a tuple stored as a list, an OrderedDict, a whole Module). `from_stored` reverses
it. Arrays stay at their paths, so a state dict's file still lists its weights by name.

A whole model is stored as its registry config (the architecture, as ``save_checkpoint`` keeps
it) plus its state dict, and rebuilt from registered classes only: nothing named in a file is
ever imported or executed. As in PyTorch 2.6+, ``mt.load`` rebuilds models only when asked with
``weights_only=False``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from ..config import ConfigError, serialize
from ..printable import printable
from ..registry import registry
from ..serialization import get_safe_globals, is_allowed
from ..tensor import Tensor
from . import allowed_models
from .format import CheckpointError, WeightsOnlyError
from .modes import KEY as MODES_KEY
from .modes import modes_of, restore_modes

TYPES = ("Tensor", "Tensor+grad", "Parameter", "tuple", "OrderedDict", "Module", "NamedModule")
MODELS = ("Module", "NamedModule")  # a registered class's model; one stored by its class's name


def to_storable(obj: Any) -> tuple[Any, list]:
    """``(tree, types)`` for ``obj``; raises `CheckpointError` naming the path of what cannot
    be stored (before any file is touched)."""
    types: list = []

    def walk(value: Any, path: list) -> Any:
        from ..nn.module import Module
        from ..nn.parameter import Parameter

        if isinstance(value, Tensor):
            kind = "Parameter" if isinstance(value, Parameter) else "Tensor"
            if kind == "Tensor" and value.requires_grad:
                kind = "Tensor+grad"
            types.append([path, kind])
            return value.numpy(force=True)
        if isinstance(value, np.ndarray):
            return value  # the storage layer checks its dtype
        if isinstance(value, Module) and registry.entry_of(value) is None:
            types.append([path, "NamedModule"])  # a class the program did not register
            node = allowed_models.describe(value, _at(path))
            state = walk(dict(value.state_dict()), [*path, "state"])
            return {**node, "state": state, MODES_KEY: modes_of(value)}
        if isinstance(value, Module):
            types.append([path, "Module"])
            config, providers = _architecture(value, path)
            state = walk(dict(value.state_dict()), [*path, "state"])
            return {
                "config": config,
                "providers": providers,
                "state": state,
                MODES_KEY: modes_of(value),
            }
        if isinstance(value, dict):
            if type(value) is OrderedDict:
                types.append([path, "OrderedDict"])
            for key in value:
                if isinstance(key, bool) or not isinstance(key, (str, int, np.integer)):
                    raise CheckpointError(
                        f"mt.save: dict keys must be str or int, got {key!r}{_at(path)}"
                    )
            return {_key(k): walk(v, [*path, _key(k)]) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            if isinstance(value, tuple):
                types.append([path, "tuple"])
            return [walk(v, [*path, i]) for i, v in enumerate(value)]
        if isinstance(value, np.generic):
            return value.item()
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise CheckpointError(
            f"mt.save cannot store a {type(value).__name__}{_at(path)}: it stores Tensors, NumPy "
            f"arrays, numbers, str, None, dicts/lists/tuples of them and whole models (Modules "
            f"of registered classes); nothing is pickled"
        )

    return walk(obj, []), types


def _architecture(model: Any, path: list) -> tuple[dict, dict]:
    """The registry config of ``model`` and who provides each class in it."""
    from .providers import providers as _providers

    try:
        return serialize(model, type(model).__name__), _providers(model)
    except ConfigError as e:
        name = type(model).__name__
        raise CheckpointError(
            f"mt.save cannot store the whole model {name}{_at(path)}: {e}. A whole model is "
            f"stored as its registered classes' configs and rebuilt from them, never from code "
            f'named in the file; register its classes (@mt.register("layer") above `class '
            f"{name}`) or save its weights: mt.save(model.state_dict(), path)"
        ) from None


def from_stored(
    tree: Any,
    types: Any,
    where: str,
    weights_only: bool,
    rebuild: Callable[[dict, dict, dict, str], Any],
) -> Any:
    """The object `to_storable` was given. ``where`` names the file in errors; ``rebuild(config,
    providers, state, where)`` makes a model (only called when ``weights_only`` is False)."""
    if not isinstance(types, list) or not all(
        isinstance(t, list)
        and len(t) == 2
        and isinstance(t[0], list)
        and all(type(step) in (str, int) for step in t[0])
        and t[1] in TYPES
        for t in types
    ):
        raise CheckpointError(
            f"{where}: the list of stored types is malformed (expected [path, type] pairs with "
            f"types among {', '.join(TYPES)})"
        )
    models = [t[0] for t in types if t[1] in MODELS]
    refused = [path for path in models if weights_only and not _allowed(tree, path)]
    if refused:
        name = _model_name(tree, refused[0])
        raise WeightsOnlyError(
            f"Weights only load failed: {where} holds a whole model ({name}{_at(refused[0])}), "
            f"which mt.load(..., weights_only=True) -- the default, as in PyTorch 2.6 -- does not "
            f"rebuild unless every class in it is allowed (mt.serialization.safe_globals). "
            f"Re-run mt.load with weights_only=False (it only builds registered or allowed "
            f"classes and never runs code named in the file), or save and load "
            f"model.state_dict() instead"
        )
    if weights_only:
        _refuse_plain_arrays(tree, {tuple(path) for path, _ in types}, where)
    root = [tree]
    for path, kind in sorted(types, key=lambda t: -len(t[0])):  # children before parents
        parent, key = _locate(root, path, where)
        try:
            parent[key] = _convert(parent[key], kind, path, where, rebuild, weights_only)
        except CheckpointError:
            raise
        except Exception as e:  # e.g. an int array stored as a Tensor that requires grad
            raise CheckpointError(
                f"{where}: cannot make a {kind}{_at(path)} of the stored value "
                f"({type(e).__name__}: {printable(e, limit=200)})"
            ) from None
    return root[0]


def _refuse_plain_arrays(tree: Any, typed: set[tuple], where: str) -> None:
    """With ``weights_only=True`` PyTorch 2.6+ refuses a NumPy array that is not a tensor's
    storage (its unpickler stops at ``numpy._core.multiarray._reconstruct``); so do we, unless
    ``np.ndarray`` is among the allowed globals."""
    from ..serialization import is_allowed

    def walk(node: Any, path: tuple) -> None:
        if isinstance(node, np.ndarray) and path not in typed:
            raise WeightsOnlyError(
                f"Weights only load failed: {where} holds a NumPy array{_at(list(path))}, which "
                f"mt.load(..., weights_only=True) -- the default, as in PyTorch 2.6 -- refuses "
                f"as PyTorch does (Unsupported global: numpy._core.multiarray._reconstruct). "
                f"Re-run mt.load with weights_only=False if you trust the file, or allow arrays "
                f"with mt.serialization.add_safe_globals([np.ndarray]) or the "
                f"mt.serialization.safe_globals([np.ndarray]) context manager"
            )
        if isinstance(node, (dict, list)):
            for key, value in node.items() if isinstance(node, dict) else enumerate(node):
                walk(value, (*path, key))

    if not is_allowed(np.ndarray):
        walk(tree, ())


def _convert(
    node: Any, kind: str, path: list, where: str, rebuild: Callable, weights_only: bool
) -> Any:
    if kind in ("Tensor", "Tensor+grad", "Parameter"):
        if not isinstance(node, np.ndarray):
            raise CheckpointError(f"{where}: expected an array{_at(path)}, found {_kind(node)}")
        if kind == "Parameter":
            from ..nn.parameter import Parameter

            return Parameter(node)
        return Tensor(node, requires_grad=kind == "Tensor+grad")
    if kind == "tuple":
        if not isinstance(node, (list, tuple)):  # a storage layer may keep tuples itself
            raise CheckpointError(f"{where}: expected a list{_at(path)}, found {_kind(node)}")
        return tuple(node)
    if kind == "OrderedDict":
        if not isinstance(node, dict):
            raise CheckpointError(f"{where}: expected a dict{_at(path)}, found {_kind(node)}")
        return OrderedDict(node)
    if kind == "NamedModule":
        return allowed_models.rebuild_allowed(node, f"{where}{_at(path)}", weights_only)
    keys = {"config", "providers", "state"}
    if not (isinstance(node, dict) and keys <= set(node) <= {*keys, MODES_KEY}):
        raise CheckpointError(
            f"{where}: expected a model (a dict with 'config', 'providers', 'state' and "
            f"optionally 'training'){_at(path)}, found {_kind(node)}"
        )
    model = rebuild(node["config"], node["providers"], node["state"], f"{where}{_at(path)}")
    if weights_only:
        allowed_models.check_all_allowed(model, f"{where}{_at(path)}")
    restore_modes(model, node, f"{where}{_at(path)}")
    return model


def _locate(root: list, path: list, where: str) -> tuple[Any, Any]:
    """The container holding the node at ``path`` (under the one-element list ``root``) and
    the node's key or index there."""
    parent, key = root, 0
    for step in path:
        node = parent[key]
        ok = (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        )
        if not ok:
            raise CheckpointError(f"{where}: a stored type names the missing path {path!r}")
        parent, key = node, step
    return parent, key


def _allowed(tree: Any, path: list) -> bool:
    """Whether the class of the model stored at ``path`` is allowed (`mt.serialization`): a
    class stored by name, or a registered class's entry, looked up without building."""
    node = _node(tree, path)
    if not isinstance(node, dict):
        return False
    if "class" in node:
        return any(
            isinstance(g, type) and allowed_models.qualified_name(g) == node["class"]
            for g in get_safe_globals()
        )
    config = node.get("config")
    if not isinstance(config, dict) or (config.get("kind"), config.get("name")) not in registry:
        return False
    return is_allowed(registry.entry(config["kind"], config["name"]).obj)


def _node(tree: Any, path: list) -> Any:
    """The node at ``path``, or None when the path does not lead to one."""
    node = tree
    for step in path:
        ok = (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and type(step) is int and 0 <= step < len(node)
        )
        if not ok:
            return None
        node = node[step]
    return node


def _model_name(tree: Any, path: list) -> str:
    """The class name of the model at ``path`` (escaped: it comes from the file), or "a model"
    when the path does not lead to one (checked later by `_locate`)."""
    node = _node(tree, path)
    config = node.get("config") if isinstance(node, dict) else None
    name = config.get("name") if isinstance(config, dict) else None
    if isinstance(node, dict) and "class" in node:
        name = node["class"]
    return printable(name, limit=60) if isinstance(name, str) else "a model"


def _key(key: Any) -> Any:
    return int(key) if isinstance(key, np.integer) else key


def _at(path: list) -> str:
    return f" at {printable('/'.join(map(str, path)), limit=200)}" if path else ""


def _kind(node: Any) -> str:
    return type(node).__name__
