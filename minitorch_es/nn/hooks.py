"""Forward hooks of `Module`: the handle that removes one, and the naming of the layer that
raised a shape error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ShapeError
from ..handles import RemovableHandle  # noqa: F401  (re-exported for Module)

if TYPE_CHECKING:
    from .module import Module


def _name_failing_layer(error: ShapeError, module: Module) -> None:
    """Prefix a shape error with the dotted name of the layer that raised it, one level per
    enclosing module call, so the message reads "in layer 'features.3' (Conv2d): ..."."""
    inner = error.__dict__.get("_mt_module")
    path = error.__dict__.get("_mt_path", "")
    if inner is not None:
        # A descendant, not only a child: layers kept in a ModuleList/ModuleDict are called by
        # the module that owns the container, never by the container itself.
        name = next((n for n, m in module.named_modules() if m is inner and n), None)
        if name is None:
            return  # called from outside the module tree (e.g. functional use)
        path = f"{name}.{path}" if path else name
    else:
        error._mt_message = str(error)
        error._mt_layer_type = type(module).__name__
    error._mt_module, error._mt_path = module, path
    if path:
        error.args = (f"in layer '{path}' ({error._mt_layer_type}): {error._mt_message}",)
