"""RMSNorm and F.rms_norm: against PyTorch (values, first and second derivatives) and a NumPy
formula, gradcheck, the layer's signature, repr, parameters and every error."""

import inspect

import numpy as np
import pytest
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional


def parameters(fn) -> list[str]:
    """``name=default`` of each parameter (annotations differ between the libraries)."""
    return [f"{n}={p.default!r}" for n, p in inspect.signature(fn).parameters.items()]


CASES = {
    "last": ((3, 5), [5], True, 1e-3),
    "two_dims": ((2, 3, 4), [3, 4], True, None),
    "no_weight": ((2, 4, 3), [3], False, 1e-6),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rms_norm_matches_pytorch(case, rng):
    shape, dims, weighted, eps = CASES[case]
    inputs = {"x": rng.standard_normal(shape) * 2 + 0.5}
    if weighted:
        inputs["w"] = rng.standard_normal(dims)
    check_against_torch(
        f"rms_norm/{case}",
        lambda F, x, w=None: F.rms_norm(x, dims, w, eps=eps),
        inputs,
        wrt=tuple(inputs),
        rtol=1e-9,
        atol=1e-9,
    )


def test_rms_norm_in_float32_uses_float32_eps(rng):
    # Tiny inputs: the default eps (the dtype's machine epsilon) dominates the mean square.
    inputs = {
        "x": (rng.standard_normal((2, 6)) * 1e-4).astype(np.float32),
        "w": rng.standard_normal(6).astype(np.float32),
    }
    check_against_torch(
        "rms_norm/float32",
        lambda F, x, w: F.rms_norm(x, [6], w),
        inputs,
        wrt=("x", "w"),
        rtol=1e-4,
        atol=1e-4,
    )
    out = F.rms_norm(mt.tensor(inputs["x"]), [6], mt.tensor(inputs["w"]))
    assert out.dtype == mt.float32


def test_rms_norm_formula_and_gradcheck(rng):
    x, w = rng.standard_normal((2, 3, 4)), rng.standard_normal(4)
    expected = x / np.sqrt((x**2).mean(-1, keepdims=True) + np.finfo(np.float64).eps) * w
    ts = [mt.tensor(a, requires_grad=True) for a in (x, w)]
    np.testing.assert_allclose(F.rms_norm(ts[0], [4], ts[1]).numpy(force=True), expected)
    fn = lambda x, w: F.rms_norm(x, (3, 4), w.expand(3, 4), eps=1e-3)  # noqa: E731
    assert gradcheck(fn, ts)
    assert gradgradcheck(fn, ts)


def test_rms_norm_layer_matches_pytorch(rng):
    def torch_side(torch):
        layers = [
            torch.nn.RMSNorm(4),
            torch.nn.RMSNorm([3, 4], eps=1e-3, elementwise_affine=False),
            torch.nn.RMSNorm(2, dtype=torch.float64),
        ]
        return {
            "reprs": [repr(m) for m in layers],
            "keys": [sorted(m.state_dict()) for m in layers],
            "signature": parameters(torch.nn.RMSNorm),
            "functional": parameters(torch.nn.functional.rms_norm),
        }

    ref = reference("rms_norm/layer", torch_side)
    layers = [
        mt.nn.RMSNorm(4),
        mt.nn.RMSNorm([3, 4], eps=1e-3, elementwise_affine=False),
        mt.nn.RMSNorm(2, dtype=mt.float64),
    ]
    assert [repr(m) for m in layers] == list(ref["reprs"])
    assert [sorted(m.state_dict()) for m in layers] == [list(k) for k in ref["keys"]]
    assert parameters(mt.nn.RMSNorm) == list(ref["signature"])
    assert parameters(F.rms_norm) == list(ref["functional"])
    assert layers[0].weight.dtype == mt.float32 and layers[2].weight.dtype == mt.float64
    assert layers[0].weight.tolist() == [1.0] * 4


def test_rms_norm_layer_trains_and_round_trips(rng):
    layer = mt.nn.RMSNorm(5)
    x = mt.tensor(rng.standard_normal((3, 5)).astype(np.float32))
    np.testing.assert_allclose(
        layer(x).numpy(force=True), F.rms_norm(x, [5], layer.weight).numpy(force=True)
    )
    layer(x).sum().backward()
    assert layer.weight.grad is not None
    again = mt.registry.create("layer", {"name": "RMSNorm", "config": layer.get_config()})
    assert repr(again) == repr(layer)
    assert F.rms_norm(mt.zeros(0, 3), [3]).shape == (0, 3)


ERRORS = [
    (lambda: F.rms_norm(mt.ones(2, 3), [4]), RuntimeError, "but got input of size [2, 3]"),
    (lambda: F.rms_norm(mt.ones(4), [2, 4]), RuntimeError, "shape [*, 2, 4]"),
    (lambda: F.rms_norm(mt.ones(2, 4), []), RuntimeError, "normalized_shape=[]"),
    (lambda: F.rms_norm(mt.ones(2, 4), [4], mt.ones(3)), RuntimeError, "weight of shape [3]"),
    (lambda: F.rms_norm(mt.ones(2, 4).long(), [4]), NotImplementedError, "int64"),
    (lambda: F.rms_norm(mt.ones(2, 4).double(), [4], mt.ones(4)), TypeError, "dtype float32"),
    (lambda: F.rms_norm([1.0], [1]), TypeError, "input"),
    (lambda: mt.nn.RMSNorm(-1), ValueError, "normalized_shape must be an int >= 0"),
    (lambda: mt.nn.RMSNorm(2, device="cuda"), RuntimeError, "cuda"),
    (lambda: mt.nn.RMSNorm(4)(mt.ones(2, 3)), RuntimeError, "expected input with shape [*, 4]"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_rms_norm_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
