"""In-place methods of `Tensor` (``add_``, ``mul_``, ``copy_``, ``x[i] = v``, ``+=`` ...), with
PyTorch's safety (a mixin).

Every in-place change bumps the tensor's version counter (shared with its views), so backward
can tell when a value it saved was overwritten. Outside autograd (nothing requires grad, or
under ``no_grad``) the NumPy array is updated directly. Inside it, the op is recorded as in
PyTorch: the out-of-place result is written into the tensor, which then stands for that result
in the graph ("rebase"); its previous value lives on in the graph as the op's input. A leaf
that requires grad refuses in-place changes under grad mode, as in PyTorch.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import ops as _ops
from .autograd import grad_mode

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .tensor import Tensor


class TensorInplace:
    """In-place methods of `Tensor`."""

    __slots__ = ()

    def _inplace(
        self, name: str, compute: Callable, *args, ufunc: np.ufunc | None = None
    ) -> Tensor:
        """Replace the values by ``compute(self, *args)`` (an out-of-place Tensor op); with
        ``ufunc``, the untracked case runs ``ufunc(self, args[0], out=self)`` instead."""
        tracked = grad_mode._enabled and (
            self._requires_grad or any(getattr(a, "_requires_grad", False) for a in args)
        )
        if not tracked:
            if ufunc is not None:
                other = args[0]
                other = other._data if isinstance(other, TensorInplace) else other
                _guard_write(
                    self,
                    name,
                    lambda: ufunc(self._data, other, out=self._data, casting="same_kind"),
                )
            else:
                with grad_mode.no_grad():
                    out = compute(self, *args)
                _write(self, out._data, name)
            self._version[0] += 1
            return self
        return _rebase(self, name, compute, args)

    # ---------------------------------------------------------------- arithmetic
    def add_(self, other: Tensor | ArrayLike, *, alpha: float = 1) -> Tensor:
        """``self += alpha * other`` in place."""
        if alpha != 1:
            other = _scaled(other, alpha)
        return self._inplace("add_", lambda s, o: s + o, other, ufunc=np.add)

    def sub_(self, other: Tensor | ArrayLike, *, alpha: float = 1) -> Tensor:
        """``self -= alpha * other`` in place."""
        if alpha != 1:
            other = _scaled(other, alpha)
        return self._inplace("sub_", lambda s, o: s - o, other, ufunc=np.subtract)

    def mul_(self, other: Tensor | ArrayLike) -> Tensor:
        """``self *= other`` in place."""
        return self._inplace("mul_", lambda s, o: s * o, other, ufunc=np.multiply)

    def div_(self, other: Tensor | ArrayLike) -> Tensor:
        """``self /= other`` in place (true division: an integer tensor refuses)."""
        return self._inplace("div_", lambda s, o: s / o, other, ufunc=np.true_divide)

    def pow_(self, exponent: Tensor | ArrayLike) -> Tensor:
        """``self **= exponent`` in place."""
        return self._inplace("pow_", lambda s, o: s**o, exponent, ufunc=np.power)

    def neg_(self) -> Tensor:
        """``self = -self`` in place."""
        return self._inplace("neg_", lambda s: -s)

    def clamp_(
        self, min: float | Tensor | None = None, max: float | Tensor | None = None
    ) -> Tensor:
        """`clamp` in place; alias ``clip_``."""
        return self._inplace("clamp_", lambda s: s.clamp(min, max))

    clip_ = clamp_

    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ipow__ = pow_

    # ---------------------------------------------------------------- filling
    def copy_(self, src: Tensor | ArrayLike, non_blocking: bool = False) -> Tensor:
        """Copy ``src`` (broadcast to this shape, cast to this dtype) into this tensor."""
        src = src if isinstance(src, TensorInplace) else np.asarray(src)
        return self._inplace("copy_", _copy_of, src)

    def fill_(self, value: float | Tensor) -> Tensor:
        """Set every element to ``value`` (a number or a one-element tensor)."""
        if isinstance(value, TensorInplace):
            if value.numel() != 1:
                raise RuntimeError(
                    f"fill_ only supports 0-dimension value tensor but got tensor with "
                    f"{value.ndim} dimensions"
                )
            return self._inplace("fill_", _copy_of, value.reshape(()))
        if not grad_mode._enabled or not self._requires_grad:
            _guard_write(self, "fill_", lambda: self._data.fill(value))
            self._version[0] += 1
            return self
        return self._inplace("fill_", _copy_of, np.asarray(value))

    def zero_(self) -> Tensor:
        """Set every element to 0 in place and return ``self``."""
        return self.fill_(0)

    def __setitem__(self, index: Any, value: Tensor | ArrayLike) -> None:
        from .tensor_shape import _index

        index = _index(index)
        tracked = grad_mode._enabled and (
            self._requires_grad or getattr(value, "_requires_grad", False)
        )
        if not tracked:
            v = value._data if isinstance(value, TensorInplace) else value
            _guard_write(self, "index assignment", lambda: self._data.__setitem__(index, v))
            self._version[0] += 1
            return
        if not isinstance(value, TensorInplace):
            value = np.asarray(value, dtype=self._data.dtype)
        _rebase(self, "index assignment", lambda s, v: _ops.IndexPut.apply(s, v, index), (value,))


def _scaled(other: Tensor | ArrayLike, alpha: float):
    return other * alpha if isinstance(other, TensorInplace) else np.multiply(other, alpha)


def _copy_of(target: Tensor, src: Tensor | np.ndarray) -> Tensor:
    """``src`` broadcast to ``target``'s shape and cast to its dtype (a graph op when src
    requires grad)."""
    from .tensor import Tensor

    if not isinstance(src, Tensor):
        src = Tensor._wrap(np.asarray(src))
    if src.shape != target.shape:
        try:
            np.broadcast_shapes(src.shape, target.shape)
        except ValueError:
            raise RuntimeError(
                f"copy_: the source of shape {tuple(src.shape)} cannot be broadcast to the "
                f"destination of shape {tuple(target.shape)}"
            ) from None
        src = src.expand(target.shape)
    if src.dtype != target.dtype:
        src = src.to(target.dtype)
    return src  # the overwritten values get no gradient


def _write(t: Tensor, values: np.ndarray, name: str) -> None:
    if values.dtype != t._data.dtype and not np.can_cast(values.dtype, t._data.dtype, "same_kind"):
        raise RuntimeError(
            f"{name}: result type {values.dtype} can't be cast to the desired output type "
            f"{t._data.dtype}"
        )
    _guard_write(t, name, lambda: np.copyto(t._data, values, casting="unsafe"))


def _guard_write(t: Tensor, name: str, write: Callable) -> None:
    """Run ``write`` and turn NumPy's errors into PyTorch's messages."""
    try:
        write()
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError(
                f"{name}: unsupported operation on a read-only tensor (output array is read-only: "
                f"an expanded tensor, whose elements share memory, or a value frozen by an "
                f"export). Please clone() the tensor before performing the operation."
            ) from None
        raise RuntimeError(f"{name}: {e} (tensor of shape {tuple(t.shape)})") from None
    except TypeError as e:  # NumPy's casting refusal, e.g. float into an int tensor
        raise RuntimeError(
            f"{name}: result type can't be cast to the desired output type {t._data.dtype} ({e})"
        ) from None


def _rebase(self: Tensor, name: str, compute: Callable, args: tuple) -> Tensor:
    """Record the in-place op in the graph: ``self`` becomes the op's output."""
    from .tensor import Tensor

    if self._ctx is None and self._requires_grad:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place "
            f"operation. (Wrap the update in mt.no_grad(), or use the out-of-place form.)"
        )
    if self._ctx is not None and getattr(self._ctx.fn, "is_view", False):
        raise RuntimeError(
            f"{name}: in-place operation on a view ({self._ctx.fn.__name__}) of a tensor that "
            f"requires grad is not supported; use the out-of-place form, or clone() the view "
            f"first"
        )
    # ``old`` takes over the current history and the memory; the op reads it.
    old = Tensor._wrap(self._data)
    old._version, old._requires_grad = self._version, self._requires_grad
    old._ctx, old._out = self._ctx, self._out
    if old._ctx is not None:
        _point_output(old._ctx, old._out, old)
    out = compute(old, *args)
    node = out._ctx
    if node is not None and node._saved:
        _keep_saved_input(node, old)
    _write(self, out._data, name)
    self._version[0] += 1
    self._ctx, self._out, self._requires_grad = node, out._out, out._requires_grad
    if node is not None:
        _point_output(node, out._out, self)
        # The saved output (if any) is now this tensor, at its new version.
        mine = [src == (1, out._out) for src in node._saved_from]
        node._saved_versions = tuple(
            self._version[0] if m else v for m, v in zip(mine, node._saved_versions)
        )
        node._saved_counters = tuple(
            self._version if m else c for m, c in zip(mine, node._saved_counters)
        )
    return self


def _keep_saved_input(node: Any, old: Tensor) -> None:
    """The op saved the value it is about to overwrite (``x.sin_()`` needs x for its
    derivative): give the saved input its own copy, as PyTorch does, so backward still works."""
    mine = [
        src is not None and src[0] == 0 and node.inputs[src[1]] is old for src in node._saved_from
    ]
    if True not in mine:
        return
    original = old._data
    old._data, old._version = original.copy(), [0]
    node._saved = tuple(old._data if v is original else v for v in node._saved)
    node._saved_versions = tuple(0 if m else v for m, v in zip(mine, node._saved_versions))
    node._saved_counters = tuple(
        old._version if m else c for m, c in zip(mine, node._saved_counters)
    )


def _point_output(node: Any, index: int, tensor: Tensor) -> None:
    refs = list(node._outputs)
    refs[index] = weakref.ref(tensor)
    node._outputs = tuple(refs)
