"""The handle that ``register_*_hook`` methods return (modules' forward hooks, optimizers'
step hooks): ``handle.remove()`` unregisters the hook."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable


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
