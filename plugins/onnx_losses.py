"""ONNX translations of the class-index losses (`cross_entropy`), for a model whose forward
returns its loss: ``F.cross_entropy`` as ONNX's ``SoftmaxCrossEntropyLoss`` and ``F.nll_loss``
as ``NegativeLogLikelihoodLoss``, which have PyTorch's class weights, ``ignore_index`` and
reductions (a weighted mean divides by the weights of the rows kept).

Not translated (an `ExportError` says so): label smoothing, and the other losses (soft
targets, KL divergence, the pointwise losses).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt

from .cross_entropy import CrossEntropyFunction, NLLLossFunction

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry


def _loss_inputs(call: Call) -> tuple[str, ...]:
    """The scores, the targets as int64 and the class weights (if any)."""
    weight = call.kwargs["weight"]
    x = call.input(0, call.out_dtype)
    return (
        x,
        call.input(1, np.int64),
        call.value(weight, call.out_dtype) if weight is not None else "",
    )


def _options(call: Call) -> dict:
    return {"ignore_index": int(call.kwargs["ignore_index"]), "reduction": call.kwargs["reduction"]}


def _cross_entropy(g: GraphBuilder, call: Call) -> tuple[str, str]:
    if call.kwargs["label_smoothing"]:
        raise mt.onnx.ExportError(
            f"cross_entropy with label_smoothing={call.kwargs['label_smoothing']} is not "
            f"supported: ONNX's SoftmaxCrossEntropyLoss has no label smoothing"
        )
    loss, logp = g.op("SoftmaxCrossEntropyLoss", *_loss_inputs(call), outputs=2, **_options(call))
    # The second result is the log-softmax as rows (N * d1 * ..., C), which backward uses.
    ndim = call.ndim(call.args[0])
    if ndim > 2:
        logp = g.op("Transpose", logp, perm=[0, *range(2, ndim), 1])
    if ndim != 2:
        classes = call.dims(call.args[0])[1 if ndim > 1 else 0]
        logp = g.op("Reshape", logp, g.int64s([-1, classes]))
    return loss, logp


def _nll_loss(g: GraphBuilder, call: Call) -> str:
    return g.op("NegativeLogLikelihoodLoss", *_loss_inputs(call), **_options(call))


TRANSLATIONS = {CrossEntropyFunction: _cross_entropy, NLLLossFunction: _nll_loss}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the class-index losses."""
    for function, emit in TRANSLATIONS.items():
        mt.onnx.add_translation(registry, function, emit)
