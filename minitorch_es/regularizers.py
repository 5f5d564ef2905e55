"""``Regularizer``: a penalty on a tensor, added to the loss (Keras semantics).

A layer opts in by convention: an attribute ``<parameter>_regularizer`` (e.g.
``weight_regularizer``) penalises that parameter; `apply_activity_regularizer` records a
penalty on the layer's output, divided by the batch size. ``Module.regularization_loss()`` sums
all of them for the last forward pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .config import Configurable
from .tensor import Tensor

if TYPE_CHECKING:
    from .nn.module import Module


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


ACTIVITY_PENALTY = "_activity_penalty"


def apply_activity_regularizer(module: Module, output: Tensor) -> None:
    """Record ``module.activity_regularizer(output) / batch_size`` for this forward pass."""
    reg = module.__dict__.get("activity_regularizer")
    if reg is None:
        return
    batch = output.shape[0] if output.ndim else 1
    module.__dict__[ACTIVITY_PENALTY] = reg(output) / batch


def collect_penalties(model: Module) -> Tensor:
    """The sum of every weight penalty and of the activity penalties of the last forward."""
    from .creation import tensor

    total = None
    for m in model.modules():
        terms = [
            reg(m._parameters[name[: -len("_regularizer")]])
            for name, reg in m.__dict__.items()
            if name.endswith("_regularizer")
            and name != "activity_regularizer"
            and reg is not None
            and m._parameters.get(name[: -len("_regularizer")]) is not None
        ]
        activity = m.__dict__.get(ACTIVITY_PENALTY)
        if activity is not None:
            terms.append(activity)
        for t in terms:
            total = t if total is None else total + t
    return total if total is not None else tensor(0.0)


from .namespaces import namespace_dir, namespace_getattr  # noqa: E402

__getattr__ = namespace_getattr("regularizers", __name__)
__dir__ = namespace_dir("regularizers", globals())
