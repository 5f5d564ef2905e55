"""ONNX translations of the ops behind padding, resizing, block extraction and the piecewise
activations (`layers.catalog`, `activation_extras`), so the padding layers, ``Upsample``,
``Unfold``/``Fold``, ``Hardsigmoid``/``Hardswish`` and their functional forms export.

Padding copies and every interpolation mode are the same op (`layers.axis_maps`): a ``Gather``
per axis for copies (nearest modes, reflect/replicate/circular padding, in any opset), a
``MatMul`` with the constant interpolation matrix otherwise, so the exported graph computes
exactly what minitorch_es does. Constant padding is ``Slice`` (cropping) then ``Pad``;
``unfold`` is one strided ``Slice`` per kernel position, ``fold`` ONNX's ``Col2Im`` (opset 18),
the transposed convolutions ``ConvTranspose``.
The core's vector norm is translated here too, for ``normalize`` and the distance layers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import minitorch_es as mt
from minitorch_es.ops.norms import VectorNorm

from .activation_extras import HardsigmoidFunction, HardswishFunction
from .layers.axis_maps import AlongAxes
from .layers.conv_nd import ConvTransposeFunction
from .layers.fold import FoldFunction, UnfoldFunction
from .layers.pad import ConstantPad
from .vector_functions import FloorUnrecorded

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry


def _along_axes(g: GraphBuilder, call: Call) -> str:
    x, ndim, dtype = call.input(0), call.ndim(call.args[0]), call.out_dtype
    for m in call.kwargs["maps"]:
        if m.index is not None:
            x = g.op("Gather", x, g.int64s(m.index), axis=m.axis)
            continue
        weights = g.constant(m.matrix.T, dtype)  # (in, out): rows times it maps the last axis
        if m.axis == ndim - 1:
            x = g.op("MatMul", x, weights)
            continue
        last = [*(d for d in range(ndim) if d != m.axis), m.axis]  # the mapped axis last
        back = [last.index(d) for d in range(ndim)]
        x = g.op("Transpose", g.op("MatMul", g.op("Transpose", x, perm=last), weights), perm=back)
    return x


def _constant_pad(g: GraphBuilder, call: Call) -> str:
    x, kw = call.input(0), call.kwargs
    crop = [(d, s) for d, s in enumerate(kw["src"]) if s != slice(None)]
    if crop:
        starts = [s.start for _, s in crop]
        ends = [s.stop for _, s in crop]
        x = g.op("Slice", x, g.int64s(starts), g.int64s(ends), g.int64s([d for d, _ in crop]))
    before = [0 if s.start is None else s.start for s in kw["dst"]]
    after = [0 if s.stop is None else n - s.stop for s, n in zip(kw["dst"], kw["shape"])]
    value = g.constant(kw["value"], call.out_dtype)
    return g.op("Pad", x, g.int64s([*before, *after]), value, mode="constant")


def _unfold(g: GraphBuilder, call: Call) -> str:
    b, x = call.kwargs["blocks"], call.input(0)
    (ph, pw), (kh, kw) = b.padding, b.kernel
    if ph or pw:
        x = g.op("Pad", x, g.int64s([0, 0, ph, pw, 0, 0, ph, pw]), mode="constant")
    windows = []
    for i in range(kh):
        for j in range(kw):
            rows, cols = b.window(i, j)
            starts, ends = [rows.start, cols.start], [rows.stop, cols.stop]
            steps = [rows.step, cols.step]
            window = g.op("Slice", x, *(g.int64s(v) for v in (starts, ends, [2, 3], steps)))
            windows.append(g.op("Unsqueeze", window, g.int64s([2])))
    stacked = g.op("Concat", *windows, axis=2)  # (N, C, kh*kw, blocks_h, blocks_w)
    channels = call.dims(call.args[0])[1] * kh * kw
    length = b.counts[0] * b.counts[1]
    return g.op("Reshape", stacked, g.int64s([0, channels, length]))


def _fold(g: GraphBuilder, call: Call) -> str:
    if g.opset < 18:
        raise mt.onnx.ExportError("fold needs ONNX's Col2Im: export with opset_version >= 18")
    b = call.kwargs["blocks"]
    (ph, pw) = b.padding
    return g.op(
        "Col2Im",
        call.input(0),
        g.int64s(b.size),
        g.int64s(b.kernel),
        dilations=list(b.dilation),
        pads=[ph, pw, ph, pw],
        strides=list(b.stride),
    )


def _vector_norm(g: GraphBuilder, call: Call) -> str:
    """``linalg.vector_norm`` (behind ``normalize``, ``cosine_similarity``,
    ``pairwise_distance``): ONNX's L1 / L2 reductions, max / min of magnitudes, a count of
    nonzeros, or ``sum(|x|^p)^(1/p)``."""
    x, kw, dtype = call.input(0), call.kwargs, call.out_dtype
    ord, dim, keep = float(kw.get("ord", 2)), kw.get("dim"), bool(kw.get("keepdim", False))
    axes = None if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if ord in (1.0, 2.0):
        return g.reduce("ReduceL1" if ord == 1 else "ReduceL2", x, axes, keep)
    if ord in (math.inf, -math.inf):
        return g.reduce("ReduceMax" if ord > 0 else "ReduceMin", g.op("Abs", x), axes, keep)
    if ord == 0:
        nonzero = g.op("Not", g.op("Equal", x, g.constant(0, dtype)))
        return g.reduce("ReduceSum", g.cast(nonzero, dtype), axes, keep)
    powered = g.op("Pow", g.op("Abs", x), g.constant(ord, dtype))
    return g.op("Pow", g.reduce("ReduceSum", powered, axes, keep), g.constant(1 / ord, dtype))


def _floor(g: GraphBuilder, call: Call) -> str:
    return g.op("Max", call.input(0), g.constant(call.kwargs["floor"], call.out_dtype))


def _conv_transpose(g: GraphBuilder, call: Call) -> str:
    stride, (top, bottom, left, right), dilation, groups = call.kwargs["options"]
    return g.op(
        "ConvTranspose",
        call.input(0),
        call.input(1),
        kernel_shape=list(call.args[1].shape[2:]),
        pads=[top, left, bottom, right],  # asymmetric: output_padding's first rows (conv_nd)
        strides=list(stride),
        dilations=list(dilation),
        group=int(groups),
    )


def _hardsigmoid(g: GraphBuilder, call: Call) -> str:
    return g.op("HardSigmoid", call.input(0), alpha=1 / 6, beta=0.5)


def _hardswish(g: GraphBuilder, call: Call) -> str:
    x = call.input(0)
    if g.opset >= 14:
        return g.op("HardSwish", x)
    return g.op("Mul", x, g.op("HardSigmoid", x, alpha=1 / 6, beta=0.5))


TRANSLATIONS = {
    AlongAxes: _along_axes,
    ConstantPad: _constant_pad,
    UnfoldFunction: _unfold,
    FoldFunction: _fold,
    HardsigmoidFunction: _hardsigmoid,
    HardswishFunction: _hardswish,
    VectorNorm: _vector_norm,
    FloorUnrecorded: _floor,
    ConvTransposeFunction: _conv_transpose,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of these layers' and activations' ops."""
    for target, emit in TRANSLATIONS.items():
        # the full output shapes include the batch size; emit reads only the static sizes
        varying = {ConstantPad: ("shape",), ConvTransposeFunction: ("input_shape",)}.get(target, ())
        mt.onnx.add_translation(registry, target, emit, varying=varying)
