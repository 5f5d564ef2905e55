"""F.poisson_nll_loss / nn.PoissonNLLLoss and F.gaussian_nll_loss / nn.GaussianNLLLoss: values,
first and second derivatives in every argument against PyTorch 2.13 (recorded fixtures), the
Stirling term, the variance's shapes and clamp, float32, the Modules, ONNX export, errors."""

import numpy as np
import pytest
from higher_order import check_against_torch
from onnx_helpers import Lambda, check

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
RNG = np.random.default_rng(23)


def counts(*shape):
    return RNG.poisson(2.0, shape).astype(np.float64)


def positive(*shape):
    return RNG.uniform(0.2, 2.0, shape)


POISSON = {
    "log_input": (lambda F, x, y: F.poisson_nll_loss(x, y), RNG.normal(size=(3, 4)), counts(3, 4)),
    "rate_sum": (
        lambda F, x, y: F.poisson_nll_loss(x, y, log_input=False, eps=1e-3, reduction="sum"),
        positive(3, 4),
        counts(3, 4),
    ),
    "full_none": (  # targets above and at most 1: Stirling's term only above
        lambda F, x, y: F.poisson_nll_loss(x, y, full=True, reduction="none"),
        RNG.normal(size=6),
        np.array([0.5, 1.0, 1.5, 3.0, 7.0, 0.8]),
    ),
    "rate_full": (
        lambda F, x, y: F.poisson_nll_loss(x, y, log_input=False, full=True),
        positive(2, 3),
        np.array([[2.0, 0.3, 5.0], [1.0, 4.0, 1.2]]),
    ),
}


@pytest.mark.parametrize("name", sorted(POISSON))
def test_poisson_matches_pytorch(name):
    call, x, y = POISSON[name]
    check_against_torch(
        f"likelihood_losses/poisson_{name}", call, {"x": x, "y": y}, ("x", "y"), 1e-10, 1e-12
    )


GAUSSIAN = {  # name: (call, variance array or float)
    "same_shape": (lambda F, x, y, var: F.gaussian_nll_loss(x, y, var), positive(3, 4)),
    "per_sample_full_sum": (
        lambda F, x, y, var: F.gaussian_nll_loss(x, y, var, full=True, reduction="sum"),
        positive(3),
    ),
    "trailing_one_none": (
        lambda F, x, y, var: F.gaussian_nll_loss(x, y, var, reduction="none"),
        positive(3, 1),
    ),
    "clamped_eps": (  # entries below eps are clamped in value; the gradient passes unclamped
        lambda F, x, y, var: F.gaussian_nll_loss(x, y, var, eps=1e-2),
        np.array([[1e-3, 0.5, 0.0, 2.0]] * 3),
    ),
}


@pytest.mark.parametrize("name", sorted(GAUSSIAN))
def test_gaussian_matches_pytorch(name):
    call, var = GAUSSIAN[name]
    arrays = {"x": RNG.normal(size=(3, 4)), "y": RNG.normal(size=(3, 4)), "var": var}
    check_against_torch(
        f"likelihood_losses/gaussian_{name}", call, arrays, ("x", "y", "var"), 1e-10, 1e-12
    )


def test_gaussian_spatial_variance_and_float_variance_match_pytorch():
    x, y = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 4))
    call = lambda F, x, y, var: F.gaussian_nll_loss(x, y, var, full=True)  # noqa: E731
    arrays = {"x": x, "y": y, "var": positive(2, 1, 4)}  # one mismatched dim of size 1
    check_against_torch("likelihood_losses/gaussian_spatial", call, arrays, ("x", "y", "var"))
    scalar = lambda F, x, y: F.gaussian_nll_loss(x, y, 0.7, reduction="sum")  # noqa: E731
    check_against_torch("likelihood_losses/gaussian_float_var", scalar, {"x": x, "y": y}, ("x",))


def test_numpy_reference_and_gradchecks():
    x, y = RNG.normal(size=(2, 3)), counts(2, 3) + 2
    stirling = y * np.log(y) - y + 0.5 * np.log(2 * np.pi * y)
    want = (np.exp(x) - y * x + stirling).mean()
    got = F.poisson_nll_loss(mt.tensor(x), mt.tensor(y), full=True)
    assert got.item() == pytest.approx(want, rel=1e-12)
    v = positive(2, 3)
    want = (0.5 * (np.log(v) + (x - y) ** 2 / v) + 0.5 * np.log(2 * np.pi)).sum()
    got = F.gaussian_nll_loss(mt.tensor(x), mt.tensor(y), mt.tensor(v), True, reduction="sum")
    assert got.item() == pytest.approx(want, rel=1e-12)
    xs, ys, vs = (mt.tensor(a, requires_grad=True) for a in (x, y, v))
    for loss in (
        lambda a, b: F.poisson_nll_loss(a, b, full=True),
        lambda a, b: F.poisson_nll_loss(a.abs(), b, log_input=False, reduction="none"),
        lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=True),
        lambda a, b, c: F.gaussian_nll_loss(a, b, c[:, 0], reduction="none"),
    ):
        inputs = (xs, ys, vs)[: loss.__code__.co_argcount]
        assert gradcheck(loss, inputs) and gradgradcheck(loss, inputs)


def test_zero_targets_and_float32():
    x = mt.tensor([0.3, -0.2], dtype=mt.float64)
    y = mt.tensor([0.0, 0.0], dtype=mt.float64, requires_grad=True)
    loss = F.poisson_nll_loss(x, y, full=True, reduction="sum")
    loss.backward()  # PyTorch's gradient is NaN here (log(0) in the masked term); 0 + -x here
    np.testing.assert_allclose(y.grad.numpy(), [-0.3, 0.2])
    x32 = mt.tensor(RNG.normal(size=(2, 3)).astype(np.float32), requires_grad=True)
    outs = [
        F.poisson_nll_loss(x32, mt.tensor(counts(2, 3))),
        F.gaussian_nll_loss(x32, mt.tensor(counts(2, 3).astype(np.int64)), mt.tensor(positive(2))),
        F.gaussian_nll_loss(x32, x32.detach() + 1, 0.5),
    ]
    for out in outs:
        assert out.dtype == mt.float32
        assert mt.autograd.grad(out, x32)[0].dtype == mt.float32


def test_modules_and_registry():
    x, y, v = mt.tensor(RNG.normal(size=(3, 2))), mt.tensor(counts(3, 2)), mt.tensor(positive(3))
    poisson = mt.nn.PoissonNLLLoss(False, True, eps=1e-4, reduction="sum")
    assert poisson.get_config() == {
        "log_input": False,
        "full": True,
        "eps": 1e-4,
        "reduction": "sum",
    }
    assert poisson(x.abs(), y).item() == pytest.approx(
        F.poisson_nll_loss(x.abs(), y, False, True, eps=1e-4, reduction="sum").item()
    )
    gaussian = mt.registry.create("loss", {"name": "gaussian_nll", "config": {"full": True}})
    assert type(gaussian) is mt.nn.GaussianNLLLoss and gaussian.full
    assert gaussian(x, y, v).item() == pytest.approx(F.gaussian_nll_loss(x, y, v, True).item())
    assert type(mt.registry.create("loss", "PoissonNLLLoss")) is mt.nn.PoissonNLLLoss
    assert mt.nn.GaussianNLLLoss.task == mt.nn.PoissonNLLLoss.task == "regression"


def floats(*shape, low=None):
    a = RNG.normal(size=shape) if low is None else RNG.uniform(low, 2.0, shape)
    return a.astype(np.float32)


def test_onnx_export():
    x, y = floats(5, 3), np.abs(floats(5, 3)).round()
    check(Lambda(lambda m, a, b: F.poisson_nll_loss(a, b)), x, y)
    check(Lambda(lambda m, a, b: F.poisson_nll_loss(a, b, False, reduction="none")), x * x, y)
    more = (floats(8, 3), floats(8, 3))  # another batch, with positive variances
    full = Lambda(lambda m, a, b, c: F.gaussian_nll_loss(a, b, c, full=True))
    check(full, x, y, floats(5, 3, low=0.2), others=(*more, floats(8, 3, low=0.2)))
    per_sample = Lambda(lambda m, a, b, c: F.gaussian_nll_loss(a, b, c, reduction="sum"))
    check(per_sample, x, y, floats(5, low=0.2), others=(*more, floats(8, low=0.2)))
    check(Lambda(lambda m, a, b: mt.nn.GaussianNLLLoss()(a, b, 0.5)), x, y)
    v = np.array([[1e-9, 0.5, 0.0]] * 2, np.float32)  # clamped at eps in the graph (Max)
    loss = Lambda(lambda m, a, b, c: F.gaussian_nll_loss(a, b, c, eps=0.01, reduction="none"))
    check(loss, x[:2], x[:2] + 0.01, v, dynamic=False)


def test_poisson_full_is_not_exported():
    model = Lambda(lambda m, a, b: F.poisson_nll_loss(a, b, full=True))
    with pytest.raises(mt.onnx.ExportError, match="computed outside the traced operations"):
        check(model, floats(4, 2), np.full((4, 2), 3.0, np.float32))


def t(*shape):
    return mt.ones(*shape, dtype=mt.float64)


ERRORS = [
    (lambda: F.poisson_nll_loss(t(3), t(2)), mt.ShapeError, "target shape (2,)"),
    (lambda: F.poisson_nll_loss(t(3).long(), t(3)), TypeError, "input must be a floating"),
    (lambda: F.poisson_nll_loss(t(3), t(3), reduction="avg"), ValueError, "reduction"),
    (lambda: F.poisson_nll_loss(t(3), t(3), eps="x"), TypeError, "eps"),
    (lambda: F.gaussian_nll_loss(t(3), t(3), -1.0), ValueError, "var has negative entry"),
    (lambda: F.gaussian_nll_loss(t(3), t(3), -t(3)), ValueError, "var has negative entry"),
    (
        lambda: F.gaussian_nll_loss(t(2, 3), t(2, 3), t(3)),
        ValueError,
        "var is of incorrect size: expected the input's shape (2, 3), that shape without its "
        "last dim (2,), or one dim of size 1 in place of the input's; got (3,)",
    ),
    (lambda: F.gaussian_nll_loss(t(2, 3), t(2, 3), t(1, 1)), ValueError, "incorrect size"),
    (lambda: F.gaussian_nll_loss(t(2, 3), t(2, 3), t(2, 2)), ValueError, "incorrect size"),
    (lambda: F.gaussian_nll_loss(t(2), t(2), t(2), reduction="x"), ValueError, "reduction"),
    (lambda: F.gaussian_nll_loss(t(2), t(3), t(2)), mt.ShapeError, "target shape (3,)"),
    (lambda: F.gaussian_nll_loss(t(2), t(2), "v"), TypeError, "var must be a Tensor, got str"),
    (lambda: mt.nn.PoissonNLLLoss(eps=None), TypeError, "PoissonNLLLoss: eps"),
    (lambda: mt.nn.GaussianNLLLoss(reduction="avg"), ValueError, "GaussianNLLLoss: reduction"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
