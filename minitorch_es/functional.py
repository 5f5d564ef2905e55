"""The core's functional operations on Tensors (also exposed as ``mt.nn.functional``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import ops
from .tensor import Tensor, _operand

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def where(
    condition: Tensor | ArrayLike, input: Tensor | ArrayLike, other: Tensor | ArrayLike
) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (gradients flow to both)."""
    cond = condition._data if isinstance(condition, Tensor) else condition
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):
        raise TypeError("where: at least one of input and other must be a Tensor")
    return ops.Where.apply(cond, _operand(input, like), _operand(other, like))


def cat(tensors: Iterable[Tensor | ArrayLike], dim: int = 0) -> Tensor:
    """The tensors joined along the existing dimension ``dim``; alias ``concatenate``.

    Shapes must match except along ``dim``:

        >>> mt.cat([mt.zeros(1, 2), mt.ones(1, 2)]).shape
        (2, 2)
    """
    return ops.Cat.apply(*_tensors(tensors, "cat"), dim=dim)


concatenate = cat


def stack(tensors: Iterable[Tensor | ArrayLike], dim: int = 0) -> Tensor:
    """The tensors (all of one shape) joined along a new dimension ``dim``.

    The result has one dimension more than the inputs:

        >>> mt.stack([mt.zeros(2), mt.ones(2)], dim=1).shape
        (2, 2)
    """
    return ops.Stack.apply(*_tensors(tensors, "stack"), dim=dim)


def _tensors(seq: Iterable[Tensor | ArrayLike], op: str):
    seq = list(seq)
    if not seq:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in seq]


def _unary(name: str):
    def fn(input: Tensor, *args, **kwargs) -> Tensor:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"Functional form of `Tensor.{name}`: ``mt.{name}(x, ...)`` is ``x.{name}(...)``."
    return fn


exp, log, sqrt, abs, clamp, clip = (
    _unary(n) for n in ("exp", "log", "sqrt", "abs", "clamp", "clip")
)
sum, mean, var, std, max, min = (_unary(n) for n in ("sum", "mean", "var", "std", "max", "min"))
argmax, argmin, reshape, flatten = (_unary(n) for n in ("argmax", "argmin", "reshape", "flatten"))
transpose, permute, squeeze, unsqueeze = (
    _unary(n) for n in ("transpose", "permute", "squeeze", "unsqueeze")
)
maximum, minimum, matmul = (_unary(n) for n in ("maximum", "minimum", "matmul"))
