"""ONNX translations of the activation Functions (`activation_ops`), so ``mt.onnx.export``
covers the activation Modules, the ``activation=`` option of layers and
``mt.nn.functional.relu`` & co in a user's forward.

Each is the ONNX operator of the same formula where one exists for the opset (``Gelu`` from
20, ``Mish`` from 18), else the formula written with ONNX operators.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import minitorch_es as mt

from . import activation_ops as ops

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry


def _simple(op_type: str):
    return lambda g, call: g.op(op_type, call.input(0))


def _leaky_relu(g: GraphBuilder, call: Call) -> str:
    return g.op("LeakyRelu", call.input(0), alpha=float(call.kwargs["negative_slope"]))


def _elu(g: GraphBuilder, call: Call) -> str:
    alpha, scale = float(call.kwargs["alpha"]), float(call.kwargs["scale"])
    if scale == 1.0:
        return g.op("Elu", call.input(0), alpha=alpha)
    return g.op("Selu", call.input(0), alpha=alpha, gamma=scale)  # scale * elu(x, alpha)


def _gelu(g: GraphBuilder, call: Call) -> str:
    x, approximate, dtype = call.input(0), call.kwargs["approximate"], call.out_dtype
    if g.opset >= 20:
        return g.op("Gelu", x, approximate=approximate)
    if approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.op("Mul", g.op("Mul", x, x), x)
        inner = g.op("Add", x, g.op("Mul", cube, g.constant(0.044715, dtype)))
        t = g.op("Tanh", g.op("Mul", inner, g.constant(math.sqrt(2 / math.pi), dtype)))
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        t = g.op("Erf", g.op("Mul", x, g.constant(1 / math.sqrt(2), dtype)))
    half_x = g.op("Mul", x, g.constant(0.5, dtype))
    return g.op("Mul", half_x, g.op("Add", t, g.constant(1.0, dtype)))


def _silu(g: GraphBuilder, call: Call) -> str:
    x = call.input(0)
    return g.op("Mul", x, g.op("Sigmoid", x))


def _softplus(g: GraphBuilder, call: Call) -> str:
    x, dtype = call.input(0), call.out_dtype
    beta, threshold = call.kwargs["beta"], call.kwargs["threshold"]
    z = x if beta == 1 else g.op("Mul", x, g.constant(beta, dtype))
    soft = g.op("Softplus", z)
    if beta != 1:
        soft = g.op("Div", soft, g.constant(beta, dtype))
    linear = g.op("Greater", z, g.constant(threshold, dtype))  # PyTorch: x itself there
    return g.op("Where", linear, x, soft)


def _mish(g: GraphBuilder, call: Call) -> str:
    x = call.input(0)
    if g.opset >= 18:
        return g.op("Mish", x)
    return g.op("Mul", x, g.op("Tanh", g.op("Softplus", x)))


def _hardtanh(g: GraphBuilder, call: Call) -> str:
    dtype = call.out_dtype
    lo, hi = (g.constant(call.kwargs[k], dtype) for k in ("min_val", "max_val"))
    return g.op("Clip", call.input(0), lo, hi)


def _along_dim(op_type: str):
    return lambda g, call: g.op(op_type, call.input(0), axis=int(call.kwargs["dim"]))


TRANSLATIONS = {
    ops.SigmoidFunction: _simple("Sigmoid"),
    ops.TanhFunction: _simple("Tanh"),
    ops.ReLUFunction: _simple("Relu"),
    ops.LeakyReLUFunction: _leaky_relu,
    ops.ELUFunction: _elu,
    ops.GELUFunction: _gelu,
    ops.SiLUFunction: _silu,
    ops.SoftplusFunction: _softplus,
    ops.MishFunction: _mish,
    ops.HardtanhFunction: _hardtanh,
    ops.SoftmaxFunction: _along_dim("Softmax"),
    ops.LogSoftmaxFunction: _along_dim("LogSoftmax"),
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the activation Functions."""
    for function, emit in TRANSLATIONS.items():
        mt.onnx.add_translation(registry, function, emit)
