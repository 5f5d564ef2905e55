"""``Table``: the ordered dict a Module keeps its parameters and children in, which counts its
changes.

Caches that depend on the shape of a module tree (which parameters carry a regularizer, which
modules may record an activity penalty: see ``Module.regularization_loss``) are keyed on
`Table.changes`, so they stay right however the tree is edited: attribute assignment,
``add_module``, a container's ``append``/``pop``, or code that writes ``_modules`` directly, as
some PyTorch code does.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class Table(OrderedDict):
    """An OrderedDict whose every change bumps the class-wide counter `changes`."""

    #: Number of changes of any Table so far (a cache compares it with the value it saw).
    changes = 0

    def __setitem__(self, key: Any, value: Any) -> None:
        Table.changes += 1
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        Table.changes += 1
        super().__delitem__(key)

    def pop(self, *args) -> Any:
        Table.changes += 1
        return super().pop(*args)

    def popitem(self, last: bool = True) -> tuple:
        Table.changes += 1
        return super().popitem(last)

    def clear(self) -> None:
        Table.changes += 1
        super().clear()

    def update(self, *args, **kwargs) -> None:
        Table.changes += 1
        super().update(*args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        Table.changes += 1
        return super().setdefault(key, default)

    def move_to_end(self, key: Any, last: bool = True) -> None:
        Table.changes += 1
        super().move_to_end(key, last)
