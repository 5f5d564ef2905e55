"""LPPool1d/2d, LocalResponseNorm and their functional forms: values, first and second
derivatives against PyTorch (recorded fixtures), gradcheck, reprs, signatures, errors."""

import inspect

import numpy as np
import pytest
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
nn = mt.nn

CALLS = {
    "lp1d_p2": (lambda F, x: F.lp_pool1d(x, 2, 3), (2, 3, 7), False),
    "lp1d_p1.5_ceil": (lambda F, x: F.lp_pool1d(x, 1.5, 3, 2, ceil_mode=True), (2, 3, 8), True),
    "lp1d_inf": (lambda F, x: F.lp_pool1d(x, float("inf"), 2), (2, 3, 6), False),
    "lp2d_p3": (lambda F, x: F.lp_pool2d(x, 3, (2, 3), 1), (1, 2, 4, 5), True),
    "lp2d_ceil": (lambda F, x: F.lp_pool2d(x, 2, 2, ceil_mode=True), (2, 2, 5, 5), False),
    "lp2d_minus_inf": (lambda F, x: F.lp_pool2d(x, float("-inf"), 2), (1, 2, 4, 4), False),
    "lrn_3d": (lambda F, x: F.local_response_norm(x, 3, alpha=0.5), (2, 5, 4), False),
    "lrn_4d_even": (
        lambda F, x: F.local_response_norm(x, 4, 0.3, 0.6, 2.0),
        (2, 6, 3, 2),
        False,
    ),
    "lrn_5d": (lambda F, x: F.local_response_norm(x, 2, 1.0), (1, 3, 2, 2, 3), False),
}


@pytest.mark.parametrize("case", sorted(CALLS))
def test_matches_pytorch(case, rng):
    call, shape, positive = CALLS[case]
    x = rng.standard_normal(shape)
    x = np.abs(x) + 0.1 if positive else x  # a fractional power of a negative is NaN
    check_against_torch(f"lp_pool_lrn/{case}", call, {"x": x}, rtol=1e-9, atol=1e-9)


def test_float32_stays_float32(rng):
    x = rng.standard_normal((2, 4, 3, 4)).astype(np.float32)

    def compute(F, x):
        return [F.lp_pool2d(x, 2, 2), F.lp_pool1d(x[0], 2, 2), F.local_response_norm(x, 3)]

    ref = reference(
        "lp_pool_lrn/float32",
        lambda torch, x: compute(torch.nn.functional, torch.tensor(x)),
        x=x,
    )
    for a, b in zip(compute(F, mt.tensor(x)), ref):
        assert a.dtype == mt.float32
        np.testing.assert_allclose(a.numpy(force=True), b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CALLS))
def test_gradcheck_and_gradgradcheck(case, rng):
    call, shape, _ = CALLS[case]
    x = mt.tensor(np.abs(rng.standard_normal(shape)) + 0.1, requires_grad=True)
    fn = lambda x: call(F, x)  # noqa: E731
    assert gradcheck(fn, [x])
    assert gradgradcheck(fn, [x])


def test_formulas(rng):
    x = rng.standard_normal((2, 4, 6))
    sums = np.abs(x.reshape(2, 4, 3, 2)) ** 3
    lp = F.lp_pool1d(mt.tensor(np.abs(x)), 3, 2).numpy(force=True)
    np.testing.assert_allclose(lp, sums.sum(-1) ** (1 / 3))
    squares = np.pad(x**2, ((0, 0), (1, 1), (0, 0)))
    mean = (squares[:, :-2] + squares[:, 1:-1] + squares[:, 2:]) / 3
    lrn = F.local_response_norm(mt.tensor(x), 3, 0.2, 0.5, 1.5).numpy(force=True)
    np.testing.assert_allclose(lrn, x / (1.5 + 0.2 * mean) ** 0.5)


def parameters(fn) -> list[str]:
    """``name=default`` of each parameter (annotations differ between the libraries)."""
    return [f"{n}={p.default!r}" for n, p in inspect.signature(fn).parameters.items()]


def _layers(nn):
    return [
        nn.LPPool1d(2, 3),
        nn.LPPool2d(1.5, (2, 3), 1, True),
        nn.LPPool2d(float("inf"), 2),
        nn.LocalResponseNorm(3),
        nn.LocalResponseNorm(4, 1e-3, 0.5, 2),
    ]


def test_layers_match_pytorch(rng):
    names = ["LPPool1d", "LPPool2d", "LocalResponseNorm"]
    functions = ["lp_pool1d", "lp_pool2d", "local_response_norm"]

    def compute(torch):
        return {
            "reprs": [repr(m) for m in _layers(torch.nn)],
            "classes": [parameters(getattr(torch.nn, n)) for n in names],
            "functions": [parameters(getattr(torch.nn.functional, n)) for n in functions],
        }

    ref = reference("lp_pool_lrn/layers", compute)
    assert [repr(m) for m in _layers(nn)] == list(ref["reprs"])
    assert [parameters(getattr(nn, n)) for n in names] == [list(s) for s in ref["classes"]]
    assert [parameters(getattr(F, n)) for n in functions] == [list(s) for s in ref["functions"]]


def test_layers_call_their_functions_and_round_trip(rng):
    x = mt.tensor(np.abs(rng.standard_normal((2, 4, 4, 6))).astype(np.float32))
    pairs = zip(
        _layers(nn),
        [
            lambda x: F.lp_pool1d(x[0], 2, 3),
            lambda x: F.lp_pool2d(x, 1.5, (2, 3), 1, True),
            lambda x: F.lp_pool2d(x, float("inf"), 2),
            lambda x: F.local_response_norm(x, 3),
            lambda x: F.local_response_norm(x, 4, 1e-3, 0.5, 2),
        ],
    )
    for layer, fn in pairs:
        arg = x[0] if isinstance(layer, nn.LPPool1d) else x
        np.testing.assert_array_equal(layer(arg).numpy(force=True), fn(x).numpy(force=True))
        config = layer.get_config()
        again = mt.registry.create("layer", {"name": type(layer).__name__, "config": config})
        assert repr(again) == repr(layer)
    assert F.local_response_norm(mt.zeros(0, 3, 4), 2).shape == (0, 3, 4)


ERRORS = [
    (lambda: F.local_response_norm(mt.ones(2, 3), 2), ValueError, "got shape (2, 3)"),
    (lambda: F.local_response_norm(mt.ones(2, 3, 4), 0), ValueError, "size must be an int >= 1"),
    (lambda: F.local_response_norm([1.0], 2), TypeError, "input"),
    (lambda: F.lp_pool1d(mt.ones(2, 3, 4), 2, 5), ValueError, "the input is too small"),
    (lambda: F.lp_pool1d(mt.ones(2, 3, 4), 2, (2, 2)), ValueError, "tuple of one int"),
    (lambda: F.lp_pool1d(mt.ones(2, 3, 4), "2", 2), TypeError, "norm_type"),
    (lambda: F.lp_pool2d(mt.ones(2, 3), 2, 2), ValueError, "expected 3D (unbatched) or 4D"),
    (lambda: F.lp_pool2d(mt.ones(1, 2, 3, 3), 2, (1, 2, 3)), ValueError, "a pair of ints"),
    (lambda: nn.LPPool2d(None, 2), TypeError, "LPPool2d: norm_type"),
    (lambda: nn.LocalResponseNorm(0), ValueError, "size must be an int >= 1"),
    (lambda: nn.LocalResponseNorm(2, alpha="a"), TypeError, "alpha"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
