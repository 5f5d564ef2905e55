"""Batch normalisation kernels: pure functions on NumPy arrays ``(N, C, ...)``.

Batch norm works per channel, so the kernels see the input as a ``(C, M)`` matrix of *channel
rows* (every value of one channel in one contiguous row): for the batch-last output of a
convolution that matrix is a view of its storage, the order of the values inside a row being the
storage order; any other layout is copied once. On rows every statistic is one pass, and the
result goes back in the input's layout.

With ``xc = x - mean`` and ``invstd = 1 / sqrt(var + eps)`` (biased variance):

* forward: ``out = xc * (weight * invstd) + bias``;
* backward, ``M`` values per channel, ``g`` the output gradient: ``dbias = sum(g)``,
  ``dweight = invstd * sum(g * xc)`` and, with batch statistics,
  ``dx = k * (g - dbias / M - xc * invstd**2 * sum(g * xc) / M)`` with ``k = weight * invstd``
  (``dx = k * g`` with fixed running statistics).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Rows(NamedTuple):
    """How an ``(N, C, ...)`` array maps to channel rows: ``perm`` moves the channel axis first
    in storage order, ``shape`` is the permuted shape."""

    perm: tuple
    shape: tuple

    def of(self, a: np.ndarray) -> np.ndarray:
        """``a`` (shaped like the input) as ``(C, M)`` channel rows: a view when stored so."""
        return np.ascontiguousarray(a.transpose(self.perm)).reshape(self.shape[0], -1)

    def back(self, rows: np.ndarray) -> np.ndarray:
        """Channel rows back to the input's shape (a view)."""
        return rows.reshape(self.shape).transpose(np.argsort(self.perm))


def row_dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The dot product of each row of ``a`` with the same row of ``b``."""
    if hasattr(np, "vecdot"):  # NumPy >= 2: a BLAS dot per row
        return np.vecdot(a, b)
    return np.einsum("ij,ij->i", a, b)


def channel_rows(x: np.ndarray) -> Rows:
    """The `Rows` of ``x``: its own storage order when the channels are outermost there (a
    batch-last array), else channels first and the other axes in order (one copy)."""
    order = sorted(range(x.ndim), key=lambda a: -x.strides[a] if x.shape[a] > 1 else 0)
    perm = tuple(order) if order[0] == 1 and x.transpose(order).flags.c_contiguous else None
    perm = perm or (1, 0, *range(2, x.ndim))
    return Rows(perm, tuple(x.shape[a] for a in perm))


def batch_norm(x, weight, bias, eps: float, stats=None):
    """Normalise ``x`` per channel with its batch statistics (or ``stats = (mean, var)``).
    Returns ``out``, the ``mean`` and biased ``var`` used, and ``cache = (rows, xc, invstd)``
    for `batch_norm_backward`."""
    rows = channel_rows(x)
    r = rows.of(x)
    if stats is None:
        mean = r.mean(axis=1)
        xc = r - mean[:, None]
        var = row_dot(xc, xc) / r.shape[1]
    else:
        mean, var = (np.asarray(s, dtype=x.dtype).reshape(-1) for s in stats)
        xc = r - mean[:, None]
    invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)
    out = xc * (invstd if weight is None else invstd * weight)[:, None]
    if bias is not None:
        out += bias[:, None]
    return rows.back(out), mean, var, (rows, xc, invstd)


def batch_norm_backward(grad, cache, weight, batch_stats: bool, need=(True, True, True)):
    """Gradients ``(dx, dweight, dbias)`` of `batch_norm` given its ``cache`` (None where
    ``need`` says so)."""
    rows, xc, invstd = cache
    g = rows.of(grad)
    need_x, need_w, need_b = need
    centred = need_x and batch_stats
    gb = g.sum(axis=1) if need_b or centred else None
    gxc = row_dot(g, xc) if need_w or centred else None
    gx = None
    if need_x:
        k = invstd if weight is None else invstd * weight
        gx = g * k[:, None]
        if centred:
            m = g.shape[1]
            gx -= xc * (k * invstd * invstd * gxc / m)[:, None]
            gx -= (k * gb / m)[:, None]
        gx = rows.back(gx)
    return gx, gxc * invstd if need_w else None, gb if need_b else None
