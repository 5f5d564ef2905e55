"""One call compares a function of Tensors with PyTorch: its value, its first derivatives and
(optionally) its second derivatives, through recorded fixtures (`torch_parity.reference`).

``fn(lib, *tensors)`` is written once for both libraries (``lib`` is ``torch`` or
``minitorch_es``, which share the names used), e.g.
``lambda lib, x: lib.nn.functional.pad(x, (1, 2), mode="reflect")``. The upstream gradient
``v`` and the weights ``w<i>`` of the second derivative (the gradient of ``sum_i <g_i, w_i>``)
are drawn here and stored with the inputs.
"""

from __future__ import annotations

import numpy as np
from torch_parity import reference

import minitorch_es as mt


def _grads(lib, out, tensors, v, ws, second):  # noqa: ANN001, ANN202
    autograd = lib.autograd
    grads = autograd.grad(out, tensors, lib.tensor(v), create_graph=second, allow_unused=True)
    grads = [lib.zeros_like(t) if g is None else g for t, g in zip(tensors, grads)]
    result = {"out": out, "first": list(grads)}
    if second:
        total = sum((g * lib.tensor(w)).sum() for g, w in zip(grads, ws))
        if total.requires_grad:
            seconds = autograd.grad(total, tensors, allow_unused=True)
        else:  # a first derivative that does not depend on the inputs
            seconds = [None] * len(tensors)
        result["second"] = [lib.zeros_like(t) if s is None else s for t, s in zip(tensors, seconds)]
    return result


def _array(value) -> np.ndarray:  # noqa: ANN001
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)


def check_torch(
    name: str,
    fn,  # noqa: ANN001
    inputs: dict,
    *,
    second: bool = True,
    tol: float = 1e-10,
    seed: int = 0,
) -> None:
    """Assert that ``fn``'s value and derivatives on ``inputs`` (arrays; floating ones are
    differentiated) match PyTorch's recorded ones within ``tol`` (relative and absolute)."""
    names = list(inputs)
    leaves = [mt.tensor(inputs[k], requires_grad=inputs[k].dtype.kind == "f") for k in names]
    wrt = [t for t in leaves if t.requires_grad]
    out = fn(mt, *leaves)
    rng = np.random.default_rng(seed)
    arrays = dict(inputs)
    arrays["v"] = rng.standard_normal(out.shape).astype(out.dtype)
    ws = [rng.standard_normal(t.shape).astype(t.dtype) for t in wrt]
    arrays.update({f"w{i}": w for i, w in enumerate(ws)})

    def compute(torch, **xs):
        ts = [
            torch.tensor(xs[k], requires_grad=xs[k].dtype.kind == "f")
            for k in names  # noqa: B023
        ]
        wrt_t = [t for t in ts if t.requires_grad]
        ws_t = [xs[f"w{i}"] for i in range(len(wrt_t))]
        res = _grads(torch, fn(torch, *ts), wrt_t, xs["v"], ws_t, second)  # noqa: B023
        return {
            k: [_array(a) for a in v] if isinstance(v, list) else _array(v) for k, v in res.items()
        }

    ref = reference(name, compute, **arrays)
    mine = _grads(mt, out, wrt, arrays["v"], ws, second)
    np.testing.assert_allclose(_array(mine["out"]), ref["out"], rtol=tol, atol=tol, err_msg="value")
    assert _array(mine["out"]).dtype == ref["out"].dtype
    for kind in ("first", "second") if second else ("first",):
        for i, (a, b) in enumerate(zip(mine[kind], ref[kind])):
            np.testing.assert_allclose(
                _array(a), b, rtol=tol, atol=tol, err_msg=f"{kind} derivative of input {i}"
            )
