"""Compare backward's gradients (and gradients of gradients) with central finite differences,
in float64."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import engine, grad_mode

if TYPE_CHECKING:
    from ..tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def gradcheck(
    fn: Callable[..., Tensor | Sequence[Tensor]],
    inputs: Tensor | Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check the gradients of ``fn(*inputs)`` for every input Tensor with ``requires_grad``.

    Inputs are copied to float64. The outputs are projected on a fixed random direction ``v``,
    so one backward pass gives the gradient of ``sum(v * fn(x))``, which is compared with central
    differences ``(f(x + eps) - f(x - eps)) / (2 eps)`` element by element. On a mismatch the
    error names the input, the element and both derivatives. Returns True, or False on a
    mismatch when ``raise_exception`` is false (PyTorch's ``torch.autograd.gradcheck``).

        >>> x = mt.randn(3, dtype=mt.float64, requires_grad=True)
        >>> mt.autograd.gradcheck(lambda t: (t * t.exp()).sum(), (x,))
        True
    """
    from ..tensor import Tensor

    xs = _float64_copies(inputs)
    checked = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: none of the inputs is a Tensor with requires_grad=True")

    with grad_mode.enable_grad():
        outputs = _as_tuple(fn(*xs))
    rng = np.random.default_rng(seed)
    directions = [rng.standard_normal(o.shape) for o in outputs]
    projected = None
    for o, v in zip(outputs, directions):
        if o.requires_grad:
            term = (o * Tensor(v)).sum()
            projected = term if projected is None else projected + term
    if projected is None:
        raise ValueError("gradcheck: no output of fn depends on an input that requires grad")
    analytic = engine.grad(projected, [xs[i] for i in checked], allow_unused=True)

    def f() -> float:
        with grad_mode.no_grad():
            outs = _as_tuple(fn(*xs))
        return float(sum((o._data.astype(np.float64) * v).sum() for o, v in zip(outs, directions)))

    for i, g in zip(checked, analytic):
        x = xs[i]
        g = np.zeros_like(x._data) if g is None else g._data
        values = x._data  # perturbed element by element in place: any layout (a reshaped
        for where in np.ndindex(values.shape):  # view of a non-contiguous array is a copy)
            orig = values[where]
            values[where] = orig + eps
            plus = f()
            values[where] = orig - eps
            minus = f()
            values[where] = orig
            numeric = (plus - minus) / (2 * eps)
            a = g[where]
            if not abs(a - numeric) <= atol + rtol * abs(numeric):
                msg = (
                    f"gradcheck: gradient mismatch for input {i} (shape {tuple(x.shape)}) at index "
                    f"{tuple(int(k) for k in where)}: backward gave {a:.8g}, central difference "
                    f"gives {numeric:.8g} (|diff| {abs(a - numeric):.3g} > atol {atol} + "
                    f"rtol {rtol} * |numeric|)"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(
    fn: Callable[..., Tensor | Sequence[Tensor]],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """Check the second derivatives of ``fn``: `gradcheck` of the map from (inputs, output
    gradients) to the input gradients that ``autograd.grad(..., create_graph=True)``
    computes, as ``torch.autograd.gradgradcheck``. ``grad_outputs`` default to fixed random
    tensors that require grad.

        >>> x = mt.randn(3, dtype=mt.float64, requires_grad=True)
        >>> mt.autograd.gradgradcheck(lambda t: (t * t.exp()).sum(), (x,))
        True
    """
    from ..tensor import Tensor

    xs = _float64_copies(inputs)
    checked = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradgradcheck: none of the inputs is a Tensor with requires_grad=True")
    with grad_mode.enable_grad():
        outputs = [o for o in _as_tuple(fn(*xs)) if o.requires_grad]
    if grad_outputs is None:
        rng = np.random.default_rng(seed + 1)
        gos = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outputs]
    else:
        gos = _float64_copies(grad_outputs)
        if len(gos) != len(outputs):
            raise ValueError(
                f"gradgradcheck: got {len(gos)} grad_outputs for {len(outputs)} differentiable "
                f"outputs"
            )
    n = len(xs)

    def first_derivatives(*args):
        with grad_mode.enable_grad():
            outs = [o for o in _as_tuple(fn(*args[:n])) if o.requires_grad]
            grads = engine.grad(
                outs,
                [args[i] for i in checked],
                list(args[n:]),
                create_graph=True,
                allow_unused=True,
            )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        first_derivatives, (*xs, *gos), eps, atol, rtol, raise_exception, seed=seed + 2
    )


def _float64_copies(inputs: Tensor | Sequence[Tensor]) -> list:
    from ..tensor import Tensor

    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    return [
        Tensor(x._data.astype(np.float64), requires_grad=x.requires_grad)
        if isinstance(x, Tensor) and x.dtype.kind == "f"
        else x
        for x in inputs
    ]


def _as_tuple(out: Tensor | Sequence[Tensor]):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)
