"""Second derivatives of every loss: gradgradcheck over the registered catalog (each option,
with respect to the input and, where it is differentiable, the target), and first and second
derivatives against PyTorch's in float64."""

import numpy as np
import pytest
from higher_order import builtin_names, check_against_torch

import minitorch_es as mt
from minitorch_es.autograd import gradcheck, gradgradcheck

nn = mt.nn
RNG = np.random.default_rng(5)
WEIGHT = RNG.uniform(0.5, 2.0, 4)


def away_from_kinks(shape, seed):
    """Differences x - y with |d| in [0.2, 0.8] U [1.2, 2.0]: no kink of L1, Huber(delta=1) or
    SmoothL1(beta=1) within the finite-difference step."""
    rng = np.random.default_rng(seed)
    d = rng.uniform(0.2, 0.8, shape) + rng.integers(0, 2, shape) * 1.0
    return d * rng.choice([-1.0, 1.0], shape)


def regression(seed=0, shape=(3, 4)):
    y = np.random.default_rng(seed + 100).standard_normal(shape)
    return y + away_from_kinks(shape, seed), y


def probabilities(seed=0, shape=(3, 4)):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 0.9, shape), rng.uniform(0.05, 0.95, shape)


def logits_and_classes(seed=0, shape=(3, 4), ignore=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    t = rng.integers(0, shape[1] if len(shape) > 1 else shape[0], (shape[0], *shape[2:]))
    if len(shape) == 1:
        t = np.array(rng.integers(0, shape[0]))
    if ignore:
        t.flat[0] = -100
    return x, t


def soft_targets(seed=0, shape=(3, 4)):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.1, 1.0, shape)
    return rng.standard_normal(shape), p / p.sum(axis=1, keepdims=True)


# (loss Module, (input, target) arrays, whether the target is differentiable)
CATALOG = {
    "MSELoss": (nn.MSELoss(), regression(), True),
    "MSELoss-sum": (nn.MSELoss(reduction="sum"), regression(1), True),
    "MSELoss-none": (nn.MSELoss(reduction="none"), regression(2), True),
    "L1Loss": (nn.L1Loss(), regression(3), True),
    "HuberLoss": (nn.HuberLoss(), regression(4), True),
    "HuberLoss-delta": (nn.HuberLoss("sum", 0.5), regression(5), True),
    "SmoothL1Loss": (nn.SmoothL1Loss(), regression(6), True),
    "SmoothL1Loss-beta0": (nn.SmoothL1Loss(beta=0.0, reduction="none"), regression(7), True),
    "BCELoss": (nn.BCELoss(), probabilities(), True),
    "BCELoss-weight-sum": (nn.BCELoss(WEIGHT, reduction="sum"), probabilities(1), True),
    "BCEWithLogitsLoss": (nn.BCEWithLogitsLoss(), soft_targets(2), True),
    "BCEWithLogitsLoss-pos_weight": (
        nn.BCEWithLogitsLoss(WEIGHT, reduction="none", pos_weight=WEIGHT[::-1].copy()),
        soft_targets(3),
        True,
    ),
    "CrossEntropyLoss": (nn.CrossEntropyLoss(), logits_and_classes(), False),
    "CrossEntropyLoss-weight-ignore": (
        nn.CrossEntropyLoss(WEIGHT, ignore_index=-100),
        logits_and_classes(1, ignore=True),
        False,
    ),
    "CrossEntropyLoss-smoothing-sum": (
        nn.CrossEntropyLoss(WEIGHT, label_smoothing=0.2, reduction="sum"),
        logits_and_classes(2),
        False,
    ),
    "CrossEntropyLoss-none-2d": (
        nn.CrossEntropyLoss(reduction="none"),
        logits_and_classes(3, shape=(2, 4, 3)),
        False,
    ),
    "CrossEntropyLoss-unbatched": (nn.CrossEntropyLoss(), logits_and_classes(4, (4,)), False),
    "CrossEntropyLoss-soft": (nn.CrossEntropyLoss(), soft_targets(4), True),
    "CrossEntropyLoss-soft-weight-smoothing": (
        nn.CrossEntropyLoss(WEIGHT, label_smoothing=0.1, reduction="none"),
        soft_targets(5),
        True,
    ),
    "NLLLoss": (nn.NLLLoss(), logits_and_classes(6), False),
    "NLLLoss-weight-ignore-sum": (
        nn.NLLLoss(WEIGHT, reduction="sum"),
        logits_and_classes(7, ignore=True),
        False,
    ),
    "KLDivLoss-batchmean": (nn.KLDivLoss(reduction="batchmean"), probabilities(8), True),
    "KLDivLoss-log-target-none": (
        nn.KLDivLoss(reduction="none", log_target=True),
        soft_targets(9),
        True,
    ),
}


def triplet(seed, shape=(3, 4)):
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal(shape) for _ in range(3))


def ranked(seed, shape=(5,)):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), rng.standard_normal(shape), rng.choice([-1.0, 1.0], shape)


def _distance(a, b):
    return ((a - b) ** 2).sum(-1)


# Losses of more than (input, target): (loss Module, input arrays, which are differentiable)
MULTI_INPUT = {
    "MarginRankingLoss": (nn.MarginRankingLoss(0.2), ranked(30), (True, True, True)),
    "HingeEmbeddingLoss-none": (
        nn.HingeEmbeddingLoss(0.5, reduction="none"),
        ranked(31)[::2],
        (True, False),
    ),
    "SoftMarginLoss": (nn.SoftMarginLoss(), ranked(32, (3, 4))[::2], (True, True)),
    "CosineEmbeddingLoss": (
        nn.CosineEmbeddingLoss(0.1, reduction="sum"),
        (*triplet(33)[:2], np.array([1.0, -1.0, -1.0])),
        (True, True, False),
    ),
    "TripletMarginLoss-swap": (nn.TripletMarginLoss(swap=True), triplet(34), (True,) * 3),
    "TripletMarginLoss-p1": (nn.TripletMarginLoss(2.0, p=1.0), triplet(35), (True,) * 3),
    "TripletMarginWithDistanceLoss": (
        nn.TripletMarginWithDistanceLoss(distance_function=_distance, margin=3.0, swap=True),
        triplet(36),
        (True,) * 3,
    ),
    "PoissonNLLLoss-full": (
        nn.PoissonNLLLoss(full=True),
        (triplet(37)[0], np.abs(triplet(38)[0]) * 3),
        (True, True),
    ),
    "PoissonNLLLoss-rate-sum": (
        nn.PoissonNLLLoss(False, reduction="sum"),
        (np.abs(triplet(39)[0]) + 0.1, np.abs(triplet(40)[0]) * 3),
        (True, True),
    ),
    "MultiLabelSoftMarginLoss": (
        nn.MultiLabelSoftMarginLoss(WEIGHT),
        soft_targets(43),
        (True, True),
    ),
    "MultiMarginLoss-p2": (
        nn.MultiMarginLoss(2, 0.5, WEIGHT, reduction="sum"),
        logits_and_classes(44),
        (True, False),
    ),
    "MultiLabelMarginLoss": (
        nn.MultiLabelMarginLoss(),
        (triplet(45)[0], np.array([[3, 0, -1, 1], [1, 2, 3, -1], [2, 2, -1, 0]])),
        (True, False),
    ),
    "CTCLoss": (
        nn.CTCLoss(blank=1, reduction="sum"),
        (
            np.log(np.random.default_rng(46).dirichlet(np.ones(3), size=(4, 2))),
            np.array([[0, 2], [2, 2]]),
            np.array([4, 4]),
            np.array([2, 1]),
        ),
        (True, False, False, False),
    ),
    "GaussianNLLLoss": (
        nn.GaussianNLLLoss(full=True),
        (*triplet(41)[:2], np.abs(triplet(42)[2]) + 0.1),
        (True,) * 3,
    ),
}


def test_the_catalog_covers_every_registered_loss():
    covered = {type(loss).__name__ for loss, _, _ in [*CATALOG.values(), *MULTI_INPUT.values()]}
    assert covered == builtin_names("loss")


@pytest.mark.parametrize("name", sorted(MULTI_INPUT))
def test_gradgradcheck_of_the_losses_of_several_inputs(name):
    loss, arrays, differentiable = MULTI_INPUT[name]
    inputs = tuple(mt.tensor(a, requires_grad=d) for a, d in zip(arrays, differentiable))
    assert gradcheck(loss, inputs)
    assert gradgradcheck(loss, inputs)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_gradgradcheck(name):
    loss, (x, y), target_differentiable = CATALOG[name]
    inputs = (
        mt.tensor(x, requires_grad=True),
        mt.tensor(y, dtype=y.dtype, requires_grad=target_differentiable),
    )
    assert gradcheck(loss, inputs)
    assert gradgradcheck(loss, inputs)


def test_cross_entropy_second_derivative_is_the_softmax_jacobian():
    # d^2 (mean CE) / dx_i dx_i = (diag(s_i) - s_i s_i^T) / N for each row: a closed form.
    x, t = logits_and_classes(8, shape=(2, 3))
    xt = mt.tensor(x, requires_grad=True)
    (g,) = mt.autograd.grad(nn.functional.cross_entropy(xt, mt.tensor(t)), xt, create_graph=True)
    s = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    for i in range(2):
        for j in range(3):
            (h,) = mt.autograd.grad(g[i, j], xt, retain_graph=True)
            expected = np.zeros((2, 3))
            expected[i] = (np.eye(3)[j] * s[i, j] - s[i, j] * s[i]) / 2
            np.testing.assert_allclose(h.numpy(), expected, rtol=1e-12, atol=1e-15)


# PyTorch: the same calls through torch.nn.functional (options by keyword).
def _w(F):  # the constant weight as a tensor of the calling library
    return mt.tensor(WEIGHT) if F is nn.functional else __import__("torch").tensor(WEIGHT)


TORCH_CALLS = {
    "mse": (lambda F, x, y: F.mse_loss(x, y), regression(10), ("x", "y")),
    "mse_none": (lambda F, x, y: F.mse_loss(x, y, reduction="none"), regression(11), ("x", "y")),
    "l1_sum": (lambda F, x, y: F.l1_loss(x, y, reduction="sum"), regression(12), ("x", "y")),
    "huber": (lambda F, x, y: F.huber_loss(x, y, delta=0.5), regression(13), ("x", "y")),
    "smooth_l1": (lambda F, x, y: F.smooth_l1_loss(x, y, beta=1.0), regression(14), ("x", "y")),
    "bce": (lambda F, x, y: F.binary_cross_entropy(x, y), probabilities(15), ("x", "y")),
    "bce_weight_none": (
        lambda F, x, y: F.binary_cross_entropy(x, y, _w(F), reduction="none"),
        probabilities(16),
        ("x", "y"),
    ),
    "bce_logits": (
        lambda F, x, y: F.binary_cross_entropy_with_logits(x, y),
        soft_targets(17),
        ("x", "y"),
    ),
    "bce_logits_weights": (
        lambda F, x, y: F.binary_cross_entropy_with_logits(
            x, y, _w(F), reduction="sum", pos_weight=_w(F) * 2
        ),
        soft_targets(18),
        ("x", "y"),
    ),
    "cross_entropy": (lambda F, x, y: F.cross_entropy(x, y), logits_and_classes(19), ("x",)),
    "cross_entropy_options": (
        lambda F, x, y: F.cross_entropy(x, y, _w(F), label_smoothing=0.3, reduction="sum"),
        logits_and_classes(20, ignore=True),
        ("x",),
    ),
    "cross_entropy_spatial_none": (
        lambda F, x, y: F.cross_entropy(x, y, reduction="none"),
        logits_and_classes(21, shape=(2, 4, 3)),
        ("x",),
    ),
    "cross_entropy_soft": (
        lambda F, x, y: F.cross_entropy(x, y, _w(F), label_smoothing=0.1),
        soft_targets(22),
        ("x", "y"),
    ),
    "nll": (lambda F, x, y: F.nll_loss(x, y, _w(F)), logits_and_classes(23, ignore=True), ("x",)),
}


@pytest.mark.parametrize("name", sorted(TORCH_CALLS))
def test_first_and_second_derivatives_match_pytorch(name):
    call, (x, y), wrt = TORCH_CALLS[name]
    check_against_torch(f"losses/{name}", call, {"x": x, "y": y}, wrt)
