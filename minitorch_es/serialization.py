"""``torch.serialization``'s controls of ``mt.load(..., weights_only=True)``: the globals a user
allows (`add_safe_globals`, the `safe_globals` context manager) and the environment variables
that force the default (``TORCH_FORCE_WEIGHTS_ONLY_LOAD`` / ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``,
PyTorch's names, read as PyTorch reads them).

``mt.load`` never unpickles, so an allowed "global" is not something to import: it is the
permission PyTorch asks for. As in PyTorch 2.6+, a plain NumPy array in a file is refused with
``weights_only=True`` (PyTorch's unpickler stops at ``numpy._core.multiarray._reconstruct``)
unless ``np.ndarray`` is allowed here.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from typing import Any

_TRUE = ("1", "y", "yes", "true")
_allowed: list[Any] = []


def add_safe_globals(safe_globals: Iterable[Any]) -> None:
    """Allow ``safe_globals`` (classes, functions) in ``mt.load(..., weights_only=True)``,
    for the rest of the process (``torch.serialization.add_safe_globals``). For example:

        >>> import numpy as np
        >>> add_safe_globals([np.ndarray]); np.ndarray in get_safe_globals()
        True
        >>> clear_safe_globals()
    """
    if isinstance(safe_globals, (str, bytes)) or not isinstance(safe_globals, Iterable):
        raise TypeError(
            f"add_safe_globals expects a list of classes or functions, got "
            f"{type(safe_globals).__name__}"
        )
    _allowed.extend(safe_globals)


def get_safe_globals() -> list[Any]:
    """What `add_safe_globals` (and the `safe_globals` blocks entered) allowed."""
    return list(_allowed)


def clear_safe_globals() -> None:
    """Forget every allowed global."""
    _allowed.clear()


class safe_globals:  # noqa: N801  (PyTorch's name: a context manager used as a function)
    """``with safe_globals([...]):`` allows the globals inside the block only
    (``torch.serialization.safe_globals``)."""

    def __init__(self, safe_globals: Iterable[Any]) -> None:
        self.safe_globals = list(safe_globals)

    def __enter__(self) -> None:
        self._before = get_safe_globals()
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc: object) -> None:
        _allowed[:] = self._before


def is_allowed(value: Any) -> bool:
    """Whether ``value`` was allowed (compared by identity, as the globals are objects)."""
    return any(value is allowed for allowed in _allowed)


def resolve_weights_only(weights_only: bool | None) -> bool:
    """The ``weights_only`` ``mt.load`` applies: True by default (PyTorch 2.6+), forced to True
    by ``TORCH_FORCE_WEIGHTS_ONLY_LOAD``, to False by ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` when
    the caller did not pass it (with PyTorch's warning)."""
    force = os.getenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    force_no = os.getenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0").lower() in _TRUE
    if force and force_no:
        raise RuntimeError(
            "Only one of `TORCH_FORCE_WEIGHTS_ONLY_LOAD` or `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` "
            "should be set, but both were set."
        )
    if force:
        return True
    if weights_only is None and force_no:
        warnings.warn(
            "Environment variable TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD detected, since the "
            "`weights_only` argument was not explicitly passed to `mt.load`, forcing "
            "weights_only=False.",
            UserWarning,
            stacklevel=3,
        )
        return False
    return weights_only is not False
