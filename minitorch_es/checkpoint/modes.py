"""The training/eval mode of every module of a whole model, stored as ``torch.save(model, f)``
keeps it: PyTorch pickles each module's ``training`` flag, so a model saved after
``model.eval()`` (or with one submodule in eval mode) loads in the same modes.

Stored as the optional ``"training"`` entry of a model's node: a list of bools, one per module
in ``model.named_modules()`` order (the model first). Files written before it existed have no
such entry and load in training mode, as they always did. What a file holds is checked against
the rebuilt model before any flag is set: a list of exactly one bool per module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..printable import printable
from .format import CheckpointError

if TYPE_CHECKING:
    from ..nn.module import Module

KEY = "training"


def modes_of(model: Module) -> list[bool]:
    """``module.training`` of every module of ``model``, in ``named_modules()`` order."""
    return [bool(module.training) for _, module in model.named_modules()]


def restore_modes(model: Module, node: dict, where: str) -> None:
    """Set each module's mode from the ``"training"`` entry of ``node`` (if the file has one)."""
    if KEY not in node:
        return
    stored = node[KEY]
    modules = [module for _, module in model.named_modules()]
    if not (
        isinstance(stored, list)
        and len(stored) == len(modules)
        and all(type(flag) is bool for flag in stored)
    ):
        shown = printable(repr(stored), limit=80)
        raise CheckpointError(
            f"{where}: the stored training modes must be a list of {len(modules)} bools (one "
            f"per module of the rebuilt {type(model).__name__}), got {shown}"
        )
    for module, flag in zip(modules, stored):
        module.training = flag
