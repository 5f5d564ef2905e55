"""Argument checks and result plumbing shared by `minitorch_es.autograd.functional`, with
PyTorch's messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import engine, grad_mode

if TYPE_CHECKING:
    from ..tensor import Tensor

Tensors = tuple  # of Tensors (None where a gradient does not exist)


def as_tuple(value: Any, what: str, fn: str) -> tuple[bool, Tensors]:
    """``(was a tuple, the Tensors as a tuple)``; a TypeError for anything but Tensors."""
    from ..tensor import Tensor

    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {what}"
            raise TypeError(
                f"The {what} given to {fn} must be either a Tensor or a tuple of Tensors but "
                f"{where} has type {type(item).__name__}."
            )
    return is_tuple, items


def unpack(result: tuple, *is_tuple: bool) -> Any:
    """Undo `as_tuple` on a result (two levels for Jacobians and Hessians)."""
    if len(is_tuple) == 2 and not is_tuple[1]:
        result = tuple(r[0] for r in result)
    return result if is_tuple[0] else result[0]


def fresh(inputs: Tensors, create_graph: bool) -> Tensors:
    """New Tensor objects for the inputs (so that ``func`` cannot reach the caller's through a
    closure): differentiable copies when a graph back to them is wanted, else detached."""
    return tuple(
        t.clone() if create_graph and t.requires_grad else t.detach().requires_grad_(True)
        for t in inputs
    )


def detached(values: tuple, create_graph: bool) -> tuple:
    """The results, cut from the graph unless ``create_graph`` (nested tuples too)."""
    if create_graph:
        return values
    return tuple(detached(v, False) if isinstance(v, tuple) else v.detach() for v in values)


def check_v(v: Any, like: Tensors, like_is_tuple: bool, fn: str) -> Tensors:
    """``v`` as a tuple of constant Tensors with the shapes of ``like``."""
    _, v = as_tuple(v, "v", fn)
    if len(v) != len(like):
        if like_is_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, like)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if like_is_tuple else ""
            raise RuntimeError(
                f"{where}v has invalid size: should be {tuple(b.shape)} but got {tuple(a.shape)}."
            )
    return tuple(t.detach() for t in v)


def default_v(values: Tensors, what: str) -> None:
    """``v`` may be omitted only for one Tensor of one element (then it is 1)."""
    if len(values) != 1 or values[0].numel() != 1:
        raise RuntimeError(
            f"The vector v can only be None if the {what} a single Tensor with a single element."
        )


_NOT_DIFFERENTIABLE = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The "
    "outputs must be computed in a differentiable manner from the input when running in "
    "strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of "
    "the user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not allowed in "
    "strict mode. You should ensure that your function is twice differentiable and that the "
    "jacobian depends on the inputs (this would be violated by a linear function for example).",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
    "independent of the input. This is not allowed in strict mode. You should ensure that your "
    "function is thrice differentiable and that the hessian depends on the inputs.",
}


def check_requires_grad(values: Tensors, kind: str, strict: bool) -> None:
    """In strict mode, every value (of ``kind``: a key above) must be part of the graph."""
    if not strict:
        return
    for i, value in enumerate(values):
        if value is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. "
                f"This is not allowed in strict mode."
            )
        if not value.requires_grad:
            raise RuntimeError(_NOT_DIFFERENTIABLE[kind].format(i=i))


def grad(
    outputs: Tensors, inputs: Tensors, grad_outputs: Tensors | None = None, **options: bool
) -> Tensors:
    """`autograd.grad` over the outputs that are part of the graph; None for the inputs they do
    not reach (all None when no output is differentiable)."""
    grad_outputs = (None,) * len(outputs) if grad_outputs is None else grad_outputs
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    outs, gos = zip(*pairs)
    return engine.grad(list(outs), list(inputs), list(gos), allow_unused=True, **options)


_INDEPENDENT = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
    "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}


def zeros_for_none(
    grads: Tensors, like: Tensors, strict: bool, create_graph: bool, stage: str
) -> Tensors:
    """Zeros (shaped like ``like``) where a gradient is None, which is its value; in strict
    mode an error instead (``stage``: a key above)."""
    from ..tensor import Tensor

    out = []
    for i, (g, ref) in enumerate(zip(grads, like)):
        if g is None:
            if strict:
                raise RuntimeError(_INDEPENDENT[stage].format(i=i))
            g = Tensor._wrap(np.zeros_like(ref._data))
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This "
                f"is not allowed in strict mode when create_graph=True."
            )
        out.append(g)
    return tuple(out)


def call(func: Callable, inputs: Tensors, fn: str, strict: bool) -> tuple[bool, Tensors]:
    """``func(*inputs)`` as ``(was a tuple, outputs)``, checked."""
    is_tuple, outputs = as_tuple(func(*inputs), "outputs of the user-provided function", fn)
    check_requires_grad(outputs, "outputs", strict)
    return is_tuple, outputs


def scalar_output(outputs: Tensors, is_tuple: bool, fn: str) -> None:
    """Hessians and their products need one Tensor of one element."""
    if is_tuple:
        raise RuntimeError(f"The function given to {fn} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn} should contain a single element"
        )


def zeros_requiring_grad(like: Tensors) -> Tensors:
    """The vectors ``u`` of the double-backward trick (any value would do: only the graph
    through them is used)."""
    from ..tensor import Tensor

    return tuple(Tensor(np.zeros_like(t._data), requires_grad=True) for t in like)


def zeros(shape: tuple, like: Tensor) -> Tensor:
    """A zero Tensor of ``shape`` in ``like``'s dtype."""
    from ..tensor import Tensor

    return Tensor._wrap(np.zeros(shape, dtype=like._data.dtype))


def start(
    fn: str,
    func: Callable,
    inputs: Any,
    v: Any | None,
    create_graph: bool,
    strict: bool,
    v_like_outputs: bool = False,
) -> tuple:
    """Under grad mode: ``(inputs_tuple, inputs, outputs_tuple, outputs, v)`` with fresh
    inputs and a checked ``v`` (shaped like the outputs or the inputs), in PyTorch's order."""
    inputs_tuple, inputs = as_tuple(inputs, "inputs", fn)
    inputs = fresh(inputs, create_graph)
    if not v_like_outputs:
        if v is None:
            default_v(inputs, "input to the user-provided function is")
        else:
            v = check_v(v, inputs, inputs_tuple, fn)
    outputs_tuple, outputs = call(func, inputs, fn, strict)
    if v_like_outputs:
        if v is None:
            default_v(outputs, "user-provided function returns")
        else:
            v = check_v(v, outputs, outputs_tuple, fn)
    if fn in ("vhp", "hvp"):
        scalar_output(outputs, outputs_tuple, fn)
    return inputs_tuple, inputs, outputs_tuple, outputs, v


def last_pass(create_graph: bool) -> grad_mode.set_grad_enabled:
    """The final backward records a graph only with ``create_graph`` (or when the caller's
    grad mode is on)."""
    return grad_mode.set_grad_enabled(create_graph or grad_mode.is_grad_enabled())


def results(
    outputs: tuple, outputs_tuple: bool, result: tuple, result_tuple: bool, create_graph: bool
) -> tuple:
    """``(outputs, result)`` of a product, unnested and detached as PyTorch returns them."""
    return (
        unpack(detached(outputs, create_graph), outputs_tuple),
        unpack(detached(result, create_graph), result_tuple),
    )
