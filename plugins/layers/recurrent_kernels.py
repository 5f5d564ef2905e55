"""The fused kernels of the recurrent layers: one `Primitive` runs a whole sequence through one
layer in one direction (Elman RNN, LSTM, GRU), with a closed-form backward through time.

Shapes are time-major: ``x`` is ``(T, B, I)``, states ``(B, H)``. The input projection of every
step is one matrix product before the loop (``x @ W_ih.T`` for all T*B rows); each step then
costs one ``(B, P) @ (P, G)`` product and a few elementwise operations. Backward walks the steps
in reverse, keeping the gradient of the pre-activations of every step, and forms the weight
gradients at the end with one product each (``dZ.T @ x``, ``dZ.T @ h_prev``, h_prev read in
place from the states, plus h0's step). These products are most of the time of a step; the
LSTM's loop (forward here, backward in `recurrent_steps`) writes into buffers allocated once.

Besides the hidden states each kernel returns the activated gates (and, for the LSTM, the cell
states and their tanh) as extra outputs: backward reads its intermediates there, so the formula
uses only inputs and outputs and is differentiable again (``create_graph=True``); for the same
reason the extra outputs get their own gradient terms. Gate order is PyTorch's: LSTM ``i, f, g,
o``; GRU ``r, z, n``.
"""

from __future__ import annotations

import numpy as np

from minitorch_es.autograd import Primitive

from .recurrent_steps import lstm_columns, plus, repeat_rows, time_order

# ------------------------------------------------------------------------ shared pieces


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


def _needs(ctx, count: int) -> tuple:
    """``ctx.needs_input_grad`` padded to ``count`` (optional trailing inputs left out)."""
    flags = tuple(ctx.needs_input_grad)
    return flags + (False,) * (count - len(flags))


def _rows(a):
    return a.reshape(-1, a.shape[-1])


def _recurrent_weight_grad(d_hid, hs, h0, reverse: bool):
    """``sum_t d_hid[t].T @ h_prev[t]``, the gradient of ``w_hh``, without building h_prev: the
    steps after the first read the state before them in place, the first reads h0."""
    first = d_hid[-1] if reverse else d_hid[0]
    if hs.shape[0] == 1:
        return first.T @ h0
    later, before = (d_hid[:-1], hs[1:]) if reverse else (d_hid[1:], hs[:-1])
    return _rows(later).T @ _rows(before) + first.T @ h0


def _affine_grads(needs: tuple, d_in, x, w_ih, d_hid, states: tuple, w_hh) -> tuple:
    """Gradients of ``x @ w_ih.T + b_ih`` and ``h_prev @ w_hh.T + b_hh`` given the gradients of
    the two sums for every step: ``(dx, dw_ih, dw_hh, db_ih, db_hh)`` (None where not
    ``needs``, which are the flags of x, w_ih, w_hh, b_ih, b_hh). ``states`` is ``(hs, h0,
    reverse)``, from which h_prev comes."""
    need_x, need_wih, need_whh, need_bih, need_bhh = needs
    dx = (_rows(d_in) @ w_ih).reshape(x.shape) if need_x else None
    dw_ih = _rows(d_in).T @ _rows(x) if need_wih else None
    dw_hh = _recurrent_weight_grad(d_hid, *states) if need_whh else None
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
        for t in time_order(x.shape[0], reverse):
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
        for t in reversed(time_order(hs.shape[0], ctx.reverse)):
            dz[t] = plus(g_hs[t], carry) * slope[t]
            carry = dz[t] @ w_hh
        dz = ctx.xp.stack(dz)
        need_x, need_h0, *needs = ctx.needs_input_grad
        dx, dw_ih, dw_hh, db_ih, db_hh = _affine_grads(
            (need_x, *needs), dz, x, w_ih, dz, (hs, h0, ctx.reverse), w_hh
        )
        return dx, carry if need_h0 else None, dw_ih, dw_hh, db_ih, db_hh


# ------------------------------------------------------------------------ LSTM
class LSTMSequence(Primitive):
    """PyTorch's LSTM (optionally with a projection ``h_t = (o_t * tanh(c_t)) W_hr^T``).
    Outputs: states ``(T, B, P)``, cells ``(T, B, H)``, activated gates ``(T, B, 4H)`` and
    ``tanh(c)`` ``(T, B, H)``."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, *, reverse=False):
        steps, batch = x.shape[:2]
        n = w_hh.shape[0] // 4
        half, offset = lstm_columns(n, np.result_type(x, w_ih))
        # Scaling by 0.5 is exact, so the scaled products equal the halved ones bit for bit.
        gates = _project(x, w_ih * half[:, None])
        bias = _bias(b_ih, b_hh)
        bias = None if bias is None else repeat_rows(bias * half, batch)
        cs = np.empty((steps, batch, n), dtype=gates.dtype)
        tcs = np.empty_like(cs)
        hs = np.empty((steps, batch, w_hh.shape[1]), dtype=gates.dtype)
        w_hh_t, h, c = (w_hh * half[:, None]).T, h0, c0
        half, offset = repeat_rows(half, batch), repeat_rows(offset, batch)
        hidden, product = np.empty_like(gates[0]), np.empty_like(cs[0])  # per-step buffers
        for t in time_order(steps, reverse):
            z = gates[t]
            z += np.matmul(h, w_hh_t, out=hidden)
            if bias is not None:
                z += bias
            np.tanh(z, out=z)
            z *= half
            z += offset
            c = np.multiply(z[:, n : 2 * n], c, out=cs[t])
            c += np.multiply(z[:, :n], z[:, 2 * n : 3 * n], out=product)
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
        if g_hs is None:
            g_hs = xp.zeros_like(hs)
        dz, dh_all, dh0, dc0 = xp.lstm_steps_backward(
            g_hs, g_cs, g_gates, g_tcs, c0, w_hh, w_hr, cs, gates, tcs, ctx.reverse, need_h0
        )
        dx, dw_ih, dw_hh, db_ih, db_hh = _affine_grads(
            (need_x, need_wih, need_whh, need_bih, need_bhh),
            dz,
            x,
            w_ih,
            dz,
            (hs, h0, ctx.reverse),
            w_hh,
        )
        dw_hr = None
        if need_whr:
            n = cs.shape[2]
            dw_hr = _rows(dh_all).T @ _rows(gates[..., 3 * n :] * tcs)
        grads = dx, dh0, dc0 if need_c0 else None, dw_ih, dw_hh, db_ih, db_hh, dw_hr
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
        for t in time_order(steps, reverse):
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
        for t in reversed(time_order(steps, ctx.reverse)):
            dh = plus(g_hs[t], carry)
            dn = plus(dh * keep[t], None if g_n is None else g_n[t])
            dz = plus(dh * step[t], None if g_z is None else g_z[t])
            dn_pre = dn * slope_n[t]
            dr = plus(dn_pre * hns[t], None if g_r is None else g_r[t])
            dr_pre, dz_pre = dr * slope_r[t], dz * slope_z[t]
            d_hn = plus(dn_pre * r[t], None if g_hns is None else g_hns[t])
            d_in[t] = xp.concat([dr_pre, dz_pre, dn_pre], axis=1)
            d_hid[t] = xp.concat([dr_pre, dz_pre, d_hn], axis=1)
            carry = dh * z[t] + d_hid[t] @ w_hh
        need_x, need_h0, *needs = _needs(ctx, 6)
        dx, dw_ih, dw_hh, db_ih, db_hh = _affine_grads(
            (need_x, *needs), xp.stack(d_in), x, w_ih, xp.stack(d_hid), (hs, h0, ctx.reverse), w_hh
        )
        grads = dx, carry if need_h0 else None, dw_ih, dw_hh, db_ih, db_hh
        return grads[: len(ctx.needs_input_grad)]
