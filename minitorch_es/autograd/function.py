"""``Function``: an operation with a forward and a hand-written backward on NumPy arrays.

Every built-in op is a Function, and so is a user's op with a hand-derived gradient (see the
example under `Function`). ``forward`` receives the ``.data`` arrays of Tensor arguments and
other arguments unchanged; ``backward`` returns one gradient (or ``None``) per positional input
of ``forward``.
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
        """Keep arrays for backward, which reads them back as ``ctx.saved_tensors``. Other
        values (options, shapes) can be stored as plain attributes: ``ctx.dim = dim``."""
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
    """Base class of differentiable operations; subclasses define static forward/backward.

    Call an op with ``apply`` (never ``forward`` directly), as in PyTorch; `gradcheck` verifies
    a hand-written backward against finite differences.

        >>> class Square(mt.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad
        >>> t = mt.tensor([3.], requires_grad=True)
        >>> Square.apply(t).backward()
        >>> t.grad
        array([6.], dtype=float32)
        >>> mt.autograd.gradcheck(Square.apply, mt.randn(4, dtype=mt.float64, requires_grad=True))
        True
    """

    @staticmethod
    def forward(ctx: Context, *args, **kwargs):
        """Compute the result from NumPy arrays (Tensor arguments arrive as their ``.data``);
        save what backward needs with ``ctx.save_for_backward``. Keyword arguments are options,
        not differentiable inputs."""
        raise NotImplementedError("Function subclasses must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        """Given the gradient of the output (an array, never to be modified in place), return
        one gradient array (or None) per positional input of forward; ``ctx.needs_input_grad``
        says which are wanted."""
        raise NotImplementedError("Function subclasses must implement backward(ctx, grad)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on the arguments and return a Tensor that records this op in the graph
        when an input requires grad and grad mode is enabled."""
        Tensor = _Tensor
        # One pass over the arguments: this runs for every op, so it is kept lean.
        arrays, flags = [], []
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                flags.append(a._requires_grad)
            else:
                arrays.append(a)
                flags.append(False)
        needs = grad_mode._enabled and True in flags
        ctx = Context(cls, args, tuple(flags)) if needs else _NoGradContext(len(args))
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
        if needs and out.dtype.kind in "fc":
            result._requires_grad = True
            result._ctx = ctx
        if _tracer is not None:
            _tracer(cls, args, kwargs, result)
        return result


# While an ONNX export traces a forward pass (minitorch_es.onnx), the callable that records
# every op: ``_tracer(cls, args, kwargs, result)``; None otherwise.
_tracer = None

# Set by minitorch_es.tensor once the Tensor class exists (the two modules need each other).
_Tensor: type = None  # type: ignore[assignment]
