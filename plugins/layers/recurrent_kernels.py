"""The fused kernels of the recurrent layers: one `Primitive` runs a whole sequence through one
layer in one direction (Elman RNN, LSTM, GRU), with a closed-form backward through time.

Shapes are time-major: ``x`` is ``(T, B, I)``, states ``(B, H)``. The input projection of every
step is one matrix product before the loop (``x @ W_ih.T`` for all T*B rows); each step then
costs one ``(B, P) @ (P, G)`` product and a few elementwise operations. Backward walks the steps
in reverse, keeping the gradient of the pre-activations of every step, and forms the weight
gradients at the end with one product each (``dZ.T @ x``, ``dZ.T @ h_prev``).

Besides the hidden states each kernel returns the activated gates (and, for the LSTM, the cell
states and their tanh) as extra outputs: backward reads its intermediates there, so the formula
uses only inputs and outputs and is differentiable again (``create_graph=True``); for the same
reason the extra outputs get their own gradient terms. Gate order is PyTorch's: LSTM ``i, f, g,
o``; GRU ``r, z, n``.
"""

from __future__ import annotations

import numpy as np

from minitorch_es.autograd import Primitive


# ------------------------------------------------------------------------ shared pieces
def _order(steps: int, reverse: bool) -> range:
    """The time indices in processing order."""
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _project(x, w_ih):
    """``x @ w_ih.T`` for every step at once: ``(T, B, G)``."""
    steps, batch, size = x.shape
    return (x.reshape(steps * batch, size) @ w_ih.T).reshape(steps, batch, w_ih.shape[0])


def _bias(*biases):
    """The sum of the biases that are given (None if none is): added step by step, where the
    step's gates are in cache, rather than in a pass over all the steps' gates."""
    given = [b for b in biases if b is not None]
    return sum(given[1:], given[0]) if given else None


def _sigmoid_(z):
    """Sigmoid in place, as ``0.5 tanh(z / 2) + 0.5`` (stable for any finite z)."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _previous(seq, first, reverse: bool, xp):
    """The state each step starts from, for all steps: ``first`` then ``seq`` shifted by one
    (against the processing direction)."""
    first = xp.expand_dims(first, 0)
    if reverse:
        return xp.concat([seq[1:], first], axis=0)
    return xp.concat([first, seq[:-1]], axis=0)


def _plus(a, b):
    """``a + b`` where None stands for zero."""
    if a is None:
        return b
    return a if b is None else a + b


def _needs(ctx, count: int) -> tuple:
    """``ctx.needs_input_grad`` padded to ``count`` (optional trailing inputs left out)."""
    flags = tuple(ctx.needs_input_grad)
    return flags + (False,) * (count - len(flags))


def _rows(a):
    return a.reshape(-1, a.shape[-1])


def _affine_grads(needs: tuple, d_in, x, w_ih, d_hid, h_prev, w_hh) -> tuple:
    """Gradients of ``x @ w_ih.T + b_ih`` and ``h_prev @ w_hh.T + b_hh`` given the gradients of
    the two sums for every step: ``(dx, dw_ih, dw_hh, db_ih, db_hh)`` (None where not
    ``needs``, which are the flags of x, w_ih, w_hh, b_ih, b_hh)."""
    need_x, need_wih, need_whh, need_bih, need_bhh = needs
    dx = (_rows(d_in) @ w_ih).reshape(x.shape) if need_x else None
    dw_ih = _rows(d_in).T @ _rows(x) if need_wih else None
    dw_hh = _rows(d_hid).T @ _rows(h_prev) if need_whh else None
    db_ih = _rows(d_in).sum(axis=0) if need_bih else None
    if need_bhh:
        db_hh = db_ih if d_hid is d_in and need_bih else _rows(d_hid).sum(axis=0)
    else:
        db_hh = None
    return dx, dw_ih, dw_hh, db_ih, db_hh


# ------------------------------------------------------------------------ Elman RNN
class RNNSequence(Primitive):
    """``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` for every step; ``act`` is tanh
    or relu. Output: the states ``(T, B, H)``."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, nonlinearity, reverse=False):
        hs = _project(x, w_ih)
        bias, w_hh_t, h = _bias(b_ih, b_hh), w_hh.T, h0
        for t in _order(x.shape[0], reverse):
            z = hs[t]
            z += h @ w_hh_t
            if bias is not None:
                z += bias
            h = np.tanh(z, out=z) if nonlinearity == "tanh" else np.maximum(z, 0, out=z)
        ctx.save_for_backward(x, h0, w_ih, w_hh, hs)
        ctx.reverse, ctx.nonlinearity = reverse, nonlinearity
        return hs

    @staticmethod
    def backward(ctx, g_hs):
        x, h0, w_ih, w_hh, hs = ctx.saved_tensors
        if ctx.nonlinearity == "tanh":
            slope = 1 - hs * hs
        else:  # relu: a constant of the derivative
            out = ctx.saved_arrays[-1]
            slope = (out > 0).astype(out.dtype)
        dz, carry = [None] * hs.shape[0], None
        for t in reversed(_order(hs.shape[0], ctx.reverse)):
            dz[t] = _plus(g_hs[t], carry) * slope[t]
            carry = dz[t] @ w_hh
        dz = ctx.xp.stack(dz)
        h_prev = _previous(hs, h0, ctx.reverse, ctx.xp)
        need_x, need_h0, *needs = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = _affine_grads(
            (need_x, *needs), dz, x, w_ih, dz, h_prev, w_hh
        )
        return dx, carry if need_h0 else None, dw_ih, dw_hh, db_ih, db_hh


# ------------------------------------------------------------------------ LSTM
def _lstm_columns(n: int, dtype: np.dtype) -> tuple:
    """Per gate column (i, f, g, o): ``(half, offset)``, 0.5 and 0.5 for the sigmoid gates, 1
    and 0 for the tanh gate. As ``sigmoid(z) = 0.5 tanh(z / 2) + 0.5``, one tanh over a whole
    row activates the four gates: ``act = tanh(z * half) * half + offset``."""
    half = np.full(4 * n, 0.5, dtype=dtype)
    half[2 * n : 3 * n] = 1.0
    offset = np.full(4 * n, 0.5, dtype=dtype)
    offset[2 * n : 3 * n] = 0.0
    return half, offset


class LSTMSequence(Primitive):
    """PyTorch's LSTM (optionally with a projection ``h_t = (o_t * tanh(c_t)) W_hr^T``).
    Outputs: states ``(T, B, P)``, cells ``(T, B, H)``, activated gates ``(T, B, 4H)`` and
    ``tanh(c)`` ``(T, B, H)``."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, *, reverse=False):
        steps, batch = x.shape[:2]
        n = w_hh.shape[0] // 4
        half, offset = _lstm_columns(n, np.result_type(x, w_ih))
        # Scaling by 0.5 is exact, so the scaled products equal the halved ones bit for bit.
        gates = _project(x, w_ih * half[:, None])
        bias = _bias(b_ih, b_hh)
        bias = None if bias is None else bias * half
        cs = np.empty((steps, batch, n), dtype=gates.dtype)
        tcs = np.empty_like(cs)
        hs = np.empty((steps, batch, w_hh.shape[1]), dtype=gates.dtype)
        w_hh_t, h, c = (w_hh * half[:, None]).T, h0, c0
        for t in _order(steps, reverse):
            z = gates[t]
            z += h @ w_hh_t
            if bias is not None:
                z += bias
            np.tanh(z, out=z)
            z *= half
            z += offset
            c = np.multiply(z[:, n : 2 * n], c, out=cs[t])
            c += z[:, :n] * z[:, 2 * n : 3 * n]
            tc = np.tanh(c, out=tcs[t])
            if w_hr is None:
                h = np.multiply(z[:, 3 * n :], tc, out=hs[t])
            else:
                h = np.matmul(z[:, 3 * n :] * tc, w_hr.T, out=hs[t])
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, w_hr, hs, cs, gates, tcs)
        ctx.reverse = reverse
        return hs, cs, gates, tcs

    @staticmethod
    def backward(ctx, g_hs, g_cs, g_gates, g_tcs):
        xp = ctx.xp
        x, h0, c0, w_ih, w_hh, w_hr, hs, cs, gates, tcs = ctx.saved_tensors
        need_x, need_h0, need_c0, need_wih, need_whh, need_bih, need_bhh, need_whr = _needs(ctx, 8)
        steps, batch, n = cs.shape
        if g_hs is None:
            g_hs = xp.zeros_like(hs)
        i, f, g, o = (gates[..., k * n : (k + 1) * n] for k in range(4))
        # The activations' slopes s - s^2 (sigmoid) and 1 - g^2 (tanh), per column.
        tanh_column = 1 - 2 * _lstm_columns(n, ctx.saved_arrays[8].dtype)[1]
        sigmoid_column = 1 - tanh_column
        dz, dh_all = [None] * steps, [None] * steps
        dh_carry = dc_carry = None
        order = _order(steps, ctx.reverse)
        # Per step, not for all steps at once: the operands stay in cache.
        for k in range(steps - 1, -1, -1):
            t = order[k]
            dh = dh_all[t] = g_hs[t] if dh_carry is None else g_hs[t] + dh_carry
            dh_raw = dh if w_hr is None else dh @ w_hr
            tc, gate = tcs[t], gates[t]
            dtanh = 1 - tc * tc
            dc = _plus(dh_raw * (o[t] * dtanh), dc_carry)
            if g_cs is not None:
                dc = dc + g_cs[t]
            if g_tcs is not None:
                dc = dc + g_tcs[t] * dtanh
            c_prev = c0 if k == 0 else cs[order[k - 1]]
            da = xp.concat([dc * g[t], dc * c_prev, dc * i[t], dh_raw * tc], axis=1)
            if g_gates is not None:
                da = da + g_gates[t]
            dz[t] = da * (gate * (sigmoid_column - gate) + tanh_column)
            dc_carry = dc * f[t]
            if k or need_h0:  # the first step's product is the gradient of h0 alone
                dh_carry = dz[t] @ w_hh
        dz = xp.stack(dz)
        h_prev = _previous(hs, h0, ctx.reverse, xp)
        dx, dw_ih, dw_hh, db_ih, db_hh = _affine_grads(
            (need_x, need_wih, need_whh, need_bih, need_bhh), dz, x, w_ih, dz, h_prev, w_hh
        )
        dw_hr = None
        if need_whr:
            dw_hr = _rows(xp.stack(dh_all)).T @ _rows(o * tcs)
        dh0, dc0 = dh_carry if need_h0 else None, dc_carry if need_c0 else None
        grads = dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh, dw_hr
        return grads[: len(ctx.needs_input_grad)]


# ------------------------------------------------------------------------ GRU
class GRUSequence(Primitive):
    """PyTorch's GRU: ``r, z = sigmoid(.)``, ``n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn))``,
    ``h' = (1 - z) n + z h``. Outputs: states ``(T, B, H)``, activated gates ``r, z, n``
    ``(T, B, 3H)`` and the hidden part of n, ``h W_hn^T + b_hn`` ``(T, B, H)``."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, reverse=False):
        steps, batch = x.shape[:2]
        n = w_hh.shape[0] // 3
        gates = _project(x, w_ih)
        hs = np.empty((steps, batch, n), dtype=gates.dtype)
        hns = np.empty_like(hs)
        w_hh_t, h = w_hh.T, h0
        for t in _order(steps, reverse):
            z = gates[t]
            hg = h @ w_hh_t
            if b_hh is not None:
                hg += b_hh
            if b_ih is not None:
                z += b_ih
            z[:, : 2 * n] += hg[:, : 2 * n]
            rz = _sigmoid_(z[:, : 2 * n])
            hns[t] = hg[:, 2 * n :]
            cand = z[:, 2 * n :]
            cand += rz[:, :n] * hns[t]
            np.tanh(cand, out=cand)
            update = rz[:, n:]
            h = np.multiply(update, h - cand, out=hs[t])  # h' = n + z (h - n)
            h += cand
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x, h0, w_ih, w_hh, hs, gates, hns)
        ctx.reverse = reverse
        return hs, gates, hns

    @staticmethod
    def backward(ctx, g_hs, g_gates, g_hns):
        xp = ctx.xp
        x, h0, w_ih, w_hh, hs, gates, hns = ctx.saved_tensors
        steps, batch, n = hs.shape
        if g_hs is None:
            g_hs = xp.zeros_like(hs)
        r, z, cand = (gates[..., k * n : (k + 1) * n] for k in range(3))
        h_prev = _previous(hs, h0, ctx.reverse, xp)
        slope_r, slope_z, slope_n = r - r * r, z - z * z, 1 - cand * cand
        keep, step = 1 - z, h_prev - cand  # dh'/dn and dh'/dz
        g_r, g_z, g_n = (
            (None, None, None)
            if g_gates is None
            else (g_gates[..., k * n : (k + 1) * n] for k in range(3))
        )
        d_in, d_hid = [None] * steps, [None] * steps
        carry = None
        for t in reversed(_order(steps, ctx.reverse)):
            dh = _plus(g_hs[t], carry)
            dn = _plus(dh * keep[t], None if g_n is None else g_n[t])
            dz = _plus(dh * step[t], None if g_z is None else g_z[t])
            dn_pre = dn * slope_n[t]
            dr = _plus(dn_pre * hns[t], None if g_r is None else g_r[t])
            dr_pre, dz_pre = dr * slope_r[t], dz * slope_z[t]
            d_hn = _plus(dn_pre * r[t], None if g_hns is None else g_hns[t])
            d_in[t] = xp.concat([dr_pre, dz_pre, dn_pre], axis=1)
            d_hid[t] = xp.concat([dr_pre, dz_pre, d_hn], axis=1)
            carry = dh * z[t] + d_hid[t] @ w_hh
        need_x, need_h0, *needs = _needs(ctx, 6)
        dx, dw_ih, dw_hh, db_ih, db_hh = _affine_grads(
            (need_x, *needs), xp.stack(d_in), x, w_ih, xp.stack(d_hid), h_prev, w_hh
        )
        grads = dx, carry if need_h0 else None, dw_ih, dw_hh, db_ih, db_hh
        return grads[: len(ctx.needs_input_grad)]
