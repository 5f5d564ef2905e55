"""``Tensor``: an n-dimensional array that records the operations applied to it.

A Tensor holds a NumPy array (``_data``; ``.data`` is PyTorch's detached Tensor view of it).
When ``requires_grad`` is set, every operation on it creates a node of a graph, and
``backward()`` fills ``.grad`` of the leaves with the derivative of the result with respect to
them.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import dtypes as _dtypes
from . import ops as _ops
from . import printing
from .autograd import engine, function
from .dtypes import get_default_dtype, of_numpy
from .errors import ShapeError
from .handles import RemovableHandle
from .size import Size
from .tensor_activation import TensorActivation
from .tensor_arrange import TensorArrange
from .tensor_dtype import TensorDtype
from .tensor_index import TensorIndex
from .tensor_inplace import TensorInplace
from .tensor_inplace_math import TensorInplaceMath
from .tensor_linalg import TensorLinalg
from .tensor_logic import TensorLogic
from .tensor_math import MaxMinResult, TensorMath, _dim, _operand  # noqa: F401 (re-exported)
from .tensor_new import TensorNew
from .tensor_numpy import TensorNumpy
from .tensor_pointwise import TensorPointwise
from .tensor_reduce import TensorReduce
from .tensor_shape import TensorShape, _index, _shape_arg  # noqa: F401 (re-exported)
from .tensor_sort import TensorSort
from .tensor_split import TensorSplit

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from .autograd.function import Context


class Tensor(
    TensorMath,
    TensorPointwise,
    TensorActivation,
    TensorLogic,
    TensorLinalg,
    TensorReduce,
    TensorSort,
    TensorIndex,
    TensorShape,
    TensorSplit,
    TensorArrange,
    TensorInplace,
    TensorInplaceMath,
    TensorNew,
    TensorDtype,
    TensorNumpy,
):
    """An n-dimensional array with autograd, like ``torch.Tensor``; its values are a NumPy
    array on the CPU device.

    Create one with `mt.tensor` or the other factories rather than the constructor. Floating
    tensors can ``requires_grad``; every operation on them records a graph and `backward` fills
    the leaves' ``.grad`` (a Tensor).

        >>> x = mt.tensor([[1., 2.], [3., 4.]], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y
        tensor(30., grad_fn=<SumBackward0>)
        >>> y.backward()
        >>> x.grad
        tensor([[2., 4.],
                [6., 8.]])
    """

    # _data: the NumPy array; _ctx/_out: the graph node that made this tensor and which of its
    # outputs it is; _version: in-place modification count, one list shared with views.
    __slots__ = (
        "_data",
        "_grad",
        "_requires_grad",
        "_ctx",
        "_out",
        "_version",
        "_hooks",
        "_post_hooks",
        "name",
        "__weakref__",
    )

    def __init__(self, data: ArrayLike, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            data = data._data
        elif not isinstance(data, np.ndarray):
            # Python floats get the default dtype, as in mt.tensor; NumPy values keep theirs.
            keeps_dtype = isinstance(data, np.generic)
            data = np.asarray(data)
            if data.dtype == np.float64 and not keeps_dtype:
                data = data.astype(get_default_dtype())
        self._data = data
        self._grad = None
        self._ctx = None
        self._out = 0
        self._version = [0]
        self._hooks = None
        self._post_hooks = None
        self._requires_grad = False
        self.name = None
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        """Fast construction of a result tensor (no checks, no graph)."""
        t = object.__new__(Tensor)
        t._data = array
        t._grad = None
        t._ctx = None
        t._out = 0
        t._version = [0]
        t._hooks = None
        t._post_hooks = None
        t._requires_grad = False
        t.name = None
        return t

    # ------------------------------------------------------------------- values
    @property
    def data(self) -> Tensor:
        """The values as a Tensor outside the graph that shares this tensor's memory, as in
        PyTorch (in-place changes through it are not tracked by autograd). Assigning replaces
        the values."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Tensor | ArrayLike) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by `backward` (a Tensor of this tensor's shape), or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | ArrayLike | None) -> None:
        if value is not None:
            value = value if isinstance(value, Tensor) else Tensor._wrap(np.asarray(value))
            if value.shape != self._data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: expected shape "
                    f"{self._data.shape}, got {value.shape}"
                )
            if value.dtype != self._data.dtype:
                raise TypeError(
                    f"assigned grad has data of a different type: expected {self._data.dtype}, "
                    f"got {value.dtype}"
                )
        self._grad = value

    # ----------------------------------------------------------------- autograd state
    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for `backward` (floating dtypes only;
        only leaves can be switched off)."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got dtype "
                f"{self._data.dtype} (convert with .float() first)"
            )
        if not value and self._ctx is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
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
    def grad_fn(self) -> Context | None:
        """The graph node that produced this tensor (None for leaves), as PyTorch's: it prints
        ``<MulBackward0 object at 0x...>`` and has ``name()``, ``next_functions`` and, as
        ``.fn``, the op's class."""
        return self._ctx

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor whose ``.grad`` backward fills (see `retain_grad`)."""
        retained = self._ctx._retained if self._ctx is not None else None
        return bool(retained) and self._out in retained

    @property
    def _version_count(self) -> int:
        return self._version[0]

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward (leaves keep it anyway)."""
        if self._ctx is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._ctx._retained is None:
            self._ctx._retained = {}
        self._ctx._retained[self._out] = weakref.ref(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` each time this tensor's gradient is computed; a returned Tensor
        replaces the gradient. Returns a handle whose ``remove()`` unregisters it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._ctx is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:
            if self._ctx._hooks is None:
                self._ctx._hooks = {}
            hooks = self._ctx._hooks.setdefault(self._out, {})
        return RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """Call ``hook(tensor)`` each time ``backward()`` has accumulated this leaf's gradient
        into ``.grad`` (PyTorch's hook of the same name): while the rest of the backward pass
        is still running, so the hook can start work on the finished gradient (a
        data-parallel all-reduce, an optimizer step per parameter). Returns a removable handle.

            >>> w = mt.tensor([1., 2.], requires_grad=True)
            >>> seen = []
            >>> hook = lambda t: seen.append(t.grad.tolist())
            >>> handle = w.register_post_accumulate_grad_hook(hook)
            >>> (3 * w).sum().backward()
            >>> seen
            [[3.0, 3.0]]
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._ctx is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not callable(hook):
            raise TypeError(
                f"register_post_accumulate_grad_hook expected a callable, got {type(hook).__name__}"
            )
        if self._post_hooks is None:
            self._post_hooks = {}
        return RemovableHandle(self._post_hooks, hook)

    def backward(
        self,
        gradient: Tensor | ArrayLike | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Tensor | Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf that requires it.

        ``gradient`` (same shape as ``self``) is required unless the tensor has one element,
        as in PyTorch. The graph is freed afterwards unless ``retain_graph`` (default:
        ``create_graph``). With ``create_graph`` the gradients are themselves recorded, so they
        can be differentiated again. ``inputs`` limits accumulation to those tensors.
        Gradients add up across calls: zero them between steps.

            >>> w = mt.tensor([1., 2.], requires_grad=True)
            >>> (3 * w).sum().backward()
            >>> w.grad
            tensor([3., 3.])
        """
        engine.backward(
            (self,), (gradient,), retain_graph, create_graph, inputs, where="backward()"
        )

    def _free_grad_buffer(self) -> np.ndarray | None:
        """Where the next gradient could be written directly (see autograd.grad_buffers):
        nowhere for a plain tensor, whose first gradient is a new array."""
        return None

    def _accumulate_grad(self, g: np.ndarray | Tensor) -> None:
        """Add ``g`` into ``.grad`` (the first gradient is copied, never aliased); a Tensor
        ``g`` (create_graph) is added out of place so the sum stays in the graph."""
        if isinstance(g, Tensor):
            self._grad = g if self._grad is None else self._grad + g
        elif self._grad is None or self._grad._ctx is not None:
            g = np.array(g, dtype=self._data.dtype, copy=True)
            self._grad = Tensor._wrap(g) if self._grad is None else self._grad.detach() + g
        else:
            self._grad._data += g
            self._grad._version[0] += 1

    def detach(self) -> Tensor:
        """The same data, cut from the graph (in-place changes are seen by both)."""
        out = Tensor._wrap(self._data)
        out._version = self._version
        return out

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place and return it."""
        self._ctx, self._out, self._requires_grad = None, 0, False
        return self

    # -------------------------------------------------------------------- properties
    @property
    def shape(self) -> Size:
        """The dimensions, an `mt.Size` (a tuple of ints, as ``torch.Size``)."""
        return _new_size(Size, self._data.shape)

    def size(self, dim: int | None = None) -> Size | int:
        """The `shape`, or the size of dimension ``dim``."""
        if dim is None:
            return _new_size(Size, self._data.shape)
        return self._data.shape[_ops.reduction.wrap_dim(dim, self._data.ndim, "size")]

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def dim(self) -> int:
        """The number of dimensions (`ndim`); alias ``ndimension``."""
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements; alias ``nelement``."""
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> _dtypes.dtype:
        """The element type, an `mt.dtype` (``torch.float32``); NumPy takes it as a dtype and
        it equals the array's NumPy dtype."""
        return of_numpy(self._data.dtype)

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed."""
        return self.permute(*reversed(range(self.ndim)))

    def __len__(self) -> int:
        if not self._data.ndim:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

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
        return self._data

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        if function._graph_backward and self._requires_grad:
            raise RuntimeError(
                "a Tensor that is part of the graph was turned into a NumPy array while backward "
                "was building a graph of the gradient (create_graph=True): that would cut the "
                "graph; write the backward formula with operators, Tensor methods and ctx.xp"
            )
        if copy:  # NumPy 2's np.array(t) asks for a copy and trusts it is one (no aliasing)
            return np.array(self._data, dtype=dtype, copy=True)
        return self._data if dtype is None else self._data.astype(dtype)

    def item(self) -> int | float | bool:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ShapeError(  # a RuntimeError, as in PyTorch (and a ValueError)
                f"item(): only a tensor with one element can be converted to a Python scalar, "
                f"got shape {tuple(self.shape)}"
            )
        return self._data.item()

    def tolist(self) -> list | int | float | bool:
        """The data as (nested) Python lists of numbers."""
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        # An integer tensor of one element works where Python wants an index: lst[t], range(t).
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __format__(self, spec: str) -> str:
        # f"{loss:.4f}" formats a 0-d tensor like its number, as in PyTorch.
        return format(self.item(), spec) if self._data.ndim == 0 else object.__format__(self, spec)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of a tensor with {self._data.size} elements is ambiguous"
            )
        return bool(self._data)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return printing.tensor_repr(self)


_new_size = tuple.__new__  # Size(shape) without re-checking NumPy's ints (a hot path)

function._Tensor = Tensor
