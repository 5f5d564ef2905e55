"""Forward hooks of `Module`: the handle that removes one, the naming of the layer that
raised a shape error, and the global parameter and buffer registration hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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


# Global registration hooks (PyTorch's torch.nn.modules.module.register_module_*_hook): called
# with (module, name, value) whenever any module registers a parameter or a buffer; a hook may
# return a replacement value. A checkpoint loader uses them to bound what a stored architecture
# may allocate before the arrays are filled.
_parameter_registration_hooks: dict = {}
_buffer_registration_hooks: dict = {}


def register_module_parameter_registration_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, name, param)`` for every parameter any module registers from now
    on; a non-None result replaces the parameter (``torch.nn.modules.module`` has the same)."""
    return RemovableHandle(_parameter_registration_hooks, hook)


def register_module_buffer_registration_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, name, buffer)`` for every buffer any module registers from now on;
    a non-None result replaces the buffer."""
    return RemovableHandle(_buffer_registration_hooks, hook)


def registered_parameter(module: Module, name: str, param: Any) -> Any:
    """``param`` (or a hook's replacement) after the parameter registration hooks ran."""
    return _run(_parameter_registration_hooks, module, name, param)


def registered_buffer(module: Module, name: str, buffer: Any) -> Any:
    """``buffer`` (or a hook's replacement) after the buffer registration hooks ran."""
    return _run(_buffer_registration_hooks, module, name, buffer)


def _run(hooks: dict, module: Module, name: str, value: Any) -> Any:
    if value is None:
        return None
    for hook in list(hooks.values()):
        result = hook(module, name, value)
        if result is not None:
            value = result
    return value
