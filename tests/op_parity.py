"""One check for a tensor op: its values, dtypes and gradients against PyTorch's (recorded
fixtures, see torch_parity.py), and its first and second derivatives against finite
differences (gradcheck / gradgradcheck).

A case is ``fn(lib, *tensors)`` written once for both libraries: ``lib`` is ``torch`` when
the fixture is recorded and ``minitorch_es`` when the test runs, which is the point — the
same program, with PyTorch's names, must give PyTorch's answers.
"""

from __future__ import annotations

import numpy as np
from torch_parity import reference

import minitorch_es as mt


def weights(shape: tuple, k: int) -> np.ndarray:
    """The fixed direction output ``k`` is projected on before backward."""
    return np.random.default_rng(100 + k).standard_normal(shape)


def evaluate(lib, fn, arrays: list, grad: bool) -> dict:
    """The outputs of ``fn(lib, *tensors)`` as arrays and, with ``grad``, the gradients of
    ``sum_k sum(weights_k * out_k)`` with respect to the floating inputs (zeros if unused)."""
    tensors = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *tensors)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    result = {"values": [_array(o) for o in outs]}
    if grad:
        total = None
        for k, o in enumerate(outs):
            if getattr(o, "requires_grad", False):
                w = lib.tensor(weights(tuple(o.shape), k), dtype=o.dtype)
                term = (o * w).sum()
                total = term if total is None else total + term
        leaves = [t for t in tensors if t.requires_grad]
        grads = lib.autograd.grad(total, leaves, allow_unused=True)
        result["grads"] = [
            np.zeros(t.shape) if g is None else _array(g) for t, g in zip(leaves, grads)
        ]
    return result


def _array(value) -> np.ndarray:
    if hasattr(value, "detach"):
        return value.detach().numpy(force=True)
    return np.asarray(value)


def check_against_torch(
    name: str,
    fn,
    arrays: list,
    *,
    grad: bool = True,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    check_dtype: bool = True,
) -> dict:
    """Compare ``fn`` on minitorch_es with the recorded PyTorch values (and gradients)."""
    inputs = {f"a{i}": a for i, a in enumerate(arrays)}
    ref = reference(
        f"vocab/{name}",
        lambda torch, **kw: evaluate(torch, fn, [kw[f"a{i}"] for i in range(len(arrays))], grad),
        **inputs,
    )
    ours = evaluate(mt, fn, arrays, grad)
    assert len(ours["values"]) == len(ref["values"]), name
    for k, (got, want) in enumerate(zip(ours["values"], ref["values"])):
        assert got.shape == want.shape, f"{name}: output {k} shape {got.shape} != {want.shape}"
        if check_dtype:
            assert got.dtype == want.dtype, f"{name}: output {k} dtype {got.dtype} != {want.dtype}"
        np.testing.assert_allclose(
            got.astype(np.float64),
            want.astype(np.float64),
            rtol=rtol,
            atol=atol,
            equal_nan=True,
            err_msg=f"{name}: output {k}",
        )
    for k, (got, want) in enumerate(zip(ours.get("grads", []), ref.get("grads", []))):
        np.testing.assert_allclose(
            got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=f"{name}: gradient {k}"
        )
    return ours


def check_derivatives(fn, arrays: list, *, second: bool = True, atol: float = 1e-5) -> None:
    """gradcheck (and gradgradcheck) of ``fn(mt, *tensors)`` at float64 ``arrays``."""
    tensors = [mt.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]

    def f(*ts):
        return fn(mt, *ts)

    assert mt.autograd.gradcheck(f, tensors, atol=atol)
    if second:
        assert mt.autograd.gradgradcheck(f, tensors, atol=atol)
