"""LogSigmoid, Softsign, Softmin, Tanhshrink, Threshold, Hardshrink, Softshrink, CELU: values,
first and second derivatives against PyTorch 2.13 (at the kinks and for large inputs too),
float32, gradcheck, Modules (reprs, configs), signatures, warnings, errors."""

import warnings

import numpy as np
import pytest
from activation_signatures import check_signatures, torch_signatures
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
# 0 (the kinks of threshold 0 / CELU), the shrinkage bounds +-0.5 and +-1.5, large values
EDGES = [0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 40.0, -40.0, 1000.0, -1000.0, 1e-8, -1e-8]

CALLS = {
    "logsigmoid": lambda F, x: F.logsigmoid(x),
    "softsign": lambda F, x: F.softsign(x),
    "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softmin_dim0": lambda F, x: F.softmin(x, 0),
    "softmin_dim1": lambda F, x: F.softmin(x, dim=1),
    "threshold": lambda F, x: F.threshold(x, 0.5, -2.0),
    "threshold_zero": lambda F, x: F.threshold(x, 0.0, 0.0),
    "hardshrink": lambda F, x: F.hardshrink(x),
    "hardshrink_lambd": lambda F, x: F.hardshrink(x, 1.5),
    "softshrink": lambda F, x: F.softshrink(x),
    "softshrink_lambd": lambda F, x: F.softshrink(x, lambd=1.5),
    "celu": lambda F, x: F.celu(x),
    "celu_alpha": lambda F, x: F.celu(x, alpha=0.5),
}


def inputs(seed=0):
    rng = np.random.default_rng(seed)
    return np.concatenate([EDGES, rng.uniform(-3, 3, 8)]).reshape(4, 5)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_values_first_and_second_derivatives_match_pytorch(name):
    x = inputs()
    if name.startswith("softmin"):  # softmax of 1000s: keep the values where it is smooth
        x = np.clip(x, -3, 3)
    check_against_torch(f"activations/{name}", CALLS[name], {"x": x}, rtol=1e-12, atol=1e-12)


def values_and_slopes(lib, calls: dict, x: np.ndarray) -> dict:
    """Each call's output and its derivative (summed over outputs), with ``lib`` = torch or
    mt (the same code for both)."""
    out = {}
    for name, call in calls.items():
        t = lib.tensor(x, requires_grad=True)
        y = call(lib.nn.functional, t)
        (g,) = lib.autograd.grad(y, t, lib.ones_like(y))
        out[name] = {"y": y.detach().numpy(), "slope": g.detach().numpy()}
    return out


def test_float32_stays_float32_and_matches_pytorch():
    x = inputs(1).astype(np.float32)
    ref = reference(
        "activations/more_float32", lambda torch, x: values_and_slopes(torch, CALLS, x), x=x
    )
    for name, ours in values_and_slopes(mt, CALLS, x).items():
        assert ours["y"].dtype == ours["slope"].dtype == np.float32, name
        np.testing.assert_allclose(ours["y"], ref[name]["y"], rtol=2e-6, atol=1e-7)
        np.testing.assert_allclose(ours["slope"], ref[name]["slope"], rtol=2e-6, atol=1e-6)


def test_formulas_and_gradcheck(rng):
    x = rng.uniform(0.1, 3, (3, 4)) * rng.choice([-1, 1], (3, 4))
    x[np.abs(np.abs(x) - 1.5) < 0.05] += 0.2  # away from the kinks
    np.testing.assert_allclose(F.logsigmoid(mt.tensor(x)).numpy(), np.log(1 / (1 + np.exp(-x))))
    np.testing.assert_allclose(F.softsign(mt.tensor(x)).numpy(), x / (1 + np.abs(x)))
    np.testing.assert_allclose(F.tanhshrink(mt.tensor(x)).numpy(), x - np.tanh(x))
    e = np.exp(-x)
    np.testing.assert_allclose(F.softmin(mt.tensor(x), 1).numpy(), e / e.sum(1, keepdims=True))
    np.testing.assert_allclose(F.threshold(mt.tensor(x), 1.0, 7.0).numpy(), np.where(x > 1, x, 7))
    np.testing.assert_allclose(
        F.softshrink(mt.tensor(x), 1.5).numpy(), np.sign(x) * np.maximum(np.abs(x) - 1.5, 0)
    )
    np.testing.assert_allclose(
        F.celu(mt.tensor(x), 2.0).numpy(), np.where(x > 0, x, 2 * (np.exp(x / 2) - 1))
    )
    t = mt.tensor(x, requires_grad=True)
    for call in CALLS.values():
        fn = lambda t, call=call: call(F, t)  # noqa: E731
        assert gradcheck(fn, (t,)) and gradgradcheck(fn, (t,))


def test_large_inputs_stay_finite_without_warnings():
    # float64: in float32, softsign's Div backward squares 1e30 (inf, with NumPy's warning)
    x = mt.tensor([-1e30, -1000.0, 1000.0, 1e30], dtype=mt.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (F.logsigmoid, F.softsign, F.tanhshrink, F.celu):
            (g,) = mt.autograd.grad(fn(x).sum(), x, create_graph=True)
            (h,) = mt.autograd.grad(g.sum(), x)
            assert np.isfinite(fn(x).numpy(force=True)).all(), fn.__name__
            assert np.isfinite(g.numpy(force=True)).all() and np.isfinite(h.numpy()).all()
    assert F.logsigmoid(mt.tensor([1000.0])).item() == 0.0


def test_softmin_without_dim_warns_and_follows_pytorchs_rule():
    x = mt.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.warns(UserWarning, match="softmin: no dim given, so dim=1"):
        y = F.softmin(x)
    np.testing.assert_allclose(y.numpy(), F.softmin(x, 1).numpy())
    with pytest.warns(UserWarning, match="dim=0"):
        mt.nn.Softmin()(mt.ones(4))
    y = F.softmin(mt.tensor([1.0, 2.0]), 0, dtype=mt.float64)
    assert y.dtype == mt.float64 and y.grad_fn is None


MODULES = [
    (mt.nn.LogSigmoid(), "LogSigmoid()"),
    (mt.nn.Softsign(), "Softsign()"),
    (mt.nn.Tanhshrink(), "Tanhshrink()"),
    (mt.nn.Softmin(), "Softmin(dim=None)"),
    (mt.nn.Softmin(1), "Softmin(dim=1)"),
    (mt.nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20.0)"),
    (mt.nn.Threshold(0.1, 2.0, True), "Threshold(threshold=0.1, value=2.0, inplace=True)"),
    (mt.nn.Hardshrink(), "Hardshrink(0.5)"),
    (mt.nn.Softshrink(0.3), "Softshrink(0.3)"),
    (mt.nn.CELU(), "CELU(alpha=1.0)"),
    (mt.nn.CELU(0.5, inplace=True), "CELU(alpha=0.5, inplace=True)"),
]


@pytest.mark.parametrize("layer,text", MODULES, ids=lambda v: v if isinstance(v, str) else "")
def test_modules_reprs_and_configs(layer, text):
    assert repr(layer) == text
    spec = {"name": type(layer).__name__, "config": layer.get_config()}
    again = mt.registry.create("activation", spec)
    assert type(again) is type(layer) and repr(again) == text
    x = mt.tensor([[-2.0, 0.25, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Softmin() without dim (tested above)
        np.testing.assert_array_equal(again(x.clone()).numpy(), layer(x.clone()).numpy())


def test_names_in_the_registry_and_as_layer_options():
    assert type(mt.registry.create("activation", "log_sigmoid")) is mt.nn.LogSigmoid
    assert type(mt.registry.create("activation", "softsign")) is mt.nn.Softsign
    dense = mt.nn.Linear(3, 2, activation="celu")
    assert dense(mt.randn(4, 3)).shape == (4, 2)


FUNCTIONS = ["logsigmoid", "softsign", "softmin", "tanhshrink", "threshold", "threshold_"]
FUNCTIONS += ["hardshrink", "softshrink", "celu", "celu_"]
MODULE_NAMES = ["LogSigmoid", "Softsign", "Softmin", "Tanhshrink", "Threshold", "Hardshrink"]
MODULE_NAMES += ["Softshrink", "CELU"]


def test_signatures_are_pytorchs():
    expected = reference(
        "activations/more_signatures",
        lambda torch: torch_signatures(torch, FUNCTIONS, MODULE_NAMES),
    )
    check_signatures(mt, expected)


ERRORS = [
    (lambda: F.softshrink(mt.ones(2), -1.0), RuntimeError, "greater or equal to 0, got -1.0"),
    (lambda: mt.nn.Softshrink(-1.0)(mt.ones(2)), RuntimeError, "greater or equal to 0"),
    (lambda: F.celu(mt.ones(2), 0.0), RuntimeError, "alpha cannot be 0"),
    (lambda: mt.nn.CELU(0.0)(mt.ones(2)), RuntimeError, "alpha cannot be 0"),
    (lambda: F.threshold(mt.ones(2), "a", 1.0), TypeError, "threshold: threshold must be"),
    (lambda: F.threshold(mt.ones(2), 0.0, None), TypeError, "threshold: value must be"),
    (lambda: mt.nn.Threshold(0.5), TypeError, "value"),
    (lambda: mt.nn.Hardshrink("x"), TypeError, "Hardshrink: lambd must be"),
    (lambda: mt.nn.Softshrink("x"), TypeError, "Softshrink: lambd must be"),
    (lambda: mt.nn.CELU("x"), TypeError, "CELU: alpha must be"),
    (lambda: F.hardshrink(mt.ones(2), [1]), TypeError, "hardshrink: lambd must be"),
    (lambda: F.softmin(mt.ones(2, 2), 2), IndexError, "out of range"),
    (lambda: mt.nn.Softmin(1.0), TypeError, "Softmin: dim must be an int"),
    (lambda: F.logsigmoid(mt.ones(3).long()), TypeError, "floating-point"),
    (lambda: F.softsign(np.ones(3)), TypeError, "softsign: input must be a Tensor"),
    (lambda: F.tanhshrink([1.0]), TypeError, "tanhshrink: input must be a Tensor"),
    (lambda: F.softmin(np.ones(3), 0), TypeError, "softmin: input must be a Tensor"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


NON_FINITE = {  # the calls whose value and gradient PyTorch defines for inf and NaN
    **{k: v for k, v in CALLS.items() if not k.startswith("softmin")},
    "celu_negative_alpha": lambda F, x: F.celu(x, alpha=-1.0),
    "prelu_zero_slope": lambda F, x: F.prelu(x, x.new_zeros(1)),
    "prelu": lambda F, x: F.prelu(x, x.new_full((1,), 0.25)),
    "rrelu": lambda F, x: F.rrelu(x),
}


def test_infinities_and_nan_as_pytorch_without_warnings():
    x = np.array([-np.inf, -1e300, 0.0, 1e300, np.inf, np.nan])
    # softsign is a composite: the core's Div warns on infinities (see the test above)
    calls = {k: v for k, v in NON_FINITE.items() if k != "softsign"}
    ref = reference(
        "activations/more_non_finite", lambda torch, x: values_and_slopes(torch, NON_FINITE, x), x=x
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = values_and_slopes(mt, calls, x)
    for name in calls:
        np.testing.assert_array_equal(ours[name]["y"], ref[name]["y"], err_msg=name)
        np.testing.assert_array_equal(ours[name]["slope"], ref[name]["slope"], err_msg=name)
