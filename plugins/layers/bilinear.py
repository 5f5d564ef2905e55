"""``Bilinear`` and ``F.bilinear``: ``y_k = x1 . A_k x2 + b_k`` (PyTorch's ``nn.Bilinear``).

The weight has PyTorch's layout ``(out_features, in1_features, in2_features)``. The form is
two products over the flattened leading dimensions: ``x1 @ A`` (A seen as ``in1 x (out *
in2)``), then the sum over ``in2`` of its product with ``x2`` — Tensor operations, so autograd
differentiates it (twice too) and ONNX exports it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es import Tensor
from minitorch_es.nn import Module
from minitorch_es.validation import check_int, check_tensor

from .arguments import check_same_dtype
from .options import check_device, new_parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def _check(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        check_tensor(t, name, "bilinear")
    if weight.ndim != 3:
        raise RuntimeError(
            f"bilinear(): expected a 3-D weight (out_features, in1_features, in2_features), got "
            f"shape {list(weight.shape)}"
        )
    lead1, lead2 = tuple(input1.shape[:-1]), tuple(input2.shape[:-1])
    if lead1 != lead2:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(lead1)} and {list(lead2)}"
        )
    for i, (t, size) in enumerate(((input1, weight.shape[1]), (input2, weight.shape[2])), 1):
        got = t.shape[-1] if t.ndim else None
        if got != size:
            raise RuntimeError(
                f"bilinear(): input{i} size does not match weight size: got {got} but "
                f"expected {size}"
            )
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {list(bias.shape)} but "
            f"expected [{weight.shape[0]}]"
        )
    check_same_dtype("bilinear", input1, weight, given=True)
    check_same_dtype("bilinear", input2, weight, given=True)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``F.bilinear``: ``input1 . weight[k] input2 (+ bias[k])`` for every output ``k``, over
    any number of (equal) leading dimensions."""
    _check(input1, input2, weight, bias)
    out_f, in1, in2 = weight.shape
    lead = tuple(input1.shape[:-1])
    rows = math.prod(lead)
    left = input1.reshape(rows, in1) @ weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    out = (left.reshape(rows, out_f, in2) * input2.reshape(rows, 1, in2)).sum(dim=-1)
    if bias is not None:
        out = out + bias
    return out.reshape(*lead, out_f)


class Bilinear(Module):
    """``Bilinear(in1_features, in2_features, out_features, bias=True, device=None,
    dtype=None)``: ``y = x1 . A x2 + b`` with ``A`` and ``b`` drawn from
    ``U(-1/sqrt(in1_features), 1/sqrt(in1_features))`` (PyTorch)."""

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
    ) -> None:
        super().__init__()
        self.in1_features = check_int(in1_features, "in1_features", "Bilinear", low=1)
        self.in2_features = check_int(in2_features, "in2_features", "Bilinear", low=1)
        self.out_features = check_int(out_features, "out_features", "Bilinear", low=1)
        check_device(device, "Bilinear")
        shape = (self.out_features, self.in1_features, self.in2_features)
        self.weight = new_parameter(shape, dtype)
        if bias:
            self.bias = new_parameter((self.out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Weight and bias from ``U(-1/sqrt(in1_features), 1/sqrt(in1_features))``."""
        bound = 1 / math.sqrt(self.in1_features)
        mt.nn.init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            mt.nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
