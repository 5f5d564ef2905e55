"""Checks and layout of a multi-class loss's arguments (`cross_entropy`, `nll_loss`): the
input with its classes on dim 1, per-class weights, and class-index targets, each refused with
the shapes, dtypes or values expected and received."""

from __future__ import annotations

import numpy as np

import minitorch_es as mt
from minitorch_es.validation import check_tensor

from .loss_functions import array_of


def class_count(shape: tuple) -> int:
    """The number of classes of an input of this shape (dim 1, or dim 0 of a ``(C)`` input)."""
    return shape[1 if len(shape) > 1 else 0]


def sample_shape(shape: tuple) -> tuple:
    """The shape of the unreduced loss (and of class-index targets)."""
    return () if len(shape) == 1 else (shape[0], *shape[2:])


def check_class_input(input: mt.Tensor, op: str) -> mt.Tensor:
    """``input`` if it is a floating-point Tensor with a class dimension."""
    check_tensor(input, "input", op, floating=True)
    if input.ndim == 0:
        raise mt.ShapeError(
            f"{op}: expected an input of shape (C), (N, C) or (N, C, d1, ...) with the classes "
            f"on dim 1, got a 0-d tensor"
        )
    return input


def check_class_weight(weight: mt.Tensor | np.ndarray | None, op: str) -> np.ndarray | None:
    """A 1-D, finite, non-negative weight array (its length is checked against the input)."""
    if weight is None:
        return None
    data = array_of(weight, "weight", op)
    if data.ndim != 1:
        raise mt.ShapeError(
            f"{op}: weight must be a 1-D tensor of per-class weights, got shape {data.shape}"
        )
    bad = ~np.isfinite(data) | (data < 0)
    if bad.any():
        c = int(np.argmax(bad))
        raise ValueError(
            f"{op}: class weights must be finite and non-negative, got {data[c]} for class {c}"
        )
    return data


def class_weight(
    weight: mt.Tensor | np.ndarray | None, input: mt.Tensor, op: str
) -> np.ndarray | None:
    """``weight`` checked against the input's number of classes, in the input's dtype."""
    data = check_class_weight(weight, op)
    if data is None:
        return None
    classes = class_count(input.shape)
    if data.shape[0] != classes:
        raise mt.ShapeError(
            f"{op}: weight has {data.shape[0]} entries but the input of shape "
            f"{input.shape} has {classes} classes (dim 1); give one per class"
        )
    return data.astype(input.dtype, copy=False)


def class_indices(
    target: mt.Tensor | np.ndarray,
    input: mt.Tensor,
    ignore_index: int,
    op: str,
    *,
    probabilities: bool,
) -> np.ndarray:
    """The target as int64 class indices of the right shape, each in [0, C) or ignore_index."""
    data = array_of(target, "target", op)
    expected = sample_shape(input.shape)
    if data.dtype.kind not in "iu":
        also = f" (or class probabilities of shape {input.shape})" if probabilities else ""
        raise TypeError(
            f"{op}: class-index targets must be integers, got dtype {data.dtype} (target shape "
            f"{data.shape}, input shape {input.shape}); expected integer classes of shape "
            f"{expected}{also}"
        )
    if data.shape != expected:
        also = f" (or class probabilities of shape {input.shape})" if probabilities else ""
        raise mt.ShapeError(
            f"{op}: expected a class-index target of shape {expected} for input "
            f"of shape {input.shape}{also}, got shape {data.shape}"
        )
    t = data.astype(np.int64, copy=False)
    classes = class_count(input.shape)
    if t.size == 0 or t.view(np.uint64).max() < classes:  # one pass: negatives look huge
        return t
    bad = (t != ignore_index) & ((t < 0) | (t >= classes))
    if bad.any():
        raise IndexError(
            f"{op}: target class {t[bad].flat[0]} is out of range for {classes} classes "
            f"(expected 0 <= target < {classes}, or ignore_index={ignore_index}); "
            f"{int(bad.sum())} target(s) out of range"
        )
    return t
