"""F.kl_div and nn.KLDivLoss: every reduction and log_target against PyTorch (values, first and
second derivatives in both arguments), gradcheck, the 'mean' warning, configs, errors."""

import warnings

import numpy as np
import pytest
from higher_order import check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional


def distributions(rng, shape):
    p = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    q = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
    return np.log(p), q


@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_pytorch(reduction, log_target, rng):
    x, t = distributions(rng, (3, 4))  # no zero target: PyTorch's gradient there is NaN
    if log_target:
        t = np.log(t + 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the 'mean' reduction warns, in both libraries
        check_against_torch(
            f"kl_div/{reduction}_{'log' if log_target else 'prob'}",
            lambda F, x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target),
            {"x": x, "t": t},
            wrt=("x", "t"),
            rtol=1e-10,
            atol=1e-10,
        )


def test_kl_div_in_float32_and_on_a_scalar(rng):
    x, t = (a.astype(np.float32) for a in distributions(rng, (2, 5)))
    check_against_torch(
        "kl_div/float32",
        lambda F, x, t: F.kl_div(x, t, reduction="batchmean"),
        {"x": x, "t": t},
        wrt=("x", "t"),
        rtol=1e-5,
        atol=1e-5,
    )
    out = F.kl_div(mt.tensor(-1.0), mt.tensor(0.5), reduction="batchmean")
    assert out.item() == pytest.approx(0.5 * (np.log(0.5) + 1.0))


def test_kl_div_formula_gradcheck_and_zero_targets(rng):
    x, t = distributions(rng, (2, 3))
    t[1, 2] = 0.0
    expected = np.where(t > 0, t * (np.log(np.where(t > 0, t, 1)) - x), 0).sum() / 2
    out = F.kl_div(mt.tensor(x), mt.tensor(t), reduction="batchmean")
    assert out.item() == pytest.approx(expected, rel=1e-12)
    xs = mt.tensor(x, requires_grad=True)
    ts = mt.tensor(np.abs(t) + 0.1, requires_grad=True)
    for log_target in (False, True):
        fn = lambda a, b: F.kl_div(a, b, reduction="sum", log_target=log_target)  # noqa: E731, B023
        assert gradcheck(fn, (xs, ts))
        assert gradgradcheck(fn, (xs, ts))
    zero = mt.tensor(t, requires_grad=True)
    F.kl_div(mt.tensor(x), zero, reduction="sum").backward()
    assert np.isfinite(np.asarray(zero.grad)).all() and np.asarray(zero.grad)[1, 2] == 0


def test_mean_warns_as_pytorch(rng):
    x, t = distributions(rng, (2, 3))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(mt.tensor(x), mt.tensor(t))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(mt.tensor(x), mt.tensor(t), reduction="batchmean")


def test_kl_div_loss_module(rng):
    x, t = distributions(rng, (4, 3))
    loss = mt.nn.KLDivLoss(reduction="batchmean", log_target=True)
    assert repr(loss) == "KLDivLoss(reduction='batchmean')"
    out = loss(mt.tensor(x), mt.tensor(np.log(t)))
    assert out.item() == pytest.approx((t * (np.log(t) - x)).sum() / 4, rel=1e-12)
    again = mt.registry.create("loss", {"name": "KLDivLoss", "config": loss.get_config()})
    assert (again.reduction, again.log_target) == ("batchmean", True)
    assert type(mt.registry.create("loss", "kld")) is mt.nn.KLDivLoss
    float32 = mt.tensor(x.astype(np.float32))
    assert loss(float32, mt.tensor(t)).dtype == mt.float32  # the target is cast to the input's


ERRORS = [
    (lambda: F.kl_div(mt.ones(2), mt.ones(2), reduction="avg"), ValueError, "avg is not a valid"),
    (lambda: F.kl_div(mt.ones(2, 3), mt.ones(3)), mt.ShapeError, "target shape (3,)"),
    (lambda: F.kl_div(mt.ones(2).long(), mt.ones(2)), TypeError, "floating-point"),
    (lambda: F.kl_div([0.5], mt.ones(1)), TypeError, "input must be a Tensor, got list"),
    (lambda: mt.nn.KLDivLoss(reduction="avg"), ValueError, "KLDivLoss: reduction must be one"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
