"""``Module``: the base class of layers and models (PyTorch's ``nn.Module``).

Assigning a Parameter, a Module or a buffer to an attribute registers it, so ``parameters()``,
``state_dict()`` and ``train()/eval()`` find it. Subclasses write ``__init__`` (calling
``super().__init__()`` first) and ``forward``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Configurable
from ..dtypes import of_numpy
from ..errors import ShapeError
from ..handles import RemovableHandle
from ..penalties import ACTIVITY_PENALTY, activity_recorders, total_penalty
from ..tensor import Tensor
from .backward_hooks import call_with_backward_hooks
from .lookup import ModuleLookup
from .parameter import Parameter
from .registration_hooks import (  # noqa: F401 (re-exported, as torch.nn.modules.module does)
    register_module_buffer_registration_hook,
    register_module_parameter_registration_hook,
    registered_buffer,
    registered_parameter,
)
from .state import IncompatibleKeys, ModuleState  # noqa: F401 (re-exported)
from .summary import ModuleSummary
from .tables import Table

if TYPE_CHECKING:
    pass


class Module(ModuleState, ModuleLookup, ModuleSummary, Configurable):
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

    def __call__(self, *args, **kwargs):
        if "_forward_hooks" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__} was called before Module.__init__() ran: call "
                f"super().__init__() at the start of {type(self).__name__}.__init__"
            )
        try:
            if not (
                self._forward_hooks
                or self._forward_pre_hooks
                or self._backward_hooks
                or self._backward_pre_hooks
            ):
                return self.forward(*args, **kwargs)
            for hook in list(self._forward_pre_hooks.values()):
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
            if self._backward_hooks or self._backward_pre_hooks:
                out = call_with_backward_hooks(self, self.forward, args, kwargs)
            else:
                out = self.forward(*args, **kwargs)
            for hook in list(self._forward_hooks.values()):
                result = hook(self, args, out)
                if result is not None:
                    out = result
            return out
        except ShapeError as e:
            _name_failing_layer(e, self)
            raise

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, inputs, output)`` runs after every forward; it may return a new output."""
        return RemovableHandle(self._forward_hooks, hook)

    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, inputs)`` runs before every forward; it may return new inputs."""
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_full_backward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs when the gradients with respect to
        the module's inputs are computed; it may return a replacement ``grad_input``."""
        return RemovableHandle(self._backward_hooks, hook)

    def register_full_backward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when the gradients with respect to the module's
        outputs are computed; it may return a replacement ``grad_output``."""
        return RemovableHandle(self._backward_pre_hooks, hook)

    # --------------------------------------------------------------- registration
    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, (Parameter, Module)) and params is None:
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
        elif isinstance(value, Module):
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

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module under ``name`` (alias ``register_module``)."""
        _check_name(name, self, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._discard(name, keep=self._modules)
        self._modules[name] = module

    register_module = add_module

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

    def regularization_loss(self) -> Tensor:
        """The penalties to add to the loss, as Keras's ``sum(model.losses)``: each parameter's
        ``regularizer`` on its current value plus the activity penalties of the last forward
        pass (0 when there are none). ``loss + model.regularization_loss()`` is then Keras's
        loss in any training loop. Only the activity part backpropagates: every optimizer's
        ``step`` adds the weight penalties' gradients itself, so none counts twice."""
        return total_penalty(*self._penalty_sources())

    def _penalty_sources(self) -> tuple[list, list]:
        """The parameters that carry a regularizer and the modules that recorded an activity
        penalty: walking the tree for them at every training step costs more than the rest
        of a small model's step, so they are cached until a parameter's rules, a module table
        (`Table`) or the set of recording modules changes."""
        key = (Parameter.rules_changes, Table.changes, activity_recorders())
        cached = self.__dict__.get("_penalty_cache")
        if cached is None or cached[0] != key:
            regularized = [p for p in self.parameters() if p.regularizer is not None]
            recorders = [m for m in self.modules() if ACTIVITY_PENALTY in m.__dict__]
            cached = (key, regularized, recorders)
            object.__setattr__(self, "_penalty_cache", cached)
        return cached[1], cached[2]


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


def _check_name(name: str, module: Module, what: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{what} name should be a str, got {type(name).__name__}")
    if "." in name or not name:
        raise KeyError(f"{what} name can't contain '.' or be empty, got {name!r}")
    if "_parameters" not in module.__dict__:
        raise AttributeError(f"cannot assign {what} before Module.__init__() call")
    if hasattr(type(module), name):
        raise KeyError(f"attribute '{name}' already exists on {type(module).__name__}")


def _new_buffer(module: Module, name: str, value: Tensor | np.ndarray | None) -> Tensor | None:
    """A buffer as registered: a Tensor, after the global registration hooks ran."""
    if value is None:
        return None
    buffer = registered_buffer(module, name, _buffer_tensor(value, name, module))
    return _buffer_tensor(buffer, name, module)


def _buffer_tensor(value: Tensor | np.ndarray, name: str, module: Module) -> Tensor:
    """A buffer is a Tensor outside the graph (as PyTorch); an array is wrapped, not copied."""
    if isinstance(value, Tensor):
        return value if not value.requires_grad else value.detach()
    if isinstance(value, np.ndarray):
        return Tensor._wrap(value)
    raise TypeError(
        f"cannot assign '{type(value).__name__}' as buffer '{name}' of {type(module).__name__} "
        f"(an array, a Tensor or None expected)"
    )


__all__ = ["Module", "Parameter", "ShapeError", "IncompatibleKeys"]
