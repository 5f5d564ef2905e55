"""The graph as PyTorch shows it: what ``grad_fn`` offers code that inspects the graph (its
name, ``next_functions``, ``metadata``), the `AccumulateGrad` nodes at the leaves, and
`ShownNode`, a node of PyTorch's graph that minitorch_es fuses into another op.

None of this runs backward: the engine walks ``Context.edges``.
"""

from __future__ import annotations

from typing import Any


class GraphNode:
    """What a recorded op's node (`minitorch_es.autograd.Context`) shows as ``grad_fn``; the
    node has ``fn`` (its op) and ``edges`` (where each input's gradient goes)."""

    @property
    def grad_fn_name(self) -> str:
        """PyTorch's name of this node, as printed in ``grad_fn=<MulBackward0>``: the op's
        ``backward_name`` (which forward may refine on ``ctx``)."""
        return self.__dict__.get("backward_name") or self.fn.backward_name_of()

    def name(self) -> str:
        """The node's name (``"MulBackward0"``), as ``grad_fn.name()``."""
        return self.grad_fn_name

    @property
    def next_functions(self) -> tuple:
        """``((node, output index), ...)`` as PyTorch's ``grad_fn.next_functions``: per input
        of forward, the node that made it, an `AccumulateGrad` for a leaf that requires grad,
        ``(None, 0)`` for an input without a gradient. An op that fuses what PyTorch records
        as several nodes shows PyTorch's graph (`Function.shown_next_functions`)."""
        edges = tuple(
            (None, 0)
            if e is None
            else (e[0], e[1])
            if e[0] is not None
            else (AccumulateGrad(e[2]), 0)
            for e in self.edges
        )
        return self.fn.shown_next_functions(self, edges)

    @property
    def metadata(self) -> dict:
        """A dict for the user's own notes on the node (PyTorch's ``grad_fn.metadata``)."""
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def __repr__(self) -> str:
        return f"<{self.grad_fn_name} object at {id(self):#x}>"


class AccumulateGrad:
    """The node through which a leaf receives its gradient, as PyTorch's: what
    ``next_functions`` shows for a leaf that requires grad (``.variable`` is the leaf)."""

    __slots__ = ("variable",)
    next_functions = ()

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        """``"torch::autograd::AccumulateGrad"``, PyTorch's name."""
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


class ShownNode:
    """A node of PyTorch's graph where minitorch_es runs one fused op (the ``TBackward0``
    between a Linear's ``AddmmBackward0`` and its weight): shown by ``next_functions`` so
    that code walking the graph sees PyTorch's, never run."""

    __slots__ = ("_name", "next_functions")

    def __init__(self, name: str, next_functions: tuple) -> None:
        self._name = name
        self.next_functions = next_functions

    def name(self) -> str:
        """PyTorch's name of the node (``"TBackward0"``)."""
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name} object at {id(self):#x}>"
