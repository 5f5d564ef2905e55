"""Containers: ``Sequential``, ``ModuleList`` and ``ModuleDict``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import ItemsView, Iterable, KeysView, Mapping, ValuesView

from ..config import serialize
from ..tensor import Tensor
from .module import Module


class Sequential(Module):
    """Modules applied in order: ``Sequential(a, b, c)`` or ``Sequential(OrderedDict(...))``.

    Children are named ``"0"``, ``"1"`` ... (or by the dict's keys); indexing and slicing
    return children and sub-``Sequential`` s, as in PyTorch.

        >>> model = mt.nn.Sequential(mt.nn.Linear(2, 8), mt.nn.ReLU(), mt.nn.Linear(8, 1))
        >>> model(mt.randn(4, 2)).shape
        torch.Size([4, 1])
        >>> model[0]
        Linear(in_features=2, out_features=8, bias=True)
    """

    def __init__(self, *args) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (OrderedDict, dict)):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), _module(module, i))

    def forward(self, x: Tensor) -> Tensor:
        """Feed ``x`` through every child in order."""
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index: int | slice) -> Module:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        return items[_index(index, len(items))][1]

    def __setitem__(self, index: int, module: Module) -> None:
        name = list(self._modules)[_index(index, len(self))]
        self.add_module(name, _module(module, index))

    def __delitem__(self, index: int | slice) -> None:
        names = list(self._modules)
        for name in (
            names[index] if isinstance(index, slice) else [names[_index(index, len(names))]]
        ):
            del self._modules[name]
        # Renumber as PyTorch does, so that a later append() cannot overwrite a remaining key.
        _renumber(self)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end. Returns ``self``."""
        self.add_module(str(len(self)), _module(module, len(self)))
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Append each of ``modules``. Returns ``self``."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Put ``module`` before position ``index`` (children are renumbered). Returns ``self``."""
        _renumber(self, _insert_position(index, len(self)), _module(module, index))
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove and return the child at ``index``."""
        module = self[index]
        del self[index]
        return module

    def get_config(self) -> dict:
        """``{"layers": [[name, config], ...]}``: each child's name and registry config."""
        # Children are described by name so that an OrderedDict-built Sequential keeps its keys.
        return {
            "layers": [
                [name, serialize(m, f"Sequential[{name}]")] for name, m in self._modules.items()
            ]
        }

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        """Rebuild from `get_config`'s output (children already instantiated)."""
        layers = config["layers"]
        if all(name == str(i) for i, (name, _) in enumerate(layers)):
            return cls(*[m for _, m in layers])
        return cls(OrderedDict((name, m) for name, m in layers))


class ModuleList(Module):
    """A list of modules registered as children ``"0"``, ``"1"``, ..."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or []:
            self.append(m)

    def __getitem__(self, index: int | slice) -> Module:
        mods = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(mods[index])
        return mods[_index(index, len(mods))]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(_index(index, len(self))), _module(module, index))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end. Returns ``self``."""
        self.add_module(str(len(self)), _module(module, len(self)))
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append each of ``modules``. Returns ``self``."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (children are renumbered)."""
        _renumber(self, _insert_position(index, len(self)), _module(module, index))

    def pop(self, index: int = -1) -> Module:
        """Remove and return the child at ``index`` (children are renumbered)."""
        module = self[index]
        del self[index]
        return module

    def __delitem__(self, index: int | slice) -> None:
        names = list(self._modules)
        for name in (
            names[index] if isinstance(index, slice) else [names[_index(index, len(names))]]
        ):
            del self._modules[name]
        _renumber(self)

    def __repr__(self) -> str:
        # As PyTorch: a run of children that print alike is one "(i-j): n x child" line.
        if not len(self):
            return "ModuleList()"
        runs: list[list] = []  # [first index, last index, repr]
        for i, child in enumerate(self):
            text = repr(child)
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = [
            f"({a}): {text}" if a == b else f"({a}-{b}): {b - a + 1} x {text}"
            for a, b, text in runs
        ]
        return "ModuleList(\n  " + "\n  ".join(x.replace("\n", "\n  ") for x in lines) + "\n)"

    def get_config(self) -> dict:
        """``{"modules": [config, ...]}``, one registry config per child."""
        return {"modules": [serialize(m, f"ModuleList[{i}]") for i, m in enumerate(self)]}


class ModuleDict(Module):
    """A dict of modules registered as children under their keys."""

    def __init__(
        self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None
    ) -> None:
        super().__init__()
        for name, m in (dict(modules) if modules else {}).items():
            self[name] = m

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no key {key!r}; keys: {list(self._modules)}")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, _module(module, key))

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self) -> KeysView[str]:
        """The keys, in insertion order."""
        return self._modules.keys()

    def values(self) -> ValuesView[Module]:
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self) -> ItemsView[str, Module]:
        """``(key, module)`` pairs, in insertion order."""
        return self._modules.items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a mapping or from ``(key, module)`` pairs."""
        for k, m in dict(modules).items():
            self[k] = m

    def pop(self, key: str) -> Module:
        """Remove and return the module under ``key``."""
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def get_config(self) -> dict:
        """``{"modules": {key: config, ...}}``, one registry config per child."""
        return {"modules": {k: serialize(m, f"ModuleDict[{k}]") for k, m in self.items()}}


def _module(m: Module, where: int | str) -> Module:
    if not isinstance(m, Module):
        raise TypeError(f"expected a Module at position/key {where!r}, got {type(m).__name__}")
    return m


def _renumber(container: Module, at: int | None = None, new: Module | None = None) -> None:
    """Name the children "0", "1" ... in order, with ``new`` put at position ``at``."""
    children = list(container._modules.values())
    if new is not None:
        children.insert(at, new)
    container._modules.clear()
    container._modules.update((str(i), m) for i, m in enumerate(children))


def _insert_position(index: int, n: int) -> int:
    if not -n <= index <= n:
        raise IndexError(f"insert: index {index} is out of range for a container of {n} modules")
    return index % (n + 1) if index >= 0 else index + n


def _index(i: int, n: int) -> int:
    if not -n <= i < n:
        raise IndexError(f"index {i} is out of range for a container of {n} modules")
    return i % n


def _register_containers() -> None:
    # Core classes are registered by the core itself; the catalog comes from plugins.
    from ..registry import Provider, registry
    from .parameter_containers import ParameterDict, ParameterList

    for cls in (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict):
        registry.add("layer", cls.__name__, cls, provider=Provider("builtin", "minitorch_es.nn"))


_register_containers()
