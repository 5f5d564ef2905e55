"""ONNX translations of the multi-class losses (`cross_entropy`), for a model whose forward
returns its loss: ``F.cross_entropy`` with class indices as ONNX's ``SoftmaxCrossEntropyLoss``
and ``F.nll_loss`` as ``NegativeLogLikelihoodLoss``, which have PyTorch's class weights,
``ignore_index`` and reductions (a weighted mean divides by the weights of the rows kept);
``F.cross_entropy`` with class probabilities as ``LogSoftmax`` and the weighted, smoothed
target rows ``q = w ((1 - eps) t + eps / C)`` written out.

Not translated (an `ExportError` says so): label smoothing with class indices, which ONNX's
``SoftmaxCrossEntropyLoss`` does not have. The element-wise losses and KL divergence are in
`onnx_pointwise_losses`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt

from .cross_entropy import CrossEntropyFunction, NLLLossFunction, SoftTargetCrossEntropyFunction

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
    return loss, _log_softmax_rows(g, call, logp)


def _log_softmax_rows(g: GraphBuilder, call: Call, logp: str) -> str:
    """The second result of the cross-entropies, which backward uses: the log-softmax (of
    the input's layout) as rows (N * d1 * ..., C)."""
    ndim = call.ndim(call.args[0])
    if ndim > 2:
        logp = g.op("Transpose", logp, perm=[0, *range(2, ndim), 1])
    if ndim != 2:
        logp = g.op("Reshape", logp, g.int64s([-1, call.dims(call.args[0])[_class_axis(ndim)]]))
    return logp


def _class_axis(ndim: int) -> int:
    return 1 if ndim > 1 else 0


def _soft_target_cross_entropy(g: GraphBuilder, call: Call) -> tuple[str, str]:
    dtype, eps, weight = call.out_dtype, call.kwargs["label_smoothing"], call.kwargs["weight"]
    ndim = call.ndim(call.args[0])
    axis = _class_axis(ndim)
    logp = g.op("LogSoftmax", call.input(0, dtype), axis=axis)
    q = call.input(1, dtype)
    if eps:
        classes = call.dims(call.args[0])[axis]
        q = g.op("Mul", q, g.constant(1 - eps, dtype))
        q = g.op("Add", q, g.constant(eps / classes, dtype))
    if weight is not None:  # (C) along the class axis: (C, 1, ..., 1) for (N, C, d...)
        w = call.value(weight, dtype)
        if ndim > 2:
            w = g.op("Reshape", w, g.int64s([-1] + [1] * (ndim - 2)))
        q = g.op("Mul", q, w)
    loss = g.op("Neg", g.reduce("ReduceSum", g.op("Mul", q, logp), (axis,), False))
    reduction = call.kwargs["reduction"]
    if reduction != "none":  # 'mean' divides by the number of rows (N d1 ... dk)
        loss = g.reduce("ReduceMean" if reduction == "mean" else "ReduceSum", loss, None, False)
    return loss, _log_softmax_rows(g, call, logp)


def _nll_loss(g: GraphBuilder, call: Call) -> str:
    return g.op("NegativeLogLikelihoodLoss", *_loss_inputs(call), **_options(call))


TRANSLATIONS = {
    CrossEntropyFunction: _cross_entropy,
    NLLLossFunction: _nll_loss,
    SoftTargetCrossEntropyFunction: _soft_target_cross_entropy,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the multi-class losses."""
    for function, emit in TRANSLATIONS.items():
        mt.onnx.add_translation(registry, function, emit)
