"""Reaching into a module tree by dotted name: ``get_submodule``, ``get_parameter``,
``get_buffer``, ``set_submodule`` (a mixin of `Module`, as in PyTorch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .parameter import Parameter


class ModuleLookup:
    """Dotted-name access of `Module` (the annotations say ``ModuleLookup``: every Module is one,
    and this module does not import the Module built on it)."""

    __slots__ = ()

    def get_submodule(self, target: str) -> ModuleLookup:
        """The module at ``target`` ("" is the module itself, "features.0" a grandchild)."""
        module = self
        if target == "":
            return module
        walked = []
        for name in target.split("."):
            child = module._modules.get(name) if hasattr(module, "_modules") else None
            if child is None:
                where = ".".join(walked) or type(self).__name__
                raise AttributeError(
                    f"{where} has no submodule {name!r} (looking up {target!r}; children: "
                    f"{list(module._modules)})"
                )
            walked.append(name)
            module = child
        return module

    def set_submodule(self, target: str, module: ModuleLookup) -> None:
        """Put ``module`` at ``target`` (its parent must exist)."""
        parent, _, name = target.rpartition(".")
        self.get_submodule(parent).add_module(name, module)

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at ``target`` (e.g. "features.0.weight")."""
        owner, _, name = target.rpartition(".")
        module = self.get_submodule(owner)
        if name not in module._parameters or module._parameters[name] is None:
            raise AttributeError(f"{type(module).__name__} has no parameter {name!r} ({target!r})")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at ``target`` (e.g. "bn.running_mean")."""
        owner, _, name = target.rpartition(".")
        module = self.get_submodule(owner)
        if name not in module._buffers or module._buffers[name] is None:
            raise AttributeError(f"{type(module).__name__} has no buffer {name!r} ({target!r})")
        return module._buffers[name]
