"""The loops over time of the recurrent kernels (`recurrent_kernels`): their shared pieces,
and the LSTM's backward through time, which `LSTMSequence`'s backward runs as
``ctx.xp.lstm_steps_backward``: a NumPy kernel for the fast path and its counterpart on Tensors
for a graph of the gradient (``create_graph=True``). Both compute the same formula.

The NumPy kernel is written for speed, as its loop runs once per step (64 small steps per layer
in a typical model): what does not depend on the gradients (the activations' slopes, ``o (1 -
tanh(c)^2)``) is computed for all steps before the loop, every step writes into buffers
allocated once (``out=``), and the gates' gradients go straight into one ``(T, B, 4H)`` array
(no concatenation per step, no stack at the end): 9 NumPy operations and one product per step.
The Tensor version builds the same quantities with differentiable operations.

Arguments (both versions): the cotangents of the kernel's four outputs ``g_hs, g_cs, g_gates,
g_tcs`` (None where an output got no gradient, except ``g_hs``), ``c0``, ``w_hh``, ``w_hr`` (or
None), the saved outputs ``cs, gates, tcs`` (gates activated, in PyTorch's order i, f, g, o),
``reverse`` and ``need_h0``. Returns ``(dz, dh_all, dh0, dc0)``: the gradients of the gates'
pre-activations ``(T, B, 4H)``, of the hidden states before the projection ``(T, B, P)`` (None
without ``w_hr``), and of the initial states (``dh0`` None unless ``need_h0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt

if TYPE_CHECKING:
    from minitorch_es import Tensor


def time_order(steps: int, reverse: bool) -> range:
    """The time indices in processing order."""
    return range(steps - 1, -1, -1) if reverse else range(steps)


def plus(a, b):  # noqa: ANN001, ANN201  (arrays or Tensors)
    """``a + b`` where None stands for zero."""
    if a is None:
        return b
    return a if b is None else a + b


def lstm_columns(n: int, dtype: np.dtype) -> tuple:
    """Per gate column (i, f, g, o): ``(half, offset)``, 0.5 and 0.5 for the sigmoid gates, 1
    and 0 for the tanh gate. As ``sigmoid(z) = 0.5 tanh(z / 2) + 0.5``, one tanh over a whole
    row activates the four gates: ``act = tanh(z * half) * half + offset``."""
    half = np.full(4 * n, 0.5, dtype=dtype)
    half[2 * n : 3 * n] = 1.0
    offset = np.full(4 * n, 0.5, dtype=dtype)
    offset[2 * n : 3 * n] = 0.0
    return half, offset


def repeat_rows(row: np.ndarray, rows: int) -> np.ndarray:
    """``row`` repeated as a ``(rows, len(row))`` array: NumPy's elementwise loops run about
    twice as fast on operands of the same shape as on a broadcast row."""
    return np.repeat(row[None], rows, axis=0)


def lstm_steps_backward(
    g_hs: np.ndarray,
    g_cs: np.ndarray | None,
    g_gates: np.ndarray | None,
    g_tcs: np.ndarray | None,
    c0: np.ndarray,
    w_hh: np.ndarray,
    w_hr: np.ndarray | None,
    cs: np.ndarray,
    gates: np.ndarray,
    tcs: np.ndarray,
    reverse: bool,
    need_h0: bool,
) -> tuple:
    """The NumPy kernel (see the module notes)."""
    steps, batch, n = cs.shape
    dtype = gates.dtype
    # What does not depend on the gradients, for all steps at once (a pass each over the
    # arrays, faster than per step): in dz, the slopes of the activations from their values a,
    # a (1 - a) for the sigmoid columns and 1 - a^2 for the tanh column, as
    # a (sigmoid_column - a) + tanh_column; the loop multiplies them by the gates' gradients.
    dz = np.subtract(repeat_rows(2 * lstm_columns(n, dtype)[1], batch), gates)
    dz *= gates
    dz[..., 2 * n : 3 * n] += 1
    dtanh = np.multiply(tcs, tcs)  # then o (1 - tanh(c)^2), dc / dh
    np.subtract(1, dtanh, out=dtanh)
    dc_dh = np.multiply(gates[..., 3 * n :], dtanh, out=dtanh)
    dh_all = None if w_hr is None else np.empty((steps, batch, w_hr.shape[0]), dtype=dtype)
    d_act = np.empty((batch, 4 * n), dtype=dtype)  # the gradient of the activated gates
    dh = np.empty((batch, w_hh.shape[1]), dtype=dtype)
    dh_raw = dh if w_hr is None else np.empty((batch, n), dtype=dtype)
    dc, dc_carry = np.empty((batch, n), dtype=dtype), np.empty((batch, n), dtype=dtype)
    dh_carry = np.empty_like(dh)
    order = time_order(steps, reverse)
    for k in range(steps - 1, -1, -1):
        t = order[k]
        gate, tc = gates[t], tcs[t]
        if k == steps - 1:  # the last step: no gradient from later steps
            np.copyto(dh, g_hs[t])
        else:
            np.add(g_hs[t], dh_carry, out=dh)
        if w_hr is not None:
            dh_all[t] = dh
            np.matmul(dh, w_hr, out=dh_raw)
        np.multiply(dc_dh[t], dh_raw, out=dc)
        if k < steps - 1:
            dc += dc_carry
        if g_cs is not None:
            dc += g_cs[t]
        if g_tcs is not None:
            dc += g_tcs[t] * (1 - tc * tc)
        c_prev = c0 if k == 0 else cs[order[k - 1]]
        np.multiply(dc, gate[:, 2 * n : 3 * n], out=d_act[:, :n])
        np.multiply(dc, c_prev, out=d_act[:, n : 2 * n])
        np.multiply(dc, gate[:, :n], out=d_act[:, 2 * n : 3 * n])
        np.multiply(dh_raw, tc, out=d_act[:, 3 * n :])
        if g_gates is not None:
            d_act += g_gates[t]
        dzt = dz[t]
        dzt *= d_act
        np.multiply(dc, gate[:, n : 2 * n], out=dc_carry)
        if k or need_h0:  # the first step's product is the gradient of h0 alone
            np.matmul(dzt, w_hh, out=dh_carry)
    return dz, dh_all, dh_carry if need_h0 else None, dc_carry


def lstm_steps_backward_graph(
    g_hs: Tensor,
    g_cs: Tensor | None,
    g_gates: Tensor | None,
    g_tcs: Tensor | None,
    c0: Tensor,
    w_hh: Tensor,
    w_hr: Tensor | None,
    cs: Tensor,
    gates: Tensor,
    tcs: Tensor,
    reverse: bool,
    need_h0: bool,
) -> tuple:
    """The counterpart on Tensors, differentiable (see the module notes)."""
    steps, _, n = cs.shape
    i, f, g, o = (gates[..., k * n : (k + 1) * n] for k in range(4))
    tanh_column = 1 - lstm_columns(n, gates.dtype)[1] * 2
    sigmoid_column = 1 - tanh_column
    dz, dh_all = [None] * steps, [None] * steps
    dh_carry = dc_carry = None
    order = time_order(steps, reverse)
    for k in range(steps - 1, -1, -1):
        t = order[k]
        dh = dh_all[t] = plus(g_hs[t], dh_carry)
        dh_raw = dh if w_hr is None else dh @ w_hr
        tc, gate = tcs[t], gates[t]
        dtanh = 1 - tc * tc
        dc = plus(dh_raw * (o[t] * dtanh), dc_carry)
        if g_cs is not None:
            dc = dc + g_cs[t]
        if g_tcs is not None:
            dc = dc + g_tcs[t] * dtanh
        c_prev = c0 if k == 0 else cs[order[k - 1]]
        da = mt.cat([dc * g[t], dc * c_prev, dc * i[t], dh_raw * tc], dim=1)
        if g_gates is not None:
            da = da + g_gates[t]
        dz[t] = da * (gate * (sigmoid_column - gate) + tanh_column)
        dc_carry = dc * f[t]
        if k or need_h0:
            dh_carry = dz[t] @ w_hh
    dh_all = None if w_hr is None else mt.stack(dh_all)
    return mt.stack(dz), dh_all, dh_carry if need_h0 else None, dc_carry


mt.autograd.register_array_function(
    "lstm_steps_backward", lstm_steps_backward, lstm_steps_backward_graph
)
