"""``einsum``: the Einstein-summation primitive and its gradient, itself an einsum (so it
differentiates again). Ellipses become letters; a letter summed only inside one operand is
broadcast back, a repeated letter (a diagonal) is written back on the diagonal, and ellipsis
dimensions an operand broadcast are summed back."""

from __future__ import annotations

import string

import numpy as np

from ..autograd.function import Primitive
from ..errors import ShapeError


def parse(equation: str, shapes: list) -> tuple[list[str], str]:
    """``(operand subscripts, output subscripts)`` with every ``...`` spelled as letters and
    the implicit output (letters used once, sorted) made explicit."""
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): the equation must be a string, got {type(equation).__name__}")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(shapes):
        raise ValueError(
            f"einsum(): the equation {equation!r} names {len(subs)} operands, but {len(shapes)} "
            f"were given"
        )
    spare = [c for c in string.ascii_letters if c not in eq]
    n_ell = 0
    for s, shape in zip(subs, shapes):
        if "..." in s:
            n_ell = max(n_ell, len(shape) - (len(s) - 3))
    ell = "".join(spare[:n_ell])
    out_subs = []
    for s, shape in zip(subs, shapes):
        if "..." in s:
            k = len(shape) - (len(s) - 3)
            s = s.replace("...", ell[n_ell - k :] if k else "")
        if len(s) != len(shape) or not all(c in string.ascii_letters for c in s):
            raise ShapeError(
                f"einsum(): subscripts {s!r} do not fit an operand of shape {tuple(shape)} in "
                f"{equation!r}"
            )
        out_subs.append(s)
    if arrow:
        out = rhs.replace("...", ell)
    else:
        letters = "".join(out_subs)
        out = ell + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell)
        )
    return out_subs, out


class Einsum(Primitive):
    """``einsum(equation, *operands)``."""

    @staticmethod
    def forward(ctx, *operands, equation):
        subs, out = parse(equation, [a.shape for a in operands])
        dtypes = {a.dtype for a in operands}
        if len(dtypes) > 1:
            raise TypeError(
                f"einsum(): expected operands of one dtype, got {sorted(map(str, dtypes))}"
            )
        spec = ",".join(subs) + "->" + out
        ctx.meta = (subs, out, [a.shape for a in operands])
        ctx.save_for_backward(*operands)
        try:
            return np.asarray(np.einsum(spec, *operands, optimize=len(operands) > 2))
        except ValueError as e:
            shapes = [tuple(a.shape) for a in operands]
            raise ShapeError(f"einsum(): {equation!r} with shapes {shapes}: {e}") from None

    @staticmethod
    def backward(ctx, grad):
        subs, out, shapes = ctx.meta
        operands = ctx.saved_tensors
        xp = ctx.xp
        sizes = {c: n for s, shape in zip(subs, shapes) for c, n in zip(s, shape) if n != 1}
        grads = []
        for i, (s, shape) in enumerate(zip(subs, shapes)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [(subs[j], operands[j]) for j in range(len(subs)) if j != i]
            known = set(out).union(*[set(o) for o, _ in others])
            target = "".join(dict.fromkeys(c for c in s if c in known))
            spec = ",".join([out] + [o for o, _ in others]) + "->" + target
            g = xp.einsum(spec, grad, *[t for _, t in others])
            grads.append(_to_operand(xp, g, target, s, shape, sizes))
        return tuple(grads)


def _to_operand(xp, g, target: str, subs: str, shape: tuple, sizes: dict):
    """The gradient over the distinct letters ``target`` laid out as the operand ``subs``:
    letters missing from ``target`` broadcast, repeated ones on their diagonal, ellipsis
    dimensions the operand broadcast (size 1) summed back."""
    distinct = "".join(dict.fromkeys(subs))
    full = tuple(sizes.get(c, 1) for c in distinct)
    view = tuple(full[k] if c in target else 1 for k, c in enumerate(distinct))
    g = xp.reshape(
        xp.permute_dims(g, [target.index(c) for c in distinct if c in target]),
        tuple(n for c, n in zip(distinct, view)),
    )
    g = xp.broadcast_to(g, full)
    if len(distinct) != len(subs):  # a repeated letter: write onto the diagonal
        grid = np.indices(full, sparse=True)
        index = tuple(grid[distinct.index(c)] for c in subs)
        dims = tuple(sizes.get(c, 1) for c in subs)
        g = xp.index_add(dims, index, g)
    extra = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
    if extra:
        g = xp.sum(g, axis=extra, keepdims=True)
    return g
