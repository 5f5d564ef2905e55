"""Registration of parameters, buffers and child modules of `Module` (a mixin): assigning one
to an attribute puts it in its table (``_parameters``, ``_buffers``, ``_modules``), where
``__getattr__`` finds it and ``__delattr__`` removes it; ``register_parameter``,
``register_buffer`` and ``add_module`` do the same with a checked name."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from ..tensor import Tensor
from .parameter import Parameter
from .registration_hooks import registered_buffer, registered_parameter


class ModuleRegistration:
    """The attribute tables of `Module` (the annotations and checks say ``ModuleRegistration``:
    every Module is one, and this module does not import the Module built on it)."""

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, (Parameter, ModuleRegistration)) and params is None:
            raise AttributeError(
                f"cannot assign {type(value).__name__} '{name}' before Module.__init__() call "
                f"(call super().__init__() first in {type(self).__name__}.__init__)"
            )
        if params is None:
            object.__setattr__(self, name, value)
            return
        if isinstance(value, Parameter):
            self._discard(name, keep=params)
            params[name] = registered_parameter(self, name, value)
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' of "
                    f"{type(self).__name__} (torch.nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, ModuleRegistration):
            self._discard(name, keep=self._modules)
            self._modules[name] = value
        elif name in self._modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' of "
                    f"{type(self).__name__} (Module or None expected)"
                )
            self._modules[name] = None
        elif name in self._buffers:
            self._buffers[name] = _new_buffer(self, name, value)
        else:
            object.__setattr__(self, name, value)

    def _discard(self, name: str, keep: OrderedDict | None = None) -> None:
        # ``keep`` is the table about to receive ``name``: re-assigning keeps its position there
        # (as PyTorch), so parameter order, hence positional optimizer state, does not change.
        self.__dict__.pop(name, None)
        self._non_persistent.discard(name)  # a re-registered buffer is persistent unless told
        for table in (self._parameters, self._buffers, self._modules):
            if table is not keep:
                table.pop(name, None)

    def __getattr__(self, name: str):
        # Only called when normal lookup fails: parameters, buffers and children live in tables.
        d = self.__dict__
        for table in ("_parameters", "_buffers", "_modules"):
            if table in d and name in d[table]:
                return d[table][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a `Parameter` or None) under ``name``; same as assigning it."""
        _check_name(name, self, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                f"(Parameter or None required)"
            )
        self._discard(name, keep=self._parameters)
        self._parameters[name] = registered_parameter(self, name, param)

    def register_buffer(
        self, name: str, tensor: Tensor | np.ndarray | None, persistent: bool = True
    ) -> None:
        """A non-learnable array that belongs to the state (e.g. BatchNorm's running mean)."""
        _check_name(name, self, "buffer")
        self._discard(name, keep=self._buffers)
        self._buffers[name] = _new_buffer(self, name, tensor)
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: ModuleRegistration | None) -> None:
        """Register a child module under ``name`` (alias ``register_module``)."""
        _check_name(name, self, "module")
        if module is not None and not isinstance(module, ModuleRegistration):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._discard(name, keep=self._modules)
        self._modules[name] = module

    register_module = add_module


def _check_name(name: str, module: ModuleRegistration, what: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{what} name should be a str, got {type(name).__name__}")
    if "." in name or not name:
        raise KeyError(f"{what} name can't contain '.' or be empty, got {name!r}")
    if "_parameters" not in module.__dict__:
        raise AttributeError(f"cannot assign {what} before Module.__init__() call")
    if hasattr(type(module), name):
        raise KeyError(f"attribute '{name}' already exists on {type(module).__name__}")


def _new_buffer(
    module: ModuleRegistration, name: str, value: Tensor | np.ndarray | None
) -> Tensor | None:
    """A buffer as registered: a Tensor, after the global registration hooks ran."""
    if value is None:
        return None
    buffer = registered_buffer(module, name, _buffer_tensor(value, name, module))
    return _buffer_tensor(buffer, name, module)


def _buffer_tensor(value: Tensor | np.ndarray, name: str, module: ModuleRegistration) -> Tensor:
    """A buffer is a Tensor outside the graph (as PyTorch); an array is wrapped, not copied."""
    if isinstance(value, Tensor):
        return value if not value.requires_grad else value.detach()
    if isinstance(value, np.ndarray):
        return Tensor._wrap(value)
    raise TypeError(
        f"cannot assign '{type(value).__name__}' as buffer '{name}' of {type(module).__name__} "
        f"(an array, a Tensor or None expected)"
    )
