"""Reverse-mode differentiation: walk the graph from a tensor back to its leaves.

The walk is iterative (a chain of any length is fine), gradients of tensors used several times
are summed, and leaf gradients accumulate into ``.grad`` with ``+=``. Unless ``retain_graph``
is set, every node visited is released so its saved arrays can be freed; a second backward
through it raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import ShapeError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..tensor import Tensor


class _FreedGraph:
    """Marker left in ``Tensor._ctx`` once backward has released the node that made it."""

    fn = None


FREED = _FreedGraph()

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or to use a tensor whose graph was "
    "already freed by backward). Specify retain_graph=True on the first backward call if you "
    "need to backward twice."
)


def backward(
    root: Tensor, grad: Tensor | ArrayLike | None = None, retain_graph: bool = False
) -> None:
    """Backpropagate from ``root`` (what ``Tensor.backward`` calls); see the module notes."""
    if root._ctx is FREED:
        raise RuntimeError(_FREED_MESSAGE)
    if not root.requires_grad:
        raise RuntimeError(
            "backward() called on a tensor that does not require grad and has no graph: "
            "none of its inputs had requires_grad=True (or it was computed under no_grad)"
        )
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; backward() was called "
                f"on a tensor of shape {root.shape}: pass grad= of that shape"
            )
        grad = np.ones_like(root.data)
    else:
        grad = np.asarray(getattr(grad, "data", grad), dtype=root.dtype)
        if grad.shape != root.shape:
            raise ShapeError(
                f"backward(): grad has shape {grad.shape} but the tensor has shape {root.shape}"
            )

    grads = {id(root): grad}
    for t in _topological_order(root):
        g = grads.pop(id(t), None)
        ctx = t._ctx
        if g is None:
            continue
        if ctx is None:
            t._accumulate_grad(g)
            continue
        if ctx is FREED:
            raise RuntimeError(_FREED_MESSAGE)
        if t._retains_grad:
            t._accumulate_grad(g)
        input_grads = ctx.fn.backward(ctx, g)
        if not retain_graph:
            t._ctx = FREED
        if not isinstance(input_grads, tuple):
            input_grads = (input_grads,)
        if len(input_grads) != len(ctx.inputs):
            raise RuntimeError(
                f"{ctx.fn.__name__}.backward returned {len(input_grads)} gradients but forward "
                f"took {len(ctx.inputs)} inputs (return None for inputs without a gradient)"
            )
        for inp, needs, ig in zip(ctx.inputs, ctx.needs_input_grad, input_grads):
            if not needs or ig is None:
                continue
            if not isinstance(ig, np.ndarray):
                ig = np.asarray(ig)
            if ig.shape != inp.data.shape:
                raise ShapeError(
                    f"{ctx.fn.__name__}.backward returned a gradient of shape {ig.shape} for an "
                    f"input of shape {inp.data.shape}"
                )
            if ig.dtype != inp.data.dtype:
                ig = ig.astype(inp.data.dtype)
            key = id(inp)
            prev = grads.get(key)
            grads[key] = ig if prev is None else prev + ig


def _topological_order(root: Tensor) -> list:
    """Tensors reachable from ``root`` that need a gradient, each after everything it feeds."""
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in visited:
            continue
        visited.add(id(t))
        stack.append((t, True))
        ctx = t._ctx
        if ctx is not None and ctx is not FREED:
            for inp, needs in zip(ctx.inputs, ctx.needs_input_grad):
                if needs and id(inp) not in visited:
                    stack.append((inp, False))
    order.reverse()
    return order
