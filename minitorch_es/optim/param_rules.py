"""What every optimizer applies to its parameters besides its own update rule.

* ``maximize`` and ``weight_decay`` (param-group options, PyTorch's semantics): the gradient an
  update rule sees is ``±grad + weight_decay * param``; with ``decoupled_weight_decay`` the
  parameter is shrunk by ``lr * weight_decay`` instead (AdamW);
* a parameter's ``regularizer``: its penalty's gradient is added to the gradient before the
  update, so the penalty is part of the objective as in Keras (``L2(l)(w) = l * sum(w**2)``
  adds ``2 * l * w``) in any training loop;
* a parameter's ``constraint``: it projects the parameter after the update (Keras).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..autograd.grad_mode import enable_grad, no_grad
from ..errors import ShapeError
from ..tensor import Tensor


def effective_grad(group: dict, param: np.ndarray, grad: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``(-grad if maximize else grad) + weight_decay * param`` for the group's options:
    ``grad`` itself when nothing changes it, else written into ``out`` (a work array, so a step
    allocates nothing). Decoupled weight decay shrinks ``param`` here and leaves the gradient
    alone."""
    maximize = bool(group.get("maximize", False))
    decay = float(group.get("weight_decay", 0) or 0)
    if decay != 0 and group.get("decoupled_weight_decay"):
        param *= 1.0 - float(group["lr"]) * decay
        decay = 0.0
    if decay == 0:
        return np.negative(grad, out=out) if maximize else grad
    work = np.multiply(param, decay, out=out)
    return np.subtract(work, grad, out=work) if maximize else np.add(work, grad, out=work)


def add_penalty_gradients(params: Iterable[Tensor]) -> None:
    """Add the gradient of each parameter's ``regularizer`` penalty to its ``.grad``."""
    with enable_grad():
        for p in params:
            regularizer = p.regularizer
            if regularizer is None or not p.requires_grad:
                continue
            penalty = regularizer(p)
            if not isinstance(penalty, Tensor) or penalty.numel() != 1:
                raise TypeError(
                    f"the regularizer {regularizer!r} of a parameter of shape {p.shape} must "
                    f"return a scalar Tensor, got {_describe(penalty)}"
                )
            if penalty.requires_grad:
                penalty.backward()


def apply_constraints(params: Iterable[Tensor]) -> None:
    """Project each parameter that has a ``constraint`` in place: ``constraint(param)`` either
    updates it in place and returns it, or returns the projected values."""
    with no_grad():
        for p in params:
            constraint = p.constraint
            if constraint is None:
                continue
            new = constraint(p)
            if new is p or new is None:
                continue
            values = new.numpy(force=True) if isinstance(new, Tensor) else np.asarray(new)
            if values.shape != p.shape:
                raise ShapeError(
                    f"the constraint {constraint!r} returned shape {values.shape} for a "
                    f"parameter of shape {p.shape}"
                )
            p.numpy(force=True)[...] = values


def _describe(value: object) -> str:
    if isinstance(value, Tensor):
        return f"a Tensor of shape {value.shape}"
    return type(value).__name__
