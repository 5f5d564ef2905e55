"""Derivatives of a whole function of Tensors, as ``torch.autograd.functional``: vector-Jacobian
and Jacobian-vector products, Jacobians, Hessians and Hessian-vector products, all built on
`minitorch_es.autograd.grad` (to any order).

``func`` takes Tensors (``inputs``: a Tensor or a tuple of Tensors) and returns a Tensor or a
tuple of Tensors; results follow PyTorch's nesting (a tuple where the inputs or outputs were a
tuple). ``create_graph=True`` returns results that are part of the graph (differentiable
again); ``strict=True`` raises where an output does not depend on an input instead of giving
zeros. There is no forward-mode AD: ``jvp`` and the ``"forward-mode"`` strategies use the
double-backward trick (the gradient of a vector-Jacobian product with respect to the vector),
and ``vectorize=True`` is accepted and gives the same values as the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import grad_mode
from .functional_checks import (
    as_tuple,
    call,
    check_requires_grad,
    detached,
    fresh,
    grad,
    last_pass,
    results,
    scalar_output,
    start,
    unpack,
    zeros,
    zeros_for_none,
    zeros_requiring_grad,
)

if TYPE_CHECKING:
    from ..tensor import Tensor

Inputs = "Tensor | tuple[Tensor, ...]"

STRATEGIES = ("forward-mode", "reverse-mode")


# ---------------------------------------------------------------------------- products
def vjp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs`` (one backward
    pass). ``v`` has the outputs' shapes; it may be omitted for a one-element output.

        >>> x = mt.tensor([1., 2.])
        >>> mt.autograd.functional.vjp(lambda t: t ** 2, x, mt.tensor([1., 10.]))
        (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    with grad_mode.enable_grad():
        in_tuple, inputs, out_tuple, outputs, v = start(
            "vjp", func, inputs, v, create_graph, strict, v_like_outputs=True
        )
    with last_pass(create_graph):
        grads = grad(outputs, inputs, v, create_graph=create_graph)
        result = zeros_for_none(grads, inputs, strict, create_graph, "back")
    return results(outputs, out_tuple, result, in_tuple, create_graph)


def jvp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), J v)``: the Jacobian-vector product at ``inputs``, computed with the
    double-backward trick (the gradient of ``u^T J`` with respect to ``u``). ``v`` has the
    inputs' shapes; it may be omitted for a one-element input.

        >>> x = mt.tensor([1., 2.])
        >>> mt.autograd.functional.jvp(lambda t: t ** 2, x, mt.tensor([1., 10.]))
        (tensor([1., 4.]), tensor([ 2., 40.]))
    """
    with grad_mode.enable_grad():
        _, inputs, out_tuple, outputs, v = start("jvp", func, inputs, v, create_graph, strict)
        # backward is linear in u, so the value 0 is as good as any: only the graph matters.
        u = zeros_requiring_grad(outputs)
        grad_inputs = grad(outputs, inputs, u, create_graph=True)
        check_requires_grad(grad_inputs, "grad_inputs", strict)
    with last_pass(create_graph):
        grads = grad(grad_inputs, u, v, create_graph=create_graph)
        result = zeros_for_none(grads, outputs, strict, create_graph, "back_trick")
    return results(outputs, out_tuple, result, out_tuple, create_graph)


def vhp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), v^T H)`` for a scalar ``func``: the vector-Hessian product (two
    backward passes).

        >>> x = mt.tensor([1., 2.])
        >>> mt.autograd.functional.vhp(lambda t: (t ** 3).sum(), x, mt.tensor([1., 1.]))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product("vhp", func, inputs, v, create_graph, strict)


def hvp(
    func: Callable,
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple:
    """``(func(inputs), H v)`` for a scalar ``func``: the Hessian-vector product, through the
    double-backward trick (`vhp` gives the same for a symmetric Hessian, faster).

        >>> x = mt.tensor([1., 2.])
        >>> mt.autograd.functional.hvp(lambda t: (t ** 3).sum(), x, mt.tensor([1., 1.]))
        (tensor(9.), tensor([ 6., 12.]))
    """
    return _hessian_product("hvp", func, inputs, v, create_graph, strict)


def _hessian_product(
    fn: str, func: Callable, inputs: Inputs, v: Inputs | None, create_graph: bool, strict: bool
) -> tuple:
    """``v^T H`` (the gradient of ``g . v`` for the gradient ``g``) or, for ``hvp``, ``H v``
    (the gradient of ``(u^T H) . v`` with respect to ``u``: the double-backward trick)."""
    with grad_mode.enable_grad():
        in_tuple, inputs, out_tuple, outputs, v = start(fn, func, inputs, v, create_graph, strict)
        products = grad(outputs, inputs, create_graph=True)  # the gradient g
        check_requires_grad(products, "jacobian", strict)
        wrt, stage = inputs, "double_back"
        if fn == "hvp":
            u = zeros_requiring_grad(inputs)
            products = grad(products, inputs, u, create_graph=True)  # u^T H, linear in u
            wrt, stage = u, "double_back_trick"
    with last_pass(create_graph):
        grads = grad(products, wrt, v, create_graph=create_graph)
        result = zeros_for_none(grads, inputs, strict, create_graph, stage)
    return results(outputs, out_tuple, result, in_tuple, create_graph)


# ------------------------------------------------------------------ Jacobians, Hessians
def jacobian(
    func: Callable,
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output i and input j, a Tensor of shape
    ``output_i.shape + input_j.shape`` (nested in tuples as the outputs and inputs were).
    ``"reverse-mode"`` takes one backward pass per output element; ``"forward-mode"`` one
    double-backward product per input element (better for few inputs and many outputs; as in
    PyTorch it needs ``vectorize=True`` and refuses ``strict`` and ``create_graph``).

        >>> J = mt.autograd.functional.jacobian(lambda t: t ** 2, mt.tensor([1., 2.]))
        >>> J
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy not in STRATEGIES:
        raise ValueError(
            f'Expected strategy to be either "forward-mode" or "reverse-mode", got {strategy!r}. '
            f'Hint: If your function has more outputs than inputs, "forward-mode" tends to be '
            f'more performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                'jacobian: `create_graph=True` and `strategy="forward-mode"` are not '
                "supported together (yet). Please either set `create_graph=False` or "
                '`strategy="reverse-mode"`.'
            )
        return _forward_jacobian(func, inputs, strict, vectorize)
    with grad_mode.enable_grad():
        inputs_tuple, inputs = as_tuple(inputs, "inputs", "jacobian")
        inputs = fresh(inputs, create_graph)
        outputs_tuple, outputs = call(func, inputs, "jacobian", strict)
        if vectorize and strict:
            raise RuntimeError(
                "jacobian: `strict=True` and `vectorized=True` are not supported together. "
                "Please either set `strict=False` or `vectorize=False`."
            )
        result = tuple(
            _jacobian_rows(out, i, inputs, create_graph, strict) for i, out in enumerate(outputs)
        )
    return unpack(detached(result, create_graph), outputs_tuple, inputs_tuple)


def _jacobian_rows(out: Tensor, i: int, inputs: tuple, create_graph: bool, strict: bool) -> tuple:
    """d out / d input_j for each input j, one backward pass per element of ``out``."""
    from ..functional import stack

    rows: list[list] = [[] for _ in inputs]
    flat = out.reshape(-1)
    for e in range(out.numel()):
        grads = grad((flat[e],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, inp) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input "
                        f"{j}. This is not allowed in strict mode."
                    )
                g = zeros(inp.shape, inp)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(
                    f"The jacobian of the user-provided function is independent of input {i}. "
                    f"This is not allowed in strict mode when create_graph=True."
                )
            rows[j].append(g)
    return tuple(
        stack(r).reshape(tuple(out.shape) + tuple(inp.shape))
        if r
        else zeros(tuple(out.shape) + tuple(inp.shape), inp)
        for r, inp in zip(rows, inputs)
    )


def _forward_jacobian(func: Callable, inputs: Inputs, strict: bool, vectorize: bool) -> Any:
    """Columns ``J e_k`` by the double-backward trick, one per input element."""
    from ..functional import stack

    if strict:
        raise RuntimeError(
            'jacobian: `strict=True` and `strategy="forward-mode"` are not supported together '
            '(yet). Please either set `strict=False` or `strategy="reverse-mode"`.'
        )
    if not vectorize:
        raise NotImplementedError(
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only "
            "implemented for `vectorize=True`."
        )
    with grad_mode.enable_grad():
        inputs_tuple, inputs = as_tuple(inputs, "inputs", "jacobian")
        inputs = fresh(inputs, create_graph=False)
        outputs_tuple, outputs = call(func, inputs, "jacobian", strict=False)
        u = zeros_requiring_grad(outputs)
        transposed = grad(outputs, inputs, u, create_graph=True)  # J^T u, linear in u
        # columns[i][j]: the columns J_ij e_k of output i for the elements k of input j
        columns: list = [[[] for _ in inputs] for _ in outputs]
        for j, inp in enumerate(inputs):
            for k in range(inp.numel()):
                basis = tuple(zeros(t.shape, t) for t in inputs)
                basis[j]._data.reshape(-1)[k] = 1
                for i, c in enumerate(grad(transposed, u, basis, retain_graph=True)):
                    columns[i][j].append(zeros(outputs[i].shape, outputs[i]) if c is None else c)
    result = tuple(
        tuple(
            stack(cols, dim=-1).reshape(tuple(out.shape) + tuple(inp.shape))
            if cols
            else zeros(tuple(out.shape) + tuple(inp.shape), inp)
            for cols, inp in zip(per_input, inputs)
        )
        for per_input, out in zip(columns, outputs)
    )
    return unpack(detached(tuple(result), False), outputs_tuple, inputs_tuple)


def hessian(
    func: Callable,
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of the scalar ``func`` at ``inputs``: the `jacobian` of its gradient; for
    inputs i and j a Tensor of shape ``input_i.shape + input_j.shape`` (a tuple of tuples for
    several inputs). ``outer_jacobian_strategy`` is the outer `jacobian`'s ``strategy``.

        >>> mt.autograd.functional.hessian(lambda t: (t ** 3).sum(), mt.tensor([1., 2.]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    inputs_tuple, inputs = as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in STRATEGIES:
        raise ValueError(
            f'Expected strategy to be either "forward-mode" or "reverse-mode", got '
            f"{outer_jacobian_strategy!r}."
        )

    def scalar(*args: Tensor) -> Tensor:
        is_tuple, outputs = call(func, args, "hessian", strict)
        scalar_output(outputs, is_tuple, "hessian")
        return outputs[0].reshape(())

    def gradient(*args: Tensor) -> tuple:
        jac = jacobian(scalar, args, create_graph=True)
        check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(
        gradient, inputs, create_graph, strict, vectorize, strategy=outer_jacobian_strategy
    )
    return unpack(result, inputs_tuple, inputs_tuple)
