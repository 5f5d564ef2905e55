"""``Tensor``: an n-dimensional array that records the operations applied to it.

A Tensor wraps a NumPy array (``.data``). When ``requires_grad`` is set, every operation on it
creates a node of a graph, and ``backward()`` fills ``.grad`` of the leaves with the derivative
of the result with respect to them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from . import dtypes
from . import ops as _ops
from .autograd import engine, function
from .dtypes import get_default_dtype
from .errors import ShapeError
from .tensor_math import MaxMinResult, TensorMath, _dim, _operand  # noqa: F401 (re-exported)
from .tensor_shape import TensorShape, _index, _shape_arg  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from .autograd.function import Function


class Tensor(TensorMath, TensorShape):
    """An n-dimensional array (``.data``, a NumPy array) with autograd, like ``torch.Tensor``.

    Create one with `mt.tensor` or the other factories rather than the constructor. Floating
    tensors can ``requires_grad``; every operation on them records a graph and `backward` fills
    the leaves' ``.grad``. Deliberate differences from PyTorch: ``.grad`` is a NumPy array, not
    a Tensor, and there is no device (everything runs on the CPU).

        >>> x = mt.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y
        tensor(30., grad_fn=<SumBackward>)
        >>> y.backward()
        >>> x.grad
        array([[2., 4.],
               [6., 8.]], dtype=float32)
    """

    # NumPy hands binary operations with a Tensor back to the Tensor's reflected methods.
    __array_ufunc__ = None

    __slots__ = ("data", "grad", "_requires_grad", "_ctx", "_retains_grad", "name", "__weakref__")

    def __init__(self, data: ArrayLike, requires_grad: bool = False) -> None:
        if not isinstance(data, np.ndarray):
            # Python floats get the default dtype, as in mt.tensor; NumPy values keep theirs.
            keeps_dtype = isinstance(data, (np.generic, Tensor))
            data = np.asarray(data)
            if data.dtype == np.float64 and not keeps_dtype:
                data = data.astype(get_default_dtype())
        self.data = data
        self.grad = None
        self._ctx = None
        self._retains_grad = False
        self._requires_grad = False
        self.name = None
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        """Fast construction of a result tensor (no checks, no graph)."""
        t = object.__new__(Tensor)
        t.data = array
        t.grad = None
        t._ctx = None
        t._retains_grad = False
        t._requires_grad = False
        t.name = None
        return t

    # ----------------------------------------------------------------- autograd state
    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for `backward` (floating dtypes only;
        only leaves can be switched off)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, got dtype "
                f"{self.data.dtype} (convert with .float() first)"
            )
        if not value and self._ctx is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf tensors; use .detach() "
                "to get a tensor without a graph"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set `requires_grad` in place and return ``self``."""
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        """True for a tensor not produced by a recorded operation (its ``.grad`` is kept)."""
        return self._ctx is None

    @property
    def grad_fn(self) -> type[Function] | None:
        """The Function that produced this tensor (None for leaves)."""
        return getattr(self._ctx, "fn", None)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward."""
        self._retains_grad = True

    def backward(self, grad: Tensor | ArrayLike | None = None, retain_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf that requires it.

        ``grad`` (same shape as ``self``) is required unless the tensor has one element, as in
        PyTorch. The graph is freed afterwards; pass ``retain_graph=True`` to call backward
        through it again. Gradients add up across calls: zero them between steps.

            >>> w = mt.tensor([1., 2.], requires_grad=True)
            >>> (3 * w).sum().backward()
            >>> w.grad
            array([3., 3.], dtype=float32)
        """
        engine.backward(self, grad, retain_graph)

    def _accumulate_grad(self, g: np.ndarray) -> None:
        """Add ``g`` into ``.grad`` in place (the first gradient is copied, never aliased)."""
        if self.grad is None:
            self.grad = np.array(g, dtype=self.data.dtype, copy=True)
        else:
            self.grad += g

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor._wrap(self.data)

    def zero_(self) -> Tensor:
        """Fill the data with zeros in place and return ``self``."""
        self.data[...] = 0
        return self

    # -------------------------------------------------------------------- properties
    @property
    def shape(self) -> tuple:
        """The dimensions, a tuple of ints (PyTorch returns a ``torch.Size``, also a tuple)."""
        return self.data.shape

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The `shape`, or the size of dimension ``dim``."""
        return self.data.shape if dim is None else self.data.shape[dim]

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    def dim(self) -> int:
        """The number of dimensions (`ndim`)."""
        return self.data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The element type, a NumPy dtype (``mt.float32`` is ``np.dtype("float32")``)."""
        return self.data.dtype

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed."""
        return self.permute(*reversed(range(self.ndim)))

    def __len__(self) -> int:
        if not self.data.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying NumPy array (shared, not copied); refused when the tensor requires
        grad unless ``force=True``, as in PyTorch: use ``t.detach().numpy()``."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead (or numpy(force=True))"
            )
        return self.data

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        if copy:  # NumPy 2's np.array(t) asks for a copy and trusts it is one (no aliasing)
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> int | float | bool:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ShapeError(  # a RuntimeError, as in PyTorch (and a ValueError)
                f"item(): only a tensor with one element can be converted to a Python scalar, "
                f"got shape {self.shape}"
            )
        return self.data.item()

    def tolist(self) -> list | int | float | bool:
        """The data as (nested) Python lists of numbers."""
        return self.data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats a 0-d tensor like its number, as in PyTorch.
        return format(self.item(), spec) if self.data.ndim == 0 else object.__format__(self, spec)

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of a tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.data)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype not in (get_default_dtype(), dtypes.int64, dtypes.bool):
            extras.append(f"dtype={self.data.dtype}")
        if self._ctx is not None and self._ctx is not engine.FREED:
            extras.append(f"grad_fn=<{self._ctx.fn.__name__}Backward>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + body + "".join(", " + e for e in extras) + ")"

    # ------------------------------------------------------------------------- casts
    def to(self, dtype: DTypeLike) -> Tensor:
        """The tensor converted to ``dtype`` (``self`` when it already has it); a floating cast
        keeps the graph. ``type`` is an alias. No devices: only a dtype is accepted."""
        dtype = np.dtype(dtype)
        if dtype == self.data.dtype:
            return self
        if self._requires_grad and dtype.kind == "f":
            return _ops.Cast.apply(self, dtype)
        return Tensor._wrap(self.data.astype(dtype))

    type = to

    def float(self) -> Tensor:
        """``self.to(mt.float32)``."""
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """``self.to(mt.float64)``."""
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        """``self.to(mt.int64)``."""
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """``self.to(mt.int32)``."""
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """``self.to(mt.bool)``."""
        return self.to(dtypes.bool)

    def clone(self) -> Tensor:
        """A copy of the data; the copy stays in the graph when ``self`` requires grad."""
        return self * 1 if self._requires_grad else Tensor._wrap(self.data.copy())


function._Tensor = Tensor
