"""ONNX translations of the sequence layers: ``RNN``, ``LSTM``, ``GRU`` (and their cells) as
whole modules onto ONNX's ``RNN`` / ``LSTM`` / ``GRU`` operators, one node per layer (both
directions in one); the attention kernel onto ``MatMul`` / ``Softmax``; the split of packed
projections onto ``Split``. ``MultiheadAttention`` and the Transformer layers are then traced
through their operations.

ONNX orders the gates differently (LSTM ``i, o, f, c`` for PyTorch's ``i, f, g, o``; GRU ``z, r,
h`` for ``r, z, n``, with ``linear_before_reset=1`` for PyTorch's reset gate), so the weights are
exported reordered, as constants. Not expressible: an LSTM's ``proj_size`` and grouped-query
attention; dropout is off in the exported (eval-mode) model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt

from .layers.attention_kernels import Attention, Split
from .layers.recurrent import GRU, LSTM, RNN
from .layers.recurrent_cells import GRUCell, LSTMCell, RNNCell

if TYPE_CHECKING:
    from minitorch_es.onnx import Call, GraphBuilder
    from minitorch_es.registry import Registry

# Row blocks of PyTorch's stacked weights, in ONNX's gate order.
GATE_ORDER = {"LSTM": (0, 3, 1, 2), "GRU": (1, 0, 2), "RNN": (0,)}


def _reordered(array: np.ndarray, kind: str) -> np.ndarray:
    blocks = np.split(array, len(GATE_ORDER[kind]), axis=0)
    return np.concatenate([blocks[i] for i in GATE_ORDER[kind]], axis=0)


def _weights(g: GraphBuilder, module: mt.nn.Module, kind: str, suffixes: list) -> list:
    """``W``, ``R`` and ``B`` (None when the module has no bias) for the directions."""

    def stacked(name: str) -> np.ndarray | None:
        arrays = [getattr(module, name + s, None) for s in suffixes]
        if arrays[0] is None:
            return None
        return np.stack([_reordered(a.numpy(force=True), kind) for a in arrays])

    w, r = stacked("weight_ih"), stacked("weight_hh")
    b_ih, b_hh = stacked("bias_ih"), stacked("bias_hh")
    bias = None if b_ih is None else g.constant(np.concatenate([b_ih, b_hh], axis=1))
    return [g.constant(w), g.constant(r), bias or ""]


def _node(
    g: GraphBuilder, module: mt.nn.Module, kind: str, x: str, states: list, suffixes: list
) -> tuple:
    """One ONNX recurrent node over ``x`` ``(L, N, I)``; returns ``Y`` ``(L, D, N, H)`` and the
    final states ``(D, N, H)``."""
    attrs = {"hidden_size": module.hidden_size}
    attrs["direction"] = "bidirectional" if len(suffixes) == 2 else "forward"
    if kind == "GRU":
        attrs["linear_before_reset"] = 1
    if kind == "RNN":
        attrs["activations"] = ["Relu" if module.nonlinearity == "relu" else "Tanh"] * len(suffixes)
    outputs = 3 if kind == "LSTM" else 2
    inputs = [x, *_weights(g, module, kind, suffixes), "", *states]
    return g.op(kind, *inputs, outputs=outputs, **attrs)


def _layers(g: GraphBuilder, call: Call) -> list:
    """A multi-layer ``RNN`` / ``LSTM`` / ``GRU`` module: ``[output, h_n(, c_n)]``."""
    module, kind = call.module, KINDS[type(call.module)]
    if getattr(module, "proj_size", 0):
        raise mt.onnx.ExportError("ONNX's LSTM has no projection: proj_size > 0 cannot be exported")
    batched = call.ndim(call.args[0]) == 3
    x = call.input(0)
    if not batched:
        x = g.op("Unsqueeze", x, g.int64s([1]))
    elif module.batch_first:
        x = g.op("Transpose", x, perm=[1, 0, 2])
    hx = call.args[1] if len(call.args) > 1 else call.kwargs.get("hx")
    states = [] if hx is None else [call.value(s) for s in (hx if kind == "LSTM" else [hx])]
    if states and not batched:
        states = [g.op("Unsqueeze", s, g.int64s([1])) for s in states]
    directions = 2 if module.bidirectional else 1
    finals = [[], []] if kind == "LSTM" else [[]]
    for layer in range(module.num_layers):
        suffixes = [f"_l{layer}", f"_l{layer}_reverse"][:directions]
        layer_states = [_rows(g, s, layer * directions, directions) for s in states]
        y, *last = _node(g, module, kind, x, layer_states, suffixes)
        x = g.op("Reshape", g.op("Transpose", y, perm=[0, 2, 1, 3]), g.int64s([0, 0, -1]))
        for collected, value in zip(finals, last):
            collected.append(value)
    finals = [g.op("Concat", *f, axis=0) if len(f) > 1 else f[0] for f in finals]
    if not batched:
        x = g.op("Squeeze", x, g.int64s([1]))
        finals = [g.op("Squeeze", f, g.int64s([1])) for f in finals]
    elif module.batch_first:
        x = g.op("Transpose", x, perm=[1, 0, 2])
    return [x, *finals]


def _rows(g: GraphBuilder, x: str, start: int, count: int) -> str:
    """Rows ``start .. start + count`` of ``x`` (axis 0)."""
    return g.op("Slice", x, g.int64s([start]), g.int64s([start + count]), g.int64s([0]))


def _cell(g: GraphBuilder, call: Call) -> list | str:
    """One step of a cell: a one-step ONNX recurrent node; ``h'`` (and ``c'``)."""
    module, kind = call.module, KINDS[type(call.module)]
    batched = call.ndim(call.args[0]) == 2
    x = call.input(0)
    if not batched:
        x = g.op("Unsqueeze", x, g.int64s([0]))
    hx = call.args[1] if len(call.args) > 1 else call.kwargs.get("hx")
    states = [] if hx is None else [call.value(s) for s in (hx if kind == "LSTM" else [hx])]
    if not batched:
        states = [g.op("Unsqueeze", s, g.int64s([0])) for s in states]
    states = [g.op("Unsqueeze", s, g.int64s([0])) for s in states]  # (directions, N, H)
    x = g.op("Unsqueeze", x, g.int64s([0]))  # a sequence of one step
    _, *last = _node(g, module, kind, x, states, [""])
    axes = g.int64s([0, 1] if not batched else [0])
    out = [g.op("Squeeze", s, axes) for s in last]
    return out if kind == "LSTM" else out[0]


def _attention(g: GraphBuilder, call: Call) -> list:
    """``softmax(q k^T * scale + bias, masked) @ v`` and the probabilities."""
    kw = call.kwargs
    if kw.get("keep") is not None:
        raise mt.onnx.ExportError("attention dropout is on: its random mask cannot be exported")
    if kw.get("groups", 1) != 1:
        raise mt.onnx.ExportError("grouped-query attention (enable_gqa) is not translated")
    q, k, v = call.input(0), call.input(1), call.input(2)
    rank = call.ndim(call.args[1])
    dtype = call.out_dtype
    k_t = g.op("Transpose", k, perm=[*range(rank - 2), rank - 1, rank - 2])
    scores = g.op("Mul", g.op("MatMul", q, k_t), g.constant(kw["scale"], dtype))
    masked = len(call.args) > 3 and call.args[3] is not None
    if masked:
        scores = g.op("Add", scores, call.input(3))
    allowed = kw.get("allowed")
    if allowed is not None:
        scores = g.op("Where", g.constant(allowed), scores, g.constant(-np.inf, dtype))
    probs = g.op("Softmax", scores, axis=-1)
    if masked or allowed is not None:  # a row masked everywhere: zeros, not NaN
        probs = g.op("Where", g.op("IsNaN", probs), g.constant(0.0, dtype), probs)
    return [g.op("MatMul", probs, v), probs]


def _split(g: GraphBuilder, call: Call) -> list:
    parts, axis = call.kwargs["parts"], call.kwargs["axis"]
    size = call.dims(call.args[0])[axis] // parts
    if isinstance(size, mt.onnx.Dim):
        raise mt.onnx.ExportError("splitting a dynamic axis is not translated")
    return list(g.op("Split", call.input(0), g.int64s([size] * parts), outputs=parts, axis=axis))


# The ONNX operator of each recurrent module.
KINDS = {RNN: "RNN", LSTM: "LSTM", GRU: "GRU", RNNCell: "RNN", LSTMCell: "LSTM", GRUCell: "GRU"}
TRANSLATIONS = {
    RNN: _layers,
    LSTM: _layers,
    GRU: _layers,
    RNNCell: _cell,
    LSTMCell: _cell,
    GRUCell: _cell,
    Attention: _attention,
    Split: _split,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Declare the ONNX translations of the recurrent layers, attention and split."""
    for target, emit in TRANSLATIONS.items():
        mt.onnx.add_translation(registry, target, emit)
