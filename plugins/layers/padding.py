"""Non-zero padding of the two last dimensions: ``reflect``, ``replicate`` and ``circular``
(PyTorch's ``padding_mode`` of ``Conv2d``).

Each padded row/column is a copy of one input row/column, so the forward pass is a gather by an
index vector per axis. The backward pass sums the gradients of all the copies of a row through
the one-hot matrix ``P`` of that gather (``x_padded = P_h @ x @ P_w.T``), two small matmuls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.autograd import Primitive
from minitorch_es.errors import ShapeError

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

    from minitorch_es import Tensor
    from minitorch_es.autograd import Context

MODES = ("reflect", "replicate", "circular")


def source_indices(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of the padded axis, the input position it copies."""
    idx = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(idx, 0, size - 1)
    if mode == "circular":
        return idx % size
    period = 2 * (size - 1)  # reflect without repeating the edge: 2 1 | 0 1 2 3 | 2 1
    idx = np.abs(idx) % period if period else np.zeros_like(idx)
    return np.where(idx >= size, period - idx, idx)


def check_padding(layer: str, shape: tuple, pads: tuple, mode: str) -> None:
    """PyTorch's limits: reflect needs pad < size, circular pad <= size."""
    top, bottom, left, right = pads
    h, w = shape[-2:]
    too_big = (lambda p, n: p >= n) if mode == "reflect" else (lambda p, n: p > n)
    if mode != "replicate" and (too_big(max(top, bottom), h) or too_big(max(left, right), w)):
        rule = "smaller than" if mode == "reflect" else "at most"
        raise ShapeError(
            f"{layer}: padding (top, bottom, left, right) = {pads} with padding_mode={mode!r} "
            f"must be {rule} the input size {(h, w)}; got input shape {tuple(shape)}"
        )
    if mode == "replicate" and (h == 0 or w == 0):
        raise ShapeError(f"{layer}: cannot replicate-pad an empty input of shape {tuple(shape)}")


def _one_hot(index: np.ndarray, size: int, dtype: DTypeLike) -> np.ndarray:
    m = np.zeros((index.size, size), dtype=dtype)
    m[np.arange(index.size), index] = 1
    return m


class Pad2d(Primitive):
    """Pad the last two axes by ``pads = (top, bottom, left, right)`` in ``mode``."""

    @staticmethod
    def forward(ctx: Context, x: np.ndarray, *, pads: tuple[int, int, int, int], mode: str):
        top, bottom, left, right = pads
        ih = source_indices(x.shape[-2], top, bottom, mode)
        iw = source_indices(x.shape[-1], left, right, mode)
        ctx.spec = (ih, iw, x.shape[-2:])  # constants of the derivative
        return np.take(np.take(x, ih, axis=-2), iw, axis=-1)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        ih, iw, (h, w) = ctx.spec
        ph, pw = _one_hot(ih, h, grad.dtype), _one_hot(iw, w, grad.dtype)
        matmul = ctx.xp.matmul
        return (matmul(matmul(ph.T, grad), pw),)


def pad2d(x: Tensor, pads: tuple, mode: str) -> Tensor:
    """``x`` padded on its last two axes (differentiable)."""
    return Pad2d.apply(x, pads=tuple(pads), mode=mode)
