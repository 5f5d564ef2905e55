"""Whole models of classes a program defines without registering them (``torch.save(model, f)``
of word_language_model's ``RNNModel``), and the ``weights_only=True`` rule for whole models.

PyTorch pickles such a model by its class's import path and, since 2.6, loads it only when the
program allows that class (``torch.serialization.safe_globals([RNNModel, ...])``). Here the
model is stored as its class's qualified name (``model.RNNModel``), the arguments its
constructor was called with (every Module records them) and its state dict. Loading never
imports anything: the class must be one the program handed to `mt.serialization`
(`add_safe_globals` / `safe_globals`); it is called with the stored arguments, within the
allocation bound of every rebuild, and the weights are loaded into it.

With ``weights_only=True`` (the default) a whole model, registered or not, loads as in PyTorch
only when every class in it is allowed; otherwise a `WeightsOnlyError` names the first that is
not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import ConfigError, from_config
from ..printable import printable
from ..serialization import get_safe_globals, is_allowed
from .format import CheckpointError, WeightsOnlyError
from .modes import KEY as MODES_KEY
from .modes import restore_modes
from .rebuild import SLACK_BYTES, _allocation_limit, check_stored_config
from .restore import restore

if TYPE_CHECKING:
    from ..nn.module import Module

KEYS = frozenset(["class", "config", "state"])
OPTIONAL_KEYS = frozenset([MODES_KEY])


def qualified_name(cls: type) -> str:
    """``module.QualName``, PyTorch's (pickle's) name of a class."""
    return f"{cls.__module__}.{cls.__qualname__}"


def describe(model: Module, where: str) -> dict:
    """``{"class", "config"}`` of an unregistered model (its state is added by the caller)."""
    try:
        config = model.get_config()
    except ConfigError as e:
        raise CheckpointError(
            f"mt.save cannot store the whole model {type(model).__name__}{where}: {e}. A model "
            f"of an unregistered class is stored as its class's name and its constructor's "
            f"arguments, which must be numbers, str, None, arrays, registered objects or "
            f"containers of them; save its weights instead: mt.save(model.state_dict(), path)"
        ) from None
    return {"class": qualified_name(type(model)), "config": config}


def allowed_class(name: Any, where: str) -> type:
    """The allowed class whose qualified name is ``name`` (a name read from a file)."""
    for allowed in get_safe_globals():
        if isinstance(allowed, type) and qualified_name(allowed) == name:
            return allowed
    shown = printable(repr(name), limit=120)
    raise CheckpointError(
        f"{where} holds a whole model of the unregistered class {shown}, which mt.load builds "
        f"only when the program allows that class: with mt.serialization.safe_globals([...]) "
        f"or add_safe_globals([...]) naming it (nothing named in a file is imported), or "
        f"register the class"
    )


def rebuild_allowed(node: Any, where: str, weights_only: bool) -> Module:
    """The model `describe` stored, rebuilt from its allowed class."""
    from ..nn.module import Module

    if not (
        isinstance(node, dict)
        and KEYS <= set(node) <= KEYS | OPTIONAL_KEYS
        and isinstance(node["config"], dict)
    ):
        raise CheckpointError(
            f"{where}: expected a model (a dict with 'class', 'config', 'state' and optionally "
            f"'training')"
        )
    cls = allowed_class(node["class"], where)
    state = node["state"]
    if not (issubclass(cls, Module) and isinstance(state, dict)):
        raise CheckpointError(f"{where}: {cls.__name__} is not a Module or its state not a dict")
    check_stored_config(node["config"], {}, where)
    stored = sum(v.nbytes for v in state.values() if hasattr(v, "nbytes"))
    try:
        with _allocation_limit(2 * stored + SLACK_BYTES, stored, where):
            model = from_config(cls, node["config"])
    except CheckpointError:
        raise
    except Exception as e:  # the constructor refusing a stored argument ...
        raise CheckpointError(
            f"{where}: cannot rebuild {cls.__name__} from its stored arguments "
            f"({type(e).__name__}: {printable(e, limit=300)})"
        ) from None
    restore(where, "model", model.load_state_dict, state)
    if weights_only:
        check_all_allowed(model, where)
    restore_modes(model, node, where)
    return model


def check_all_allowed(model: Module, where: str) -> None:
    """With ``weights_only=True``, every class in ``model`` must be allowed (PyTorch's rule)."""
    for name, module in model.named_modules():
        if not is_allowed(type(module)):
            at = f" at {printable(name, limit=200)}" if name else ""
            raise WeightsOnlyError(
                f"Weights only load failed: {where} holds a whole model whose class "
                f"{qualified_name(type(module))}{at} is not allowed (Unsupported global, as "
                f"PyTorch says). Allow every class of the model with "
                f"mt.serialization.safe_globals([...]) / add_safe_globals([...]), or re-run "
                f"mt.load with weights_only=False if you trust the file"
            )
