"""``weight=`` of ``F.mse_loss``, ``F.l1_loss`` and ``F.huber_loss`` as PyTorch 2.13 has it
(``smooth_l1_loss`` has none): values, first and second derivatives (input, target and weight)
against recorded PyTorch, gradcheck / gradgradcheck, PyTorch's errors, and ONNX export."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
X = np.array([[0.3, -1.9, 2.6, 0.1], [-0.75, 1.2, -2.2, 0.9], [1.8, -0.35, 0.45, -3.1]])
Y = np.array([[-0.2, 0.4, 0.5, 0.65], [0.1, -0.6, 0.3, 0.2], [-0.4, 0.3, 0.2, 0.1]])
W = np.array([[0.5, 2.0, 1.0, 1.5], [0.25, 3.0, 0.75, 1.0], [2.5, 0.5, 1.25, 0.6]])
V = np.array([[1.0, -0.5, 0.3, 2.0], [0.7, 0.2, -1.1, 0.4], [0.9, -0.3, 0.6, 1.3]])

CALLS = {
    "mse_loss": lambda F, x, y, r, w: F.mse_loss(x, y, reduction=r, weight=w),
    "l1_loss": lambda F, x, y, r, w: F.l1_loss(x, y, reduction=r, weight=w),
    "huber_loss": lambda F, x, y, r, w: F.huber_loss(x, y, r, 0.8, w),  # PyTorch's positions
}
CASES = [(loss, r) for loss in CALLS for r in ("mean", "sum", "none")]


def _values_and_slopes(lib, loss, reduction):
    """The loss, its gradient for (x, y, w), and the gradient of <gradient, V> (second
    derivatives), in ``lib`` (torch or mt)."""
    x, y, w = (lib.tensor(a.copy(), requires_grad=True) for a in (X, Y, W))
    out = CALLS[loss](lib.nn.functional, x, y, reduction, w)
    seed = lib.ones_like(out) if reduction == "none" else lib.ones(())
    first = lib.autograd.grad(out, (x, y, w), seed, create_graph=True)
    projected = sum((g * lib.tensor(V)).sum() for g in first)
    second = lib.autograd.grad(projected, (x, y, w), allow_unused=True)
    arrays = [t.detach().numpy() if hasattr(t, "detach") else None for t in (out, *first)]
    return {
        "value": arrays[0],
        "grads": arrays[1:],
        "second": [np.zeros_like(X) if g is None else g.detach().numpy() for g in second],
    }


@pytest.mark.parametrize(("loss", "reduction"), CASES)
def test_weighted_loss_values_and_derivatives_match_pytorch(loss, reduction):
    want = reference(
        f"losses/weighted_{loss}_{reduction}",
        lambda torch, x, y, w, v: _values_and_slopes(torch, loss, reduction),
        x=X,
        y=Y,
        w=W,
        v=V,
    )
    got = _values_and_slopes(mt, loss, reduction)
    np.testing.assert_allclose(got["value"], want["value"], rtol=1e-12, atol=1e-14)
    for ours, theirs in zip(got["grads"] + got["second"], want["grads"] + want["second"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("loss", "reduction"), CASES)
def test_weighted_losses_pass_gradcheck_and_gradgradcheck(loss, reduction):
    inputs = [mt.tensor(a.copy(), requires_grad=True) for a in (X, Y, W)]

    def fn(x, y, w):
        return CALLS[loss](F, x, y, reduction, w)

    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_a_weight_of_ones_gives_the_unweighted_loss():
    x, y = mt.tensor(X), mt.tensor(Y)
    for loss in CALLS:
        for r in ("mean", "sum"):
            plain = CALLS[loss](F, x, y, r, None)
            ones = CALLS[loss](F, x, y, r, mt.ones(3, 4, dtype=mt.float64))
            np.testing.assert_allclose(ones.item(), plain.item(), rtol=1e-14)


def _raised(lib, call):
    try:
        call(lib)
    except Exception as e:  # the recorded error is the comparison
        return [type(e).__name__, str(e)]
    return ["none", ""]


ERRORS = {
    "weight_shape": lambda t: t.nn.functional.mse_loss(
        t.ones(2, 3), t.ones(2, 3), weight=t.ones(3)
    ),
    "weight_shape_l1": lambda t: t.nn.functional.l1_loss(
        t.ones(2, 3), t.ones(2, 3), weight=t.ones(2, 1)
    ),
    "weight_shape_huber": lambda t: t.nn.functional.huber_loss(
        t.ones(2, 3), t.ones(2, 3), weight=t.ones(6)
    ),
    "reduction": lambda t: t.nn.functional.mse_loss(
        t.ones(2), t.ones(2), reduction="avg", weight=t.ones(2)
    ),
    "reduction_huber": lambda t: t.nn.functional.huber_loss(
        t.ones(2), t.ones(2), "batchmean", weight=t.ones(2)
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_are_pytorchs(case):
    want = reference(
        f"losses/weighted_error_{case}",
        lambda torch, case: _raised(torch, ERRORS[str(case)]),
        case=np.array(case),
    )
    assert _raised(mt, ERRORS[case]) == [str(w) for w in want]


def test_a_weight_that_is_not_a_tensor_and_smooth_l1_without_weight():
    with pytest.raises(TypeError, match=r"mse_loss: weight must be a Tensor or None, got list"):
        F.mse_loss(mt.ones(2), mt.ones(2), weight=[1.0, 2.0])
    with pytest.raises(TypeError, match="unexpected keyword argument 'weight'"):
        F.smooth_l1_loss(mt.ones(2), mt.ones(2), weight=mt.ones(2))  # as in PyTorch


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", sorted(CALLS))
def test_weighted_losses_export_to_onnx(rng, loss, reduction):
    x = rng.normal(scale=1.5, size=(5, 4)).astype(np.float32)
    t = rng.normal(size=(5, 4)).astype(np.float32)

    def forward(m, x, t):  # a weight of the model's parameter and the targets
        return CALLS[loss](F, x, t, reduction, m.w.abs() * (t * t + 0.5))

    check(Lambda(forward), x, t, atol=1e-4)  # float32 sums of a few hundred: 1e-7 relative
