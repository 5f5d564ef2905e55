"""Functions of vectors along a dimension: ``F.one_hot``, ``F.normalize``,
``F.cosine_similarity``, ``F.pairwise_distance``, and the ``nn.CosineSimilarity`` /
``nn.PairwiseDistance`` Modules (PyTorch's formulas, defaults and errors).

The norms are `mt.linalg.vector_norm`'s, whose gradient is 0 where a norm is 0 (PyTorch's
choice), so a zero vector normalises to zeros with zero gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.validation import check_dim, check_float, check_int, check_tensor

if TYPE_CHECKING:
    from minitorch_es.autograd import Context
    from minitorch_es.registry import Registry


def one_hot(tensor: mt.Tensor, num_classes: int = -1) -> mt.Tensor:
    """``F.one_hot``: int64 indices ``(*)`` to an int64 ``(*, num_classes)`` tensor with a 1 at
    each index; ``num_classes=-1`` takes the largest index plus one.

        >>> mt.nn.functional.one_hot(mt.tensor([0, 2]))
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    if not isinstance(tensor, mt.Tensor):
        raise TypeError(f"one_hot: expected a Tensor of int64 indices, got {type(tensor).__name__}")
    if tensor.dtype != mt.int64:
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor (int64), got "
            f"dtype {tensor.dtype}"
        )
    num_classes = check_int(num_classes, "num_classes", "one_hot")
    index = tensor.numpy(force=True)
    if num_classes == -1:
        if index.size == 0:
            raise RuntimeError(
                "one_hot: Can not infer total number of classes from empty tensor (pass "
                "num_classes)"
            )
        num_classes = int(index.max()) + 1
    if index.size and index.min() < 0:
        raise RuntimeError(f"one_hot: Class values must be non-negative, got {int(index.min())}")
    if num_classes < 0 or (index.size and index.max() >= num_classes):
        raise RuntimeError(
            f"one_hot: Class values must be smaller than num_classes ({num_classes}), got "
            f"{int(index.max()) if index.size else 'no values'}"
        )
    out = np.zeros((*index.shape, num_classes), dtype=np.int64)
    np.put_along_axis(out, index[..., None], 1, axis=-1)
    return mt.tensor(out)


def _floating(op: str, *tensors: mt.Tensor) -> None:
    for i, t in enumerate(tensors, 1):
        check_tensor(t, f"x{i}" if len(tensors) > 1 else "input", op)
    if any(t.dtype.kind != "f" for t in tensors):
        dtypes = ", ".join(str(t.dtype) for t in tensors)
        raise RuntimeError(f"{op}: expected floating point inputs, got dtype {dtypes}")


def normalize(
    input: mt.Tensor,
    p: float = 2.0,
    dim: int | tuple[int, ...] = 1,
    eps: float = 1e-12,
    out: mt.Tensor | None = None,
) -> mt.Tensor:
    """``F.normalize``: ``input / max(||input||_p, eps)`` along ``dim`` (an int or a tuple),
    written into ``out`` when given.

        >>> mt.nn.functional.normalize(mt.tensor([[3.0, 4.0]], dtype=mt.float64)).tolist()
        [[0.6, 0.8]]
    """
    _floating("normalize", input)
    norm = mt.linalg.vector_norm(input, check_float(p, "p", "normalize"), dim, keepdim=True)
    result = input / norm.clamp(min=check_float(eps, "eps", "normalize", low=0))
    if out is None:
        return result
    return out.copy_(result)


def _broadcast(op: str, x1: mt.Tensor, x2: mt.Tensor) -> tuple[mt.Tensor, mt.Tensor]:
    """Both inputs expanded to their common shape, in their common dtype."""
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(
            f"{op}: the shapes of x1 {list(x1.shape)} and x2 {list(x2.shape)} do not broadcast"
        ) from None
    dtype = np.result_type(x1.dtype, x2.dtype)
    return x1.to(dtype).expand(shape), x2.to(dtype).expand(shape)


class FloorUnrecorded(Primitive):
    """``max(x, floor)`` whose derivative is 1 everywhere, as if the floor were not there:
    PyTorch clamps the norms of its cosine similarity in place without recording it."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, floor: float):
        return np.maximum(x, x.dtype.type(floor))

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return (grad,)


def _clamped_norm(x: mt.Tensor, dim: int, eps: float) -> mt.Tensor:
    """``max(||x||, eps)`` along ``dim``, its gradient the unclamped norm's (PyTorch's)."""
    return FloorUnrecorded.apply(mt.linalg.vector_norm(x, 2, dim, keepdim=True), floor=eps)


def cosine_similarity(x1: mt.Tensor, x2: mt.Tensor, dim: int = 1, eps: float = 1e-8) -> mt.Tensor:
    """``F.cosine_similarity``: ``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along
    ``dim``, the inputs broadcast together (each normalised first, as PyTorch, so the result
    stays within [-1, 1])."""
    _floating("cosine_similarity", x1, x2)
    eps = check_float(eps, "eps", "cosine_similarity", low=0)
    check_int(dim, "dim", "cosine_similarity")  # before the inputs are broadcast
    x1, x2 = _broadcast("cosine_similarity", x1, x2)
    axis = check_dim(dim, x1.ndim, "cosine_similarity")
    unit1, unit2 = x1 / _clamped_norm(x1, axis, eps), x2 / _clamped_norm(x2, axis, eps)
    return (unit1 * unit2).sum(dim=axis)


def pairwise_distance(
    x1: mt.Tensor, x2: mt.Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> mt.Tensor:
    """``F.pairwise_distance``: ``||x1 - x2 + eps||_p`` along the last dimension (of the
    broadcast inputs)."""
    _floating("pairwise_distance", x1, x2)
    p = check_float(p, "p", "pairwise_distance")
    x1, x2 = _broadcast("pairwise_distance", x1, x2)
    diff = x1 - x2 + check_float(eps, "eps", "pairwise_distance")
    return mt.linalg.vector_norm(diff, p, -1 if diff.ndim else None, keepdim=bool(keepdim))


class CosineSimilarity(Module):
    """``CosineSimilarity(dim=1, eps=1e-8)``: `cosine_similarity` of its two inputs."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = check_int(dim, "dim", "CosineSimilarity")
        self.eps = check_float(eps, "eps", "CosineSimilarity", low=0)

    def forward(self, x1: mt.Tensor, x2: mt.Tensor) -> mt.Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """``PairwiseDistance(p=2.0, eps=1e-6, keepdim=False)``: `pairwise_distance` of its two
    inputs."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = check_float(p, "p", "PairwiseDistance")
        self.eps = check_float(eps, "eps", "PairwiseDistance", low=0)
        self.keepdim = bool(keepdim)

    def forward(self, x1: mt.Tensor, x2: mt.Tensor) -> mt.Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


FUNCTIONS = {
    "one_hot": one_hot,
    "normalize": normalize,
    "cosine_similarity": cosine_similarity,
    "pairwise_distance": pairwise_distance,
}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Export the functions to ``mt.nn.functional`` and register the distance Modules."""
    for name, function in FUNCTIONS.items():
        registry.export("nn.functional", name, function)
    for cls in (CosineSimilarity, PairwiseDistance):
        registry.add("layer", cls.__name__, cls)
