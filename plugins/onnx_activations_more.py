"""ONNX translations of the activations of `activation_prelu` and `activation_more`
(PReLU's learned slopes become an initializer of the graph). Softsign, Tanhshrink and Softmin
are compositions of ops the core already translates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt

from . import activation_more_ops as ops
from .activation_prelu import PReLUFunction
from .activation_rrelu import RReLUFunction

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry


def _prelu(g: GraphBuilder, call: Call) -> str:
    return g.op("PRelu", call.input(0), call.input(1))


def _logsigmoid(g: GraphBuilder, call: Call) -> str:  # -softplus(-x)
    return g.op("Neg", g.op("Softplus", g.op("Neg", call.input(0))))


def _threshold(g: GraphBuilder, call: Call) -> str:
    x, dtype = call.input(0), call.out_dtype
    replaced = g.op("LessOrEqual", x, g.constant(call.kwargs["threshold"], dtype))
    return g.op("Where", replaced, g.constant(call.kwargs["value"], dtype), x)


def _shrink(bias: bool):
    # ONNX's Shrink: x - bias above lambd, x + bias below -lambd, 0 between (bounds included).
    def emit(g: GraphBuilder, call: Call) -> str:
        lambd = float(call.kwargs["lambd"])
        return g.op("Shrink", call.input(0), lambd=lambd, bias=lambd if bias else 0.0)

    return emit


def _celu(g: GraphBuilder, call: Call) -> str:
    # ONNX's Celu takes float32 only: the formula, x or alpha (exp(min(x, 0) / alpha) - 1).
    x, dtype, alpha = call.input(0), call.out_dtype, call.kwargs["alpha"]
    scaled = g.op("Div", g.op("Min", x, g.constant(0.0, dtype)), g.constant(alpha, dtype))
    one = g.constant(1.0, dtype)
    negative = g.op("Mul", g.op("Sub", g.op("Exp", scaled), one), g.constant(alpha, dtype))
    return g.op("Where", g.op("Greater", x, g.constant(0.0, dtype)), x, negative)


def _rrelu(g: GraphBuilder, call: Call) -> str:
    if call.kwargs["training"]:
        raise mt.onnx.ExportError(
            "rrelu draws random slopes in training mode, which cannot be exported; the exporter "
            "puts the model in eval mode, so a forward that calls F.rrelu must pass "
            "training=self.training"
        )
    slope = (call.kwargs["lower"] + call.kwargs["upper"]) / 2  # eval: the mean slope
    return g.op("LeakyRelu", call.input(0), alpha=float(slope))


TRANSLATIONS = {
    PReLUFunction: _prelu,
    ops.LogSigmoidFunction: _logsigmoid,
    ops.ThresholdFunction: _threshold,
    ops.HardshrinkFunction: _shrink(bias=False),
    ops.SoftshrinkFunction: _shrink(bias=True),
    ops.CELUFunction: _celu,
    RReLUFunction: _rrelu,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the Functions of the further activations."""
    for function, emit in TRANSLATIONS.items():
        mt.onnx.add_translation(registry, function, emit)
