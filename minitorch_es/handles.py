"""``RemovableHandle``: what every ``register_*_hook`` returns (tensors, modules, optimizers)."""

from __future__ import annotations

from collections.abc import Callable


class RemovableHandle:
    """Returned by ``register_*_hook``; ``remove()`` unregisters the hook (also as a context
    manager: the hook is removed on leaving the ``with`` block)."""

    _next_id = 0

    def __init__(self, table: dict, hook: Callable) -> None:
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
