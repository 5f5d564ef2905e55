"""Reverse-mode differentiation: walk the graph from outputs back to the tensors that need a
gradient.

The graph's nodes are the `Context` objects of recorded ops; a tensor points at the node that
made it (``_ctx``) and at which of its outputs it is (``_out``). The walk is iterative (a chain
of any length is fine) and visits each node once, after every node that consumes its outputs,
so the gradients of a node's outputs are complete when its backward runs. Without
``create_graph`` gradients are NumPy arrays and no graph is built (the fast path); with it they
are Tensors computed by the same backward formulas under grad mode, so they can be
differentiated again. Unless ``retain_graph``, each node visited frees what it saved.

``backward`` finishes each leaf as soon as the last node that feeds it has run, as PyTorch's
AccumulateGrad does: the leaf's ``register_hook`` hooks, the accumulation into ``.grad`` and its
``register_post_accumulate_grad_hook`` hooks run then, while the rest of the graph is still to
be walked (a data-parallel wrapper starts the all-reduce of those gradients there, overlapping
communication with the remaining backward). `queue_callback` runs a function when the whole
walk is done (where the wrapper waits for its all-reduces).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from ..errors import ShapeError
from . import function as _function
from . import grad_buffers, grad_mode

if TYPE_CHECKING:
    from ..tensor import Tensor
    from .function import Context

Grad = Union[np.ndarray, "Tensor"]  # an array on the fast path, a Tensor under create_graph


def backward(
    tensors: Sequence[Tensor],
    grad_tensors: Sequence,
    retain_graph: bool | None,
    create_graph: bool,
    inputs: Tensor | Sequence[Tensor] | None,
    where: str = "backward()",
) -> None:
    """Accumulate d(tensors)/d(leaf) into ``.grad`` of the leaves (or only of ``inputs``)."""
    if inputs is not None:
        inputs = _as_tensors(inputs, "inputs")
        if not inputs:
            raise RuntimeError("backward(): 'inputs' argument to backward() cannot be empty.")
        for i, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError(f"backward(): input {i} does not require grad")
    roots, grads = _roots(tensors, grad_tensors, create_graph, where)
    retain = create_graph if retain_graph is None else retain_graph
    _callbacks.append([])
    outer_offers = grad_buffers.current  # a hook may run a backward of its own
    if not create_graph:  # gradients may be written straight into .grad (grad_buffers)
        grad_buffers.current = grad_buffers.Offers(
            None if inputs is None else {id(t) for t in inputs if t._ctx is None}
        )
    try:
        _run(roots, grads, retain, create_graph, inputs, inputs is not None, _accumulate)
    except BaseException:
        _callbacks.pop()  # the walk failed: what was queued for its end does not run
        raise
    finally:
        grad_buffers.current = outer_offers
    queued = _callbacks[-1]
    try:
        while queued:  # a callback may queue another one
            queued.pop(0)()
    finally:
        _callbacks.pop()


def _accumulate(t: Tensor, g: Grad) -> None:
    """A leaf's gradient is complete: add it into ``.grad``, then run the post-accumulate
    hooks (PyTorch's ``register_post_accumulate_grad_hook``)."""
    t._accumulate_grad(g)
    if t._post_hooks:
        for hook in list(t._post_hooks.values()):
            hook(t)


# One list of queued callbacks per running backward() (a hook may call backward again).
_callbacks: list[list[Callable[[], None]]] = []


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` when the backward pass that is running finishes its walk (PyTorch's
    ``Variable._execution_engine.queue_callback``); only callable from a hook during
    ``backward()``."""
    if not _callbacks:
        raise RuntimeError(
            "queue_callback: no backward pass is running (call it from a tensor hook "
            "during backward())"
        )
    if not callable(callback):
        raise TypeError(f"queue_callback expected a callable, got {type(callback).__name__}")
    _callbacks[-1].append(callback)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
    is_grads_batched: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (never accumulated
    into ``.grad``), as ``torch.autograd.grad``; see `minitorch_es.autograd.grad`."""
    from ..tensor import Tensor

    if is_grads_batched:
        raise NotImplementedError("autograd.grad: is_grads_batched=True is not supported")
    inputs = _as_tensors(inputs, "inputs")
    if not inputs:
        raise RuntimeError("grad requires non-empty inputs.")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True"
        )
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}) does not require grad"
            )
    outputs = _as_tensors(outputs, "outputs")
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _as_list(grad_outputs)
        if len(grad_outputs) != len(outputs):
            raise RuntimeError(
                f"grad_outputs should be a sequence of length {len(outputs)} (one per output), "
                f"got {len(grad_outputs)}"
            )
    roots, grads = _roots(outputs, grad_outputs, create_graph, "grad()")
    retain = create_graph if retain_graph is None else retain_graph
    found = _run(roots, grads, retain, create_graph, targets=inputs, capture=True)
    result = []
    for i, t in enumerate(inputs):
        entry = found.get(id(t))
        if entry is None:
            if not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}, shape {tuple(t.shape)}) "
                    f"appears to not have been used in the graph. Set allow_unused=True if this "
                    f"is the desired behavior."
                )
            result.append(Tensor._wrap(np.zeros_like(t._data)) if materialize_grads else None)
            continue
        g = entry[1]
        result.append(g if isinstance(g, Tensor) else Tensor._wrap(np.array(g, copy=True)))
    return tuple(result)


# --------------------------------------------------------------------------- the walk
def _run(
    roots: list,
    grads: list,
    retain_graph: bool,
    create_graph: bool,
    targets: list | None = None,
    capture: bool = False,
    on_ready: Callable[[Tensor, Grad], None] | None = None,
) -> dict:
    """Propagate ``grads`` from ``roots``; return ``{id(tensor): (tensor, grad)}`` for the
    leaves reached (or, with ``targets``, only for those tensors; non-leaf targets are
    reported only with ``capture``). The walk skips what cannot lead to a target. With
    ``on_ready``, each of those tensors is instead handed to ``on_ready(tensor, grad)`` (after
    its hooks) as soon as its gradient is complete, and the dict returned is empty."""
    leaf_ids = node_keys = None
    if targets is not None:
        leaf_ids = {id(t) for t in targets if t._ctx is None}
        node_keys = {(id(t._ctx), t._out): t for t in targets if t._ctx is not None}
    order, finishing = _topological_order(roots, leaf_ids, node_keys, on_ready is not None)
    node_grads: dict = {}
    found: dict = {}

    def deliver(node: Context | None, out: int, leaf: Tensor | None, g: Grad) -> None:
        if node is None:
            key = id(leaf)
            if leaf_ids is None or key in leaf_ids:
                prev = found.get(key)  # _add, inlined: a leaf is reached on every step
                found[key] = (leaf, g) if prev is None else (leaf, prev[1] + g)
            return
        if capture and node_keys:
            t = node_keys.get((id(node), out))
            if t is not None:  # a non-leaf target: its gradient is this one
                _add(found, id(t), t, g)
        slots = node_grads.get(id(node))
        if slots is None:
            slots = node_grads[id(node)] = [None] * len(node._outputs)
        prev = slots[out]
        slots[out] = g if prev is None else prev + g

    for root, g in zip(roots, grads):
        deliver(root._ctx, root._out, root if root._ctx is None else None, g)

    previous = grad_mode._enabled
    grad_mode._enabled = create_graph  # formulas record a graph only when one is wanted
    try:
        for node in order:
            slots = node_grads.pop(id(node), None)
            if slots is not None:
                _run_node(node, slots, retain_graph, create_graph, deliver)
            if finishing:
                for leaf in finishing.get(id(node), ()):  # this node fed them last
                    entry = found.pop(id(leaf), None)
                    if entry is not None:
                        if leaf._hooks:
                            _finish(entry, create_graph, on_ready)
                        else:  # no hooks (the usual case): straight to on_ready
                            on_ready(leaf, entry[1])
        if on_ready is not None:  # leaves that were roots, non-leaf targets
            for entry in list(found.values()):
                _finish(entry, create_graph, on_ready)
            found.clear()
    finally:
        grad_mode._enabled = previous
    # Hooks of leaves see their summed gradient, once, before it is accumulated or returned.
    for key, (t, g) in list(found.items()):
        if t._hooks:
            found[key] = (t, _call_hooks(t._hooks, g, t, create_graph))
    return found


def _finish(entry: tuple, create_graph: bool, on_ready: Callable) -> None:
    """A tensor's gradient is complete: its hooks, then ``on_ready``."""
    t, g = entry
    if t._hooks:
        g = _call_hooks(t._hooks, g, t, create_graph)
    on_ready(t, g)


def _run_node(
    node: Context, slots: list, retain_graph: bool, create_graph: bool, deliver: Callable
) -> None:
    """Run one node's backward on its outputs' gradients and pass the results along its
    edges. Kept lean: it runs for every op of every backward."""
    if node._saved is None:
        raise RuntimeError(_function._FREED_MESSAGE)
    if node._hooks or node._retained:
        slots = _output_hooks(node, slots, create_graph)
    if len(slots) > 1 and node.materialize_grads:  # one output: it has its gradient
        _materialize(node, slots, create_graph)
    if node._version_checks:
        node._check_versions()
    fn = node.fn
    if fn.on_arrays and not create_graph:
        if fn.ieee_silent:
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                input_grads = fn.backward(node, *slots)
        else:
            input_grads = fn.backward(node, *slots)
    else:
        input_grads = _tensor_backward(node, slots, create_graph)
    inputs = node.inputs
    if not retain_graph:
        node._release()
    if type(input_grads) is not tuple:
        input_grads = (input_grads,)
    if len(input_grads) != len(inputs):
        raise RuntimeError(
            f"function {fn.__name__}Backward returned an incorrect number of gradients "
            f"(expected {len(inputs)}, got {len(input_grads)})"
        )
    for inp, edge, ig in zip(inputs, node.edges, input_grads):
        if edge is not None and ig is not None:
            if not create_graph and type(ig) is np.ndarray and ig.shape == inp._data.shape:
                if ig.dtype != inp._data.dtype:
                    ig = ig.astype(inp._data.dtype)
            else:
                ig = _checked_grad(fn, inp, ig, create_graph)
            deliver(*edge, ig)


def _materialize(node: Context, slots: list, create_graph: bool) -> None:
    """Zeros for the outputs that got no gradient (PyTorch's materialize_grads)."""
    for j, g in enumerate(slots):
        if g is None:
            arr = node._output_arrays[j]
            if arr is not None and arr.dtype.kind in "fc":
                z = np.zeros_like(arr)
                slots[j] = _function._Tensor._wrap(z) if create_graph else z


def _tensor_backward(node: Context, slots: list, create_graph: bool) -> Any:
    """A backward that computes with Tensors: a `Function`'s, or any op's under create_graph
    (then the node's saved values are the graph's Tensors)."""
    Tensor = _function._Tensor
    tensors = [g if g is None or isinstance(g, Tensor) else Tensor._wrap(g) for g in slots]
    node._differentiable = create_graph
    previous = _function._graph_backward
    _function._graph_backward = create_graph
    try:
        return node.fn.backward(node, *tensors)
    finally:
        node._differentiable = False
        _function._graph_backward = previous


def _checked_grad(fn: type, inp: Tensor, ig: Any, create_graph: bool) -> Grad:
    """``ig`` as the gradient of ``inp``: the right shape and dtype, an array on the fast path
    and a Tensor when building a graph."""
    Tensor = _function._Tensor
    if isinstance(ig, Tensor):
        if not create_graph:
            ig = ig._data
    elif create_graph:
        if isinstance(ig, np.ndarray) and fn.on_arrays:
            raise RuntimeError(
                f"{fn.__name__}.backward returned a NumPy array while a graph of the gradient "
                f"was requested (create_graph=True): write it with the operators, shared "
                f"methods and ctx.xp functions so that it computes with Tensors"
            )
        ig = Tensor._wrap(np.asarray(ig))
    elif not isinstance(ig, np.ndarray):
        ig = np.asarray(ig)
    shape = inp._data.shape
    if ig.shape != shape:
        raise ShapeError(
            f"Function {fn.__name__}Backward returned an invalid gradient - got shape "
            f"{tuple(ig.shape)} but expected shape compatible with {shape}"
        )
    if ig.dtype != inp._data.dtype:
        ig = ig.to(inp._data.dtype) if isinstance(ig, Tensor) else ig.astype(inp._data.dtype)
    return ig


def _output_hooks(node: Context, slots: list, create_graph: bool) -> list:
    """Apply register_hook hooks of the node's outputs and fill retained ``.grad``s."""
    from ..tensor import Tensor

    slots = list(slots)
    for j, g in enumerate(slots):
        if g is None:
            continue
        hooks = node._hooks.get(j) if node._hooks else None
        if hooks:
            slots[j] = g = _call_hooks(hooks, g, None, create_graph)
        ref = node._retained.get(j) if node._retained else None
        t = ref() if ref is not None else None
        if t is not None:
            value = g if isinstance(g, Tensor) else Tensor._wrap(np.array(g, copy=True))
            t._grad = value if t._grad is None else t._grad + value
    return slots


def _call_hooks(hooks: dict, g: Grad, tensor: Tensor | None, create_graph: bool) -> Grad:
    from ..tensor import Tensor

    is_array = not isinstance(g, Tensor)
    value = Tensor._wrap(g) if is_array else g
    for hook in list(hooks.values()):
        new = hook(value)
        if new is not None:
            if not isinstance(new, Tensor) or new.shape != value.shape:
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} returned "
                    f"{type(new).__name__} {getattr(new, 'shape', '')}: a hook must return "
                    f"None or a Tensor of the gradient's shape {tuple(value.shape)}"
                )
            value = new
    return value._data if is_array and not create_graph else value


def _add(found: dict, key: int, t: Tensor, g: Grad) -> None:
    prev = found.get(key)
    found[key] = (t, g if prev is None else prev[1] + g)


def _topological_order(
    roots: list, leaf_ids: set | None, node_keys: dict | None, track_leaves: bool = False
) -> tuple[list, dict | None]:
    """Nodes reachable from ``roots``, each after every node that consumes its outputs; with
    targets (``leaf_ids``, ``node_keys``), only nodes from which a target can be reached. With
    ``track_leaves``, also ``{id(node): [leaves]}``: the leaves each node is the last to feed
    (None otherwise)."""
    post, visited = [], set()
    useful: dict = {}
    last_feeder: dict | None = {} if track_leaves else None
    stack = [(r._ctx, False) for r in roots if r._ctx is not None]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            post.append(node)
            if track_leaves:  # the first in post-order is the last to run
                for e in node.edges:
                    if e is not None and e[0] is None and id(e[2]) not in last_feeder:
                        last_feeder[id(e[2])] = (node, e[2])
            if leaf_ids is not None:
                useful[id(node)] = any(
                    e is not None
                    and (
                        id(e[2]) in leaf_ids
                        if e[0] is None
                        else (id(e[0]), e[1]) in node_keys or useful.get(id(e[0]), False)
                    )
                    for e in node.edges
                )
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for e in node.edges:
            if e is not None and e[0] is not None and id(e[0]) not in visited:
                stack.append((e[0], False))
    post.reverse()
    if leaf_ids is not None:
        post = [n for n in post if useful[id(n)]]
    finishing = None
    if track_leaves:
        finishing = {}
        for node, leaf in last_feeder.values():
            finishing.setdefault(id(node), []).append(leaf)
    return post, finishing


# ---------------------------------------------------------------------- arguments
def _roots(tensors: list, grad_tensors: list, create_graph: bool, where: str) -> tuple:
    Tensor = _function._Tensor
    roots, grads = [], []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t._requires_grad:
            raise RuntimeError(
                f"{where}: element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    f"{where}: grad can be implicitly created only for scalar outputs; got an "
                    f"output of shape {tuple(t.shape)}: pass a gradient of that shape"
                )
            g = np.ones_like(t._data)
        else:
            if not isinstance(g, Tensor):
                g = np.asarray(g, dtype=t._data.dtype)
            if g.shape != t._data.shape:
                raise ShapeError(
                    f"{where}: Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{tuple(g.shape)} and output[{i}] has a shape of {tuple(t.shape)}."
                )
            if g.dtype != t._data.dtype:
                g = g.to(t._data.dtype) if isinstance(g, Tensor) else g.astype(t._data.dtype)
        if create_graph:
            g = g if isinstance(g, Tensor) else Tensor._wrap(g)
        elif isinstance(g, Tensor):
            g = g._data
        roots.append(t)
        grads.append(g)
    return roots, grads


def _as_list(x: Any) -> list:
    from ..tensor import Tensor

    return [x] if isinstance(x, Tensor) or x is None else list(x)


def _as_tensors(x: Any, what: str) -> list:
    from ..tensor import Tensor

    items = _as_list(x)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}[{i}] must be a Tensor, got {type(t).__name__}")
    return items
