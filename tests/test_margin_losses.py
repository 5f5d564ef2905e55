"""The margin, embedding and triplet losses (margin_ranking, hinge_embedding, soft_margin,
cosine_embedding, triplet_margin, triplet_margin_with_distance): values, first and second
derivatives against PyTorch 2.13 (recorded fixtures) in every reduction, float32, edge values,
the Modules and registry, ONNX export where it translates, and every error."""

import numpy as np
import pytest
from higher_order import check_against_torch
from onnx_helpers import Lambda, check

import minitorch_es as mt
from minitorch_es.onnx import ExportError

F = mt.nn.functional
RNG = np.random.default_rng(11)


def normal(*shape):
    return RNG.standard_normal(shape)


def signs(*shape):
    return RNG.choice([-1.0, 1.0], shape)


def squared(a, b):  # a distance_function written once for both libraries
    return ((a - b) ** 2).sum(-1)


# name: (call(F, **arrays), arrays, differentiated names)
CASES = {
    "margin_ranking": (
        lambda F, a, b, y: F.margin_ranking_loss(a, b, y),
        {"a": normal(6), "b": normal(6), "y": signs(6)},
        ("a", "b", "y"),
    ),
    "margin_ranking_margin_sum_2d": (
        lambda F, a, b, y: F.margin_ranking_loss(a, b, y, margin=0.5, reduction="sum"),
        {"a": normal(3, 4), "b": normal(3, 4), "y": signs(3, 4)},
        ("a", "b", "y"),
    ),
    "margin_ranking_kink_none": (  # -y (a - b) + margin == 0 exactly: PyTorch's gradient 1
        lambda F, a, b, y: F.margin_ranking_loss(a, b, y, margin=0.0, reduction="none"),
        {"a": np.array([1.0, 2.0, -1.0]), "b": np.array([1.0, 0.5, -1.0]), "y": signs(3)},
        ("a", "b", "y"),
    ),
    "hinge_embedding": (
        lambda F, x, y: F.hinge_embedding_loss(x, y),
        {"x": np.abs(normal(3, 4)) * 2, "y": signs(3, 4)},
        ("x",),
    ),
    "hinge_embedding_other_targets_none": (  # 0 and 2: both terms, as PyTorch
        lambda F, x, y: F.hinge_embedding_loss(x, y, margin=0.7, reduction="none"),
        {"x": normal(6), "y": np.array([1.0, -1.0, 0.0, 2.0, -1.0, 1.0])},
        ("x",),
    ),
    "soft_margin": (
        lambda F, x, y: F.soft_margin_loss(x, y),
        {"x": normal(3, 4) * 3, "y": signs(3, 4)},
        ("x",),  # PyTorch refuses a target that requires grad (ours is differentiable)
    ),
    "soft_margin_sum": (
        lambda F, x, y: F.soft_margin_loss(x, y, reduction="sum"),
        {"x": normal(5), "y": normal(5)},
        ("x",),
    ),
    "cosine_embedding": (
        lambda F, a, b, y: F.cosine_embedding_loss(a, b, y),
        {"a": normal(4, 3), "b": normal(4, 3), "y": np.array([1.0, -1.0, -1.0, 1.0])},
        ("a", "b"),
    ),
    "cosine_embedding_margin_none": (
        lambda F, a, b, y: F.cosine_embedding_loss(a, b, y, margin=-0.2, reduction="none"),
        {"a": normal(5, 3), "b": normal(5, 3), "y": np.array([1.0, -1.0, 0.0, -1.0, 1.0])},
        ("a", "b"),
    ),
    "cosine_embedding_unbatched_sum": (
        lambda F, a, b, y: F.cosine_embedding_loss(a, b, y, reduction="sum"),
        {"a": normal(4), "b": normal(4), "y": np.array(-1.0)},
        ("a", "b"),
    ),
    "triplet_margin": (
        lambda F, a, p, n: F.triplet_margin_loss(a, p, n),
        {"a": normal(4, 3), "p": normal(4, 3), "n": normal(4, 3)},
        ("a", "p", "n"),
    ),
    "triplet_margin_options_none": (
        lambda F, a, p, n: F.triplet_margin_loss(
            a, p, n, margin=2.0, p=3.0, eps=1e-3, swap=True, reduction="none"
        ),
        {"a": normal(5, 3), "p": normal(5, 3), "n": normal(5, 3)},
        ("a", "p", "n"),
    ),
    "triplet_margin_p1_sum_unbatched": (
        lambda F, a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0, p=1.0, reduction="sum"),
        {"a": normal(4), "p": normal(4), "n": normal(4)},
        ("a", "p", "n"),
    ),
    "triplet_distance": (
        lambda F, a, p, n: F.triplet_margin_with_distance_loss(a, p, n),
        {"a": normal(4, 3), "p": normal(4, 3), "n": normal(4, 3)},
        ("a", "p", "n"),
    ),
    "triplet_distance_custom_swap_none": (
        lambda F, a, p, n: F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=squared, margin=4.0, swap=True, reduction="none"
        ),
        {"a": normal(5, 2), "p": normal(5, 2), "n": normal(5, 2)},
        ("a", "p", "n"),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch_with_first_and_second_derivatives(name):
    call, arrays, wrt = CASES[name]
    check_against_torch(f"margin_losses/{name}", call, arrays, wrt, rtol=1e-10, atol=1e-12)


def test_cosine_embedding_of_a_zero_vector_matches_pytorch():
    a = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 0.5]])
    b = np.array([[1.0, -1.0, 2.0], [0.0, 0.0, 0.0]])
    call = lambda F, a, b, y: F.cosine_embedding_loss(a, b, y, reduction="sum")  # noqa: E731
    check_against_torch(
        "margin_losses/cosine_zero", call, {"a": a, "b": b, "y": np.array([1.0, -1.0])}, ("a", "b")
    )


def test_soft_margin_is_stable_where_log1p_exp_overflows():
    x = mt.tensor([1000.0, -1000.0, 0.0], dtype=mt.float64, requires_grad=True)
    loss = F.soft_margin_loss(x, mt.tensor([-1, 1, 1]), reduction="none")
    np.testing.assert_allclose(loss.numpy(force=True), [1000.0, 1000.0, np.log(2)], rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, -1.0, -0.5], rtol=1e-15)


def test_float32_stays_float32_and_targets_are_cast():
    x = mt.tensor(normal(3, 2).astype(np.float32), requires_grad=True)
    y64, yint = mt.tensor(signs(3, 2)), mt.tensor(signs(3, 2).astype(np.int64))
    outs = [
        F.margin_ranking_loss(x, x * 2, y64),
        F.hinge_embedding_loss(x, yint),
        F.soft_margin_loss(x, y64),
        F.cosine_embedding_loss(x, x + 1, mt.tensor([1, -1, 1])),
        F.triplet_margin_loss(x, x + 1, x.detach().double()),
        F.triplet_margin_with_distance_loss(x, x + 1, x - 1),
    ]
    for out in outs:
        assert out.dtype == mt.float32
        (g,) = mt.autograd.grad(out, x)
        assert g.dtype == mt.float32
    np.testing.assert_allclose(
        F.soft_margin_loss(x, yint, reduction="none").numpy(force=True),
        np.log1p(np.exp(-yint.numpy() * x.numpy(force=True))),
        rtol=1e-6,
    )


def test_numpy_reference_values():
    a, b, y = normal(2, 3), normal(2, 3), np.array([1.0, -1.0])
    cos = (a * b).sum(1) / np.sqrt(((a * a).sum(1) + 1e-12) * ((b * b).sum(1) + 1e-12))
    want = np.where(y == 1, 1 - cos, np.maximum(cos - 0.1, 0)).mean()
    got = F.cosine_embedding_loss(mt.tensor(a), mt.tensor(b), mt.tensor(y), 0.1)
    assert got.item() == pytest.approx(want, rel=1e-12)
    n = normal(2, 3)
    d = lambda u, v: np.sqrt(((u - v + 1e-6) ** 2).sum(-1))  # noqa: E731
    want = np.maximum(1 + d(a, b) - np.minimum(d(a, n), d(b, n)), 0).sum()
    got = F.triplet_margin_loss(*map(mt.tensor, (a, b, n)), swap=True, reduction="sum")
    assert got.item() == pytest.approx(want, rel=1e-12)


def test_modules_registry_and_configs():
    x, y = mt.tensor(normal(4)), mt.tensor(signs(4))
    pairs = [
        (mt.nn.MarginRankingLoss(0.3, reduction="sum"), (x, x * 2, y)),
        (mt.nn.HingeEmbeddingLoss(0.5), (x.abs(), y)),
        (mt.nn.SoftMarginLoss(reduction="none"), (x, y)),
        (mt.nn.CosineEmbeddingLoss(0.2), (x.reshape(2, 2), x.reshape(2, 2) + 1, y[:2])),
        (mt.nn.TripletMarginLoss(2.0, 1.0, 0.0, True), (x, x + 1, x - 1)),
        (mt.nn.TripletMarginWithDistanceLoss(margin=0.5, swap=True), (x, x + 1, x - 1)),
    ]
    for loss, inputs in pairs:
        name = type(loss).__name__
        again = mt.registry.create("loss", {"name": name, "config": loss.get_config()})
        assert again.get_config() == loss.get_config()
        np.testing.assert_array_equal(again(*inputs).numpy(), loss(*inputs).numpy())
    assert type(mt.registry.create("loss", "soft_margin")) is mt.nn.SoftMarginLoss
    assert type(mt.registry.create("loss", "triplet-margin-loss")) is mt.nn.TripletMarginLoss
    assert mt.nn.SoftMarginLoss.from_logits and mt.nn.SoftMarginLoss.task == "classification"
    custom = mt.nn.TripletMarginWithDistanceLoss(distance_function=squared)
    assert "distance_function" not in custom.get_config()
    assert custom(x, x + 1, x - 1).item() == pytest.approx(1.0)  # 1 + 4 - 4


def floats(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


ONNX = {
    "margin_ranking": (lambda m, a, b, y: F.margin_ranking_loss(a, b, y, 0.3), 3),
    "soft_margin": (lambda m, x, y: F.soft_margin_loss(x, y, reduction="none"), 2),
    "triplet_swap": (lambda m, a, p, n: F.triplet_margin_loss(a, p, n, swap=True), 3),
    "triplet_p3_sum": (lambda m, a, p, n: F.triplet_margin_loss(a, p, n, p=3, reduction="sum"), 3),
    "triplet_distance": (
        lambda m, a, p, n: mt.nn.TripletMarginWithDistanceLoss(reduction="none")(a, p, n),
        3,
    ),
}


@pytest.mark.parametrize("name", sorted(ONNX))
def test_onnx_export(name):
    fn, inputs = ONNX[name]
    check(Lambda(fn), *(floats(5, 3) for _ in range(inputs)))


@pytest.mark.parametrize("loss", ["hinge_embedding_loss", "cosine_embedding_loss"])
def test_losses_selecting_by_target_value_are_not_exported(loss):
    # Their target picks a formula per element (a comparison, outside the traced graph).
    x = floats(4, 3)
    if loss == "hinge_embedding_loss":
        model, inputs = Lambda(lambda m, x, y: F.hinge_embedding_loss(x, y)), (x, np.sign(x))
    else:
        model = Lambda(lambda m, a, b, y: F.cosine_embedding_loss(a, b, y))
        inputs = (x, x + 1, np.ones(4, np.float32))
    with pytest.raises(ExportError, match="computed outside the traced operations"):
        check(model, *inputs)


def t(*shape, dtype=mt.float64):
    return mt.ones(*shape, dtype=dtype)


ERRORS = [
    (lambda: F.margin_ranking_loss(t(3), t(2), t(3)), mt.ShapeError, "input2 shape (2,)"),
    (lambda: F.margin_ranking_loss(t(3), t(3), t(3, 1)), mt.ShapeError, "target shape (3, 1)"),
    (lambda: F.margin_ranking_loss(t(3).long(), t(3), t(3)), TypeError, "input1 must be a flo"),
    (lambda: F.margin_ranking_loss(t(3), t(3), t(3), "1"), TypeError, "margin"),
    (lambda: F.margin_ranking_loss(t(2), t(2), t(2), reduction="avg"), ValueError, "reduction"),
    (lambda: F.hinge_embedding_loss(t(2, 3), t(3)), mt.ShapeError, "target shape (3,)"),
    (lambda: F.hinge_embedding_loss([1.0], t(1)), TypeError, "input must be a Tensor, got list"),
    (lambda: F.soft_margin_loss(t(2), t(2), reduction="batchmean"), ValueError, "reduction"),
    (lambda: F.soft_margin_loss(t(2), "ab"), TypeError, "target must be a Tensor, got str"),
    (lambda: F.cosine_embedding_loss(t(2, 3), t(2, 4), t(2)), mt.ShapeError, "input2 shape"),
    (
        lambda: F.cosine_embedding_loss(t(2, 3), t(2, 3), t(3)),
        mt.ShapeError,
        "got inputs of shape (2, 3) and a target of shape (3,)",
    ),
    (lambda: F.cosine_embedding_loss(t(2, 3), t(2, 3), t(2, 3)), mt.ShapeError, "a 0-d target"),
    (lambda: F.cosine_embedding_loss(t(3), t(3), t(1)), mt.ShapeError, "target of shape (1,)"),
    (
        lambda: F.triplet_margin_loss(t(2, 3), t(3), t(2, 3)),
        mt.ShapeError,
        "anchor 2D, positive 1D, and negative 2D inputs",
    ),
    (lambda: F.triplet_margin_loss(t(2, 3), t(2, 3), t(1, 3)), mt.ShapeError, "negative shape"),
    (lambda: F.triplet_margin_loss(t(2), t(2), t(2), p=-1), ValueError, "p must be a real number"),
    (lambda: F.triplet_margin_loss(t(2), t(2), t(2), eps="x"), TypeError, "eps"),
    (
        lambda: F.triplet_margin_with_distance_loss(t(2), t(2), t(2), margin=0),
        ValueError,
        "expected margin to be greater than 0, got 0.0 instead",
    ),
    (
        lambda: F.triplet_margin_with_distance_loss(t(2), t(2), t(2), distance_function=2),
        TypeError,
        "distance_function must be a callable of two Tensors",
    ),
    (lambda: F.triplet_margin_with_distance_loss(t(2), t(2), [1, 2]), mt.ShapeError, "None"),
    (lambda: mt.nn.MarginRankingLoss(reduction="avg"), ValueError, "MarginRankingLoss: red"),
    (lambda: mt.nn.HingeEmbeddingLoss(None), TypeError, "HingeEmbeddingLoss: margin"),
    (lambda: mt.nn.CosineEmbeddingLoss("a"), TypeError, "CosineEmbeddingLoss: margin"),
    (lambda: mt.nn.TripletMarginLoss(p=-2), ValueError, "TripletMarginLoss: p"),
    (
        lambda: mt.nn.TripletMarginWithDistanceLoss(margin=-1),
        ValueError,
        "TripletMarginWithDistanceLoss: expected margin to be greater than 0",
    ),
    (
        lambda: mt.nn.TripletMarginWithDistanceLoss(distance_function="l2"),
        TypeError,
        "TripletMarginWithDistanceLoss: distance_function must be a callable",
    ),
]


@pytest.mark.parametrize("call,error,message", ERRORS)
def test_errors(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
