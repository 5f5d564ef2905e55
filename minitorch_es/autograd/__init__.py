"""Automatic differentiation: ``Function``/``Primitive``, ``backward`` and ``grad`` (to any
order), grad modes, ``gradcheck`` and ``gradgradcheck``; ``functional`` (Jacobians, Hessians
and their products); ``register_array_function`` (a plugin's kernels in ``ctx.xp``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..ops.array_api import register_array_function
from . import engine as _engine
from . import functional
from .function import Context, Function, Primitive
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph_nodes import ShownNode

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..tensor import Tensor


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | ArrayLike | Sequence | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulate the gradients of ``tensors`` (weighted by ``grad_tensors``) into ``.grad``
    of the leaves, as ``torch.autograd.backward``; ``t.backward()`` is the one-tensor form.

        >>> x = mt.tensor([1., 2.], requires_grad=True)
        >>> mt.autograd.backward([x.sum(), (x * x).sum()])
        >>> x.grad
        tensor([3., 5.])
    """
    tensors = _engine._as_tensors(tensors, "tensors")
    grads = _engine._as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(
            f"grad_tensors should have the same length as tensors: got {len(grads)} and "
            f"{len(tensors)}"
        )
    _engine.backward(tensors, grads, retain_graph, create_graph, inputs, "autograd.backward()")


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs`` (a tuple, one per input), as
    ``torch.autograd.grad``; ``.grad`` is left alone. With ``create_graph`` the gradients are
    part of the graph, so they can be differentiated again (second derivatives, gradient
    penalties, Hessian-vector products). An input the outputs do not depend on is an error
    unless ``allow_unused`` (then None, or zeros with ``materialize_grads``).

        >>> x = mt.tensor(2.0, requires_grad=True)
        >>> (dy,) = mt.autograd.grad(x ** 3, x, create_graph=True)   # 3 x^2
        >>> mt.autograd.grad(dy, x)                                  # 6 x
        (tensor(12.),)
    """
    return _engine.grad(
        outputs,
        inputs,
        grad_outputs,
        retain_graph,
        create_graph,
        allow_unused,
        materialize_grads,
        is_grads_batched,
    )


__all__ = [
    "Context",
    "Function",
    "GradcheckError",
    "Primitive",
    "ShownNode",
    "backward",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_grad_enabled",
    "no_grad",
    "register_array_function",
    "set_grad_enabled",
]
