"""A model whose forward returns an element-wise loss (``mse_loss``, ``l1_loss``,
``huber_loss``, ``smooth_l1_loss``, ``binary_cross_entropy``, ``binary_cross_entropy_with_logits``)
or ``kl_div``, exported and compared with minitorch_es in ONNX Runtime: every reduction, the
losses' options, weights given as constants or as parameters, and edge values (probabilities
and targets of exactly 0 and 1, logits of +-30, zero targets in KL). The reference is
minitorch_es itself, whose losses are checked against PyTorch in test_losses / test_kl_div."""

import warnings

import numpy as np
import pytest
from onnx_helpers import Lambda, check, op_types

import minitorch_es as mt
from minitorch_es.onnx import ExportError
from minitorch_es_plugins.loss_functions import PointwiseLossFunction

F = mt.nn.functional
WEIGHT = np.array([0.5, 2.0, 1.0, 1.5], dtype=np.float32)
POS_WEIGHT = np.array([3.0, 0.5, 1.0, 2.0], dtype=np.float32)


def _probabilities(rng, rows):
    return rng.uniform(0.02, 0.98, size=(rows, 4)).astype(np.float32)


def _options(options: dict, m: mt.nn.Module) -> dict:
    """Weights as constant tensors, or ``"param"`` for the model's (4,) parameter ``m.w``."""
    return {k: m.w if isinstance(v, str) else mt.tensor(v) for k, v in options.items()}


REGRESSION = [
    ("mse_loss", {}),
    ("l1_loss", {}),
    ("huber_loss", {}),
    ("huber_loss", {"delta": 0.3}),
    ("smooth_l1_loss", {}),
    ("smooth_l1_loss", {"beta": 0.4}),
    ("smooth_l1_loss", {"beta": 0.0}),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("loss", "options"), REGRESSION)
def test_regression_losses(rng, loss, options, reduction):
    fn = getattr(F, loss)
    x = rng.normal(scale=1.5, size=(5, 4)).astype(np.float32)
    t = rng.normal(size=(5, 4)).astype(np.float32)
    proto = check(Lambda(lambda m, x, t: fn(x, t, reduction=reduction, **options)), x, t)
    if reduction != "none":
        assert {"mean": "ReduceMean", "sum": "ReduceSum"}[reduction] in op_types(proto)


def test_regression_losses_of_a_layer_with_integer_targets(rng):
    # A loss module on a layer's output; int64 targets count in the input's dtype.
    x = rng.normal(size=(5, 4)).astype(np.float32)
    t = rng.integers(-2, 3, size=(5, 4))
    model = Lambda(lambda m, x, t: mt.nn.HuberLoss(delta=0.5)(x * m.w, t))
    check(model, x, t)


BINARY = [
    ("binary_cross_entropy", {}),
    ("binary_cross_entropy", {"weight": WEIGHT}),
    ("binary_cross_entropy", {"weight": "param"}),
    ("binary_cross_entropy_with_logits", {}),
    ("binary_cross_entropy_with_logits", {"weight": WEIGHT}),
    ("binary_cross_entropy_with_logits", {"pos_weight": POS_WEIGHT}),
    ("binary_cross_entropy_with_logits", {"weight": "param", "pos_weight": POS_WEIGHT}),
]


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("loss", "options"), BINARY)
def test_binary_losses(rng, loss, options, reduction):
    fn = getattr(F, loss)

    def forward(m, x, t):
        return fn(x, t, reduction=reduction, **_options(options, m))

    if loss == "binary_cross_entropy":  # probabilities; the second batch must stay in [0, 1]
        others = (_probabilities(rng, 8), _probabilities(rng, 8))
        check(Lambda(forward), _probabilities(rng, 5), _probabilities(rng, 5), others=others)
    else:
        x = rng.normal(scale=3, size=(5, 4)).astype(np.float32)
        check(Lambda(forward), x, _probabilities(rng, 5))


def test_binary_cross_entropy_clamps_its_logs_at_minus_100():
    # Probabilities of exactly 0 and 1 against targets 0, 1 and 1/2: log(0) is clamped to
    # -100 as PyTorch, so the losses are 0, 100 and 50, never inf or NaN.
    x = np.array([[0, 0, 0, 1], [1, 1, 0.5, 1e-30]], dtype=np.float32)
    t = np.array([[0, 1, 0.5, 0], [1, 0.5, 1, 1]], dtype=np.float32)
    model = Lambda(lambda m, x, t: F.binary_cross_entropy(x, t, reduction="none"))
    check(model, x, t, others=(x[::-1], t))
    losses = F.binary_cross_entropy(mt.tensor(x), mt.tensor(t), reduction="none")
    assert np.asarray(losses)[0].tolist() == [0, 100, 50, 100]


@pytest.mark.parametrize("pos_weight", [None, POS_WEIGHT])
def test_binary_cross_entropy_with_large_logits(pos_weight):
    # Logits of +-30 against targets 0 and 1: the stable form, no overflow and no
    # cancellation (a loss of 30 or of exp(-30)).
    x = np.array([[30, -30, 30, -30], [30, -30, 0, 5]], dtype=np.float32)
    t = np.array([[1, 0, 0, 1], [0.5, 0.5, 1, 0]], dtype=np.float32)

    def forward(m, x, t):
        p = None if pos_weight is None else mt.tensor(pos_weight)
        return F.binary_cross_entropy_with_logits(x, t, reduction="none", pos_weight=p)

    check(Lambda(forward), x, t, others=(-x, t))


def test_loss_modules_with_their_weights_as_buffers(rng):
    model = Lambda(lambda m, x, t: m.loss(x, t) + m.bce(F.sigmoid(x), t))
    model.loss = mt.nn.BCEWithLogitsLoss(WEIGHT, pos_weight=POS_WEIGHT, reduction="sum")
    model.bce = mt.nn.BCELoss(WEIGHT * 2)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    proto = check(model, x, _probabilities(rng, 5), others=(x[:2], _probabilities(rng, 2)))
    stored = {init.name for init in proto.graph.initializer}
    assert {"loss.weight", "loss.pos_weight", "bce.weight"} <= stored


KL_REDUCTIONS = ["none", "sum", "mean", "batchmean"]


def _distributions(rng, shape, zeros: bool):
    """Log-probabilities and target probabilities along the last axis; with ``zeros``, some
    targets are exactly 0 (whose terms are 0, not NaN)."""
    logits = rng.normal(size=shape).astype(np.float32)
    t = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]).astype(np.float32)
    if zeros:
        t[..., 1] = 0
        t[0, ...] = 0
    return logits, t


@pytest.mark.parametrize("reduction", KL_REDUCTIONS)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("shape", [(5, 4), (3, 2, 4)])
def test_kl_div(rng, reduction, log_target, shape):
    logits, t = _distributions(rng, shape, zeros=not log_target)
    other_logits, other_t = _distributions(rng, (7, *shape[1:]), zeros=not log_target)
    if log_target:
        t, other_t = np.log(t), np.log(other_t)
    model = Lambda(
        lambda m, x, t: F.kl_div(
            F.log_softmax(x, dim=-1), t, reduction=reduction, log_target=log_target
        )
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'mean' warns that it is not the divergence
        check(model, logits, t, others=(other_logits, other_t))


def test_kl_div_loss_module_batchmean_over_a_dynamic_batch(rng):
    logits, t = _distributions(rng, (6, 4), zeros=True)
    loss = mt.nn.KLDivLoss(reduction="batchmean")
    model = Lambda(lambda m, x, t: loss(F.log_softmax(x, dim=1), t))
    check(model, logits, t, others=_distributions(rng, (2, 4), zeros=True))


def test_a_pointwise_loss_of_another_op_is_refused(rng):
    # A plugin's own loss through PointwiseLossFunction: its formula is Python code.
    def custom(m, x, t):
        return PointwiseLossFunction.apply(
            x,
            t,
            values=lambda a, b: (a - b) ** 4,
            derivatives=lambda xp, a, b, na, nb: (4 * (a - b) ** 3, -4 * (a - b) ** 3),
            reduction="mean",
            op="quartic_loss",
        )

    x = rng.normal(size=(5, 4)).astype(np.float32)
    with pytest.raises(ExportError, match=r"PointwiseLossFunction called as 'quartic_loss'"):
        check(Lambda(custom), x, x * 0.5)
