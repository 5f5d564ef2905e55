"""``Regularizer`` and ``Constraint``: what can be attached to a parameter (Keras semantics).

A parameter's ``regularizer`` is a penalty on its value, part of the objective: every
optimizer's ``step`` adds the penalty's gradient (see ``minitorch_es.optim.param_rules``) and
``Module.regularization_loss()`` reports its value. A parameter's ``constraint`` projects it
after every optimizer step. Layers attach both from their ``weight_regularizer=`` /
``weight_constraint=`` ... options. An *activity* regularizer penalises a layer's output instead:
`apply_activity_regularizer` records it for the forward pass, divided by the batch size, and
it reaches the gradient through ``loss + model.regularization_loss()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .autograd.grad_mode import no_grad
from .config import Configurable
from .dtypes import get_default_dtype
from .tensor import Tensor


class Regularizer(Configurable):
    """Callable on a Tensor, returns a scalar penalty Tensor (Keras's ``Regularizer``).

    A subclass implements ``__call__``; its constructor arguments are its config.

        >>> class L1Penalty(mt.regularizers.Regularizer):
        ...     def __init__(self, l1=0.01):
        ...         self.l1 = l1
        ...     def __call__(self, x):
        ...         return self.l1 * x.abs().sum()
        >>> L1Penalty(0.5)(mt.tensor([1., -2.]))
        tensor(1.5000)
    """

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(x)")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Constraint(Configurable):
    """A projection of a parameter, applied in place after each optimizer step (Keras's
    ``Constraint``). A subclass implements `project` on the array of values.

        >>> class Clip(mt.regularizers.Constraint):
        ...     def project(self, w):
        ...         return np.clip(w, -1, 1)
        >>> layer = mt.nn.Linear(2, 1, weight_constraint=Clip())
        >>> layer.weight.constraint
        Clip()

    Calling it on a Tensor, Parameter or ndarray projects that in place and returns it.
    """

    def __call__(self, param: Tensor | np.ndarray) -> Tensor | np.ndarray:
        array = param.numpy(force=True) if isinstance(param, Tensor) else param
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            raise TypeError(
                f"{type(self).__name__}: expected a floating-point Tensor, Parameter "
                f"or ndarray, got {type(param).__name__}"
            )
        array[...] = self.project(array)
        return param

    def project(self, w: np.ndarray) -> np.ndarray:
        """The constrained values of ``w`` (same shape and dtype)."""
        raise NotImplementedError(f"{type(self).__name__} must implement project(w)")

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


ACTIVITY_PENALTY = "_activity_penalty"
_recorders = [0]  # modules that ever recorded an activity penalty (a cache key; see below)


def activity_recorders() -> int:
    """How many modules have recorded an activity penalty so far: ``regularization_loss``
    caches which modules of a model did, and looks again when this number changes."""
    return _recorders[0]


def apply_activity_regularizer(module: Any, output: Tensor) -> None:
    """Record ``module.activity_regularizer(output) / batch_size`` for this forward pass of
    ``module`` (a layer that has an ``activity_regularizer`` attribute, None for none)."""
    reg = module.__dict__.get("activity_regularizer")
    if reg is None:
        return
    batch = output.shape[0] if output.ndim else 1
    if ACTIVITY_PENALTY not in module.__dict__:
        _recorders[0] += 1
    module.__dict__[ACTIVITY_PENALTY] = reg(output) / batch


def total_penalty(params: Iterable[Tensor], modules: Iterable[Any]) -> Tensor:
    """The parameters' regularizer penalties (values: the optimizers apply their gradients)
    plus the activity penalties the ``modules`` recorded in their last forward pass."""
    total = None
    with no_grad():
        for p in params:
            reg = getattr(p, "regularizer", None)
            if reg is not None:
                total = reg(p) if total is None else total + reg(p)
    for m in modules:
        activity = m.__dict__.get(ACTIVITY_PENALTY)
        if activity is not None:
            total = activity if total is None else total + activity
    return total if total is not None else Tensor(np.zeros((), dtype=get_default_dtype()))
