"""F.multilabel_soft_margin_loss, F.multi_margin_loss, F.multilabel_margin_loss and their
Modules: values and derivatives against PyTorch 2.13 (recorded fixtures; PyTorch has no second
derivative of the two margin losses, so theirs are checked by gradgradcheck), the target
layouts (-1 ending the label list, repeated labels), float32, ONNX, errors."""

import numpy as np
import pytest
from higher_order import check_against_torch
from onnx_helpers import Lambda, check
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
RNG = np.random.default_rng(31)
WEIGHT = RNG.uniform(0.5, 2.0, 4)


def _w(F):  # the class weights as a tensor of the calling library
    return mt.tensor(WEIGHT) if F is mt.nn.functional else __import__("torch").tensor(WEIGHT)


SOFT = {
    "plain": lambda F, x, y: F.multilabel_soft_margin_loss(x, y),
    "weight_none": lambda F, x, y: F.multilabel_soft_margin_loss(x, y, _w(F), reduction="none"),
    "sum": lambda F, x, y: F.multilabel_soft_margin_loss(x, y, reduction="sum"),
}


@pytest.mark.parametrize("name", sorted(SOFT))
def test_multilabel_soft_margin_matches_pytorch(name):
    arrays = {"x": RNG.normal(size=(3, 4)) * 3, "y": RNG.uniform(0, 1, (3, 4)).round()}
    check_against_torch(
        f"multi_margin_losses/soft_{name}", SOFT[name], arrays, ("x", "y"), 1e-10, 1e-12
    )


def first_order(name, call, x, t):
    """Output and input gradient (for a random upstream gradient) against PyTorch's."""
    with mt.no_grad():
        v = RNG.normal(size=call(F, mt.tensor(x), mt.tensor(t)).shape)

    def compute(torch, x, t, v):
        xs = torch.tensor(x, requires_grad=True)
        out = call(torch.nn.functional, xs, torch.tensor(t))
        (g,) = torch.autograd.grad(out, xs, torch.tensor(v))
        return {"out": out.detach().numpy(), "grad": g.numpy()}

    ref = reference(f"multi_margin_losses/{name}", compute, x=x, t=t, v=v)
    xs = mt.tensor(x, requires_grad=True)
    out = call(F, xs, mt.tensor(t))
    (g,) = mt.autograd.grad(out, xs, mt.tensor(v))
    np.testing.assert_allclose(out.numpy(force=True), ref["out"], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(g.numpy(), ref["grad"], rtol=1e-12, atol=1e-14)


LABELS = np.array([[3, 0, -1, 1], [1, 2, 3, -1], [-1, 0, 0, 0], [2, 2, -1, 0]])  # 2 repeated
MARGIN = {
    "multi": (lambda F, x, t: F.multi_margin_loss(x, t), np.array([0, 3, 1, 2])),
    "multi_p2_margin_none": (
        lambda F, x, t: F.multi_margin_loss(x, t, p=2, margin=0.7, reduction="none"),
        np.array([1, 1, 0, 3]),
    ),
    "multi_weight_sum": (
        lambda F, x, t: F.multi_margin_loss(x, t, weight=_w(F), reduction="sum"),
        np.array([2, 0, 3, 3]),
    ),
    "multi_unbatched": (lambda F, x, t: F.multi_margin_loss(x[0], t), np.array(2)),
    "multilabel": (lambda F, x, t: F.multilabel_margin_loss(x, t), LABELS),
    "multilabel_none": (lambda F, x, t: F.multilabel_margin_loss(x, t, reduction="none"), LABELS),
    "multilabel_unbatched": (lambda F, x, t: F.multilabel_margin_loss(x[0], t), LABELS[1]),
}


@pytest.mark.parametrize("name", sorted(MARGIN))
def test_margin_losses_match_pytorch(name):
    call, t = MARGIN[name]
    first_order(name, call, RNG.normal(size=(4, 4)), t)


def test_kink_and_second_derivatives():
    # margin - x_y + x_j == 0 exactly: PyTorch counts only z > 0 (no loss, no gradient)
    x = mt.tensor([[1.0, 0.0, 0.5]], dtype=mt.float64, requires_grad=True)
    loss = F.multi_margin_loss(x, mt.tensor([0]), reduction="sum")
    (g,) = mt.autograd.grad(loss, x)
    assert loss.item() == pytest.approx(0.5 / 3) and np.allclose(g.numpy(), [[-1 / 3, 0, 1 / 3]])
    xs = mt.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    ys = mt.tensor(RNG.uniform(0, 1, (3, 4)), requires_grad=True)
    for fn, inputs in [
        (lambda a: F.multi_margin_loss(a, mt.tensor([0, 3, 1]), p=2, weight=_w(F)), (xs,)),
        (lambda a: F.multi_margin_loss(a, mt.tensor([2, 1, 0]), margin=2.0), (xs,)),
        (lambda a: F.multilabel_margin_loss(a, mt.tensor(LABELS[:3])), (xs,)),
        (lambda a, b: F.multilabel_soft_margin_loss(a, b, _w(F)), (xs, ys)),
    ]:
        assert gradcheck(fn, inputs) and gradgradcheck(fn, inputs)


def test_numpy_reference_and_float32():
    x, t = RNG.normal(size=(3, 4)), np.array([1, 0, 3])
    z = np.maximum(1 - x[np.arange(3), t][:, None] + x, 0) ** 2
    z[np.arange(3), t] = 0
    want = (z.sum(1) / 4 * WEIGHT[t]).mean()
    got = F.multi_margin_loss(mt.tensor(x), mt.tensor(t), 2, weight=WEIGHT)
    assert got.item() == pytest.approx(want, rel=1e-12)
    x32 = mt.tensor(x.astype(np.float32), requires_grad=True)
    for out in (
        F.multi_margin_loss(x32, mt.tensor(t), weight=WEIGHT),
        F.multilabel_margin_loss(x32, mt.tensor(LABELS[:3])),
        F.multilabel_soft_margin_loss(x32, mt.tensor(LABELS[:3] > 0), WEIGHT),
    ):
        assert out.dtype == mt.float32 and mt.autograd.grad(out, x32)[0].dtype == mt.float32


def test_modules_and_registry():
    x = mt.tensor(RNG.normal(size=(3, 4)))
    soft = mt.nn.MultiLabelSoftMarginLoss(WEIGHT, reduction="sum")
    y = mt.tensor(LABELS[:3] > 0).double()
    assert soft(x, y).item() == pytest.approx(
        F.multilabel_soft_margin_loss(x, y, WEIGHT, reduction="sum").item()
    )
    multi = mt.registry.create("loss", {"name": "multi_margin", "config": {"p": 2, "margin": 0.5}})
    t = mt.tensor([0, 1, 2])
    assert multi(x, t).item() == pytest.approx(F.multi_margin_loss(x, t, 2, 0.5).item())
    again = mt.registry.create("loss", {"name": "MultiMarginLoss", "config": multi.get_config()})
    assert (again.p, again.margin) == (2, 0.5)
    label = mt.nn.MultiLabelMarginLoss(reduction="none")
    np.testing.assert_array_equal(
        label(x, mt.tensor(LABELS[:3])).numpy(),
        F.multilabel_margin_loss(x, mt.tensor(LABELS[:3]), reduction="none").numpy(),
    )
    assert mt.nn.MultiLabelSoftMarginLoss.from_logits and mt.nn.MultiMarginLoss.task


def test_onnx():
    x = RNG.normal(size=(5, 4)).astype(np.float32)
    y = RNG.uniform(0, 1, (5, 4)).round().astype(np.float32)
    check(Lambda(lambda m, a, b: F.multilabel_soft_margin_loss(a, b, WEIGHT.astype("f4"))), x, y)
    check(Lambda(lambda m, a, b: mt.nn.MultiLabelSoftMarginLoss(reduction="none")(a, b)), x, y)
    with pytest.raises(mt.onnx.ExportError, match="computed outside the traced operations"):
        check(Lambda(lambda m, a, b: F.multi_margin_loss(a, b)), x, np.array([0, 1, 2, 3, 0]))
    with pytest.raises(mt.onnx.ExportError, match="computed outside the traced operations"):
        check(Lambda(lambda m, a, b: F.multilabel_margin_loss(a, b)), x[:4], LABELS)


def s(*shape):
    return mt.ones(*shape, dtype=mt.float64)


ERRORS = [
    (lambda: F.multilabel_soft_margin_loss(s(2, 3), s(3)), mt.ShapeError, "target shape (3,)"),
    (lambda: F.multilabel_soft_margin_loss(s(2, 3), s(2, 3), s(2)), mt.ShapeError, "weight"),
    (lambda: F.multilabel_soft_margin_loss(s(2, 3, 1), s(2, 3, 1)), mt.ShapeError, "(C) or"),
    (lambda: F.multilabel_soft_margin_loss(s(3), s(3), reduction="x"), ValueError, "reduction"),
    (lambda: F.multi_margin_loss(s(2, 3), mt.tensor([0, 1]), p=3), ValueError, "only p == 1"),
    (lambda: F.multi_margin_loss(s(2, 3), mt.tensor([0, 3])), IndexError, "target 3 is out"),
    (lambda: F.multi_margin_loss(s(2, 3), mt.tensor([-1, 0])), IndexError, "0 <= target < 3"),
    (lambda: F.multi_margin_loss(s(2, 3), s(2)), TypeError, "integer class targets of shape"),
    (lambda: F.multi_margin_loss(s(2, 3), mt.tensor([0])), TypeError, "got dtype int64 and"),
    (lambda: F.multi_margin_loss(s(2, 3), mt.tensor([0, 1]), weight=s(4)), mt.ShapeError, "4"),
    (lambda: F.multi_margin_loss(s(2, 3).long(), mt.tensor([0, 1])), TypeError, "floating"),
    (lambda: F.multilabel_margin_loss(s(2, 3), mt.tensor([0, 1])), TypeError, "shape (2, 3)"),
    (
        lambda: F.multilabel_margin_loss(s(3), mt.tensor([0, -2, 1])),
        IndexError,
        "target -2 is out of range for 3 classes (expected -1 <= target < 3)",
    ),
    (lambda: mt.nn.MultiMarginLoss(p=0), ValueError, "MultiMarginLoss: only p == 1"),
    (lambda: mt.nn.MultiMarginLoss(margin="1"), TypeError, "MultiMarginLoss: margin"),
    (lambda: mt.nn.MultiLabelMarginLoss(reduction="x"), ValueError, "MultiLabelMarginLoss: r"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
