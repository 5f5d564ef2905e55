"""The array namespace of backward formulas when a graph of the gradient is built: each
function of `minitorch_es.ops.numpy_api`, with the same name and signature, computed with
differentiable Tensor operations (see `minitorch_es.autograd.function`).

Arguments may mix Tensors, arrays and numbers (constants of a derivative stay arrays); the
result is a Tensor.
"""

from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from . import indexing as _indexing
from . import shape as _shape
from .elementwise import Where
from .numpy_api import is_basic_index  # noqa: F401  (shared helper)


def _t(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._wrap(np.asarray(x))


def abs(x):  # noqa: A001
    return _t(x).abs()


def astype(x, dtype):
    return _t(x).to(dtype)


def broadcast_to(x, shape):
    return _t(x).expand(tuple(shape))


def concat(arrays, axis=0):
    return _shape.Cat.apply(*[_t(a) for a in arrays], dim=axis)


def exp(x):
    return _t(x).exp()


def log(x):
    return _t(x).log()


def sqrt(x):
    return _t(x).sqrt()


def sin(x):
    return _t(x).sin()


def cos(x):
    return _t(x).cos()


def sinh(x):
    return _t(x).sinh()


def cosh(x):
    return _t(x).cosh()


def cumsum(x, axis):
    return _t(x).cumsum(axis)


def cumprod(x, axis):
    return _t(x).cumprod(axis)


def logcumsumexp(x, axis):
    return _t(x).logcumsumexp(axis)


def prod(x, axis=None, keepdims=False):
    return _t(x).prod(axis, keepdims)


def flip(x, axis):
    return _shape.Flip.apply(_t(x), dims=(axis,) if isinstance(axis, (int, np.integer)) else axis)


def roll(x, shift, axis=None):
    return _shape.Roll.apply(_t(x), shifts=shift, dims=axis)


def einsum(subscripts, *operands):
    from .einsum import Einsum

    return Einsum.apply(*[_t(o) for o in operands], equation=subscripts)


def ones_like(x):
    return Tensor._wrap(np.ones_like(_t(x)._data))


def sign(x):
    """Constant: the derivative of sign is 0 wherever it exists."""
    return Tensor._wrap(np.sign(_t(x)._data))


def zeros_like(x):
    return Tensor._wrap(np.zeros_like(_t(x)._data))


def expand_dims(x, axis):
    x = _t(x)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    ndim = x.ndim + len(axes)
    shape = list(x.shape)
    for a in sorted(d % ndim for d in axes):
        shape.insert(a, 1)
    return x.reshape(tuple(shape))


def squeeze(x, axis):
    return _t(x).squeeze(axis)


def reshape(x, shape):
    return _t(x).reshape(tuple(shape))


def permute_dims(x, axes):
    return _t(x).permute(tuple(int(a) for a in axes))


def matrix_transpose(x):
    return _t(x).transpose(-1, -2)


def moveaxis(x, source, destination):
    x = _t(x)
    order = [d for d in range(x.ndim) if d != source % x.ndim]
    order.insert(destination % x.ndim, source % x.ndim)
    return x.permute(tuple(order))


def matmul(a, b):
    return _t(a) @ _t(b)


def maximum(a, b):
    return _t(a).maximum(b)


def minimum(a, b):
    return _t(a).minimum(b)


def pow(a, b):  # noqa: A001
    return _t(a) ** b


def sum(x, axis=None, keepdims=False):  # noqa: A001
    return _t(x).sum(dim=axis, keepdim=keepdims)


def mean(x, axis=None, keepdims=False):
    return _t(x).mean(dim=axis, keepdim=keepdims)


def vecdot(a, b, axis=-1):
    return (_t(a) * b).sum(dim=axis)


def stack(arrays, axis=0):
    return _shape.Stack.apply(*[_t(a) for a in arrays], dim=axis)


def where(cond, a, b):
    cond = cond._data if isinstance(cond, Tensor) else np.asarray(cond, dtype=bool)
    return Where.apply(cond, *_same_kind(a, b))


def _same_kind(a, b):
    """Numbers on either side take the Tensor side's dtype (as a Tensor operator would)."""
    like = a if isinstance(a, Tensor) else b
    dtype = like.dtype if isinstance(like, Tensor) else None
    return tuple(x if isinstance(x, Tensor) else np.asarray(x, dtype=dtype) for x in (a, b))


def split(x, indices, axis):
    x = _t(x)
    bounds = [0, *[int(i) for i in indices], x.shape[axis]]
    lead = (slice(None),) * (axis % x.ndim)
    return [x[lead + (slice(lo, hi),)] for lo, hi in zip(bounds[:-1], bounds[1:])]


def getitem(x, index):
    return _indexing.GetItem.apply(_t(x), index)


def index_add(shape, index, values):
    return _indexing.IndexAdd.apply(_t(values), shape=tuple(shape), index=index)


def index_put(x, index, values):
    return _indexing.IndexPut.apply(_t(x), values, index)


def unbroadcast(grad, shape):
    """Sum ``grad`` over the axes broadcasting added or stretched to reach its shape."""
    grad = _t(grad)
    shape = tuple(shape)
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(dim=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(dim=stretched, keepdim=True)
    return grad
