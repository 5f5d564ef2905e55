"""Activations: functional forms and Modules against NumPy closed forms, gradients, stability,
dtypes, registry names and configs, error paths."""

import math
import warnings

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck

F = mt.nn.functional
SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # PyTorch docs' constants
np_erf = np.vectorize(math.erf)


def np_softmax(x, axis):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


# name, functional call, Module, NumPy reference, kinks (points where the derivative jumps)
CASES = [
    ("sigmoid", F.sigmoid, mt.nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x)), []),
    (
        "tanh",
        F.tanh,
        mt.nn.Tanh(),
        lambda x: (1 - np.exp(-2 * x)) / (1 + np.exp(-2 * x)),
        [],
    ),  # the thesis's formula
    ("relu", F.relu, mt.nn.ReLU(), lambda x: np.where(x >= 0, x, 0), [0]),
    (
        "leaky_relu",
        lambda x: F.leaky_relu(x, 0.2),
        mt.nn.LeakyReLU(0.2),
        lambda x: np.where(x >= 0, x, 0.2 * x),
        [0],
    ),
    (
        "leaky_relu default",
        F.leaky_relu,
        mt.nn.LeakyReLU(),
        lambda x: np.where(x >= 0, x, 0.01 * x),
        [0],
    ),
    (
        "elu",
        lambda x: F.elu(x, 0.7),
        mt.nn.ELU(alpha=0.7),
        lambda x: np.where(x > 0, x, 0.7 * (np.exp(x) - 1)),
        [0],
    ),
    (
        "selu",
        F.selu,
        mt.nn.SELU(),
        lambda x: SELU_SCALE * (np.maximum(0, x) + np.minimum(0, SELU_ALPHA * (np.exp(x) - 1))),
        [0],
    ),
    ("gelu", F.gelu, mt.nn.GELU(), lambda x: 0.5 * x * (1 + np_erf(x / math.sqrt(2))), []),
    (
        "gelu tanh",
        lambda x: F.gelu(x, approximate="tanh"),
        mt.nn.GELU("tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
        [],
    ),
    ("silu", F.silu, mt.nn.SiLU(), lambda x: x / (1 + np.exp(-x)), []),
    ("softplus", F.softplus, mt.nn.Softplus(), lambda x: np.log(1 + np.exp(x)), []),
    (
        "softplus beta threshold",
        lambda x: F.softplus(x, beta=2.0, threshold=3.0),
        mt.nn.Softplus(2.0, 3.0),
        lambda x: np.where(2 * x > 3, x, np.log(1 + np.exp(2 * x)) / 2),
        [1.5],
    ),
    ("mish", F.mish, mt.nn.Mish(), lambda x: x * np.tanh(np.log(1 + np.exp(x))), []),
    ("hardtanh", F.hardtanh, mt.nn.Hardtanh(), lambda x: np.clip(x, -1, 1), [-1, 1]),
    (
        "hardtanh bounds",
        lambda x: F.hardtanh(x, -0.5, 2.0),
        mt.nn.Hardtanh(-0.5, 2.0),
        lambda x: np.clip(x, -0.5, 2.0),
        [-0.5, 2.0],
    ),
    ("relu6", F.relu6, mt.nn.ReLU6(), lambda x: np.minimum(np.maximum(x, 0), 6), [0, 6]),
    (
        "softmax",
        lambda x: F.softmax(x, dim=1),
        mt.nn.Softmax(dim=1),
        lambda x: np_softmax(x, 1),
        [],
    ),
    (
        "softmax last",
        lambda x: F.softmax(x, -1),
        mt.nn.Softmax(-1),
        lambda x: np_softmax(x, -1),
        [],
    ),
    (
        "log_softmax",
        lambda x: F.log_softmax(x, dim=1),
        mt.nn.LogSoftmax(dim=1),
        lambda x: np.log(np_softmax(x, 1)),
        [],
    ),
    ("identity", lambda x: x, mt.nn.Identity(), lambda x: x, []),
]
IDS = [c[0] for c in CASES]


def away_from(kinks, *shape, scale=3.0, margin=0.05):
    """A float64 leaf whose entries stay ``margin`` away from every kink."""
    x = mt.randn(*shape, dtype=mt.float64).numpy() * scale
    for k in kinks:
        close = np.abs(x - k) < margin
        x[close] = k + np.where(x[close] >= k, 2 * margin, -2 * margin)
    return mt.tensor(x, requires_grad=True)


@pytest.mark.parametrize("name,fn,module,ref,kinks", CASES, ids=IDS)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 3, 2, 2)])
def test_forward_matches_the_closed_form_in_float64(name, fn, module, ref, kinks, shape):
    x = mt.randn(*shape, dtype=mt.float64) * 4
    expected = ref(x.numpy())
    for out in (fn(x), module(x)):
        assert out.dtype == mt.float64 and out.shape == shape
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,fn,module,ref,kinks", CASES[:-1], ids=IDS[:-1])
def test_gradcheck_away_from_kinks(name, fn, module, ref, kinks):
    x = away_from(kinks, 3, 5)
    assert gradcheck(fn, (x,))
    assert gradcheck(module, (away_from(kinks, 2, 3, 2),))


@pytest.mark.parametrize("name,fn,module,ref,kinks", CASES, ids=IDS)
def test_float32_stays_float32(name, fn, module, ref, kinks):
    x = mt.randn(4, 5, requires_grad=True)
    out = module(x)
    assert out.dtype == mt.float32
    (out * mt.randn(4, 5)).sum().backward()
    assert x.grad.dtype == mt.float32
    np.testing.assert_allclose(out._data, ref(x._data.astype(np.float64)), rtol=1e-5, atol=1e-6)


EXTREMES = [-1000.0, -100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0, 1000.0]


@pytest.mark.parametrize("dtype", [mt.float32, mt.float64])
@pytest.mark.parametrize("name,fn,module,ref,kinks", CASES, ids=IDS)
def test_stable_at_large_magnitudes(name, fn, module, ref, kinks, dtype):
    x = mt.tensor([EXTREMES, EXTREMES[::-1]], dtype=dtype, requires_grad=True)
    # Underflow to 0 is the correct answer (exp(-1000)); overflow, 0/0 and log(0) are not.
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        out = fn(x)
        out.sum().backward()
    assert out.dtype == dtype and x.grad.dtype == dtype
    assert np.isfinite(out._data).all() and np.isfinite(x.grad).all()


def test_saturated_values_are_exact():
    x = mt.tensor([-1000.0, 1000.0])
    np.testing.assert_array_equal(F.sigmoid(x)._data, [0.0, 1.0])
    np.testing.assert_array_equal(F.softplus(x)._data, [0.0, 1000.0])
    np.testing.assert_array_equal(F.tanh(x)._data, [-1.0, 1.0])
    np.testing.assert_array_equal(F.softmax(x, dim=0)._data, [0.0, 1.0])
    np.testing.assert_array_equal(F.log_softmax(x, dim=0)._data, [-2000.0, 0.0])
    np.testing.assert_array_equal(F.silu(x)._data, [0.0, 1000.0])
    np.testing.assert_array_equal(F.gelu(x)._data, [0.0, 1000.0])


def test_derivatives_at_the_kinks_follow_pytorch():
    x = mt.tensor([0.0, -1.0, 1.0, 6.0], requires_grad=True)
    F.relu(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 1, 1])  # relu'(0) = 0
    x.grad = None
    F.hardtanh(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 0, 0, 0])  # 0 on the bounds
    x.grad = None
    F.relu6(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 1, 0])


def test_thesis_softmax_example_gives_probabilities_that_sum_to_one():
    # Figure 48: raw outputs whose softmax is 70 %, 25 % and 5 %.
    raw = mt.tensor(np.log([[0.70, 0.25, 0.05]]) + 3.0)
    np.testing.assert_allclose(F.softmax(raw, dim=1)._data, [[0.70, 0.25, 0.05]], rtol=1e-6)
    x = mt.randn(3, 4, 5, dtype=mt.float64)
    for dim in (0, 1, 2, -1):
        np.testing.assert_allclose(F.softmax(x, dim)._data.sum(axis=dim), 1.0)
        np.testing.assert_allclose(F.log_softmax(x, dim)._data, np.log(np_softmax(x._data, dim)))


@pytest.mark.parametrize("ndim,dim", [(1, 0), (2, 1), (3, 0), (4, 1)])
def test_softmax_without_dim_uses_pytorchs_legacy_rule_and_warns(ndim, dim):
    x = mt.randn(*([2] * ndim), dtype=mt.float64)
    for call in (lambda: F.softmax(x), lambda: mt.nn.Softmax()(x)):
        with pytest.warns(UserWarning, match=f"dim={dim}"):
            out = call()
        np.testing.assert_allclose(out._data, np_softmax(x._data, dim))
    with pytest.warns(UserWarning, match=f"dim={dim}"):
        out = F.log_softmax(x)
    np.testing.assert_allclose(out._data, np.log(np_softmax(x._data, dim)))


def test_softmax_of_a_scalar_and_the_dtype_argument():
    assert F.softmax(mt.tensor(3.0), dim=0).item() == 1.0
    assert F.log_softmax(mt.tensor(3.0), dim=-1).item() == 0.0
    x = mt.randn(2, 3, requires_grad=True)
    out = F.softmax(x, dim=1, dtype=mt.float64)
    assert out.dtype == mt.float64
    out[:, 0].sum().backward()
    assert x.grad.dtype == mt.float32


def test_inplace_follows_pytorch():
    x = mt.tensor([-1.0, 2.0])
    assert mt.nn.ReLU(inplace=True)(x) is x
    np.testing.assert_array_equal(x._data, [0.0, 2.0])
    y = mt.tensor([-1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.leaky_relu(y, 0.5, inplace=True)  # as in PyTorch
    h = y * 1
    out = F.leaky_relu(h, 0.5, inplace=True)  # a non-leaf: recorded in the graph
    assert out is h
    np.testing.assert_array_equal(h._data, [-0.5, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(y.grad, [0.5, 1.0])
    with mt.no_grad():
        assert F.hardtanh(y, inplace=True) is y
    np.testing.assert_array_equal(y._data, [-1.0, 1.0])


def test_identity_returns_its_input_and_is_one_class_for_layers_and_activations():
    x = mt.randn(3)
    assert mt.nn.Identity(54, unused="x")(x) is x
    assert mt.registry.get("activation", "linear") is mt.registry.get("layer", "Identity")


def test_erf_helper_matches_math_erf():
    from minitorch_es_plugins.activation_math import erf

    x = np.concatenate([np.linspace(-7, 7, 2001), [0.0, 1e-300, -3.03125, np.inf, -np.inf]])
    np.testing.assert_allclose(erf(x), np_erf(x), rtol=1e-15, atol=2e-16)
    assert np.isnan(erf(np.array([np.nan]))).all()
    x32 = x.astype(np.float32)
    assert erf(x32).dtype == np.float32  # a shorter polynomial, exact to float32 precision
    np.testing.assert_allclose(erf(x32), np_erf(x32.astype(np.float64)), rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------ registry and configs
CANONICAL = [
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "Softmax",
    "LogSoftmax",
    "Identity",
    "ELU",
    "SELU",
    "GELU",
    "SiLU",
    "Softplus",
    "Mish",
    "Hardtanh",
    "ReLU6",
]
ALIASES = {
    "linear": "Identity",
    "swish": "SiLU",
    "relu": "ReLU",
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "leaky_relu": "LeakyReLU",
    "softmax": "Softmax",
    "log_softmax": "LogSoftmax",
    "elu": "ELU",
    "selu": "SELU",
    "gelu": "GELU",
    "silu": "SiLU",
    "softplus": "Softplus",
    "mish": "Mish",
    "hardtanh": "Hardtanh",
    "relu6": "ReLU6",
    "identity": "Identity",
}


def test_every_activation_is_registered_under_its_names():
    assert set(CANONICAL) <= set(mt.registry.names("activation"))
    for name in CANONICAL:
        assert mt.registry.get("activation", name) is getattr(mt.nn, name)
    for alias, name in ALIASES.items():
        assert mt.registry.get("activation", alias) is getattr(mt.nn, name), alias
    for fn in (
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "elu",
        "selu",
        "gelu",
        "silu",
        "softplus",
        "mish",
        "hardtanh",
        "relu6",
        "softmax",
        "log_softmax",
    ):
        assert callable(getattr(F, fn)) and getattr(F, fn).__doc__


CONFIGURED = [
    mt.nn.Sigmoid(),
    mt.nn.Tanh(),
    mt.nn.ReLU(inplace=True),
    mt.nn.LeakyReLU(0.3),
    mt.nn.Softmax(dim=-1),
    mt.nn.LogSoftmax(1),
    mt.nn.Identity(4, a=1),
    mt.nn.ELU(alpha=2.0),
    mt.nn.SELU(),
    mt.nn.GELU(approximate="tanh"),
    mt.nn.SiLU(),
    mt.nn.Softplus(2.0, 5.0),
    mt.nn.Mish(),
    mt.nn.Hardtanh(-2.0, 3.0),
    mt.nn.ReLU6(),
]


@pytest.mark.parametrize("module", CONFIGURED, ids=lambda m: type(m).__name__)
def test_config_round_trip_through_the_registry(module):
    name = type(module).__name__
    config = module.get_config()
    rebuilt = mt.registry.create("activation", {"name": name, "config": config})
    assert type(rebuilt) is type(module) and rebuilt.get_config() == config
    assert repr(rebuilt) == repr(module)
    x = mt.randn(3, 4)
    np.testing.assert_array_equal(rebuilt(x.clone())._data, module(x.clone())._data)


def test_repr_follows_pytorch():
    assert repr(mt.nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(mt.nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(mt.nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(mt.nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(mt.nn.GELU()) == "GELU(approximate='none')"


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("fn", [F.relu, F.sigmoid, lambda x: F.softmax(x, 0), mt.nn.GELU()])
def test_non_float_or_non_tensor_input_is_rejected(fn):
    with pytest.raises(TypeError, match="floating-point"):
        fn(mt.tensor([1, 2]))
    with pytest.raises(TypeError, match="input must be a Tensor, got ndarray"):
        fn(np.array([1.0, 2.0]))


@pytest.mark.parametrize(
    "make,error,match",
    [
        (lambda: mt.nn.GELU(approximate="exact"), ValueError, "approximate must be one of"),
        (lambda: F.gelu(mt.randn(2), approximate="fast"), ValueError, "approximate must be one of"),
        (lambda: mt.nn.Hardtanh(1.0, -1.0), ValueError, "min_val must be smaller than max_val"),
        (lambda: F.hardtanh(mt.randn(2), 0.0, 0.0), ValueError, "min_val must be smaller"),
        (lambda: mt.nn.Softplus(beta=0), ValueError, "beta must be non-zero"),
        (lambda: mt.nn.Softplus(threshold="20"), TypeError, "threshold must be a real number"),
        (lambda: mt.nn.LeakyReLU("0.1"), TypeError, "negative_slope must be a real number"),
        (lambda: mt.nn.ELU(alpha=None), TypeError, "alpha must be a real number"),
        (lambda: mt.nn.Softmax(dim=1.5), TypeError, "dim must be an int"),
        (lambda: F.log_softmax(mt.randn(2, 3), dim=True), TypeError, "dim must be an int"),
        (lambda: F.softmax(mt.randn(2, 3), dim=2), IndexError, "dimension out of range"),
    ],
)
def test_bad_options_raise_errors_that_name_them(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("sigmoid", {}),
        ("tanh", {}),
        ("relu", {}),
        ("leaky_relu", {"negative_slope": 0.2}),
        ("elu", {"alpha": 0.5}),
        ("selu", {}),
        ("gelu", {}),
        ("gelu", {"approximate": "tanh"}),
        ("silu", {}),
        ("softplus", {"beta": 2.0, "threshold": 3.0}),
        ("mish", {}),
        ("hardtanh", {"min_val": -0.5, "max_val": 2.0}),
        ("relu6", {}),
        ("softmax", {"dim": 1}),
        ("log_softmax", {"dim": 0}),
    ],
)
def test_values_and_gradients_match_torch(name, kwargs, rng):
    x = rng.normal(size=(4, 5)) * 4
    v = rng.normal(size=x.shape)

    def torch_values(torch, x, v):
        t = torch.tensor(x, requires_grad=True)
        out = getattr(torch.nn.functional, name)(t, **kwargs)
        (out * torch.tensor(v)).sum().backward()
        return {"out": out, "grad": t.grad}

    label = "_".join([name, *(f"{k}_{val}" for k, val in kwargs.items())])
    expected = reference(f"activations/{label}", torch_values, x=x, v=v)
    ours = mt.tensor(x, requires_grad=True)
    out = getattr(F, name)(ours, **kwargs)
    np.testing.assert_allclose(out.data, expected["out"], rtol=1e-12, atol=1e-15)
    (out * mt.tensor(v)).sum().backward()
    np.testing.assert_allclose(ours.grad, expected["grad"], rtol=1e-12, atol=1e-15)
