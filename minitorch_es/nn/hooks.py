"""Forward hooks of `Module`: the handle that removes one, and the naming of the layer that
raised a shape error."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ShapeError

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


class RemovableHandle:
    """Returned by ``register_*_hook``; ``remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, table: OrderedDict, hook: Callable) -> None:
        RemovableHandle._next_id += 1
        self.id, self._table = RemovableHandle._next_id, table
        table[self.id] = hook

    def remove(self) -> None:
        """Unregister the hook (removing twice is harmless)."""
        self._table.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


# Global registration hooks (PyTorch's torch.nn.modules.module.register_module_*_hook): called
# with (module, name, value) whenever any module registers a parameter or a buffer; a hook may
# return a replacement value. A checkpoint loader uses them to bound what a stored architecture
# may allocate before the arrays are filled.
_parameter_registration_hooks: OrderedDict = OrderedDict()
_buffer_registration_hooks: OrderedDict = OrderedDict()


def register_module_parameter_registration_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, name, param)`` for every parameter any module registers from now
    on; a non-None result replaces the parameter (``torch.nn.modules.module`` has the same)."""
    return RemovableHandle(_parameter_registration_hooks, hook)


def register_module_buffer_registration_hook(hook: Callable) -> RemovableHandle:
    """Call ``hook(module, name, buffer)`` for every buffer any module registers from now on;
    a non-None result replaces the buffer."""
    return RemovableHandle(_buffer_registration_hooks, hook)


def _registered(hooks: OrderedDict, module: Module, name: str, value: object) -> object:
    for hook in list(hooks.values()):
        result = hook(module, name, value)
        if result is not None:
            value = result
    return value
