"""``Function``: an operation with a forward and a hand-written backward on NumPy arrays.

Every built-in op is a Function, and so is a user's op with a hand-derived gradient::

    class Square(mt.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    y = Square.apply(t)

``forward`` receives the ``.data`` arrays of Tensor arguments and other arguments unchanged;
``backward`` returns one gradient (or ``None``) per positional input of ``forward``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from . import grad_mode


class Context:
    """What a Function remembers between forward and backward (PyTorch's ``ctx``)."""

    def __init__(self, fn: type, inputs: tuple, needs_input_grad: tuple) -> None:
        self.fn = fn
        self.inputs = inputs
        self.needs_input_grad = needs_input_grad
        self.saved_tensors: tuple = ()

    def save_for_backward(self, *arrays) -> None:
        self.saved_tensors = arrays


class _NoGradContext:
    """Throw-away ``ctx`` for calls that build no graph: nothing is saved for backward, but
    attributes that forward sets (and may read back) live for the call, as in PyTorch."""

    saved_tensors = ()

    def __init__(self, n_inputs: int) -> None:
        self.needs_input_grad = (False,) * n_inputs

    def save_for_backward(self, *arrays) -> None:
        pass


class Function:
    """Base class of differentiable operations; subclasses define static forward/backward."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("Function subclasses must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("Function subclasses must implement backward(ctx, grad)")

    @classmethod
    def apply(cls, *args, **kwargs):
        Tensor = _Tensor
        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        needs = grad_mode._enabled and any(
            isinstance(a, Tensor) and a.requires_grad for a in args
        )
        if needs:
            ctx = Context(
                cls, args, tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
            )
        else:
            ctx = _NoGradContext(len(args))
        try:
            out = cls.forward(ctx, *arrays, **kwargs)
        except ShapeError:
            raise
        except ValueError as e:
            shapes = ", ".join(str(np.shape(a)) for a in arrays if isinstance(a, np.ndarray))
            raise ShapeError(f"{cls.__name__}: {e} (input shapes: {shapes})") from e
        if not isinstance(out, np.ndarray):
            out = np.asarray(out)
        result = Tensor._wrap(out)
        if needs:
            result.requires_grad = True
            result._ctx = ctx
        return result


# Set by minitorch_es.tensor once the Tensor class exists (the two modules need each other).
_Tensor: type = None  # type: ignore[assignment]
