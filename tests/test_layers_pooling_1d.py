"""MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool1d/2d and their functional forms:
values, first and second derivatives and indices against PyTorch (recorded fixtures; ties
included: the gradient goes to the first maximum), gradcheck, reprs, signatures, errors."""

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
    "max": lambda F, x: F.max_pool1d(x, 3),
    "max_all_options": lambda F, x: F.max_pool1d(x, 3, 2, 1, 2, ceil_mode=True),
    "max_ceil": lambda F, x: F.max_pool1d(x, 2, 3, ceil_mode=True),
    "avg": lambda F, x: F.avg_pool1d(x, 2),
    "avg_padded": lambda F, x: F.avg_pool1d(x, 3, 2, 1, ceil_mode=True),
    "avg_no_pad_count": lambda F, x: F.avg_pool1d(x, 4, 3, 2, True, count_include_pad=False),
    "adaptive_avg": lambda F, x: F.adaptive_avg_pool1d(x, 3),
    "adaptive_max": lambda F, x: F.adaptive_max_pool1d(x, 3),
    "adaptive_max_grow": lambda F, x: F.adaptive_max_pool1d(x, 9),
}
CALLS_2D = {
    "adaptive_max2d": lambda F, x: F.adaptive_max_pool2d(x, (3, 2)),
    "adaptive_max2d_none": lambda F, x: F.adaptive_max_pool2d(x, (None, 3)),
    "adaptive_max2d_global": lambda F, x: F.adaptive_max_pool2d(x, 1),
}


@pytest.mark.parametrize("case", sorted(CALLS))
def test_1d_pools_match_pytorch(case, rng):
    check_against_torch(
        f"pool1d/{case}", CALLS[case], {"x": rng.standard_normal((2, 3, 7))}, rtol=1e-9, atol=1e-9
    )


@pytest.mark.parametrize("case", sorted(CALLS_2D))
def test_adaptive_max_pool2d_matches_pytorch(case, rng):
    x = rng.standard_normal((2, 2, 5, 7))
    check_against_torch(f"pool1d/{case}", CALLS_2D[case], {"x": x}, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("case", ["max_all_options", "adaptive_max", "adaptive_max2d"])
def test_ties_send_the_gradient_to_the_first_maximum(case, rng):
    call = {**CALLS, **CALLS_2D}[case]
    shape = (2, 2, 5, 7) if case.endswith("2d") else (2, 3, 7)
    x = rng.integers(0, 2, shape).astype(np.float64)  # many equal maxima
    check_against_torch(f"pool1d/ties_{case}", call, {"x": x}, rtol=1e-12, atol=1e-12)


def test_indices_match_pytorch(rng):
    x, x2 = rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 2, 5, 7))

    def compute(torch, x, x2):
        F, t, t2 = torch.nn.functional, torch.tensor(x), torch.tensor(x2)
        return [
            F.max_pool1d(t, 3, 2, 1, 2, ceil_mode=True, return_indices=True)[1],
            F.max_pool1d(t[0], 2, return_indices=True)[1],
            F.adaptive_max_pool1d(t, 3, return_indices=True)[1],
            F.adaptive_max_pool1d(t[1], 5, return_indices=True)[1],
            F.adaptive_max_pool2d(t2, (3, 4), return_indices=True)[1],
            F.adaptive_max_pool2d(t2[0], (2, None), return_indices=True)[1],
        ]

    ref = reference("pool1d/indices", compute, x=x, x2=x2)
    ours = compute(mt, x, x2)
    for a, b in zip(ours, ref):
        assert a.dtype == mt.int64
        np.testing.assert_array_equal(a.numpy(force=True), b)


def test_float32_stays_float32_and_matches(rng):
    x = rng.standard_normal((2, 3, 7)).astype(np.float32)
    x2 = rng.standard_normal((2, 2, 4, 5)).astype(np.float32)

    def compute(F, x, x2):
        return [
            F.max_pool1d(x, 2),
            F.avg_pool1d(x, 3, 1, 1),
            F.adaptive_avg_pool1d(x, 4),
            F.adaptive_max_pool1d(x, 4),
            F.adaptive_max_pool2d(x2, 3),
        ]

    ref = reference(
        "pool1d/float32",
        lambda torch, x, x2: compute(torch.nn.functional, torch.tensor(x), torch.tensor(x2)),
        x=x,
        x2=x2,
    )
    for a, b in zip(compute(F, mt.tensor(x), mt.tensor(x2)), ref):
        assert a.dtype == mt.float32
        np.testing.assert_allclose(a.numpy(force=True), b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("case", sorted(CALLS) + sorted(CALLS_2D))
def test_gradcheck_and_gradgradcheck(case, rng):
    shape = (1, 2, 5, 6) if case in CALLS_2D else (2, 2, 7)
    x = mt.tensor(rng.standard_normal(shape), requires_grad=True)
    fn = lambda x: {**CALLS, **CALLS_2D}[case](F, x)  # noqa: E731
    assert gradcheck(fn, [x])
    assert gradgradcheck(fn, [x])


def test_unbatched_input_is_one_sample(rng):
    x = mt.tensor(rng.standard_normal((3, 8)))
    for call in CALLS.values():
        np.testing.assert_array_equal(
            call(F, x).numpy(force=True), call(F, x.unsqueeze(0))[0].numpy(force=True)
        )


def parameters(fn) -> list[str]:
    """``name=default`` of each parameter (annotations differ between the libraries)."""
    return [f"{n}={p.default!r}" for n, p in inspect.signature(fn).parameters.items()]


def _layers(nn):
    return [
        nn.MaxPool1d(3),
        nn.MaxPool1d(3, 2, 1, 2, return_indices=True, ceil_mode=True),
        nn.MaxPool1d((3,), (1,), (1,), (2,)),
        nn.AvgPool1d(3),
        nn.AvgPool1d(4, 2, 1, True, False),
        nn.AdaptiveAvgPool1d(3),
        nn.AdaptiveMaxPool1d(3, return_indices=True),
        nn.AdaptiveMaxPool1d((2,)),
        nn.AdaptiveMaxPool2d((2, None)),
        nn.AdaptiveMaxPool2d(4),
    ]


def test_layers_match_pytorch(rng):
    names = ["MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveMaxPool1d"]
    names.append("AdaptiveMaxPool2d")

    def compute(torch):
        return {
            "reprs": [repr(m) for m in _layers(torch.nn)],
            "signatures": [parameters(getattr(torch.nn, n)) for n in names],
        }

    ref = reference("pool1d/layers", compute)
    assert [repr(m) for m in _layers(nn)] == list(ref["reprs"])
    assert [parameters(getattr(nn, n)) for n in names] == [list(s) for s in ref["signatures"]]
    functions = [F.max_pool1d, F.adaptive_max_pool1d]
    assert [list(inspect.signature(f).parameters) for f in functions] == [
        ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"],
        ["input", "output_size", "return_indices"],
    ]


def test_layers_call_their_functions_and_round_trip(rng):
    x = mt.tensor(rng.standard_normal((2, 3, 9)).astype(np.float32))
    layer = nn.MaxPool1d(3, 2, 1, 2, return_indices=True, ceil_mode=True)
    out, idx = layer(x)
    expected = F.max_pool1d(x, 3, 2, 1, 2, True, True)
    np.testing.assert_array_equal(out.numpy(force=True), expected[0].numpy(force=True))
    np.testing.assert_array_equal(idx.numpy(force=True), expected[1].numpy(force=True))
    for layer in _layers(nn):
        config = layer.get_config()
        again = mt.registry.create("layer", {"name": type(layer).__name__, "config": config})
        assert repr(again) == repr(layer)
    assert type(mt.registry.create("layer", "MaxPooling1D", kernel_size=2)) is nn.MaxPool1d
    assert F.adaptive_max_pool2d(mt.zeros(0, 2, 3, 3), 2).shape == (0, 2, 2, 2)


ERRORS = [
    (lambda: F.max_pool1d(mt.ones(2, 3, 4, 5), 2), ValueError, "expected 2D (unbatched) or 3D"),
    (lambda: F.max_pool1d(mt.ones(2, 3, 4), 5), ValueError, "output size would be (0,)"),
    (lambda: F.max_pool1d(mt.ones(2, 3, 4), 2, padding=2), ValueError, "at most half"),
    (lambda: F.max_pool1d(mt.ones(2, 3, 4), (2, 2)), ValueError, "tuple of one int, got 2"),
    (lambda: F.max_pool1d(mt.ones(2, 3, 4), 0), ValueError, "kernel_size must be an int >= 1"),
    (lambda: F.max_pool1d(mt.ones(2, 3, 4), 2, 0), ValueError, "stride must be an int >= 1"),
    (lambda: F.max_pool1d(mt.ones(2, 3, 4), 2, dilation=0), ValueError, "dilation must be"),
    (lambda: F.avg_pool1d(mt.ones(4), 2), ValueError, "got shape (4,)"),
    (lambda: F.avg_pool1d(mt.ones(2, 3, 4), 5), ValueError, "the input is too small"),
    (lambda: F.avg_pool1d(mt.ones(2, 3, 4), 2, 1, 2), ValueError, "at most half"),
    (lambda: F.avg_pool1d(mt.ones(2, 3, 4), 2.5), TypeError, "kernel_size must be an int"),
    (lambda: F.adaptive_avg_pool1d(mt.ones(2, 3, 4, 5), 2), ValueError, "got shape (2, 3, 4, 5)"),
    (lambda: F.adaptive_avg_pool1d(mt.ones(2, 3, 0), 2), ValueError, "non-empty last dimension"),
    (lambda: F.adaptive_avg_pool1d(mt.ones(2, 3, 4), 0), ValueError, "output_size must be"),
    (lambda: F.adaptive_max_pool1d(mt.ones(2, 3, 0), 2), ValueError, "shape (2, 3, 0)"),
    (lambda: F.adaptive_max_pool1d(mt.ones(2, 3, 4, 5), 2), ValueError, "or 3D (batched)"),
    (lambda: F.adaptive_max_pool2d(mt.ones(3, 4), 2), ValueError, "3D (unbatched) or 4D"),
    (lambda: F.adaptive_max_pool2d(mt.ones(1, 3, 0, 4), 2), ValueError, "non-empty sizes"),
    (lambda: F.adaptive_max_pool2d(mt.ones(1, 3, 4, 4), (2, 2, 2)), ValueError, "or a pair"),
    (lambda: F.adaptive_max_pool2d(mt.ones(1, 3, 4, 4), (2, 0)), ValueError, "output_size"),
    (lambda: nn.MaxPool1d(2, padding=2), ValueError, "at most half"),
    (lambda: nn.AvgPool1d((2, 3)), ValueError, "tuple of one int"),
    (lambda: nn.AdaptiveAvgPool1d(0), ValueError, "output_size must be an int >= 1"),
    (lambda: nn.AdaptiveMaxPool1d(-1), ValueError, "output_size must be an int >= 1"),
    (lambda: nn.AdaptiveMaxPool2d((1, 2, 3)), ValueError, "or a pair"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_pooling_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
