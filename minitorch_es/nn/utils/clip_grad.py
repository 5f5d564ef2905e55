"""Gradient clipping as ``torch.nn.utils``: ``clip_grad_norm_`` (= `get_total_norm` of the
gradients, then `clip_grads_with_norm_`) and ``clip_grad_value_``.

The total norm is the ``norm_type`` norm of the per-gradient norms (so of all the gradients
as one vector), in the gradients' dtype; every gradient is then multiplied in place by
``min(1, max_norm / (total_norm + 1e-6))``, as PyTorch does (a factor of 1 included).
Parameters without a gradient are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor

Tensors = Tensor | Iterable[Tensor]


def _tensors(tensors: Tensors, what: str) -> list[Tensor]:
    """A single Tensor or an iterable of them (a generator such as ``model.parameters()``
    is consumed once) as a list."""
    listed = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for i, t in enumerate(listed):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: expected Tensors, got {type(t).__name__} at position {i}")
    return listed


def _grads(parameters: Tensors, what: str) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters, what) if p.grad is not None]


def get_total_norm(
    tensors: Tensors,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type`` norm of ``tensors`` taken together (``torch.nn.utils.get_total_norm``;
    ``foreach`` is accepted and ignored). 0 when there are none.

        >>> float(get_total_norm([mt.tensor([3.0]), mt.tensor([4.0])]))
        5.0
    """
    listed = _tensors(tensors, "get_total_norm")
    norm_type = float(norm_type)
    if not listed:
        return Tensor(np.array(0.0, dtype=np.float32))
    arrays = [t.numpy(force=True) for t in listed]
    dtype = np.result_type(*arrays)
    norms = [_norm(a.ravel().astype(dtype, copy=False), norm_type) for a in arrays]
    total = _norm(np.array(norms, dtype=dtype), norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite, so it cannot be clipped. To disable this error and scale the "
            f"gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor(np.asarray(total, dtype=dtype))


def _norm(vector: np.ndarray, norm_type: float) -> np.ndarray:
    if vector.size == 0:
        return np.zeros((), vector.dtype)
    return np.linalg.norm(vector, ord=norm_type).astype(vector.dtype)


def clip_grads_with_norm_(
    parameters: Tensors,
    max_norm: float,
    total_norm: Tensor | float,
    foreach: bool | None = None,
) -> None:
    """Scale the gradients of ``parameters`` in place by ``min(1, max_norm / (total_norm +
    1e-6))`` (``torch.nn.utils.clip_grads_with_norm_``)."""
    grads = _grads(parameters, "clip_grads_with_norm_")
    if not grads:
        return
    total = float(total_norm)
    coef = min(float(max_norm) / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    with no_grad(), np.errstate(invalid="ignore"):  # inf * 0 is NaN, silently as in PyTorch
        for g in grads:
            g.mul_(coef)


def clip_grad_norm_(
    parameters: Tensors,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Clip the gradients of ``parameters`` so that their total ``norm_type`` norm is at most
    ``max_norm``; returns the total norm before clipping (``torch.nn.utils.clip_grad_norm_``).

        >>> w = mt.tensor([3.0, 4.0], requires_grad=True)
        >>> (w * w / 2).sum().backward()
        >>> clip_grad_norm_([w], 1.0)
        tensor(5.)
        >>> w.grad
        tensor([0.6000, 0.8000])
    """
    listed = _tensors(parameters, "clip_grad_norm_")
    grads = [p.grad for p in listed if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(listed, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters: Tensors, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient of ``parameters`` into ``[-clip_value, clip_value]`` in place
    (``torch.nn.utils.clip_grad_value_``)."""
    clip_value = float(clip_value)
    with no_grad():
        for g in _grads(parameters, "clip_grad_value_"):
            g.clamp_(-clip_value, clip_value)
