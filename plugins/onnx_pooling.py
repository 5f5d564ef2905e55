"""ONNX translations of the pooling Primitives (`layers.pooling_ops`, `layers.max_unpool`).

The padding PyTorch's rules imply (``padding``, and the extra bottom/right rows ``ceil_mode``
adds) is written as an explicit ``Pad`` with the same geometry as the kernels use, followed by
an unpadded ``MaxPool``/``AveragePool``; the average's divisor (``count_include_pad``,
``divisor_override``) is a constant factor. So the graph computes exactly what the layer does,
whatever a runtime's own ceil-mode and padding conventions are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt

from .layers.max_unpool import MaxUnpool2dFunction
from .layers.pooling_kernels import adaptive_matrix, avg_divisor, geometry
from .layers.pooling_ops import AdaptiveAvgPool2dFunction, AvgPool2dFunction, MaxPool2dFunction

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry


def _static_hw(call: Call, why: str) -> tuple[int, int]:
    """The input's height and width, which must not be dynamic axes for ``why``."""
    h, w = call.dims(call.args[0])[-2:]
    if isinstance(h, mt.onnx.Dim) or isinstance(w, mt.onnx.Dim):
        raise mt.onnx.ExportError(f"{why} needs a fixed height and width (not dynamic axes)")
    return h, w


def _padded(g: GraphBuilder, call: Call, pads: tuple, fill: float) -> str:
    """The input padded as the kernels pad it: ``padding`` on every side (the windows then
    fit as in PyTorch without ceil_mode, for any size) or, with ceil_mode, ``pads``."""
    x = call.input(0)
    if call.kwargs["ceil_mode"]:
        _static_hw(call, "ceil_mode")  # its extra bottom/right rows depend on the size
    else:
        (ph, pw) = call.kwargs["padding"]
        pads = (ph, ph, pw, pw)
    if not any(pads):
        return x
    top, bottom, left, right = pads
    value = g.constant(fill, call.out_dtype)
    return g.op("Pad", x, g.int64s([0, 0, top, left, 0, 0, bottom, right]), value)


def _max_pool(g: GraphBuilder, call: Call) -> str:
    kw = call.kwargs
    options = (kw["kernel"], kw["stride"], kw["padding"], kw["dilation"], kw["ceil_mode"])
    _, pads = geometry(call.args[0].shape, *options)
    return g.op(
        "MaxPool",
        _padded(g, call, pads, -np.inf),
        kernel_shape=list(kw["kernel"]),
        strides=list(kw["stride"]),
        dilations=list(kw["dilation"]),
    )


def _avg_pool(g: GraphBuilder, call: Call) -> str:
    kw, shape = call.kwargs, call.args[0].shape
    kernel, stride, padding = kw["kernel"], kw["stride"], kw["padding"]
    out_hw, pads = geometry(shape, kernel, stride, padding, (1, 1), kw["ceil_mode"])
    area = kernel[0] * kernel[1]
    divisor = avg_divisor(
        shape,
        kernel,
        stride,
        padding,
        out_hw,
        kw["count_include_pad"],
        kw["divisor_override"],
        call.out_dtype,
    )
    out = g.op(
        "AveragePool",
        _padded(g, call, pads, 0.0),
        kernel_shape=list(kernel),
        strides=list(stride),
    )  # sum / area over windows that all fit
    if np.all(divisor == area):
        return out
    if np.ndim(divisor):  # a divisor per output position: set by the input's size
        _static_hw(call, "AvgPool2d with count_include_pad=False or ceil_mode")
        divisor = divisor[..., 0]  # (Ho, Wo, 1) for the kernels' batch-last arrays
    factor = (area / np.asarray(divisor, dtype=np.float64)).astype(call.out_dtype)
    return g.op("Mul", out, g.constant(factor))


def _adaptive_avg_pool(g: GraphBuilder, call: Call) -> str:
    oh, ow = call.kwargs["output_size"]
    x, dtype = call.input(0), call.out_dtype
    if (oh, ow) == (1, 1):
        return g.op("GlobalAveragePool", x)
    h, w = _static_hw(call, f"AdaptiveAvgPool2d to {(oh, ow)}")
    rows = g.constant(adaptive_matrix(h, oh, dtype))  # the kernel's own A_h @ x @ A_w.T
    cols = g.constant(adaptive_matrix(w, ow, dtype).T)
    return g.op("MatMul", g.op("MatMul", rows, x), cols)


def _max_unpool(g: GraphBuilder, call: Call) -> str:
    """Zeros of the output planes, flattened, with the input written at its indices along the
    plane (``ScatterElements``): the indices are a graph value, as the layer's input."""
    oh, ow = call.kwargs["output_hw"]
    x = call.input(0)
    planes = g.op("Reshape", x, g.int64s([0, 0, -1]))  # (N, C, H * W), N dynamic
    where = g.op("Reshape", call.input(1), g.int64s([0, 0, -1]))
    batch_channels = g.op("Slice", g.op("Shape", x), g.int64s([0]), g.int64s([2]))
    sizes = g.op("Concat", batch_channels, g.int64s([oh * ow]), axis=0)
    zeros = g.op("Expand", g.constant(np.zeros((), call.out_dtype)), sizes)
    out = g.op("ScatterElements", zeros, where, planes, axis=2)
    return g.op("Reshape", out, g.int64s([0, 0, oh, ow]))


TRANSLATIONS = {
    MaxPool2dFunction: _max_pool,
    AvgPool2dFunction: _avg_pool,
    AdaptiveAvgPool2dFunction: _adaptive_avg_pool,
    MaxUnpool2dFunction: _max_unpool,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the pooling Functions."""
    for function, emit in TRANSLATIONS.items():
        mt.onnx.add_translation(registry, function, emit, varying=("sink",))
