"""RReLU and F.rrelu (random slopes in training, their mean in eval) and PyTorch's in-place
functional forms (relu_, elu_, leaky_relu_, selu_, hardtanh_, rrelu_, threshold_, celu_):
values and derivatives against PyTorch (eval) and NumPy (training), reproducibility,
gradcheck, signatures, errors."""

import numpy as np
import pytest
from activation_signatures import check_signatures, torch_signatures
from higher_order import check_against_torch
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
EDGES = [0.0, -0.0, 1e-8, -1e-8, 40.0, -40.0, 1e30, -1e30]


@pytest.mark.parametrize(
    "name,call",
    [
        ("rrelu_eval", lambda F, x: F.rrelu(x)),
        ("rrelu_eval_bounds", lambda F, x: F.rrelu(x, 0.1, 0.3, training=False)),
    ],
)
def test_eval_mode_matches_pytorch(name, call, rng):
    x = np.concatenate([EDGES, rng.uniform(-3, 3, 8)]).reshape(4, 4)
    check_against_torch(f"activations/{name}", call, {"x": x}, rtol=1e-12, atol=1e-12)


def test_training_draws_slopes_in_the_bounds_from_the_package_generator(rng):
    x = -np.abs(rng.standard_normal((50, 40))) - 0.1
    x[0, :5] = [1.0, 2.0, 0.5, 3.0, 4.0]  # positives pass through
    t = mt.tensor(x, requires_grad=True)
    mt.manual_seed(3)
    y = F.rrelu(t, 0.1, 0.3, training=True)
    y.sum().backward()
    slopes = y.numpy(force=True) / x
    assert np.all(slopes[0, :5] == 1.0)
    negative = slopes[x < 0]
    assert negative.min() >= 0.1 and negative.max() <= 0.3
    assert abs(negative.mean() - 0.2) < 0.01 and negative.std() > 0.05  # uniform, not constant
    np.testing.assert_allclose(np.asarray(t.grad), slopes)  # the gradient is the slope
    mt.manual_seed(3)
    again = F.rrelu(mt.tensor(x), 0.1, 0.3, training=True)
    np.testing.assert_array_equal(again.numpy(), y.numpy(force=True))
    assert F.rrelu(mt.tensor(x, dtype=mt.float32), training=True).dtype == mt.float32


def test_the_slope_at_zero_is_the_gradient():
    x = mt.tensor([0.0, -0.0], requires_grad=True)
    F.rrelu(x, 0.1, 0.3).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), [0.2, 0.2])


def seeded_rrelu(x):
    mt.manual_seed(0)  # the same slopes at every call of gradcheck
    return F.rrelu(x, 0.1, 0.5, training=True)


@pytest.mark.parametrize("fn", [seeded_rrelu, lambda x: F.rrelu(x, 0.1, 0.5)])
def test_gradcheck(fn, rng):
    x = mt.tensor(rng.uniform(0.1, 2, (3, 4)) * rng.choice([-1, 1], (3, 4)), requires_grad=True)
    assert gradcheck(fn, (x,)) and gradgradcheck(fn, (x,))


def test_module_follows_train_and_eval():
    layer = mt.nn.RReLU(0.1, 0.3)
    assert repr(layer) == "RReLU(lower=0.1, upper=0.3)"
    assert repr(mt.nn.RReLU(inplace=True)) == (
        "RReLU(lower=0.125, upper=0.3333333333333333, inplace=True)"
    )
    x = -mt.ones(1000)
    assert len(set(layer(x).tolist())) > 100  # training: random slopes
    layer.eval()
    np.testing.assert_allclose(layer(x).numpy(), np.full(1000, -0.2), rtol=1e-6)
    spec = {"name": "RReLU", "config": layer.get_config()}
    assert repr(mt.registry.create("activation", spec)) == repr(layer)
    y = -mt.ones(3)
    assert mt.nn.RReLU(inplace=True)(y) is y


INPLACE = {
    "relu_": (lambda x: F.relu_(x), lambda x: F.relu(x)),
    "elu_": (lambda x: F.elu_(x, 0.5), lambda x: F.elu(x, 0.5)),
    "leaky_relu_": (lambda x: F.leaky_relu_(x, 0.2), lambda x: F.leaky_relu(x, 0.2)),
    "selu_": (lambda x: F.selu_(x), lambda x: F.selu(x)),
    "hardtanh_": (lambda x: F.hardtanh_(x, -0.5, 2.0), lambda x: F.hardtanh(x, -0.5, 2.0)),
    "rrelu_": (lambda x: F.rrelu_(x, 0.1, 0.3), lambda x: F.rrelu(x, 0.1, 0.3)),
    "threshold_": (lambda x: F.threshold_(x, 0.5, -1.0), lambda x: F.threshold(x, 0.5, -1.0)),
    "threshold inplace": (
        lambda x: F.threshold(x, 0.5, -1.0, True),
        lambda x: F.threshold(x, 0.5, -1.0),
    ),
    "celu_": (lambda x: F.celu_(x, 0.5), lambda x: F.celu(x, 0.5)),
    "celu inplace": (lambda x: F.celu(x, 0.5, inplace=True), lambda x: F.celu(x, 0.5)),
    "rrelu_ training": (
        lambda x: (mt.manual_seed(1), F.rrelu_(x, training=True))[1],
        lambda x: (mt.manual_seed(1), F.rrelu(x, training=True))[1],
    ),
}


@pytest.mark.parametrize("name", INPLACE)
def test_in_place_functional_forms(name):
    in_place, out_of_place = INPLACE[name]
    x = mt.tensor([-3.0, -0.5, 0.0, 1.0, 4.0])
    expected = out_of_place(x).tolist()
    assert in_place(x) is x and x.tolist() == expected
    grads = []
    for fn in (out_of_place, in_place):  # recorded in the graph as PyTorch
        leaf = mt.tensor([-1.0, 1.0], dtype=mt.float64, requires_grad=True)
        fn(leaf * 2).sum().backward()
        grads.append(np.asarray(leaf.grad))
    np.testing.assert_array_equal(*grads)
    with pytest.raises(RuntimeError):
        in_place(mt.tensor([1.0], requires_grad=True))  # a leaf that requires grad


FUNCTIONS = ["rrelu", "rrelu_", "relu_", "elu_", "leaky_relu_", "selu_", "hardtanh_"]


def test_signatures_are_pytorchs():
    expected = reference(
        "activations/rrelu_signatures",
        lambda torch: torch_signatures(torch, FUNCTIONS, ["RReLU"]),
    )
    check_signatures(mt, expected)


ERRORS = [
    (lambda: F.rrelu(mt.ones(2), 0.5, 0.1), RuntimeError, "lower=0.5 and upper=0.1"),
    (lambda: mt.nn.RReLU(0.5, 0.1)(mt.ones(2)), RuntimeError, "Lower bound should be less"),
    (lambda: F.rrelu(mt.ones(2), "a"), TypeError, "rrelu: lower must be"),
    (lambda: mt.nn.RReLU(upper=None), TypeError, "RReLU: upper must be"),
    (lambda: F.rrelu(mt.ones(2).long()), TypeError, "floating-point"),
    (lambda: F.rrelu_(np.ones(2)), TypeError, "rrelu: input must be a Tensor"),
    (lambda: F.hardtanh_(mt.ones(2), 1.0, 0.0), ValueError, "min_val must be smaller"),
    (lambda: F.leaky_relu_(mt.ones(2), "x"), TypeError, "negative_slope"),
    (lambda: F.elu_(mt.ones(2), None), TypeError, "alpha"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
