"""2-D convolution kernels: pure functions on NumPy arrays (NCHW), im2col + one matrix product.

The three functions an autograd op needs, each usable on its own:

* `conv2d` ``(x, weight, stride, padding, dilation, groups, bias)``: the forward pass;
* `conv_transpose2d` ``(grad_out, weight, input_shape, ...)``: the gradient of ``conv2d``
  with respect to ``x`` (a transposed convolution, PyTorch's ``conv_transpose2d`` with
  the output size given by ``input_shape``);
* `conv2d_weight_grad` ``(x, grad_out, weight_shape, ...)``: the gradient with respect to
  ``weight``.

``padding`` is ``(top, bottom, left, right)`` zeros; ``stride`` and ``dilation`` are pairs. The
layout is described in `im2col`: ``cols`` is ``(C*kh*kw, Ho*Wo*N)``, so each pass is one BLAS
product over the whole batch (``W2 @ cols``, ``delta @ cols.T``, ``W2.T @ delta``, per group)
and the results are batch-last arrays returned as NCHW views. The ``*_columns`` / ``*_grid``
variants take the columns (or the gradient as `to_grid` lays it out) already built, so a
training step builds the columns once, in forward, and reuses them for the weight gradient.
"""

from __future__ import annotations

import numpy as np

from .im2col import Geometry, col2im, from_grid, geometry, im2col, pad, to_grid


def _grouped(matrix: np.ndarray, groups: int) -> np.ndarray:
    """``matrix`` split into ``groups`` row blocks, stacked: ``(groups, rows/groups, cols)``."""
    return matrix.reshape(groups, matrix.shape[0] // groups, matrix.shape[1])


def columns(x: np.ndarray, kernel: tuple, stride: tuple, padding: tuple, dilation: tuple):
    """The `Geometry` of the convolution and the columns of ``x`` (see `im2col`)."""
    g = geometry(x.shape, kernel, stride, padding, dilation)
    return g, im2col(pad(x, g), g)


def conv2d_columns(
    cols: np.ndarray, weight: np.ndarray, g: Geometry, groups: int, bias: np.ndarray | None
) -> np.ndarray:
    """The convolution from the columns: ``W2 @ cols`` per group, plus the bias."""
    o = weight.shape[0]
    out = np.matmul(_grouped(weight.reshape(o, -1), groups), _grouped(cols, groups))
    out = out.reshape(o, -1)
    if bias is not None:
        out += bias[:, None]
    return from_grid(out, g)


def conv2d_weight_grad_columns(
    cols: np.ndarray, delta: np.ndarray, weight_shape: tuple, groups: int
) -> np.ndarray:
    """``dL/dW2 = delta @ cols.T`` per group; ``delta`` is the gradient as `to_grid` lays
    it out. Computed as ``(cols @ delta.T).T``: OpenBLAS runs that orientation faster when
    the summed dimension (every output position of the batch) is this long."""
    transposed = np.matmul(_grouped(cols, groups), _grouped(delta, groups).transpose(0, 2, 1))
    return transposed.transpose(0, 2, 1).reshape(weight_shape)


def conv2d_bias_grad(delta: np.ndarray) -> np.ndarray:
    """``dL/db``: the gradient summed over every output position, as one matrix-vector
    product (faster than ``delta.sum(axis=1)``)."""
    return delta @ np.ones(delta.shape[1], dtype=delta.dtype)


def conv_transpose2d_grid(
    delta: np.ndarray, weight: np.ndarray, g: Geometry, groups: int
) -> np.ndarray:
    """``dL/dcols = W2.T @ delta`` per group, folded back onto the input by `col2im`."""
    o = weight.shape[0]
    w2 = _grouped(weight.reshape(o, -1), groups).transpose(0, 2, 1)
    gcols = np.matmul(w2, _grouped(delta, groups))
    return col2im(gcols.reshape(-1, delta.shape[1]), g)


def conv2d(
    x: np.ndarray,
    weight: np.ndarray,
    stride: tuple = (1, 1),
    padding: tuple = (0, 0, 0, 0),
    dilation: tuple = (1, 1),
    groups: int = 1,
    bias: np.ndarray | None = None,
) -> np.ndarray:
    """Cross-correlation of NCHW ``x`` with ``weight`` ``(O, C/groups, kh, kw)``, as PyTorch's
    ``conv2d``; the result is stored batch-last (an NCHW view, see `im2col`)."""
    g, cols = columns(x, weight.shape[2:], stride, padding, dilation)
    return conv2d_columns(cols, weight, g, groups, bias)


def conv2d_weight_grad(
    x: np.ndarray,
    grad_out: np.ndarray,
    weight_shape: tuple,
    stride: tuple = (1, 1),
    padding: tuple = (0, 0, 0, 0),
    dilation: tuple = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """The gradient of ``conv2d(x, w, ...)`` with respect to ``w`` given ``grad_out``."""
    g, cols = columns(x, weight_shape[2:], stride, padding, dilation)
    return conv2d_weight_grad_columns(cols, to_grid(grad_out, g), weight_shape, groups)


def conv_transpose2d(
    grad_out: np.ndarray,
    weight: np.ndarray,
    input_shape: tuple,
    stride: tuple = (1, 1),
    padding: tuple = (0, 0, 0, 0),
    dilation: tuple = (1, 1),
    groups: int = 1,
) -> np.ndarray:
    """The transposed convolution of ``grad_out`` (N, O, Ho, Wo) with ``weight``
    ``(O, C/groups, kh, kw)`` onto an input of ``input_shape``: the gradient of
    ``conv2d(x, weight, ...)`` with respect to ``x``."""
    g = geometry(input_shape, weight.shape[2:], stride, padding, dilation)
    return conv_transpose2d_grid(to_grid(grad_out, g), weight, g, groups)
