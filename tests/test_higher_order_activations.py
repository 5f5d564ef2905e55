"""Second derivatives of every activation: gradgradcheck over the registered catalog (each
option), and first and second derivatives against PyTorch's in float64."""

import numpy as np
import pytest
from higher_order import builtin_names, check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional

# One configured instance per registered activation and option that changes the formula.
CATALOG = [
    mt.nn.Sigmoid(),
    mt.nn.Tanh(),
    mt.nn.ReLU(),
    mt.nn.LeakyReLU(0.3),
    mt.nn.ELU(alpha=0.7),
    mt.nn.SELU(),
    mt.nn.GELU(),
    mt.nn.GELU(approximate="tanh"),
    mt.nn.SiLU(),
    mt.nn.Softplus(),
    mt.nn.Softplus(2.0, 1.0),  # beta x > 1 is linear
    mt.nn.Mish(),
    mt.nn.Hardtanh(-0.8, 0.9),
    mt.nn.ReLU6(),
    mt.nn.Softmax(dim=0),
    mt.nn.Softmax(dim=-1),
    mt.nn.LogSoftmax(dim=1),
    mt.nn.Identity(),
    mt.nn.Hardsigmoid(),
    mt.nn.Hardswish(),
    mt.nn.GLU(),
    mt.nn.PReLU(4, init=0.3, dtype=mt.float64),  # one slope per column
    mt.nn.LogSigmoid(),
    mt.nn.Softsign(),
    mt.nn.Softmin(dim=1),
    mt.nn.Tanhshrink(),
    mt.nn.Threshold(0.05, -2.0),  # the points stay 0.1 away from 0
    mt.nn.Hardshrink(0.05),
    mt.nn.Softshrink(0.05),
    mt.nn.CELU(),
    mt.nn.CELU(alpha=0.5),
    mt.nn.RReLU(0.1, 0.3).eval(),  # training mode: see test_rrelu.py
]


def points(seed=0, shape=(3, 4)):
    """float64 values away from the kinks at 0 and at the Hardtanh/ReLU6 bounds."""
    x = np.random.default_rng(seed).uniform(0.1, 2.5, shape)
    return x * np.where(np.arange(x.size).reshape(shape) % 2, 1, -1) * np.array([1, 3, 1, 2.9])


def test_the_catalog_covers_every_registered_activation():
    covered = {type(m).__name__ for m in CATALOG}
    assert covered == builtin_names("activation")


@pytest.mark.parametrize("module", CATALOG, ids=lambda m: f"{type(m).__name__}({m.extra_repr()})")
def test_gradgradcheck(module):
    x = mt.tensor(points(), requires_grad=True)
    assert gradcheck(module, (x,))
    assert gradgradcheck(module, (x,))


def test_in_place_activations_that_save_their_input_keep_its_original_values():
    # silu/mish save x; the in-place call overwrites it, so they keep a copy (as PyTorch).
    for fn in (F.silu, F.mish):
        x = mt.tensor(points(), requires_grad=True)
        (expected,) = mt.autograd.grad(fn(x * 1).sum(), x)
        (got,) = mt.autograd.grad(fn(x * 1, inplace=True).sum(), x)
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-15)


TORCH_CALLS = {
    "sigmoid": lambda F, x: F.sigmoid(x),
    "tanh": lambda F, x: F.tanh(x),
    "relu": lambda F, x: F.relu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.3),
    "elu": lambda F, x: F.elu(x, alpha=0.7),
    "selu": lambda F, x: F.selu(x),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x),
    "softplus": lambda F, x: F.softplus(x),
    "softplus_beta_threshold": lambda F, x: F.softplus(x, beta=2.0, threshold=1.0),
    "mish": lambda F, x: F.mish(x),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.8, 0.9),
    "relu6": lambda F, x: F.relu6(x),
    "softmax_dim0": lambda F, x: F.softmax(x, dim=0),
    "softmax": lambda F, x: F.softmax(x, dim=1),
    "log_softmax": lambda F, x: F.log_softmax(x, dim=1),
    "log_softmax_dim0": lambda F, x: F.log_softmax(x, dim=0),
}


@pytest.mark.parametrize("name", sorted(TORCH_CALLS))
def test_first_and_second_derivatives_match_pytorch(name):
    check_against_torch(f"activations/{name}", TORCH_CALLS[name], {"x": points(seed=1)})


def test_second_derivatives_stay_finite_for_large_inputs():
    x = mt.tensor([-1000.0, -40.0, 0.5, 40.0, 1000.0], requires_grad=True)
    for fn in (F.sigmoid, F.silu, F.gelu, F.mish, F.softplus, F.tanh):
        (g,) = mt.autograd.grad(fn(x).sum(), x, create_graph=True)
        (h,) = mt.autograd.grad(g.sum(), x)
        assert np.isfinite(h.numpy()).all(), fn.__name__
