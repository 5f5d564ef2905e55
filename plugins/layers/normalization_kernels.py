"""Batch normalisation kernels on ``(N, C, ...)`` input seen as channel rows.

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

`batch_norm` (forward) runs on arrays; `statistics` and `batch_norm_backward` take the array
namespace ``xp`` (``ctx.xp``): NumPy's for a first-order backward, the Tensor one when
backward builds a graph, so the same formulas give the second derivatives.
"""

from __future__ import annotations

from types import ModuleType
from typing import NamedTuple

import numpy as np


class Rows(NamedTuple):
    """How an ``(N, C, ...)`` array maps to channel rows: ``perm`` moves the channel axis first
    in storage order, ``shape`` is the permuted shape."""

    perm: tuple
    shape: tuple

    def of(self, xp: ModuleType, a):  # noqa: ANN201  (an array or a Tensor, as given)
        """``a`` (shaped like the input) as ``(C, M)`` channel rows: a view when stored so."""
        return xp.reshape(xp.permute_dims(a, self.perm), (self.shape[0], -1))

    def back(self, xp: ModuleType, rows):  # noqa: ANN201
        """Channel rows back to the input's shape (a view)."""
        inverse = tuple(int(a) for a in np.argsort(self.perm))
        return xp.permute_dims(xp.reshape(rows, self.shape), inverse)


def channel_rows(x: np.ndarray) -> Rows:
    """The `Rows` of ``x``: its own storage order when the channels are outermost there (a
    batch-last array), else channels first and the other axes in order (one copy)."""
    order = sorted(range(x.ndim), key=lambda a: -x.strides[a] if x.shape[a] > 1 else 0)
    perm = tuple(order) if order[0] == 1 and x.transpose(order).flags.c_contiguous else None
    perm = perm or (1, 0, *range(2, x.ndim))
    return Rows(perm, tuple(x.shape[a] for a in perm))


def column(xp: ModuleType, v):  # noqa: ANN201
    """A per-channel vector as a ``(C, 1)`` column, to broadcast against channel rows."""
    return xp.expand_dims(v, 1)


def statistics(xp: ModuleType, r, eps: float, stats: tuple | None = None) -> tuple:
    """``(mean, var, invstd, xc)`` of the channel rows ``r``: the batch statistics (biased
    variance), or the given constant ``stats = (mean, var)``; ``xc = r - mean``."""
    if stats is None:
        mean = xp.mean(r, axis=1)
        xc = r - column(xp, mean)
        var = xp.vecdot(xc, xc) / r.shape[1]
    else:
        mean, var = stats
        xc = r - column(xp, mean)
    return mean, var, 1.0 / xp.sqrt(var + eps), xc


def batch_norm(x: np.ndarray, weight, bias, eps: float, stats: tuple | None = None) -> tuple:
    """Normalise ``x`` per channel with its batch statistics (or ``stats = (mean, var)``, of
    ``x``'s dtype). Returns ``out``, the ``mean``, biased ``var`` and ``invstd`` used, and the
    `Rows` of ``x``."""
    rows = channel_rows(x)
    mean, var, invstd, out = statistics(np, rows.of(np, x), eps, stats)
    out *= (invstd if weight is None else invstd * weight)[:, None]  # out = xc, a new array
    if bias is not None:
        out += bias[:, None]
    return rows.back(np, out), mean, var, invstd, rows


def batch_norm_backward(
    xp: ModuleType,
    grad,
    x,
    weight,
    mean,
    invstd,
    rows: Rows,
    batch_stats: bool,
    need: tuple = (True, True, True),
) -> tuple:
    """Gradients ``(dx, dweight, dbias)`` of `batch_norm` (None where ``need`` says so), given
    the ``mean`` and ``invstd`` it used; ``batch_stats`` says whether they were the batch's
    (functions of ``x``) or constants."""
    r, g = rows.of(xp, x), rows.of(xp, grad)
    xc = r - column(xp, mean)
    need_x, need_w, need_b = need
    centred = need_x and batch_stats
    gb = xp.sum(g, axis=1) if need_b or centred else None
    gxc = xp.vecdot(g, xc) if need_w or centred else None
    gx = None
    if need_x:
        k = invstd if weight is None else invstd * weight
        gx = g * column(xp, k)
        if centred:
            m = g.shape[1]
            gx -= xc * column(xp, k * invstd * invstd * gxc / m)
            gx -= column(xp, k * gb / m)
        gx = rows.back(xp, gx)
    return gx, gxc * invstd if need_w else None, gb if need_b else None
