"""Automatic differentiation: ``Function``, the backward engine, grad modes and ``gradcheck``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .function import Context, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..tensor import Tensor


def backward(
    tensor: Tensor, grad: Tensor | ArrayLike | None = None, retain_graph: bool = False
) -> None:
    """``mt.autograd.backward(t)`` is ``t.backward()``."""
    tensor.backward(grad, retain_graph=retain_graph)


__all__ = [
    "Context",
    "Function",
    "GradcheckError",
    "backward",
    "enable_grad",
    "gradcheck",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]
