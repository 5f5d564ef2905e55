"""Activation functions on Tensors, published as ``mt.nn.functional.relu``, ``.softmax`` ...

PyTorch's names, signatures, defaults and formulas; each call is one autograd Function from
`activation_ops` (closed-form backward, overflow-free for any finite input).

Deviations from PyTorch: inputs must be floating-point Tensors (PyTorch also runs ReLU & co on
integer tensors); ``inplace=True`` overwrites the input only when it takes no part in autograd;
otherwise the result is a new tensor and the input keeps its values (``x = F.relu(x,
inplace=True)``, the usual pattern, gives the same result either way).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.errors import warn
from minitorch_es.validation import check_choice, check_dim, check_float, check_tensor

from . import activation_ops as ops

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es.autograd import Primitive


GELU_APPROXIMATIONS = ("none", "tanh")


# ----------------------------------------------------------------------------- checks
def hardtanh_bounds(min_val: float, max_val: float, where: str) -> tuple[float, float]:
    """``(min_val, max_val)`` as floats, with ``min_val < max_val``."""
    lo, hi = check_float(min_val, "min_val", where), check_float(max_val, "max_val", where)
    if not lo < hi:
        raise ValueError(f"{where}: min_val must be smaller than max_val, got {lo} and {hi}")
    return lo, hi


def softplus_beta(beta: float, where: str) -> float:
    """``beta`` as a non-zero float."""
    beta = check_float(beta, "beta", where)
    if beta == 0:
        raise ValueError(
            f"{where}: beta must be non-zero (the result is log(1 + exp(beta x)) / beta)"
        )
    return beta


def _saved_input(input: mt.Tensor, inplace: bool) -> mt.Tensor:
    # For a Function that saves its input: a recorded in-place call overwrites the input, so
    # the Function gets a copy (as PyTorch keeps the original values for backward).
    if inplace and input.requires_grad and mt.is_grad_enabled():
        return input.clone()
    return input


def _result(input: mt.Tensor, out: mt.Tensor, inplace: bool):
    # In place as in PyTorch: recorded in the graph (copy_), refused on a leaf requiring grad;
    # out of place while an ONNX export traces the model (its graph has no in-place nodes).
    return input.copy_(out) if inplace and not mt.onnx.is_in_onnx_export() else out


# --------------------------------------------------------------------------- pointwise
def sigmoid(input: mt.Tensor) -> mt.Tensor:
    """``1 / (1 + exp(-x))`` (the thesis's sigmoid); stable for any x."""
    return ops.SigmoidFunction.apply(check_tensor(input, "input", "sigmoid", floating=True))


def tanh(input: mt.Tensor) -> mt.Tensor:
    """The hyperbolic tangent ``(1 - e^-2x) / (1 + e^-2x)``; derivative ``1 - tanh(x)^2``."""
    return ops.TanhFunction.apply(check_tensor(input, "input", "tanh", floating=True))


def relu(input: mt.Tensor, inplace: bool = False) -> mt.Tensor:
    """``max(0, x)`` (the thesis's ReLU); the derivative at 0 is 0, as PyTorch."""
    return _result(
        input, ops.ReLUFunction.apply(check_tensor(input, "input", "relu", floating=True)), inplace
    )


def leaky_relu(input: mt.Tensor, negative_slope: float = 0.01, inplace: bool = False) -> mt.Tensor:
    """``x`` for ``x > 0``, else ``negative_slope * x`` (the thesis's leaky ReLU, alpha)."""
    slope = check_float(negative_slope, "negative_slope", "leaky_relu")
    out = ops.LeakyReLUFunction.apply(
        check_tensor(input, "input", "leaky_relu", floating=True), negative_slope=slope
    )
    return _result(input, out, inplace)


def elu(input: mt.Tensor, alpha: float = 1.0, inplace: bool = False) -> mt.Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    alpha = check_float(alpha, "alpha", "elu")
    out = ops.ELUFunction.apply(
        check_tensor(input, "input", "elu", floating=True), alpha=alpha, scale=1.0
    )
    return _result(input, out, inplace)


def selu(input: mt.Tensor, inplace: bool = False) -> mt.Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants alpha ~ 1.6733, scale ~
    1.0507."""
    out = ops.ELUFunction.apply(
        check_tensor(input, "input", "selu", floating=True),
        alpha=ops.SELU_ALPHA,
        scale=ops.SELU_SCALE,
    )
    return _result(input, out, inplace)


def gelu(input: mt.Tensor, approximate: str = "none") -> mt.Tensor:
    """``x * Phi(x)`` (Phi: the standard normal CDF); ``approximate='tanh'`` uses
    ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""
    approximate = check_choice(approximate, "approximate", "gelu", choices=GELU_APPROXIMATIONS)
    return ops.GELUFunction.apply(
        check_tensor(input, "input", "gelu", floating=True), approximate=approximate
    )


def silu(input: mt.Tensor, inplace: bool = False) -> mt.Tensor:
    """``x * sigmoid(x)`` (also called swish)."""
    out = ops.SiLUFunction.apply(
        _saved_input(check_tensor(input, "input", "silu", floating=True), inplace)
    )
    return _result(input, out, inplace)


def softplus(input: mt.Tensor, beta: float = 1.0, threshold: float = 20.0) -> mt.Tensor:
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold``."""
    beta = softplus_beta(beta, "softplus")
    threshold = check_float(threshold, "threshold", "softplus")
    return ops.SoftplusFunction.apply(
        check_tensor(input, "input", "softplus", floating=True), beta=beta, threshold=threshold
    )


def mish(input: mt.Tensor, inplace: bool = False) -> mt.Tensor:
    """``x * tanh(softplus(x))``."""
    out = ops.MishFunction.apply(
        _saved_input(check_tensor(input, "input", "mish", floating=True), inplace)
    )
    return _result(input, out, inplace)


def hardtanh(
    input: mt.Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> mt.Tensor:
    """``x`` clipped to ``[min_val, max_val]``; the gradient is 0 outside and on the bounds."""
    lo, hi = hardtanh_bounds(min_val, max_val, "hardtanh")
    out = ops.HardtanhFunction.apply(
        check_tensor(input, "input", "hardtanh", floating=True), min_val=lo, max_val=hi
    )
    return _result(input, out, inplace)


def relu6(input: mt.Tensor, inplace: bool = False) -> mt.Tensor:
    """``min(max(0, x), 6)`` (``hardtanh(x, 0, 6)``)."""
    out = ops.HardtanhFunction.apply(
        check_tensor(input, "input", "relu6", floating=True), min_val=0.0, max_val=6.0
    )
    return _result(input, out, inplace)


# ------------------------------------------------------------------------ along a dim
def softmax_dim(dim: int | None, ndim: int, op: str) -> int:
    """The axis for softmax-like ops. ``dim=None`` follows PyTorch's deprecated implicit rule
    (0 for 0-, 1- and 3-d inputs, else 1) and warns, as PyTorch does."""
    if dim is None:
        dim = 0 if ndim in (0, 1, 3) else 1
        warn(
            f"{op}: no dim given, so dim={dim} was chosen by PyTorch's deprecated implicit rule "
            f"(dim 0 for 0-, 1- and 3-d inputs, else 1); pass dim explicitly",
            UserWarning,
        )
    return check_dim(dim, ndim, op)


def _along_dim(
    function: type[Primitive], input: mt.Tensor, dim: int | None, dtype: DTypeLike | None, op: str
):
    check_tensor(input, "input", op, floating=True)
    if dtype is not None:
        input = input.to(dtype)  # as PyTorch: cast first, then compute
    axis = softmax_dim(dim, input.ndim, op)
    if input.ndim == 0:  # NumPy reductions need an axis to reduce over
        return function.apply(input.reshape(1), dim=0).reshape(())
    return function.apply(input, dim=axis)


def softmax(input: mt.Tensor, dim: int | None = None, dtype: DTypeLike | None = None) -> mt.Tensor:
    """``exp(x_i) / sum_j exp(x_j)`` along ``dim`` (the thesis's softmax), computed as
    ``exp(x - max x)`` so that no exponential overflows."""
    return _along_dim(ops.SoftmaxFunction, input, dim, dtype, "softmax")


def log_softmax(
    input: mt.Tensor, dim: int | None = None, dtype: DTypeLike | None = None
) -> mt.Tensor:
    """``x - logsumexp(x)`` along ``dim``: the log of `softmax`, without its underflow."""
    return _along_dim(ops.LogSoftmaxFunction, input, dim, dtype, "log_softmax")


FUNCTIONS = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "selu": selu,
    "gelu": gelu,
    "silu": silu,
    "softplus": softplus,
    "mish": mish,
    "hardtanh": hardtanh,
    "relu6": relu6,
    "softmax": softmax,
    "log_softmax": log_softmax,
}
