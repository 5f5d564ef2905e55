"""Two traces of one model, compared: what the graph may hold as constants, and which ops the
outputs need.

The exporter traces the forward pass twice: with the given inputs, and with the inputs
reversed along dim 0 and enlarged along every dynamic axis. Whatever differs between the two
traces depends on the inputs, so it must be an ONNX value computed in the graph: a difference
in the ops run (control flow on tensor values), in a constant (a value computed outside the
traced ops, such as a comparison, ``argmax`` or NumPy code) or in a plain argument (a size taken
from the batch) is an error instead of a silently frozen graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .trace import Trace, as_array, leaves, tensors
from .translation import ExportError, describe_layer, missing_translation

if TYPE_CHECKING:
    from ..registry import Entry, Registry
    from .trace import Record, Sources

SECOND = "the second trace (inputs reversed along dim 0, dynamic axes enlarged)"
UNTRACED = (
    "it is computed outside the traced operations (a comparison such as x > 0, argmax, "
    ".item()/.numpy(), a cast of a tensor that needs no gradient, NumPy code, or a random "
    "draw), so the graph would hold it as a constant"
)


def needed(first: Trace) -> list[int]:
    """The indices of the records the outputs depend on, in order (dead ops, such as the
    activity-regularizer penalties of a forward pass, are left out)."""
    need = {s[1] for s in map(first.sources.get, tensors(first.output)) if _is_result(s)}
    for k in range(len(first.records) - 1, -1, -1):
        if k in need:
            record = first.records[k]
            for _, leaf in leaves((record.args, record.kwargs)):
                source = first.sources.get(leaf) if as_array(leaf) is not None else None
                if _is_result(source):
                    need.add(source[1])
    return sorted(need)


def compare(
    first: Trace, second: Trace, use: list[int], table: dict[type, Entry], registry: Registry
) -> None:
    """Raise `ExportError` at the first difference between the traces that the graph could
    not express (only the records in ``use`` and the outputs are compared in detail)."""
    n = min(len(first.records), len(second.records))
    for k in range(n):
        a, b = first.records[k], second.records[k]
        if a.target is not b.target or a.path != b.path:
            _diverged(k, a, b, registry)
    if len(first.records) != len(second.records):
        a, b = (first.records + [None])[n], (second.records + [None])[n]
        _diverged(n, a, b, registry)
    for k in use:
        a, b = first.records[k], second.records[k]
        entry = table.get(a.target)
        if entry is None:  # the first problem to report: nothing else can be done about it
            raise ExportError(missing_translation(a.target, a.path, a.module, registry))
        varying = entry.obj.varying
        pairs = zip(leaves((a.args, a.kwargs)), leaves((b.args, b.kwargs)))
        try:
            for ((_, *path), x), (_, y) in pairs:
                _compare_leaf(x, y, first.sources, second.sources, path[0] in varying, path)
        except ExportError as e:
            raise ExportError(f"{_where(a, registry)}: {e}") from None
        for x, y in zip(tensors(a.result), tensors(b.result)):
            if x.ndim != y.ndim:
                raise ExportError(
                    f"{_where(a, registry)}: the result has {x.ndim} dimensions here and "
                    f"{y.ndim} in {SECOND}; its rank must not depend on the inputs"
                )
    out_a, out_b = list(tensors(first.output)), list(tensors(second.output))
    for i, (x, y) in enumerate(zip(out_a, out_b)):
        try:
            _compare_leaf(x, y, first.sources, second.sources, False, ("output", i))
        except ExportError as e:
            raise ExportError(f"output {i} of the model: {e}") from None


def _compare_leaf(x: Any, y: Any, s1: Sources, s2: Sources, varying: bool, path: list) -> None:
    if varying:  # the translation reads it from the traced dims, or ignores it
        return
    what = _argument(path)
    ax, ay = as_array(x), as_array(y)
    if ax is None and ay is None:
        if not _equal(x, y):
            raise ExportError(
                f"{what} is {x!r} here but {y!r} in {SECOND}: a value taken from the inputs "
                f"(such as a size from x.shape) must be computed with tensor operations"
            )
        return
    source = s1.get(x) if ax is not None else None
    if source != (s2.get(y) if ay is not None else None):
        raise ExportError(f"{what} comes from different operations in {SECOND}")
    if source is None and (
        ax is None
        or ay is None
        or ax.shape != ay.shape
        or not np.array_equal(ax, ay, equal_nan=ax.dtype.kind in "fc")
    ):
        raise ExportError(f"{what} changes with the inputs, but {UNTRACED}")


def _where(record: Record, registry: Registry) -> str:
    return f"{record.target.__qualname__} in {describe_layer(record.path, record.module, registry)}"


def _diverged(k: int, a: Record | None, b: Record | None, registry: Registry) -> None:
    here, there = ("no operation" if r is None else _where(r, registry) for r in (a, b))
    raise ExportError(
        f"the forward pass runs different operations for other inputs: operation #{k} is "
        f"{here} here and {there} in {SECOND}. Control flow that depends on "
        f"tensor values or on the batch size (an if or a loop on them) cannot be exported"
    )


def _argument(path: list) -> str:
    if path[0] == "output":
        return "the value"
    head = f"argument {path[0]}" if isinstance(path[0], int) else f"argument {path[0]!r}"
    return head + "".join(f"[{p!r}]" for p in path[1:])


def _equal(x: Any, y: Any) -> bool:
    try:
        return bool(x == y) and type(x) is type(y)
    except (TypeError, ValueError):
        return False


def _is_result(source: tuple | None) -> bool:
    return source is not None and source[0] == "result"
