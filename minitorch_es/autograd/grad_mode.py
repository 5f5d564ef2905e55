"""Whether operations record a graph: ``no_grad`` / ``enable_grad`` / ``set_grad_enabled``."""

from __future__ import annotations

import functools
from collections.abc import Callable

_enabled = True


def is_grad_enabled() -> bool:
    """True when operations record a graph (not inside `no_grad`)."""
    return _enabled


class set_grad_enabled:
    """Context manager (and function) that switches graph recording on or off, as in PyTorch."""

    def __init__(self, mode: bool) -> None:
        global _enabled
        self.prev = _enabled
        self.mode = bool(mode)
        _enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        global _enabled
        _enabled = self.prev


class _GradModeDecorator:
    mode = True

    def __new__(cls, fn: Callable | None = None):
        # ``@no_grad`` without parentheses decorates directly, as in PyTorch >= 2.1.
        return super().__new__(cls) if fn is None else cls()(fn)

    def __enter__(self) -> None:
        global _enabled
        self._prev_stack = getattr(self, "_prev_stack", [])
        self._prev_stack.append(_enabled)
        _enabled = self.mode

    def __exit__(self, *exc) -> None:
        global _enabled
        _enabled = self._prev_stack.pop()

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradModeDecorator):
    """Disable graph recording inside a ``with`` block or a decorated function, as in PyTorch:
    use it for evaluation and for manual parameter updates.

        >>> x = mt.ones(2, requires_grad=True)
        >>> with mt.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
        >>> @mt.no_grad()
        ... def predict(t):
        ...     return t * 2
        >>> predict(x).requires_grad
        False
    """

    mode = False


class enable_grad(_GradModeDecorator):
    """Re-enable graph recording (e.g. inside a ``no_grad`` block)."""

    mode = True
