"""ONNX translations of the activations of `activation_prelu` and `activation_more`
(PReLU's learned slopes become an initializer of the graph)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import minitorch_es as mt

from .activation_prelu import PReLUFunction

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry


def _prelu(g: GraphBuilder, call: Call) -> str:
    return g.op("PRelu", call.input(0), call.input(1))


TRANSLATIONS = {
    PReLUFunction: _prelu,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the Functions of the further activations."""
    for function, emit in TRANSLATIONS.items():
        mt.onnx.add_translation(registry, function, emit)
