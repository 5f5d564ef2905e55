"""``Linear``: the fully connected layer ``y = x @ W.T + b`` (PyTorch's ``nn.Linear``).

The weight has PyTorch's layout ``(out_features, in_features)``; in the thesis's notation
``Z = A @ W`` the thesis's ``W`` is this ``weight.T``. Forward and backward are one fused Function
whose backward is the thesis's delta rule: with ``delta = dL/dZ``,
``dL/dW = delta.T @ A``, ``dL/db = sum(delta)``, ``dL/dA = delta @ W`` (operators that arrays
and Tensors share, so the rule is differentiable again: second derivatives).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive, ShownNode
from minitorch_es.errors import ShapeError
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .arguments import check_same_dtype, describe_shape
from .options import (
    check_device,
    default_bias_init,
    default_weight_init,
    finish,
    initialize,
    options_repr,
    setup_weights,
)

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor
    from minitorch_es.autograd import Context


class LinearFunction(Primitive):
    """``x @ weight.T + bias`` over any number of leading dimensions of ``x``."""

    backward_name = "AddmmBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None):
        check_same_dtype("linear", x, weight)
        if x.ndim != 2 or bias is None:  # PyTorch's node names: addmm only for 2-D with bias
            ctx.backward_name = "MmBackward0" if x.ndim == 2 else "ViewBackward0"
        x2 = x.reshape(-1, x.shape[-1])  # leading dims folded: one BLAS call
        out = x2 @ weight.T
        if bias is not None:
            out += bias
        ctx.save_for_backward(x, weight)
        return out.reshape(*x.shape[:-1], weight.shape[0])

    @staticmethod
    def shown_next_functions(ctx: Context, edges: tuple) -> tuple:
        """PyTorch's graph of a 2-D linear, ``addmm(bias, input, weight.t())`` (``mm(input,
        weight.t())`` without bias): bias first, the weight behind a ``TBackward0`` node."""
        name = ctx.grad_fn_name
        if name not in ("AddmmBackward0", "MmBackward0"):
            return edges
        x, w, b = edges
        shown_w = w if w[0] is None else (ShownNode("TBackward0", (w,)), 0)
        return (b, x, shown_w) if name == "AddmmBackward0" else (x, shown_w)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        delta = grad.reshape(-1, grad.shape[-1])
        gx = (delta @ weight).reshape(x.shape) if need_x else None
        gw = None
        if need_w:  # written into the optimizer's gradient buffer when it is free
            x2, buffer = x.reshape(-1, x.shape[-1]), ctx.grad_buffer(1)
            gw = delta.T @ x2 if buffer is None else np.matmul(delta.T, x2, out=buffer)
        # The shared method rather than xp.sum: NumPy's np.sum wrapper costs ~2 us a call.
        gb = delta.sum(axis=0) if need_b else None
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``F.linear``: ``input @ weight.T + bias`` as one fused op."""
    return LinearFunction.apply(input, weight, bias)


class Linear(Module):
    """Applies ``y = x @ weight.T + bias`` to the last dimension of the input.

    ``Linear(in_features, out_features, bias=True, dtype=None)`` as in PyTorch (weight
    ``(out_features, in_features)``, default init ``kaiming_uniform_(a=sqrt(5))`` for the weight
    and U(-1/sqrt(in_features), 1/sqrt(in_features)) for the bias). Keras-style keyword options:
    ``activation`` (applied after the affine map), ``weight_init`` / ``bias_init`` (initializer
    specs replacing the defaults), ``weight_regularizer`` / ``bias_regularizer`` /
    ``activity_regularizer``, ``weight_constraint`` / ``bias_constraint`` (attached to the
    parameters, so every optimizer applies them). The thesis's MNIST hidden layer is
    ``Linear(784, 64, activation="relu", activity_regularizer=mt.regularizers.l2(0.001))``.

        >>> layer = mt.nn.Linear(3, 2)
        >>> layer.weight.shape, layer(mt.randn(4, 3)).shape
        (torch.Size([2, 3]), torch.Size([4, 2]))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        activation: str | dict[str, Any] | Callable | None = None,
        weight_init: str | dict[str, Any] | Callable | None = None,
        bias_init: str | dict[str, Any] | Callable | None = None,
        weight_regularizer: str | dict[str, Any] | Callable | None = None,
        bias_regularizer: str | dict[str, Any] | Callable | None = None,
        activity_regularizer: str | dict[str, Any] | Callable | None = None,
        weight_constraint: str | dict[str, Any] | Callable | None = None,
        bias_constraint: str | dict[str, Any] | Callable | None = None,
    ) -> None:
        super().__init__()
        check_device(device, "Linear")
        self.in_features = check_int(in_features, "in_features", "Linear", low=0)
        self.out_features = check_int(out_features, "out_features", "Linear", low=0)
        setup_weights(
            self,
            (self.out_features, self.in_features),
            bias,
            dtype,
            weight_init=weight_init,
            bias_init=bias_init,
            activation=activation,
            weight_regularizer=weight_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            weight_constraint=weight_constraint,
            bias_constraint=bias_constraint,
        )

    def reset_parameters(self) -> None:
        """Re-draw the weight and bias (from ``weight_init``/``bias_init`` or PyTorch's default)."""
        initialize(self.weight, self.weight_init, default_weight_init)
        if self.bias is not None:
            initialize(self.bias, self.bias_init, default_bias_init(self.in_features))

    def forward(self, input: Tensor) -> Tensor:
        shape = getattr(input, "shape", ())  # the plain tuple is built only for the message
        if not shape or shape[-1] != self.in_features:
            raise ShapeError(
                f"Linear: expected input with last dimension {self.in_features} (in_features), "
                f"got shape {describe_shape(input)}"
            )
        check_same_dtype("Linear", input, self.weight, given=True)
        return finish(self, LinearFunction.apply(input, self.weight, self.bias))

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}" + options_repr(self)
        )


class NonDynamicallyQuantizableLinear(Linear):
    """The `Linear` of ``MultiheadAttention.out_proj``, as PyTorch names it (there the class
    only keeps quantization from replacing that layer): the same layer under PyTorch's name,
    so a model prints, and lists its classes for ``safe_globals``, as PyTorch's does."""
