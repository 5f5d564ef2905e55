"""Tracing one forward pass: every autograd Function call (through the hook of
``minitorch_es.autograd.function``) and every call of a module whose class has a translation
(through forward hooks), in execution order.

A module with a translation is one unit: the Functions its forward calls are not recorded.
Every module of the tree is hooked so that each record knows the innermost layer it ran in
(for error messages and node names).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import function
from ..tensor import Tensor
from .translation import ExportError

if TYPE_CHECKING:
    from ..nn import Module


@dataclass
class Record:
    """One traced call: a Function's (``unit=False``) or a translated module's (``unit=True``)
    arguments and result, with the dotted path and object of the layer it ran in."""

    target: type
    args: tuple
    kwargs: dict
    result: Any
    path: str
    module: Module | None
    unit: bool


@dataclass
class Trace:
    """The arguments, records and output of one forward pass, and where each tensor came from."""

    args: tuple
    records: list[Record]
    output: Any
    sources: Sources


class Sources:
    """Where each tensor or array of a trace comes from: ``("input", i)``, ``("param", name)``,
    ``("buffer", name)`` or ``("result", k, j)`` (output ``j`` of record ``k``). A tensor's
    array counts as the tensor (layers pass index tensors on as arrays)."""

    def __init__(self) -> None:
        self._by_id: dict[int, tuple] = {}
        self._alive: list[Any] = []  # ids are only unique among live objects

    def add(self, obj: Any, source: tuple) -> None:
        """Record the source of ``obj`` (and of a Tensor's array) unless already known."""
        self._alive.append(obj)
        self._by_id.setdefault(id(obj), source)
        if isinstance(obj, Tensor):
            array = obj.numpy(force=True)
            self._alive.append(array)
            self._by_id.setdefault(id(array), source)

    def get(self, obj: Any) -> tuple | None:
        """The source of a tensor or array, or None for a constant."""
        return self._by_id.get(id(obj))


def tensors(value: Any) -> Iterator[Tensor]:
    """The Tensors of a result (a Tensor, or nested tuples/lists/dicts of them), in order."""
    for _, leaf in leaves(value):
        if isinstance(leaf, Tensor):
            yield leaf


def leaves(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """``(path, leaf)`` for every non-container value nested in tuples, lists and dicts."""
    if isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))
    elif isinstance(value, dict):
        for k in value:
            yield from leaves(value[k], (*path, k))
    else:
        yield path, value


def trace(model: Module, args: tuple, kwargs: dict, units: set[type]) -> Trace:
    """Run ``model(*args, **kwargs)`` recording its calls; ``units`` are the module classes
    that have a translation."""
    if function._tracer is not None:
        raise ExportError("an ONNX export is already tracing (exports cannot be nested)")
    records: list[Record] = []
    names = {id(m): n for n, m in model.named_modules()}
    stack: list[tuple[str, Module]] = []
    unit_depth = 0

    frozen = _Frozen()

    def on_function(cls: type, fargs: tuple, fkwargs: dict, result: Tensor) -> None:
        if not unit_depth:
            path, module = stack[-1] if stack else ("", None)
            records.append(Record(cls, fargs, fkwargs, result, path, module, unit=False))
            for t in tensors(result):  # a multi-output Primitive returns a tuple
                frozen.add(t)

    def before(module: Module, margs: tuple) -> None:
        nonlocal unit_depth
        stack.append((names[id(module)], module))
        unit_depth += type(module) in units

    def after(module: Module, margs: tuple, out: Any) -> None:
        nonlocal unit_depth
        path, _ = stack.pop()
        if type(module) in units:
            unit_depth -= 1
            if not unit_depth:
                records.append(Record(type(module), margs, {}, out, path, module, unit=True))
                for t in tensors(out):
                    frozen.add(t)

    handles = []
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    for t in tensors(args):
        frozen.add(t)
    function._tracer = on_function
    try:
        output = model(*args, **kwargs)
    except (ValueError, RuntimeError) as e:
        if "read-only" not in str(e):
            raise
        raise ExportError(
            f"the forward pass changes a tensor in place ({e}); the graph records only "
            f"operations that make new tensors: write x = x + 1 rather than x += 1, and build "
            f"a tensor with mt.where or mt.cat rather than assigning into it"
        ) from e
    finally:
        function._tracer = None
        frozen.release()
        for h in handles:
            h.remove()
    return Trace(args, records, output, _sources(model, args, records))


class _Frozen:
    """The arrays of traced values, read-only while the forward pass runs: an in-place change
    (even under no_grad, or through ``.data``) would be missing from the graph, so it must
    fail instead."""

    def __init__(self) -> None:
        self._arrays: list[np.ndarray] = []

    def add(self, t: Tensor) -> None:
        array = t.numpy(force=True)
        if array.flags.writeable:
            array.flags.writeable = False
            self._arrays.append(array)

    def release(self) -> None:
        for array in self._arrays:  # in creation order: a view's base is writeable again first
            try:
                array.flags.writeable = True
            except ValueError:  # a view of an array that stays read-only
                pass


def _sources(model: Module, args: tuple, records: list[Record]) -> Sources:
    sources = Sources()
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            sources.add(a, ("input", i))
    for name, p in model.named_parameters():
        sources.add(p, ("param", name))
    for name, b in model.named_buffers():
        sources.add(b, ("buffer", name))
    for k, record in enumerate(records):
        for j, t in enumerate(tensors(record.result)):
            sources.add(t, ("result", k, j))
    return sources


def as_array(value: Any) -> np.ndarray | None:
    """The array of a Tensor or ndarray leaf, None for other values."""
    if isinstance(value, Tensor):
        return value.numpy(force=True)
    if isinstance(value, np.ndarray):
        return value
    return None
