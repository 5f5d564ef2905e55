"""ONNX translations of the layers' Functions (linear, convolution, padding, normalisation,
dropout, embedding), so ``mt.onnx.export`` covers the layers and their functional forms
(``F.linear``, ``F.conv2d``...) in a user's forward. Pooling is in `onnx_pooling`.

``Embedding`` is also translated as a whole module: its index tensor reaches the Function as
an array, which the exporter links back to the tensor only as long as it is not copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt

from .layers.conv_ops import Conv2dFunction
from .layers.dropout import DropoutFunction
from .layers.embedding import Embedding, EmbeddingFunction
from .layers.linear import LinearFunction
from .layers.normalization_ops import BatchNormFunction, Normalize
from .layers.padding import Pad2d, source_indices

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry

PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _linear(g: GraphBuilder, call: Call) -> str:
    x, weight, bias = call.input(0), call.input(1), call.input(2)
    if call.ndim(call.args[0]) == 2:
        return g.op("Gemm", x, weight, bias, transB=1)
    out = g.op("MatMul", x, g.op("Transpose", weight, perm=[1, 0]))
    return g.op("Add", out, bias) if bias else out


def _conv2d(g: GraphBuilder, call: Call) -> str:
    kw = call.kwargs
    top, bottom, left, right = kw["pads"]
    return g.op(
        "Conv",
        call.input(0),
        call.input(1),
        call.input(2),
        kernel_shape=list(call.args[1].shape[2:]),
        pads=[top, left, bottom, right],
        strides=list(kw["stride"]),
        dilations=list(kw["dilation"]),
        group=int(kw["groups"]),
    )


def _pad2d(g: GraphBuilder, call: Call) -> str:
    x, mode = call.input(0), call.kwargs["mode"]
    top, bottom, left, right = call.kwargs["pads"]
    dims = call.dims(call.args[0])
    lead = [0] * (len(dims) - 2)
    if mode != "circular" or g.opset >= 19:  # "wrap" came with opset 19
        pads = g.int64s([*lead, top, left, *lead, bottom, right])
        return g.op("Pad", x, pads, mode=PAD_MODES[mode])
    if any(isinstance(d, mt.onnx.Dim) for d in dims[-2:]):
        raise mt.onnx.ExportError(
            "circular padding of an input whose height or width is dynamic needs "
            "opset_version >= 19"
        )
    rows = g.int64s(source_indices(dims[-2], top, bottom, mode))
    cols = g.int64s(source_indices(dims[-1], left, right, mode))
    return g.op("Gather", g.op("Gather", x, rows, axis=len(dims) - 2), cols, axis=len(dims) - 1)


def _normalize(g: GraphBuilder, call: Call) -> str:
    kw = call.kwargs
    ndim = call.ndim(call.args[0])
    axes, view = tuple(kw["axes"]), tuple(kw["view"])
    shape = tuple(n for i, n in enumerate(view) if i not in kw["param_axes"])
    scale, shift = _affine(g, call, shape)
    lead = ndim - len(axes)
    if g.opset >= 17 and axes == tuple(range(lead, ndim)):
        eps = float(kw["eps"])
        return g.op("LayerNormalization", call.input(0), scale, shift, axis=lead, epsilon=eps)
    return _normalized(g, call, axes, view, scale, shift)


def _batch_norm(g: GraphBuilder, call: Call) -> str:
    kw, ndim = call.kwargs, call.ndim(call.args[0])
    channels = call.args[0].shape[1]
    scale, shift = _affine(g, call, (channels,))
    stats = kw.get("stats")
    if stats is not None:
        mean, var = (call.value(s) for s in stats)
        x, eps = call.input(0), float(kw["eps"])
        return g.op("BatchNormalization", x, scale, shift, mean, var, epsilon=eps)
    # Batch statistics in eval mode (track_running_stats=False): the formula itself.
    view = (1, channels) + (1,) * (ndim - 2)
    return _normalized(g, call, (0, *range(2, ndim)), view, scale, shift)


def _affine(g: GraphBuilder, call: Call, shape: tuple) -> tuple[str, str]:
    """The names of the weight and bias (ones and zeros of ``shape`` when absent)."""
    dtype = call.out_dtype
    weight, bias = (call.args[i] if i < len(call.args) else None for i in (1, 2))
    scale = call.value(weight) if weight is not None else g.constant(np.ones(shape, dtype))
    shift = call.value(bias) if bias is not None else g.constant(np.zeros(shape, dtype))
    return scale, shift


def _normalized(
    g: GraphBuilder, call: Call, axes: tuple, view: tuple, scale: str, shift: str
) -> str:
    """``(x - mean) / sqrt(var + eps) * scale + shift`` with the statistics over ``axes``, for
    what no ONNX operator does (batch statistics, LayerNorm before opset 17)."""
    x, dtype, as_view = call.input(0), call.out_dtype, g.int64s(view)
    centered = g.op("Sub", x, g.reduce("ReduceMean", x, axes, True))
    var = g.reduce("ReduceMean", g.op("Mul", centered, centered), axes, True)
    eps = g.constant(float(call.kwargs["eps"]), dtype)
    invstd = g.op("Reciprocal", g.op("Sqrt", g.op("Add", var, eps)))
    out = g.op("Mul", g.op("Mul", centered, invstd), g.op("Reshape", scale, as_view))
    return g.op("Add", out, g.op("Reshape", shift, as_view))


def _dropout(g: GraphBuilder, call: Call) -> str:
    raise mt.onnx.ExportError(
        "dropout is on (training mode), and its random mask cannot be exported; the exporter "
        "puts the model in eval mode, so a forward that calls F.dropout must pass "
        "training=self.training"
    )


def _embedding_function(g: GraphBuilder, call: Call) -> str:
    rows = g.op("Gather", call.input(0), call.value(call.kwargs["indices"], np.int64), axis=0)
    return _renormed(g, call, rows, call.kwargs.get("max_norm"), call.kwargs.get("norm_type"))


def _embedding_module(g: GraphBuilder, call: Call) -> str:
    module = call.module
    rows = g.op("Gather", call.value(module.weight), call.input(0, np.int64), axis=0)
    return _renormed(g, call, rows, module.max_norm, module.norm_type)


def _renormed(
    g: GraphBuilder, call: Call, rows: str, max_norm: float | None, norm_type: float | None
) -> str:
    """``max_norm``: the rows looked up, scaled down to it where their ``norm_type``-norm
    exceeds it (what the lookup returns after PyTorch's in-place renorm of the table)."""
    if max_norm is None:
        return rows
    dtype = call.out_dtype
    p = float(norm_type)
    if p == 2:
        norm = g.reduce("ReduceL2", rows, (-1,), keepdims=True)
    elif p == 1:
        norm = g.reduce("ReduceL1", rows, (-1,), keepdims=True)
    else:  # (sum |x|^p)^(1/p)
        powered = g.op("Pow", g.op("Abs", rows), g.constant(p, dtype))
        norm = g.op("Pow", g.reduce("ReduceSum", powered, (-1,), True), g.constant(1 / p, dtype))
    limit = g.constant(max_norm, dtype)
    shrink = g.op("Div", limit, g.op("Add", norm, g.constant(1e-7, dtype)))
    scale = g.op("Where", g.op("Greater", norm, limit), shrink, g.constant(1.0, dtype))
    return g.op("Mul", rows, scale)


TRANSLATIONS = {
    LinearFunction: _linear,
    Conv2dFunction: _conv2d,
    Pad2d: _pad2d,
    Normalize: _normalize,
    BatchNormFunction: _batch_norm,
    DropoutFunction: _dropout,
    EmbeddingFunction: _embedding_function,
    Embedding: _embedding_module,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the layers' Functions (and of Embedding)."""
    for target, emit in TRANSLATIONS.items():
        # batch statistics, filled by forward
        varying = ("sink",) if target is BatchNormFunction else ()
        mt.onnx.add_translation(registry, target, emit, varying=varying)
