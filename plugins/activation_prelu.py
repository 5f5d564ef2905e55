"""PReLU: a leaky ReLU whose negative slope is learned, one per channel (dim 1) or shared.

``prelu(x, w) = x`` where ``x > 0``, else ``w * x`` (at 0 the input gradient is ``w``, as
PyTorch's). PyTorch's rules: the weight is a scalar or 1-D, with one element or as many as
the input has channels (1 for a 1-D input); input and weight share a dtype. The Primitive
saves both inputs (each one's gradient is formed from the other) and keeps the sign mask as a
constant of the derivative, so the backward formula differentiates again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.validation import check_float, check_int, check_tensor

from .layers.options import check_device, parameter_dtype

if TYPE_CHECKING:
    from minitorch_es.autograd import Context


class PReLUFunction(Primitive):
    """``where(x > 0, x, w * x)`` with ``w`` already shaped to broadcast against ``x``."""

    ieee_silent = True  # a zero slope times an infinite input: NaN, without NumPy warnings

    backward_name = "PreluKernelBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, weight: np.ndarray):
        positive = x > 0
        # The slope's gradient takes x where x < 0 (at 0 it is 0 either way): PyTorch's mask,
        # whose derivative in x is then 0 at the kink, as PyTorch's second derivative.
        ctx.positive, ctx.negative = positive, x < 0
        at_kink = x == 0
        ctx.at_kink = at_kink if at_kink.any() else None
        ctx.save_for_backward(x, weight)
        return np.where(positive, x, weight * x)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x, weight = ctx.saved_tensors
        xp, positive = ctx.xp, ctx.positive
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = xp.where(positive, grad, grad * weight)
            if ctx.at_kink is not None:
                grad_x = xp.where(ctx.at_kink, _at_kink(ctx, grad), grad_x)
        grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = xp.unbroadcast(grad * x * ctx.negative, weight.shape)
        return grad_x, grad_w


def _at_kink(ctx: Context, grad: np.ndarray | mt.Tensor) -> np.ndarray | mt.Tensor:
    # At x = 0 PyTorch's input gradient is slope * grad, but its second derivatives there are
    # those of the positive side (1 in grad, 0 in the slope): the value grad * slope, with
    # the derivatives of grad alone.
    raw_grad = grad.detach() if isinstance(grad, mt.Tensor) else grad
    return grad + raw_grad * (ctx.saved_arrays[1] - 1)


def prelu(input: mt.Tensor, weight: mt.Tensor) -> mt.Tensor:
    """``F.prelu``: ``max(0, x) + weight * min(0, x)``, ``weight`` one slope per channel
    (dim 1 of ``input``) or a single one."""
    check_tensor(input, "input", "prelu", floating=True)
    check_tensor(weight, "weight", "prelu", floating=True)
    if weight.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"prelu: Type promoting not supported. Got {input.dtype} (input) and "
            f"{weight.dtype} (weight)"
        )
    n = weight.numel()
    if n != 1:
        if input.ndim == 0:
            raise RuntimeError("prelu: Not allow zero-dim input tensor (weight has {n} slopes).")
        channels = input.shape[1] if input.ndim >= 2 else 1
        if n != channels:
            raise RuntimeError(
                f"prelu: Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {n} and channel size = {channels} (input shape {list(input.shape)})."
            )
        weight = weight.reshape(n, *([1] * (input.ndim - 2)))  # along dim 1
    elif weight.ndim:
        weight = weight.reshape(())  # a single shared slope
    return PReLUFunction.apply(input, weight)


class PReLU(Module):
    """``max(0, x) + a * min(0, x)`` with a learned slope ``a``: one shared
    (``num_parameters=1``) or one per channel (dim 1; ``num_parameters`` = the channel count),
    each starting at ``init``.

        >>> import minitorch_es as mt
        >>> mt.nn.PReLU(3)
        PReLU(num_parameters=3)
        >>> mt.nn.PReLU()(mt.tensor([-2.0, 1.0])).tolist()
        [-0.5, 1.0]
    """

    def __init__(
        self,
        num_parameters: int = 1,
        init: float = 0.25,
        device: str | mt.device | None = None,
        dtype: np.dtype | str | type | None = None,
    ) -> None:
        super().__init__()
        check_device(device, "PReLU")
        self.num_parameters = check_int(num_parameters, "num_parameters", "PReLU", low=0)
        self.init = check_float(init, "init", "PReLU")
        self.weight = mt.nn.Parameter(
            np.full(self.num_parameters, self.init, dtype=parameter_dtype(dtype))
        )

    def reset_parameters(self) -> None:
        """Every slope back to ``init``."""
        with mt.no_grad():
            self.weight.fill_(self.init)

    def forward(self, input: mt.Tensor) -> mt.Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


ACTIVATIONS = (PReLU,)
FUNCTIONS = {"prelu": prelu}
