"""``Embedding``: a lookup table of vectors indexed by integers (PyTorch's ``nn.Embedding``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.validation import check_int

from .options import (
    check_device,
    finish,
    initialize,
    new_parameter,
    options_repr,
    setup_penalties,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from minitorch_es import Tensor
    from minitorch_es.autograd import Context
    from minitorch_es.nn import Parameter


class EmbeddingFunction(Primitive):
    """``weight[indices]``; backward scatters-adds the rows' gradients (none for
    ``padding_idx``)."""

    backward_name = "EmbeddingBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context, weight: np.ndarray, *, indices: np.ndarray, padding_idx: int | None = None
    ):
        ctx.spec = (indices, weight.shape, padding_idx)  # constants of the derivative
        return weight[indices]

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        indices, shape, padding_idx = ctx.spec
        flat = indices.reshape(-1)
        rows = grad.reshape(flat.size, shape[1])
        if padding_idx is not None:
            rows = rows * (flat != padding_idx)[:, None]
        return (ctx.xp.index_add(shape, flat, rows),)


def _indices(
    input: Tensor | ArrayLike, num_embeddings: int, layer: str = "Embedding"
) -> np.ndarray:
    idx = np.asarray(getattr(input, "data", input))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{layer}: expected integer indices (int64), got dtype {idx.dtype}")
    if idx.size:
        bad = idx[(idx < 0) | (idx >= num_embeddings)]
        if bad.size:
            raise IndexError(
                f"{layer}: index {int(bad.flat[0])} is out of range for "
                f"num_embeddings={num_embeddings} (valid: 0..{num_embeddings - 1})"
            )
    return idx


def embedding(input: Tensor | ArrayLike, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """``F.embedding``: rows of ``weight`` selected by the integer tensor ``input``."""
    num = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    return EmbeddingFunction.apply(weight, indices=_indices(input, num), padding_idx=padding_idx)


class Embedding(Module):
    """``Embedding(num_embeddings, embedding_dim, padding_idx=None, dtype=None)``: maps integer
    indices of any shape to vectors, output ``(*input.shape, embedding_dim)``. Initialised
    N(0, 1) (PyTorch) with the ``padding_idx`` row zero and never updated by gradients.
    Keras-style options: ``weight_init``, ``weight_regularizer``, ``activity_regularizer``,
    ``weight_constraint``.
    (PyTorch's ``max_norm``/``sparse`` options are not supported.)"""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        device: str | mt.device | None = None,
        dtype: DTypeLike | None = None,
        *,
        weight_init: str | dict[str, Any] | Callable | None = None,
        weight_regularizer: str | dict[str, Any] | Callable | None = None,
        activity_regularizer: str | dict[str, Any] | Callable | None = None,
        weight_constraint: str | dict[str, Any] | Callable | None = None,
    ) -> None:
        super().__init__()
        check_device(device, "Embedding")
        self.num_embeddings = check_int(num_embeddings, "num_embeddings", "Embedding", low=0)
        self.embedding_dim = check_int(embedding_dim, "embedding_dim", "Embedding", low=0)
        if padding_idx is not None:
            padding_idx = check_int(padding_idx, "padding_idx", "Embedding")
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings "
                    f"({self.num_embeddings}), got {padding_idx}"
                )
            padding_idx %= self.num_embeddings
        self.padding_idx = padding_idx
        self.weight = new_parameter((self.num_embeddings, self.embedding_dim), dtype)
        self.weight_init = weight_init
        setup_penalties(
            self,
            weight_regularizer=weight_regularizer,
            activity_regularizer=activity_regularizer,
            weight_constraint=weight_constraint,
        )
        object.__setattr__(self, "activation", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw the table (``weight_init`` or N(0, 1)); the padding row is zeroed."""
        initialize(self.weight, self.weight_init, _standard_normal)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(
        cls, embeddings: Tensor | ArrayLike, freeze: bool = True, padding_idx: int | None = None
    ) -> Embedding:
        """An Embedding holding a copy of the 2-D ``embeddings``; ``freeze`` stops its updates."""
        table = np.asarray(getattr(embeddings, "data", embeddings))
        if table.ndim != 2:
            raise mt.ShapeError(
                f"Embedding.from_pretrained: embeddings must be 2-D, got shape {table.shape}"
            )
        layer = cls(*table.shape, padding_idx=padding_idx, dtype=table.dtype)
        layer.weight.data[...] = table
        layer.weight.requires_grad = not freeze
        return layer

    def forward(self, input: Tensor | ArrayLike) -> Tensor:
        return finish(
            self,
            EmbeddingFunction.apply(
                self.weight,
                indices=_indices(input, self.num_embeddings),
                padding_idx=self.padding_idx,
            ),
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s + options_repr(self)


def _standard_normal(param: Parameter) -> None:
    param.data[...] = mt.random.generator().standard_normal(param.shape)
