"""A module of ours and PyTorch's same-named module, holding the same weights, compared on the
same inputs: outputs and the gradients of a random projection of the outputs with respect to
every floating input and every parameter (float64, through recorded fixtures).

    check_module(
        "recurrent/lstm_bidir", "LSTM", {"input_size": 3, "hidden_size": 4},
        {"x": x}, lambda m, t: m(t["x"]),
    )

``call(module, tensors)`` runs the module (it must work with both libraries: only the module
call, indexing and tuples); its result may nest tuples, lists and None. ``build`` makes our
module when it is not ``mt.nn.<cls_name>(**config)`` and ``build_torch`` PyTorch's (both get the
library). The weights are ours (freshly initialised), copied into PyTorch's module by
``load_state_dict``, so the test also checks that the state-dict layouts agree.
"""

from __future__ import annotations

import json

import numpy as np
from torch_parity import reference

import minitorch_es as mt


def flatten(value) -> list:
    """Nested tuples/lists of tensors (or None) as a flat list."""
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in flatten(v)]
    return [value]


def _floating(a: np.ndarray) -> bool:
    return a.dtype.kind == "f"


def check_module(
    fixture: str,
    cls_name: str,
    config: dict,
    inputs: dict,
    call,
    *,
    build=None,
    build_torch=None,
    rtol: float = 1e-9,
    atol: float = 1e-11,
    seed: int = 0,
    train: bool = False,
):
    """Compare our module with PyTorch's; returns our module (for further checks)."""
    ours = build(mt) if build else getattr(mt.nn, cls_name)(**config)
    ours = ours.double().train(train)
    params = {k: np.array(v, copy=True) for k, v in ours.state_dict().items()}
    tensors = {
        k: mt.tensor(v, requires_grad=_floating(np.asarray(v))) if v is not None else None
        for k, v in inputs.items()
    }
    outputs = flatten(call(ours, tensors))
    rng = np.random.default_rng(seed)
    cotangents = [None if o is None else rng.standard_normal(o.shape) for o in outputs]
    total = None
    for o, v in zip(outputs, cotangents):
        if o is not None and o.requires_grad:
            term = (o * mt.tensor(v)).sum()
            total = term if total is None else total + term
    total.backward()

    def compute(torch, **arrays):
        module = build_torch(torch) if build_torch else getattr(torch.nn, cls_name)(**config)
        module = module.double().train(train)
        module.load_state_dict({k: torch.tensor(arrays[f"param:{k}"]) for k in params}, strict=True)
        ts = {}
        for k in inputs:
            a = arrays.get(f"input:{k}")
            ts[k] = None if a is None else torch.tensor(a, requires_grad=_floating(a))
        outs = flatten(call(module, ts))
        loss = sum(
            (o * torch.tensor(arrays[f"cotangent:{i}"])).sum()
            for i, o in enumerate(outs)
            if o is not None and o.requires_grad
        )
        loss.backward()
        return {
            "outputs": [None if o is None else o.detach().numpy() for o in outs],
            "input_grads": {
                k: (t.grad.numpy() if t.grad is not None else np.zeros(t.shape))
                for k, t in ts.items()
                if t is not None and t.requires_grad
            },
            "param_grads": {
                k: (p.grad.numpy() if p.grad is not None else np.zeros(tuple(p.shape)))
                for k, p in module.named_parameters()
            },
        }

    arrays = {f"param:{k}": v for k, v in params.items()}
    arrays.update({f"input:{k}": np.asarray(v) for k, v in inputs.items() if v is not None})
    arrays.update({f"cotangent:{i}": v for i, v in enumerate(cotangents) if v is not None})
    arrays["config"] = np.asarray(json.dumps(config, sort_keys=True))
    ref = reference(fixture, compute, **arrays)

    assert len(ref["outputs"]) == len(outputs), "different number of outputs"
    for i, (o, r) in enumerate(zip(outputs, ref["outputs"])):
        assert (o is None) == (r is None), f"output {i}: one is None"
        if o is not None:
            np.testing.assert_allclose(
                o.numpy(force=True), r, rtol=rtol, atol=atol, err_msg=f"output {i}"
            )
    for k, g in ref["input_grads"].items():
        got = tensors[k].grad
        got = np.zeros_like(g) if got is None else np.asarray(got)
        np.testing.assert_allclose(got, g, rtol=rtol, atol=atol, err_msg=f"grad of input {k}")
    named = dict(ours.named_parameters())
    for k, g in ref["param_grads"].items():
        got = named[k].grad
        got = np.zeros_like(g) if got is None else np.asarray(got)
        np.testing.assert_allclose(got, g, rtol=rtol, atol=atol, err_msg=f"grad of {k}")
    return ours
