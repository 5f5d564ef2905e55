"""F.ctc_loss and nn.CTCLoss: values and logit gradients against PyTorch 2.13 (recorded
fixtures) for padded and concatenated targets, unbatched input, every reduction,
zero_infinity, another blank, repeated labels and empty inputs or targets; the formula's own
gradient by gradcheck and its second derivative by gradgradcheck (PyTorch has none); errors."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

F = mt.nn.functional
RNG = np.random.default_rng(41)
TARGETS = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])  # repeats need a blank between them

CASES = {  # name: (logits shape, targets, input_lengths, target_lengths, options)
    "none": ((6, 3, 5), TARGETS, [6, 5, 6], [3, 2, 3], {"reduction": "none"}),
    "mean": ((6, 3, 5), TARGETS, [6, 6, 5], [3, 2, 1], {}),
    "sum_zero_infinity": (
        (5, 3, 5),
        TARGETS,
        [5, 4, 2],
        [3, 1, 3],
        {"reduction": "sum", "zero_infinity": True},
    ),
    "concatenated_blank2": (
        (7, 3, 5),
        np.array([1, 3, 4, 0, 1, 4]),
        [7, 3, 6],
        [2, 1, 3],
        {"blank": 2},
    ),
    "empty_lengths_none": ((4, 3, 5), TARGETS, [4, 0, 3], [2, 0, 0], {"reduction": "none"}),
    "unbatched": ((6, 5), np.array([3, 3, 1]), 6, 3, {}),
}


def _call(F, x, targets, ins, outs, options, tensor):
    return F.ctc_loss(
        F.log_softmax(x, dim=-1), tensor(targets), tensor(np.asarray(ins)),
        tensor(np.asarray(outs)), **options,
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch_through_log_softmax(name):
    shape, targets, ins, outs, options = CASES[name]
    x = RNG.normal(size=shape)
    with mt.no_grad():
        out = _call(F, mt.tensor(x), targets, ins, outs, options, mt.tensor)
    v = RNG.normal(size=out.shape)

    def compute(torch, x, targets, v):
        xs = torch.tensor(x, requires_grad=True)
        loss = _call(torch.nn.functional, xs, targets, ins, outs, options, torch.tensor)
        (g,) = torch.autograd.grad(loss, xs, torch.tensor(v))
        return {"out": loss.detach().numpy(), "grad": g.numpy()}

    ref = reference(f"ctc_loss/{name}", compute, x=x, targets=targets, v=v)
    xs = mt.tensor(x, requires_grad=True)
    loss = _call(F, xs, targets, ins, outs, options, mt.tensor)
    (g,) = mt.autograd.grad(loss, xs, mt.tensor(v))
    np.testing.assert_allclose(loss.numpy(force=True), ref["out"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g.numpy(), ref["grad"], rtol=1e-10, atol=1e-12)


def test_gradient_of_the_formula_and_second_derivatives():
    lp = F.log_softmax(mt.tensor(RNG.normal(size=(4, 2, 3))), dim=-1).detach()
    lp.requires_grad_(True)
    targets, ins, outs = mt.tensor([[1, 2], [1, 1]]), mt.tensor([4, 3]), mt.tensor([2, 1])
    loss = lambda p: F.ctc_loss(p, targets, ins, outs, reduction="sum")  # noqa: E731
    assert gradcheck(loss, (lp,)) and gradgradcheck(loss, (lp,))


def test_numpy_reference_by_enumerating_alignments():
    # T = 3 frames, target [1]: the alignments are every path collapsing to [1]
    lp = np.log(RNG.dirichlet(np.ones(3), size=3))
    paths = [p for p in np.ndindex(3, 3, 3) if _collapse(p) == [1]]
    want = -np.log(sum(np.exp(sum(lp[t, c] for t, c in enumerate(p))) for p in paths))
    got = F.ctc_loss(mt.tensor(lp), mt.tensor([1]), 3, 1, reduction="sum")
    assert got.item() == pytest.approx(want, rel=1e-12)


def _collapse(path):
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    return [c for c in merged if c != 0]


def test_float32_module_and_registry():
    x = mt.tensor(RNG.normal(size=(5, 2, 4)).astype(np.float32), requires_grad=True)
    loss = mt.nn.CTCLoss(blank=3, zero_infinity=True)
    out = loss(F.log_softmax(x, dim=-1), mt.tensor([[0, 1], [2, 2]]), [5, 4], [2, 2])
    assert out.dtype == mt.float32 and mt.autograd.grad(out, x)[0].dtype == mt.float32
    again = mt.registry.create("loss", {"name": "ctc", "config": loss.get_config()})
    assert (again.blank, again.zero_infinity, again.reduction) == (3, True, "mean")


def test_onnx_export_is_refused():
    # the recursion steps through frames by the lengths given: not a traced computation
    x = RNG.normal(size=(4, 3, 5)).astype(np.float32)
    model = Lambda(lambda m, x: F.ctc_loss(x, mt.tensor([[1, 2]] * 3), [4] * 3, [2] * 3))
    with pytest.raises(mt.onnx.ExportError, match="computed outside the traced operations"):
        check(model, x, dynamic=False)


def lp(*shape):
    return mt.zeros(*shape, dtype=mt.float64)


T2 = mt.tensor([[1, 2], [1, 1]])
ERRORS = [
    (lambda: F.ctc_loss(lp(3, 2, 4, 1), T2, [3, 3], [2, 2]), mt.ShapeError, "(T, N, C) or"),
    (lambda: F.ctc_loss(lp(3, 2, 4).long(), T2, [3, 3], [2, 2]), TypeError, "floating"),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2.double(), [3, 3], [2, 2]), TypeError, "integer class"),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2, [3], [2, 2]), TypeError, "2 integer length(s)"),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2, [3, 4], [2, 2]), ValueError, "input_lengths in [0, 3]"),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2, [3, 3], [2, -1]), ValueError, "target_lengths >= 0"),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2, [3, 3], [3, 2]), ValueError, "exceed the padded"),
    (
        lambda: F.ctc_loss(lp(3, 2, 4), mt.tensor([1, 2, 3]), [3, 3], [2, 2]),
        mt.ShapeError,
        "(sum(target_lengths),) = (4,), got shape (3,)",
    ),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2 + 3, [3, 3], [2, 2]), IndexError, "in [0, 4)"),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2, [3, 3], [2, 2], blank=4), ValueError, "blank"),
    (lambda: F.ctc_loss(lp(3, 2, 4), T2, [3, 3], [2, 2], reduction="x"), ValueError, "reducti"),
    (lambda: mt.nn.CTCLoss(blank=-1), ValueError, "CTCLoss: blank"),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
