"""``Module``: the base class of layers and models (PyTorch's ``nn.Module``).

Assigning a Parameter, a Module or a buffer to an attribute registers it, so ``parameters()``,
``state_dict()`` and ``train()/eval()`` find it. Subclasses write ``__init__`` (calling
``super().__init__()`` first) and ``forward``.

The class is put together from mixins, one concept each: ``hooks.py`` (hooks and the call that
runs them), ``registration.py`` (the attribute tables), ``state.py`` (``state_dict``),
``lookup.py`` (dotted-name access), ``summary.py`` and ``regularization.py`` (the penalties).
This file keeps construction, traversal, modes and conversions, and the repr.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..config import Configurable
from ..dtypes import of_numpy
from ..errors import ShapeError  # noqa: F401 (re-exported)
from ..handles import RemovableHandle  # noqa: F401 (re-exported)
from ..tensor import Tensor
from .hooks import ModuleHooks
from .lookup import ModuleLookup
from .parameter import Parameter
from .registration import ModuleRegistration
from .registration_hooks import (  # noqa: F401 (re-exported, as torch.nn.modules.module does)
    register_module_buffer_registration_hook,
    register_module_parameter_registration_hook,
)
from .regularization import ModuleRegularization
from .state import IncompatibleKeys, ModuleState  # noqa: F401 (re-exported)
from .summary import ModuleSummary
from .tables import Table


class Module(
    ModuleHooks,
    ModuleRegistration,
    ModuleState,
    ModuleLookup,
    ModuleSummary,
    ModuleRegularization,
    Configurable,
):
    """Base class of layers and models, with PyTorch's ``nn.Module`` semantics.

    Call ``super().__init__()`` first, assign layers and `Parameter` s as attributes, write
    ``forward`` and call the module (not ``forward``) so hooks run. The constructor arguments
    are the module's configuration (``get_config()``), which lets a checkpoint rebuild it.

        >>> class TwoLayer(mt.nn.Module):
        ...     def __init__(self, hidden=4):
        ...         super().__init__()
        ...         self.hidden = mt.nn.Linear(2, hidden)
        ...         self.out = mt.nn.Linear(hidden, 1)
        ...     def forward(self, x):
        ...         return self.out(mt.nn.functional.relu(self.hidden(x)))
        >>> model = TwoLayer()
        >>> model(mt.randn(5, 2)).shape
        torch.Size([5, 1])
        >>> [name for name, _ in model.named_parameters()]
        ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", Table())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", Table())
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())

    def forward(self, *args, **kwargs) -> Any:
        """The computation of the module; subclasses implement it. Call the module itself
        (``model(x)``), which runs the forward hooks around ``forward``."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    # ------------------------------------------------------------------- traversal
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """Every module of the tree (itself first) with its dotted name; a module reachable
        under two names is listed once unless ``remove_duplicate=False``."""
        memo = set() if memo is None else memo
        stack = [(prefix, self, ())]
        while stack:
            name, module, ancestors = stack.pop()
            if remove_duplicate:
                if id(module) in memo:
                    continue
                memo.add(id(module))
            elif id(module) in ancestors:  # without the memo a cycle would never end
                raise RuntimeError(f"module '{name}' ({type(module).__name__}) contains itself")
            yield name, module
            inner = (*ancestors, id(module))
            children = [
                (f"{name}.{n}" if name else n, m, inner)
                for n, m in module._modules.items()
                if m is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """Every module of the tree, itself first."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct children with their attribute names."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The direct children."""
        for _, m in self.named_children():
            yield m

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """Parameters with dotted names; a parameter shared by two modules is listed once."""
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_name, module in modules:
            for name, p in module._parameters.items():
                if p is None or (remove_duplicate and id(p) in seen):
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of the tree (of this module only with ``recurse=False``), each once;
        what an optimizer takes: ``mt.optim.SGD(model.parameters(), lr=0.1)``."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Buffers (Tensors outside the graph) with dotted names."""
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_name, module in modules:
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer of the tree (Tensors)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule (children first) and on itself, as PyTorch."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---------------------------------------------------------------------- modes
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=False``: evaluation) on this module and its descendants;
        Dropout and BatchNorm behave differently in each. Returns ``self``."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {type(mode).__name__}")
        object.__setattr__(self, "training", mode)
        for child in self.children():  # through train(), so that subclasses can override it
            child.train(mode)
        return self

    def eval(self) -> Module:
        """``self.train(False)``: evaluation mode. Returns ``self``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (``False`` freezes them). Returns ``self``."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter: to None (default, as PyTorch) or to zeros."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad[...] = 0

    def to(self, *args, **kwargs) -> Module:
        """Move to a device and/or convert floating-point parameters and buffers to a dtype,
        in place, as ``torch.nn.Module.to``: ``to(dtype)``, ``to(device)``, ``to(device,
        dtype)``, ``to(tensor)``. Only the CPU exists: another device raises."""
        from ..devices import check_device
        from ..tensor_dtype import _to_arguments

        dtype, dev, _ = _to_arguments(args, kwargs)
        check_device(dev)
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {of_numpy(dtype)}")
        for m in self.modules():
            for name, p in m._parameters.items():
                if p is not None and p.dtype.kind == "f" and p.dtype != dtype:
                    if p._arena is not None:
                        raise RuntimeError(
                            f"cannot change the dtype of parameter '{name}' of "
                            f"{type(m).__name__}: it is packed in an optimizer; convert the "
                            f"model before creating the optimizer"
                        )
                    p.data = p._data.astype(dtype)
                    if p.grad is not None:
                        p.grad = p.grad.to(dtype)
            for name, b in m._buffers.items():
                if b is not None and b.dtype.kind == "f":
                    m._buffers[name] = b.to(dtype)
        return self

    def cpu(self) -> Module:
        """``self`` (modules already live on the CPU)."""
        return self

    def cuda(self, device: int | str | None = None) -> Module:
        """Raises: no GPU backend is installed (see `mt.device`)."""
        from ..devices import backend_of
        from ..devices import device as make_device

        backend_of(make_device("cuda") if device is None else device)
        return self  # pragma: no cover  (only reached with a registered CUDA backend)

    def half(self) -> Module:
        """``self.to(mt.float16)``."""
        return self.to(np.float16)

    def share_memory(self) -> Module:
        """``self``: there is one process's memory to share (PyTorch moves it to shared memory
        for multiprocessing)."""
        return self

    def compile(self, *args, **kwargs) -> None:
        """Accepted for PyTorch compatibility (``model.compile()``): nothing is compiled."""

    def float(self) -> Module:
        """``self.to(mt.float32)``."""
        return self.to(np.float32)

    def double(self) -> Module:
        """``self.to(mt.float64)``."""
        return self.to(np.float64)

    # ---------------------------------------------------------------- description
    def extra_repr(self) -> str:
        """The text inside the parentheses of the module's repr (e.g. ``in_features=2, ...``);
        override it to show a layer's options."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, m in self._modules.items():
            child = repr(m).replace("\n", "\n  ")
            lines.append(f"({name}): {child}")
        if not self._modules and len(lines) <= 1:
            return f"{type(self).__name__}({extra})"
        # As PyTorch: with children (or a multi-line extra_repr) every line is indented.
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"

    def __dir__(self):
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )


__all__ = ["Module", "Parameter", "ShapeError", "IncompatibleKeys"]
