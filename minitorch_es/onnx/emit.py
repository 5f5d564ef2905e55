"""From two compared traces to a `GraphBuilder`: graph inputs, one translation per needed
record, graph outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .call import Call
from .graph import GraphBuilder, dims_of
from .trace import Trace, as_array, tensors
from .translation import ExportError, describe_layer

if TYPE_CHECKING:
    from ..registry import Entry, Registry
    from .trace import Record


def build(
    first: Trace,
    second: Trace,
    inputs: dict[int, str],
    use: list[int],
    table: dict[type, Entry],
    registry: Registry,
    opset: int,
) -> tuple[GraphBuilder, list[str]]:
    """The graph of ``first`` (sizes that differ in ``second`` become dynamic), with graph
    inputs named by ``inputs`` (positional argument -> name); returns it and the names of
    the values that are the model's outputs."""
    g = GraphBuilder(opset)
    names: dict[tuple, str] = {}
    for position, name in inputs.items():
        t1, t2 = first.args[position], second.args[position]
        g.declare(name, t1.dtype, dims_of(t1.shape, t2.shape))
        g.inputs.append(name)
        names[("input", position)] = name

    def resolve(obj: Any) -> str | None:
        source = first.sources.get(obj)
        if source is None:
            return None
        if source not in names:  # parameters and buffers become initializers on first use
            names[source] = g.constant(as_array(obj), name=source[1])
        return names[source]

    for k in use:
        a, b = first.records[k], second.records[k]
        results = list(zip(tensors(a.result), tensors(b.result)))
        dims = [dims_of(x.shape, y.shape) for x, y in results]
        entry = table[a.target]  # runs.compare made sure there is one
        g.scope = a.path
        outs = _emit(entry, g, Call(g, a, dims, resolve), a, registry)
        if len(outs) != len(results):
            raise ExportError(
                f"the ONNX translation of {a.target.__qualname__} from {entry.provider} "
                f"returned {len(outs)} values for {len(results)} results"
            )
        for j, (name, (x, _), d) in enumerate(zip(outs, results, dims)):
            g.declare(name, x.dtype, d)
            names[("result", k, j)] = name
    g.scope = ""
    return g, [resolve(x) or g.constant(as_array(x)) for x in tensors(first.output)]


def _emit(
    entry: Entry, g: GraphBuilder, call: Call, record: Record, registry: Registry
) -> list[str]:
    layer = describe_layer(record.path, record.module, registry)
    where = f"{record.target.__qualname__} in {layer}"
    try:
        out = entry.obj.emit(g, call)
    except ExportError as e:
        raise ExportError(f"{where}: {e}") from None
    except Exception as e:  # a broken translation: say whose
        raise ExportError(
            f"{where}: the ONNX translation from {entry.provider} failed: {type(e).__name__}: {e}"
        ) from e
    return [out] if isinstance(out, str) else list(out)
