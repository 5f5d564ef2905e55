"""Module backward hooks (``register_full_backward_hook`` / ``_pre_hook``), as in PyTorch.

The module's tensor inputs and outputs pass through an identity `Function` whose backward
reports the gradients flowing through it: the outputs' identity sees ``grad_output`` first (and
runs the pre-hooks, which may replace it); the inputs' identity sees ``grad_input`` and runs
the hooks, which may replace it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd.function import Function
from ..tensor import Tensor


class _Watch(Function):
    """Identity on its tensor inputs; backward hands their gradients to ``callback``."""

    @staticmethod
    def forward(ctx: Any, *tensors: Tensor, callback: Callable) -> tuple:
        ctx.callback = callback
        return tensors

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> tuple:
        return tuple(ctx.callback(grads))


def call_with_backward_hooks(module: Any, forward: Callable, args: tuple, kwargs: dict) -> Any:
    """Run ``forward(*args, **kwargs)`` with the backward hooks of ``module`` (a Module, which
    imports this module) attached."""
    hooks, pre_hooks = module._backward_hooks, module._backward_pre_hooks
    seen: dict = {"grad_output": None}
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]

    def run_hooks(grad_input: tuple) -> tuple:
        for hook in list(hooks.values()):
            new = hook(module, grad_input, seen["grad_output"])
            if new is not None:
                grad_input = _checked(new, grad_input, hook, "grad_input")
        return grad_input

    def on_inputs(grads: tuple) -> tuple:
        return run_hooks(tuple(grads))

    def on_outputs(grads: tuple) -> tuple:
        grads = tuple(grads)
        for hook in list(pre_hooks.values()):
            new = hook(module, grads)
            if new is not None:
                grads = _checked(new, grads, hook, "grad_output")
        seen["grad_output"] = grads
        if not positions:  # no input needs a gradient: PyTorch calls the hooks with None
            run_hooks((None,) * max(1, sum(isinstance(a, Tensor) for a in args)))
        return grads

    if positions:
        watched = _Watch.apply(*[args[i] for i in positions], callback=on_inputs)
        args = list(args)
        for i, t in zip(positions, watched):
            args[i] = t
        args = tuple(args)
    out = forward(*args, **kwargs)
    outs = out if isinstance(out, tuple) else (out,)
    tracked = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    if not tracked:
        return out
    watched = _Watch.apply(*[outs[i] for i in tracked], callback=on_outputs)
    outs = list(outs)
    for i, t in zip(tracked, watched):
        outs[i] = t
    return tuple(outs) if isinstance(out, tuple) else outs[0]


def _checked(new: Any, old: tuple, hook: Callable, what: str) -> tuple:
    new = tuple(new) if isinstance(new, (tuple, list)) else (new,)
    if len(new) != len(old):
        raise RuntimeError(
            f"backward hook {getattr(hook, '__name__', hook)!r} returned {len(new)} values for "
            f"{what}, expected {len(old)} (one per gradient, None allowed)"
        )
    return new
