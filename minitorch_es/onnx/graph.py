"""`GraphBuilder`: the ONNX graph under construction, as translations see it.

Translations add nodes with `GraphBuilder.op` and constants with `GraphBuilder.constant`;
they never import the ``onnx`` package, which only `GraphBuilder.to_model` needs (so plugins
that declare translations load without it). Values are named by the layer that made them
(``/features.0/Conv_output_0``), which is what Netron shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..dtypes import dtype as mt_dtype
from .translation import ExportError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

EXTRA = "pip install 'minitorch-es[onnx]'"


def require_onnx() -> Any:
    """The ``onnx`` package, or an ImportError that names the extra to install."""
    try:
        import onnx
    except ImportError as e:
        raise ImportError(
            f"ONNX export needs the onnx package, which is not installed ({e}); install the "
            f"extra: {EXTRA}"
        ) from e
    return onnx


class Dim(NamedTuple):
    """A dimension that changes with the dynamic axes: its size in the export's trace and in
    the second trace (where every dynamic axis was enlarged). Two values share a ``Dim`` when
    they have the same size in both traces."""

    traced: int
    other: int


def dims_of(shape: tuple[int, ...], other: tuple[int, ...]) -> tuple[int | Dim, ...]:
    """Static sizes as ints, sizes that differ between the two traces as `Dim`."""
    return tuple(a if a == b else Dim(a, b) for a, b in zip(shape, other))


class GraphBuilder:
    """Nodes, initializers and what is known of each value (dtype and dims) of one export.

    ``opset`` is the ONNX opset being targeted (translations may emit different nodes for
    different opsets); ``scope`` is the dotted path of the layer being translated."""

    def __init__(self, opset: int) -> None:
        self.opset = opset
        self.scope = ""
        self.nodes: list[tuple[str, list[str], list[str], str, dict, str]] = []
        self.initializers: dict[str, np.ndarray] = {}
        self.inputs: list[str] = []
        self._info: dict[str, tuple[np.dtype | None, tuple | None]] = {}
        self._used: set[str] = set()
        self._constants: dict[tuple, str] = {}
        self._shapes: dict[str, str] = {}
        self._outputs: set[str] = set()
        self._renamed: dict[str, str] = {}

    # ------------------------------------------------------------------------- values
    def declare(self, name: str, dtype: DTypeLike | None, dims: tuple | None) -> None:
        """Record the dtype and dims (ints, or `Dim` for sizes that change with the dynamic
        axes) of a value."""
        self._info[name] = (None if dtype is None else np.dtype(dtype), dims)

    def dtype(self, name: str) -> np.dtype | None:
        """The dtype of a value, when known."""
        return self._info.get(name, (None, None))[0]

    def dims(self, name: str) -> tuple | None:
        """The dims of a value (ints and `Dim`), when known."""
        return self._info.get(name, (None, None))[1]

    def unique(self, name: str) -> str:
        """``name``, or ``name_1``, ``name_2`` ... if already taken."""
        candidate, k = name, 0
        while candidate in self._used:
            k += 1
            candidate = f"{name}_{k}"
        self._used.add(candidate)
        return candidate

    # -------------------------------------------------------------------------- nodes
    def op(
        self, op_type: str, *inputs: str, outputs: int = 1, domain: str = "", **attrs: Any
    ) -> Any:
        """Add a node; returns the name of its output (a tuple of names when ``outputs > 1``).
        Inputs are value names, ``""`` for an omitted optional input; attributes are Python
        numbers, strings, lists of them or NumPy dtypes (e.g. ``Cast``'s ``to``)."""
        inputs = list(inputs)
        while inputs and inputs[-1] == "":
            inputs.pop()  # trailing omitted optional inputs are left out
        node = self.unique(f"/{self.scope}/{op_type}" if self.scope else f"/{op_type}")
        names = [self.unique(f"{node}_output_{i}") for i in range(outputs)]
        self.nodes.append((op_type, inputs, names, node, attrs, domain))
        return names[0] if outputs == 1 else tuple(names)

    def constant(self, value: ArrayLike, dtype: DTypeLike | None = None, name: str = "") -> str:
        """An initializer holding ``value`` (an array or a number; ``dtype`` converts it).
        Small equal constants are shared."""
        array = np.asarray(value, dtype=dtype)
        if array.dtype == object:
            raise ExportError(f"cannot store {value!r} as an ONNX constant")
        key = (array.dtype.str, array.shape, array.tobytes()) if array.size <= 64 else None
        if not name and key in self._constants:
            return self._constants[key]
        out = self.unique(name or (f"/{self.scope}/Constant" if self.scope else "/Constant"))
        self.initializers[out] = array if array.flags.c_contiguous else array.copy()  # 0-d too
        self.declare(out, array.dtype, array.shape)
        if key is not None and not name:
            self._constants[key] = out
        return out

    def int64s(self, values: ArrayLike) -> str:
        """A 1-D int64 constant (axes, shapes, pads...)."""
        return self.constant(np.asarray(values, dtype=np.int64).reshape(-1))

    def cast(self, name: str, dtype: DTypeLike) -> str:
        """``name`` converted to ``dtype`` (no node when it already has it)."""
        dtype = np.dtype(dtype)
        if self.dtype(name) == dtype:
            return name
        out = self.op("Cast", name, to=dtype)
        self.declare(out, dtype, self.dims(name))
        return out

    def reduce(self, op_type: str, x: str, axes: tuple[int, ...] | None, keepdims: bool) -> str:
        """``ReduceSum``/``ReduceMean``/``ReduceMax``... over ``axes`` (all when None), with the
        axes as an input or an attribute as the opset requires."""
        keep = int(bool(keepdims))
        if axes is None:
            return self.op(op_type, x, keepdims=keep)
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, x, self.int64s(axes), keepdims=keep)
        return self.op(op_type, x, axes=list(axes), keepdims=keep)

    def shape_vector(self, dims: tuple, like: tuple[str, ...] = (), infer: bool = False) -> str:
        """An int64 vector holding ``dims``: static sizes as constants, a `Dim` read at run
        time from the shape of a value in ``like`` or of a graph input that has it, and (with
        ``infer``, as Reshape allows) one remaining `Dim` as -1."""
        pieces: list[str | list[int]] = []
        inferred = False
        for d in dims:
            if not isinstance(d, Dim):
                if pieces and isinstance(pieces[-1], list):
                    pieces[-1].append(int(d))
                else:
                    pieces.append([int(d)])
                continue
            found = self._find_dim(d, (*like, *self.inputs))
            if found is None:
                if not infer or inferred:
                    raise ExportError(
                        f"cannot express the size {d.traced} (which changes with the dynamic "
                        f"axes) from the inputs' dimensions in shape {_show(dims)}"
                    )
                inferred = True
                pieces.append([-1])
                continue
            value, axis = found
            shape = self._shapes.get(value)
            if shape is None:
                shape = self._shapes[value] = self.op("Shape", value)
            pieces.append(self.op("Gather", shape, self.int64s([axis]), axis=0))
        parts = [self.int64s(p) if isinstance(p, list) else p for p in pieces]
        if not parts:
            return self.int64s([])
        return parts[0] if len(parts) == 1 else self.op("Concat", *parts, axis=0)

    def _find_dim(self, d: Dim, values: tuple[str, ...]):
        for value in values:
            for axis, other in enumerate(self.dims(value) or ()):
                if other == d:
                    return value, axis
        return None

    def output(self, value: str, name: str) -> str:
        """Make ``value`` a graph output called ``name``: the output of the node that made it
        is renamed, or (for a graph input, an initializer or a value output twice) an
        ``Identity`` node copies it."""
        if name in self._used:
            raise ExportError(f"the output name {name!r} is already the name of another value")
        value = self._renamed.get(value, value)
        producer = next((node for node in self.nodes if value in node[2]), None)
        if producer is None or value in self._outputs:
            self._used.add(name)
            self.nodes.append(("Identity", [value], [name], f"/Identity_{name}", {}, ""))
        else:
            self._used.add(name)
            for _, inputs, outs, *_ in self.nodes:
                inputs[:] = [name if v == value else v for v in inputs]
                outs[:] = [name if v == value else v for v in outs]
            self._shapes = {(name if k == value else k): v for k, v in self._shapes.items()}
            self._renamed[value] = name
        self._info[name] = self._info[value]
        self._outputs.add(name)
        return name

    # ---------------------------------------------------------------------------- model
    def to_model(
        self, outputs: list[str], symbols: dict[str, dict[int, str]], graph_name: str
    ) -> Any:
        """The ``onnx.ModelProto`` of the graph; ``symbols[value][axis]`` names the dynamic
        axes of the graph inputs and outputs."""
        onnx = require_onnx()
        from onnx import helper, numpy_helper

        def info(name: str):
            dtype, dims = self._info[name]
            shape = [symbols.get(name, {}).get(i, d) for i, d in enumerate(dims)]
            shape = [f"{name}_dim{i}" if isinstance(d, Dim) else d for i, d in enumerate(shape)]
            return helper.make_tensor_value_info(name, _elem_type(dtype), shape)

        nodes = [
            helper.make_node(op, inputs, outs, name=name, domain=domain, **_attrs(attrs))
            for op, inputs, outs, name, attrs, domain in self.nodes
        ]
        graph = helper.make_graph(
            nodes,
            graph_name,
            [info(n) for n in self.inputs],
            [info(n) for n in outputs],
            [numpy_helper.from_array(a, n) for n, a in self.initializers.items()],
        )
        opsets = [helper.make_opsetid("", self.opset)]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="minitorch_es")
        # The oldest IR version that carries this opset, so older runtimes can read the file.
        model.ir_version = helper.find_min_ir_version_for(opsets)
        return onnx.shape_inference.infer_shapes(model)


def _elem_type(dtype: np.dtype) -> int:
    from onnx import helper

    try:
        return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    except (KeyError, TypeError, ValueError):
        raise ExportError(f"ONNX has no tensor type for the dtype {dtype}") from None


def _attrs(attrs: dict) -> dict:
    out = {}
    for key, value in attrs.items():
        if isinstance(value, (np.dtype, mt_dtype)) or (
            isinstance(value, type) and issubclass(value, np.generic)
        ):
            value = _elem_type(value)
        elif isinstance(value, (tuple, np.ndarray)):
            value = [v.item() if isinstance(v, np.generic) else v for v in value]
        elif isinstance(value, np.generic):
            value = value.item()
        out[key] = value
    return out


def _show(dims: tuple) -> str:
    return "(" + ", ".join(f"<{d.traced}>" if isinstance(d, Dim) else str(d) for d in dims) + ")"
