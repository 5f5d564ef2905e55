"""``ParameterList`` and ``ParameterDict``: parameters held in a list or a dict, registered
with their module, as in PyTorch."""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _as_parameter(value: Any, where: int | str) -> Parameter:
    """A Parameter as it is; a Tensor becomes one (as PyTorch's ParameterList does)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(
        f"ParameterList/ParameterDict entry {where!r}: expected a Parameter or a Tensor, got "
        f"{type(value).__name__}"
    )


class ParameterList(Module):
    """A list of parameters registered as ``"0"``, ``"1"`` ... of the module holding it;
    Tensors appended become Parameters.

        >>> params = mt.nn.ParameterList([mt.nn.Parameter(mt.zeros(2)) for _ in range(3)])
        >>> len(params), [n for n, _ in params.named_parameters()]
        (3, ['0', '1', '2'])
    """

    def __init__(self, values: Iterable[Parameter | Tensor] | None = None) -> None:
        super().__init__()
        for v in values or []:
            self.append(v)

    def __getitem__(self, index: int | slice) -> Parameter | ParameterList:
        items = list(self._parameters.values())
        if isinstance(index, slice):
            return ParameterList(items[index])
        n = len(items)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for a ParameterList of {n}")
        return items[index % n]

    def __setitem__(self, index: int, value: Parameter | Tensor) -> None:
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for a ParameterList of {n}")
        self.register_parameter(str(index % n), _as_parameter(value, index))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def append(self, value: Parameter | Tensor) -> ParameterList:
        """Add a parameter at the end. Returns ``self``."""
        self.register_parameter(str(len(self)), _as_parameter(value, len(self)))
        return self

    def extend(self, values: Iterable[Parameter | Tensor]) -> ParameterList:
        """Append each of ``values``. Returns ``self``."""
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(
            f"({i}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
            for i, p in enumerate(self)
        )

    def forward(self, *args, **kwargs) -> Any:
        raise RuntimeError("ParameterList should not be called")


class ParameterDict(Module):
    """A dict of parameters registered under their keys (which may not contain dots);
    Tensors become Parameters.

        >>> d = mt.nn.ParameterDict({"scale": mt.nn.Parameter(mt.ones(1))})
        >>> list(d.keys()), [n for n, _ in d.named_parameters()]
        (['scale'], ['scale'])
    """

    def __init__(
        self, parameters: Mapping[str, Parameter | Tensor] | Iterable[tuple] | None = None
    ) -> None:
        super().__init__()
        if parameters:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        if key not in self._parameters:
            raise KeyError(f"ParameterDict has no key {key!r}; keys: {list(self._parameters)}")
        return self._parameters[key]

    def __setitem__(self, key: str, value: Parameter | Tensor) -> None:
        self.register_parameter(key, _as_parameter(value, key))

    def __delitem__(self, key: str) -> None:
        del self._parameters[key]

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def keys(self) -> KeysView[str]:
        """The keys, in insertion order."""
        return self._parameters.keys()

    def values(self) -> ValuesView[Parameter]:
        """The parameters, in insertion order."""
        return self._parameters.values()

    def items(self) -> ItemsView[str, Parameter]:
        """``(key, parameter)`` pairs, in insertion order."""
        return self._parameters.items()

    def get(self, key: str, default: Any = None) -> Any:
        """The parameter under ``key``, or ``default``."""
        return self._parameters.get(key, default)

    def pop(self, key: str) -> Parameter:
        """Remove and return the parameter under ``key``."""
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        """Remove every parameter."""
        self._parameters.clear()

    def update(self, parameters: Mapping[str, Parameter | Tensor] | Iterable[tuple]) -> None:
        """Add or replace parameters from a mapping or from ``(key, value)`` pairs."""
        items = parameters.items() if isinstance(parameters, Mapping) else parameters
        for key, value in items:
            self[key] = value

    def forward(self, *args, **kwargs) -> Any:
        raise RuntimeError("ParameterDict should not be called")
