"""``mt.onnx.export``: a model traced in eval mode, translated op by op, checked, written."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from ..atomic import write_bytes
from ..autograd import enable_grad
from ..registry import registry
from ..tensor import Tensor
from . import emit, runs
from .arguments import (
    axes_of,
    check_dynamic_axes,
    check_names,
    check_opset,
    default_input_names,
    keyword_args,
    positional_args,
)
from .trace import tensors, trace
from .translation import ExportError, translations

if TYPE_CHECKING:
    from ..nn import Module

PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29)  # how much each dynamic axis grows in trace 2


def export(
    model: Module,
    args: Tensor | np.ndarray | Sequence[Any] = (),
    f: str | os.PathLike | IO[bytes] | None = None,
    *,
    kwargs: Mapping[str, Any] | None = None,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    dynamic_axes: Mapping[str, Mapping[int, str] | Sequence[int]] | None = None,
    opset_version: int | None = None,
) -> Any:
    """Export ``model`` to ONNX, as ``torch.onnx.export``: ``model(*args, **kwargs)`` is traced
    in eval mode and each op is translated; the graph passes ``onnx.checker`` and is written
    to ``f`` (a path, written atomically, or a binary file object). Returns the
    ``onnx.ModelProto``.

    ``args``: a Tensor or a tuple of positional arguments (each Tensor or array becomes a
    graph input; other values are passed as they are). ``input_names`` default to the names of
    ``forward``'s parameters, ``output_names`` to ``output`` (``output_0``, ``output_1``... for
    several). ``dynamic_axes`` names the axes whose size may change, as PyTorch:
    ``{"x": {0: "batch"}, "output": {0: "batch"}}`` (or ``{"x": [0]}``); without it every
    size is fixed, as PyTorch. ``opset_version`` defaults to 20 (PyTorch's default).
    Needs the ``onnx`` extra: ``pip install 'minitorch-es[onnx]'``.
    """
    from ..nn import Module
    from .graph import require_onnx

    onnx = require_onnx()
    if not isinstance(model, Module):
        raise TypeError(f"mt.onnx.export: expected a Module, got {type(model).__name__}")
    args = positional_args(args)
    kwargs = keyword_args(kwargs)
    opset = check_opset(opset_version, onnx)
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    in_names = check_names("input_names", input_names, default_input_names(model, positions))
    axes = check_dynamic_axes(dynamic_axes)
    in_axes = {p: axes_of(axes, n, args[p].ndim) for p, n in zip(positions, in_names)}
    table = translations(registry)
    units = {t for t in table if _is_module_class(t)}
    with _eval_mode(model), enable_grad():
        first = trace(model, _traced(args), kwargs, units)
        second = _second_trace(model, args, in_axes, kwargs, units)
    outputs = list(tensors(first.output))
    if not outputs:
        raise ExportError(f"the model returned {type(first.output).__name__}, no Tensor")
    defaults = ["output"] if len(outputs) == 1 else [f"output_{i}" for i in range(len(outputs))]
    out_names = check_names("output_names", output_names, defaults)
    if set(out_names) & set(in_names):
        raise ValueError(
            f"mt.onnx.export: the output names {out_names} and input names {in_names} must "
            f"differ, got {sorted(set(out_names) & set(in_names))} in both"
        )
    out_axes = [axes_of(axes, n, t.ndim) for n, t in zip(out_names, outputs)]
    unknown = set(axes) - set(in_names) - set(out_names)
    if unknown:
        raise ValueError(
            f"mt.onnx.export: dynamic_axes names {sorted(unknown)}, which are neither inputs "
            f"{in_names} nor outputs {out_names}"
        )
    use = runs.needed(first)
    runs.compare(first, second, use, table, registry)
    graph_inputs = dict(zip(positions, in_names))
    g, values = emit.build(first, second, graph_inputs, use, table, registry, opset)
    symbols = {n: in_axes[p] for p, n in zip(positions, in_names)}
    for value, name, declared in zip(values, out_names, out_axes):
        g.output(value, name)
        symbols[name] = {**_inherited(g, name, symbols, in_names), **declared}
    try:
        proto = g.to_model(out_names, symbols, type(model).__name__)
        onnx.checker.check_model(proto, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        raise ExportError(
            f"the exported graph fails the ONNX checker (a translation emitted an invalid "
            f"node): {e}"
        ) from e
    if f is not None:
        _write(f, proto.SerializeToString())
    return proto


def _traced(args: tuple) -> tuple:
    # Floating inputs require grad, so every op on them is a traced Function (a cast too)
    # and an in-place change of a traced value is refused instead of being silently lost.
    return tuple(
        Tensor(a.numpy(force=True), requires_grad=a.dtype.kind == "f")
        if isinstance(a, Tensor)
        else a
        for a in args
    )


def _second_trace(
    model: Module, args: tuple, in_axes: dict[int, dict[int, str]], kwargs: dict, units: set
) -> Any:
    """The trace on the inputs reversed along dim 0 and tiled along each dynamic axis (by a
    factor of its own per axis name, so that sizes derived from different axes differ)."""
    symbols = sorted({s for axes in in_axes.values() for s in axes.values()})
    if len(symbols) > len(PRIMES):
        raise ExportError(f"at most {len(PRIMES)} distinct dynamic axis names are supported")
    factor = dict(zip(symbols, PRIMES))
    try:
        return trace(model, _grown(args, in_axes, factor), kwargs, units)
    except ExportError:
        raise
    except Exception as e:
        grown = ", ".join(f"{s!r} x{f}" for s, f in factor.items())
        raise ExportError(
            f"the forward pass fails when the dynamic axes grow ({grown}): "
            f"{type(e).__name__}: {e}. Axes that must have equal sizes need the same name in "
            f"dynamic_axes"
        ) from e


def _grown(args: tuple, in_axes: dict[int, dict[int, str]], factor: dict[str, int]) -> tuple:
    out = list(args)
    for position, axes in in_axes.items():
        array = args[position].numpy(force=True)
        array = array[::-1] if array.ndim else array
        reps = [1] * array.ndim
        for axis, symbol in axes.items():
            reps[axis] = factor[symbol]
        out[position] = Tensor(np.tile(array, reps), requires_grad=array.dtype.kind == "f")
    return tuple(out)


def _inherited(g: Any, name: str, symbols: dict, in_names: list[str]) -> dict[int, str]:
    """Output axes that have the size of a dynamic input axis take that axis's name."""
    out = {}
    for axis, d in enumerate(g.dims(name)):
        for value in in_names:
            for in_axis, other in enumerate(g.dims(value)):
                if other == d and in_axis in symbols[value] and axis not in out:
                    out[axis] = symbols[value][in_axis]
    return out


def _is_module_class(cls: type) -> bool:
    from ..nn import Module

    return issubclass(cls, Module)


@contextmanager
def _eval_mode(model: Module):
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        yield
    finally:
        for m, mode in modes:  # each module's own mode (a part may be frozen in eval)
            m.training = mode


def _write(f: str | os.PathLike | IO[bytes], data: bytes) -> None:
    if hasattr(f, "write"):
        f.write(data)
    else:
        write_bytes(f, data)  # atomic: a failed export leaves the previous file intact
