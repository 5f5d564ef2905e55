"""``Tensor``: an n-dimensional array that records the operations applied to it.

A Tensor wraps a NumPy array (``.data``). When ``requires_grad`` is set, every operation on it
creates a node of a graph, and ``backward()`` fills ``.grad`` of the leaves with the derivative
of the result with respect to them.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from . import dtypes
from .autograd import engine, function, grad_mode
from .dtypes import get_default_dtype
from .errors import ShapeError

MaxMinResult = namedtuple("MaxMinResult", ["values", "indices"])
MaxMinResult.__doc__ = "``(values, indices)`` returned by ``Tensor.max(dim)`` / ``min(dim)``."


class Tensor:
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

    def __init__(self, data, requires_grad: bool = False) -> None:
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
    def grad_fn(self):
        """The Function that produced this tensor (None for leaves)."""
        return getattr(self._ctx, "fn", None)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward."""
        self._retains_grad = True

    def backward(self, grad=None, retain_graph: bool = False) -> None:
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

    def size(self, dim: int | None = None):
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

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def numpy(self) -> np.ndarray:
        """The underlying NumPy array (shared, not copied); refused when the tensor requires
        grad, as in PyTorch: use ``t.detach().numpy()``."""
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on a Tensor that requires grad. Use tensor.detach().numpy()"
            )
        return self.data

    def __array__(self, dtype=None, copy=None):
        if copy:  # NumPy 2's np.array(t) asks for a copy and trusts it is one (no aliasing)
            return np.array(self.data, dtype=dtype, copy=True)
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ShapeError(  # a RuntimeError, as in PyTorch (and a ValueError)
                f"item(): only a tensor with one element can be converted to a Python scalar, "
                f"got shape {self.shape}"
            )
        return self.data.item()

    def tolist(self):
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
    def to(self, dtype) -> Tensor:
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

    # -------------------------------------------------------------------- arithmetic
    def __add__(self, other):
        """``self + other``, broadcasting like NumPy; also ``Tensor.add``."""
        return _ops.Add.apply(self, _operand(other, self))

    def __radd__(self, other):
        return _ops.Add.apply(_operand(other, self), self)

    def __sub__(self, other):
        """``self - other``, broadcasting like NumPy; also ``Tensor.sub``."""
        return _ops.Sub.apply(self, _operand(other, self))

    def __rsub__(self, other):
        return _ops.Sub.apply(_operand(other, self), self)

    def __mul__(self, other):
        """``self * other`` (elementwise), broadcasting like NumPy; also ``Tensor.mul``."""
        return _ops.Mul.apply(self, _operand(other, self))

    def __rmul__(self, other):
        return _ops.Mul.apply(_operand(other, self), self)

    def __truediv__(self, other):
        """``self / other``, broadcasting like NumPy; also ``Tensor.div``."""
        return _ops.Div.apply(self, _operand(other, self))

    def __rtruediv__(self, other):
        return _ops.Div.apply(_operand(other, self), self)

    def __pow__(self, other):
        """``self ** other``, broadcasting like NumPy; also ``Tensor.pow``."""
        return _ops.Pow.apply(self, _operand(other, self))

    def __rpow__(self, other):
        return _ops.Pow.apply(_operand(other, self), self)

    def __matmul__(self, other):
        """``self @ other``, the matrix product (NumPy's ``matmul`` rules); also ``matmul``."""
        return _ops.MatMul.apply(self, _operand(other, self))

    def __rmatmul__(self, other):
        return _ops.MatMul.apply(_operand(other, self), self)

    def __neg__(self):
        return _ops.Neg.apply(self)

    def __pos__(self):
        return self

    add, sub, mul, div, pow, matmul = __add__, __sub__, __mul__, __truediv__, __pow__, __matmul__

    # In-place updates are for tensors outside any graph (e.g. parameter updates under no_grad).
    def _inplace(self, other, ufunc, symbol):
        if grad_mode.is_grad_enabled() and (
            self._requires_grad or isinstance(other, Tensor) and other._requires_grad
        ):
            raise RuntimeError(
                f"in-place '{symbol}' on a tensor that takes part in autograd: use the "
                f"out-of-place form (x = x {symbol[0]} y), or wrap the update in mt.no_grad()"
            )
        ufunc(
            self.data,
            other.data if isinstance(other, Tensor) else other,
            out=self.data,
            casting="same_kind",
        )
        return self

    def __iadd__(self, other):
        return self._inplace(other, np.add, "+=")

    def __isub__(self, other):
        return self._inplace(other, np.subtract, "-=")

    def __imul__(self, other):
        return self._inplace(other, np.multiply, "*=")

    def __itruediv__(self, other):
        return self._inplace(other, np.true_divide, "/=")

    def __setitem__(self, index, value) -> None:
        # Like in-place ops: copying a value that requires grad would silently drop its gradient.
        if grad_mode.is_grad_enabled() and (
            self._requires_grad or isinstance(value, Tensor) and value._requires_grad
        ):
            raise RuntimeError(
                "item assignment on a tensor that requires grad (or of a value that requires "
                "grad): wrap it in mt.no_grad(), or build the new tensor with mt.where / mt.cat"
            )
        self.data[_index(index)] = value.data if isinstance(value, Tensor) else value

    # --------------------------------------------------------------------- comparisons
    def _compare(self, other, ufunc):
        other = other.data if isinstance(other, Tensor) else other
        try:
            return Tensor._wrap(ufunc(self.data, other))
        except ValueError as e:  # a broadcasting mismatch: say which comparison
            raise ShapeError(f"{ufunc.__name__}: {e}") from None

    def __eq__(self, other):
        """Elementwise ``self == other`` as a bool tensor (no gradient); also ``Tensor.eq``."""
        return self._compare(other, np.equal)

    def __ne__(self, other):
        """Elementwise ``self != other`` as a bool tensor (no gradient); also ``Tensor.ne``."""
        return self._compare(other, np.not_equal)

    def __lt__(self, other):
        """Elementwise ``self < other`` as a bool tensor (no gradient); also ``Tensor.lt``."""
        return self._compare(other, np.less)

    def __le__(self, other):
        """Elementwise ``self <= other`` as a bool tensor (no gradient); also ``Tensor.le``."""
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        """Elementwise ``self > other`` as a bool tensor (no gradient); also ``Tensor.gt``."""
        return self._compare(other, np.greater)

    def __ge__(self, other):
        """Elementwise ``self >= other`` as a bool tensor (no gradient); also ``Tensor.ge``."""
        return self._compare(other, np.greater_equal)

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    # -------------------------------------------------------------------- elementwise
    def exp(self):
        """``e ** self``, elementwise."""
        return _ops.Exp.apply(self)

    def log(self):
        """The natural logarithm, elementwise."""
        return _ops.Log.apply(self)

    def sqrt(self):
        """The square root, elementwise."""
        return _ops.Sqrt.apply(self)

    def abs(self):
        """The absolute value, elementwise."""
        return _ops.Abs.apply(self)

    def clamp(self, min=None, max=None):
        """Values limited to ``[min, max]`` (either bound may be None); alias ``clip``. The
        gradient is 1 inside the range and 0 where a value was clipped."""
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return _ops.Clamp.apply(self, min=min, max=max)

    clip = clamp

    def maximum(self, other):
        """The elementwise larger of ``self`` and ``other``."""
        return _ops.Maximum.apply(self, _operand(other, self))

    def minimum(self, other):
        """The elementwise smaller of ``self`` and ``other``."""
        return _ops.Minimum.apply(self, _operand(other, self))

    # --------------------------------------------------------------------- reductions
    def sum(self, dim=None, keepdim: bool = False, *, axis=None):
        """The sum over ``dim`` (an int, a tuple, or None for all elements); ``axis`` is
        NumPy's spelling of ``dim``."""
        return _ops.Sum.apply(self, dim=_dim(dim, axis), keepdim=keepdim)

    def mean(self, dim=None, keepdim: bool = False, *, axis=None):
        """The mean over ``dim`` (an int, a tuple, or None for all elements)."""
        return _ops.Mean.apply(self, dim=_dim(dim, axis), keepdim=keepdim)

    def var(
        self, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None, axis=None
    ):
        """The variance over ``dim``; unbiased (divides by ``n - 1``) by default, as in
        PyTorch and unlike NumPy. ``correction`` overrides ``unbiased``."""
        correction = (1 if unbiased else 0) if correction is None else correction
        return _ops.Var.apply(self, dim=_dim(dim, axis), correction=correction, keepdim=keepdim)

    def std(
        self, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None, axis=None
    ):
        """The standard deviation over ``dim``; unbiased by default, as in PyTorch."""
        return self.var(dim, unbiased, keepdim, correction=correction, axis=axis).sqrt()

    def max(self, dim=None, keepdim: bool = False, *, axis=None):
        """Largest element; with ``dim``, ``(values, indices)`` along it; with a Tensor,
        `maximum`, as in PyTorch."""
        return self._extreme(_dim(dim, axis), keepdim, largest=True)

    def min(self, dim=None, keepdim: bool = False, *, axis=None):
        """Smallest element; with ``dim``, ``(values, indices)`` along it; with a Tensor,
        `minimum`, as in PyTorch."""
        return self._extreme(_dim(dim, axis), keepdim, largest=False)

    def _extreme(self, dim, keepdim, largest):
        if isinstance(dim, Tensor):  # torch.max(input, other)
            return self.maximum(dim) if largest else self.minimum(dim)
        if dim is None:
            return _ops.MaxMin.apply(self, largest=largest)
        values = _ops.MaxMinDim.apply(self, dim=dim, keepdim=keepdim, largest=largest)
        indices = (self.argmax if largest else self.argmin)(dim, keepdim)
        return MaxMinResult(values, indices)

    def argmax(self, dim=None, keepdim: bool = False):
        """The int64 index of the largest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmax, dim, keepdim)

    def argmin(self, dim=None, keepdim: bool = False):
        """The int64 index of the smallest value (of the flattened tensor when ``dim`` is None)."""
        return self._arg(np.argmin, dim, keepdim)

    def _arg(self, fn, dim, keepdim):
        if dim is None:
            return Tensor._wrap(np.asarray(fn(self.data), dtype=np.int64))
        dim = _ops.reduction.wrap_dim(dim, self.ndim, fn.__name__)
        if self.data.ndim == 0:
            return Tensor._wrap(np.zeros((), dtype=np.int64))
        out = fn(self.data, axis=dim)
        if keepdim:
            out = np.expand_dims(out, dim)
        return Tensor._wrap(out.astype(np.int64, copy=False))

    # -------------------------------------------------------------------------- shape
    def reshape(self, *shape):
        """The same elements in a new shape (ints or one tuple; one ``-1`` is inferred); alias
        ``view`` (which, unlike PyTorch's, never fails for non-contiguous data)."""
        shape = _shape_arg(shape)
        if shape == self.data.shape:
            return self
        return _ops.Reshape.apply(self, shape)

    view = reshape

    def view_as(self, other):
        """``self.reshape(other.shape)``."""
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Dimensions ``start_dim`` to ``end_dim`` (inclusive) merged into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s = _ops.reduction.wrap_dim(start_dim, self.ndim, "flatten")
        e = _ops.reduction.wrap_dim(end_dim, self.ndim, "flatten")
        if s > e:
            raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self.shape[:s] + (int(np.prod(self.shape[s : e + 1])),) + self.shape[e + 1 :]
        return self.reshape(shape)

    def permute(self, *dims):
        """The dimensions reordered: ``x.permute(2, 0, 1)`` puts the last one first."""
        dims = _shape_arg(dims)
        if len(dims) != self.ndim:
            raise ValueError(
                f"permute: got {len(dims)} dims {dims} for a tensor with {self.ndim} dimensions"
            )
        return _ops.Permute.apply(self, dims)

    def transpose(self, dim0: int, dim1: int):
        """Dimensions ``dim0`` and ``dim1`` swapped."""
        d0, d1 = (_ops.reduction.wrap_dim(d, self.ndim, "transpose") for d in (dim0, dim1))
        dims = list(range(self.ndim))
        if dims:  # a 0-d tensor accepts dims 0 / -1 and stays as it is
            dims[d0], dims[d1] = dims[d1], dims[d0]
        return _ops.Permute.apply(self, tuple(dims))

    def t(self):
        """The transpose of a tensor with at most 2 dimensions."""
        if self.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def squeeze(self, dim=None):
        """Size-1 dimensions removed (all of them, or only ``dim``: an int or a tuple)."""
        if dim is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            dims = {
                _ops.reduction.wrap_dim(d, self.ndim, "squeeze")
                for d in ((dim,) if isinstance(dim, int) else dim)
            }
            shape = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return self.reshape(shape)

    def unsqueeze(self, dim: int):
        """A size-1 dimension inserted at ``dim``."""
        d = _ops.reduction.wrap_dim(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def expand(self, *shape):
        """The tensor broadcast to ``shape`` (``-1`` keeps a dimension); the gradient sums back."""
        shape = _shape_arg(shape)
        lead = len(shape) - self.ndim  # new leading dims have no size to keep
        if any(n == -1 for n in shape[:lead]):
            raise ShapeError(
                f"expand: -1 is not allowed for a new leading dimension, got {shape} "
                f"for a tensor of shape {self.shape}"
            )
        shape = tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape))
        return _ops.Expand.apply(self, shape)

    def __getitem__(self, index):
        return _ops.GetItem.apply(self, _index(index))


def _operand(x, like: Tensor):
    """The other side of a binary op: Tensors and arrays as they are, Python scalars as-is so
    NumPy keeps ``like``'s dtype (no silent float64 promotion)."""
    if isinstance(x, (Tensor, np.ndarray)):
        return x
    if isinstance(x, (int, float, bool)):
        return x
    if isinstance(x, np.generic):  # a NumPy scalar counts as a Python number (np.float64 is one)
        return x.item()
    if isinstance(x, (list, tuple)):
        return np.asarray(x, dtype=like.data.dtype if like.data.dtype.kind == "f" else None)
    raise TypeError(
        f"unsupported operand of type {type(x).__name__} for an operation with a Tensor "
        f"(expected a Tensor, a NumPy array or a number)"
    )


def _index(index):
    """Tensors inside an index become their arrays."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _dim(dim, axis):
    if axis is not None and dim is not None:
        raise TypeError("give either dim or axis, not both")
    return axis if dim is None else dim


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


function._Tensor = Tensor

from . import ops as _ops  # noqa: E402  (the ops need the Tensor class defined above)
