"""First and second derivatives of a functional call, compared with PyTorch's (recorded
fixtures, see torch_parity.py), in float64.

``call(F, **tensors)`` is written once for both libraries: ``F`` is ``mt.nn.functional`` or
``torch.nn.functional`` (the names and keywords are PyTorch's in both). For the output ``y`` and
fixed random arrays ``v`` (shaped like ``y``) and ``w_k`` (shaped like each differentiated input
``k``), both sides compute the first derivatives ``g_k = d(v . y)/dk`` with a graph, then the
derivatives of ``sum_k w_k . g_k`` with respect to each differentiated input and to ``v``:
what ``torch.autograd.grad(..., create_graph=True)`` twice gives.
"""

from __future__ import annotations

import numpy as np
from torch_parity import reference

import minitorch_es as mt


def derivatives(lib, F, call, arrays: dict, wrt: tuple, tensor) -> dict:
    """Output, first and second derivatives of ``call`` computed with ``lib``'s autograd
    (the names ``v`` and ``w_*`` are the directions, not arguments of ``call``)."""
    ts = {k: tensor(a, k in wrt) for k, a in arrays.items() if k != "v" and not k.startswith("w_")}
    out = call(F, **ts)
    v = tensor(arrays["v"], True)
    xs = [ts[k] for k in wrt]
    firsts = lib.autograd.grad(out, xs, v, create_graph=True)
    total = sum((g * tensor(arrays[f"w_{k}"], False)).sum() for k, g in zip(wrt, firsts))
    seconds = lib.autograd.grad(total, [*xs, v], allow_unused=True)
    return {
        "out": out.detach().numpy(),
        "first": [g.detach().numpy() for g in firsts],
        "second": [
            np.zeros(np.shape(arrays[k])) if s is None else s.detach().numpy(force=True)
            for k, s in zip([*wrt, "v"], seconds)
        ],
    }


def with_directions(call, arrays: dict, wrt: tuple, seed: int = 0) -> dict:
    """``arrays`` plus the random directions ``v`` and ``w_k`` (fixed by ``seed``)."""
    rng = np.random.default_rng(seed)
    ts = {k: mt.tensor(a) for k, a in arrays.items()}
    with mt.no_grad():
        out_shape = call(mt.nn.functional, **ts).shape
    full = dict(arrays, v=rng.standard_normal(out_shape))
    for k in wrt:
        full[f"w_{k}"] = rng.standard_normal(np.shape(arrays[k]))
    return full


def check_against_torch(
    name: str, call, arrays: dict, wrt: tuple = ("x",), rtol: float = 1e-7, atol: float = 1e-7
) -> None:
    """Assert that minitorch_es's output, first and second derivatives of ``call`` agree with
    PyTorch's (fixture ``second/<name>``) to ``rtol``/``atol``."""
    full = with_directions(call, arrays, wrt)

    def compute(torch, **xs):
        def tensor(a, grad):
            return torch.tensor(np.asarray(a), requires_grad=grad)

        return derivatives(torch, torch.nn.functional, call, xs, wrt, tensor)

    ref = reference(f"second/{name}", compute, **full)

    def tensor(a, grad):
        a = np.asarray(a)
        return mt.tensor(a, dtype=a.dtype, requires_grad=grad)

    ours = derivatives(mt, mt.nn.functional, call, full, wrt, tensor)
    np.testing.assert_allclose(ours["out"], ref["out"], rtol=rtol, atol=atol, err_msg="output")
    for kind in ("first", "second"):
        for k, a, b in zip([*wrt, "v"], ours[kind], ref[kind]):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"{kind} wrt {k}")


def with_parameters(module, seed: int | None = None):
    """``(fn, params)``: ``fn(*inputs, *params)`` runs ``module`` with its parameters replaced
    by the given Tensors (what gradcheck perturbs), ``params`` their float64 copies. With
    ``seed``, the generator is reseeded before each call (the same dropout mask every time)."""
    slots = [
        (m._parameters, n)
        for m in module.modules()
        for n, p in m._parameters.items()
        if p is not None
    ]
    params = [
        mt.tensor(d[n].numpy(force=True).astype(np.float64), requires_grad=True) for d, n in slots
    ]

    def fn(*args):
        inputs, values = args[: len(args) - len(slots)], args[len(args) - len(slots) :]
        saved = [d[n] for d, n in slots]
        for (d, n), v in zip(slots, values):
            d[n] = v
        try:
            if seed is not None:
                mt.manual_seed(seed)
            return module(*inputs)
        finally:
            for (d, n), p in zip(slots, saved):
                d[n] = p

    return fn, params


def builtin_names(kind: str) -> set:
    """The names of the package's own registry entries of ``kind`` (not those tests add)."""
    return {e.name for e in mt.registry.entries(kind) if e.provider.kind == "builtin"}
