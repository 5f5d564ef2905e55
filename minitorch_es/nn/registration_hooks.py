"""Global parameter and buffer registration hooks (PyTorch's
``torch.nn.modules.module.register_module_{parameter,buffer}_registration_hook``).

A hook is called with ``(module, name, value)`` whenever any module registers a parameter or a
buffer, and may return a replacement value. A checkpoint loader uses them to bound what a
stored architecture may allocate before the arrays are filled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..handles import RemovableHandle

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


def registered_parameter(module: Any, name: str, param: Any) -> Any:
    """``param`` (or a hook's replacement) after the parameter registration hooks ran."""
    return _run(_parameter_registration_hooks, module, name, param)


def registered_buffer(module: Any, name: str, buffer: Any) -> Any:
    """``buffer`` (or a hook's replacement) after the buffer registration hooks ran."""
    return _run(_buffer_registration_hooks, module, name, buffer)


def _run(hooks: dict, module: Any, name: str, value: Any) -> Any:
    if value is None:
        return None
    for hook in list(hooks.values()):
        result = hook(module, name, value)
        if result is not None:
            value = result
    return value
