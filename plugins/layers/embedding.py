"""``Embedding``: a lookup table of vectors indexed by integers (PyTorch's ``nn.Embedding``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt
from minitorch_es.autograd import Primitive
from minitorch_es.nn import Module
from minitorch_es.validation import check_float, check_int

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
    ``padding_idx``; with ``scale_grad_by_freq`` each divided by how often its index occurs in
    the batch, as PyTorch)."""

    backward_name = "EmbeddingBackward0"  # PyTorch's node name (grad_fn)

    @staticmethod
    def forward(
        ctx: Context,
        weight: np.ndarray,
        *,
        indices: np.ndarray,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
    ):
        if max_norm is not None:  # in the table itself, before the lookup (outside the graph)
            renorm_rows(weight, indices, max_norm, norm_type)
        ctx.spec = (indices, weight.shape, padding_idx, scale_grad_by_freq)  # constants
        return weight[indices]

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        indices, shape, padding_idx, by_freq = ctx.spec
        flat = indices.reshape(-1)
        rows = grad.reshape(flat.size, shape[1])
        if padding_idx is not None:
            rows = rows * (flat != padding_idx)[:, None]
        if by_freq:  # each row divided by the count of its index in the batch
            counts = np.bincount(flat, minlength=shape[0])[flat].astype(rows.dtype)
            scaled = rows / counts[:, None]
            # As PyTorch's double backward, a graph of this gradient leads back to the rows
            # unscaled (the scaling is a value, not a step of the graph).
            rows = scaled if not isinstance(rows, mt.Tensor) else rows + (scaled - rows).detach()
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


def embedding(
    input: Tensor | ArrayLike,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``F.embedding``: rows of ``weight`` selected by the integer tensor ``input``. With
    ``max_norm``, the rows looked up whose ``norm_type``-norm exceeds it are first scaled
    down to it, in ``weight`` itself (as PyTorch, outside the graph); ``scale_grad_by_freq``
    divides each row's gradient by its index's count in the batch."""
    num = weight.shape[0]
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    _check_sparse(sparse, "embedding")
    return EmbeddingFunction.apply(
        weight,
        indices=_indices(input, num),
        padding_idx=padding_idx,
        max_norm=None if max_norm is None else float(max_norm),
        norm_type=float(norm_type),
        scale_grad_by_freq=bool(scale_grad_by_freq),
    )


def renorm_rows(table: np.ndarray, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale the rows of ``table`` at ``indices`` whose ``norm_type``-norm exceeds ``max_norm``
    down to ``max_norm``, in place (PyTorch's ``embedding_renorm_``: factor
    ``max_norm / (norm + 1e-7)``)."""
    rows = np.unique(indices)
    norms = np.linalg.norm(table[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(table.dtype)
        table[rows[over]] *= scale[:, None]


def _check_sparse(sparse: bool, where: str) -> None:
    if sparse:
        raise NotImplementedError(
            f"{where}: sparse=True asks for sparse gradients, and minitorch_es has dense "
            f"gradients only; leave sparse=False (every optimizer takes the dense gradient)"
        )


class Embedding(Module):
    """``Embedding(num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
    norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False,
    device=None, dtype=None)`` as PyTorch's: maps integer indices of any shape to vectors,
    output ``(*input.shape, embedding_dim)``. Initialised N(0, 1) (PyTorch) with the
    ``padding_idx`` row zero and never updated by gradients; ``max_norm`` and
    ``scale_grad_by_freq`` as in `embedding`; ``_weight`` gives the initial table (copied) and
    ``_freeze`` stops its updates. ``sparse=True`` (sparse gradients) is refused. Keras-style
    options: ``weight_init``, ``weight_regularizer``, ``activity_regularizer``,
    ``weight_constraint``."""

    config_excluded = ("_weight",)  # the table is in the state dict

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | ArrayLike | None = None,
        _freeze: bool = False,
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
        _check_sparse(sparse, "Embedding")
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
        self.max_norm = (
            None if max_norm is None else check_float(max_norm, "max_norm", "Embedding", low=0)
        )
        self.norm_type = check_float(norm_type, "norm_type", "Embedding")
        self.scale_grad_by_freq, self.sparse = bool(scale_grad_by_freq), False
        self.weight = new_parameter((self.num_embeddings, self.embedding_dim), dtype)
        self.weight_init = weight_init
        setup_penalties(
            self,
            weight_regularizer=weight_regularizer,
            activity_regularizer=activity_regularizer,
            weight_constraint=weight_constraint,
        )
        object.__setattr__(self, "activation", None)
        if _weight is None:
            self.reset_parameters()
        else:
            table = np.asarray(_weight)
            if table.shape != (self.num_embeddings, self.embedding_dim):
                raise mt.ShapeError(
                    f"Embedding: _weight has shape {table.shape}, expected (num_embeddings, "
                    f"embedding_dim) = {(self.num_embeddings, self.embedding_dim)}"
                )
            self.weight.data[...] = table
        self.weight.requires_grad = not _freeze

    def reset_parameters(self) -> None:
        """Re-draw the table (``weight_init`` or N(0, 1)); the padding row is zeroed."""
        initialize(self.weight, self.weight_init, _standard_normal)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor | ArrayLike,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding a copy of the 2-D ``embeddings``; ``freeze`` stops its updates;
        the other options as in the constructor."""
        table = np.asarray(embeddings)
        if table.ndim != 2:
            raise mt.ShapeError(
                f"Embedding.from_pretrained: embeddings must be 2-D, got shape {table.shape}"
            )
        return cls(
            *table.shape,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
            _weight=table,
            _freeze=freeze,
            dtype=table.dtype,
        )

    def forward(self, input: Tensor | ArrayLike) -> Tensor:
        return finish(
            self,
            embedding(
                input,
                self.weight,
                self.padding_idx,
                self.max_norm,
                self.norm_type,
                self.scale_grad_by_freq,
            ),
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s + options_repr(self)


def _standard_normal(param: Parameter) -> None:
    param.data[...] = mt.random.generator().standard_normal(param.shape)
