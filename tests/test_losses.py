"""Losses: functional forms and Modules against NumPy references written from PyTorch's
documented formulas, gradients for every option, stability, dtypes, registry, error paths."""

import itertools
import warnings

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt
from minitorch_es.autograd import gradcheck

F = mt.nn.functional
REDUCTIONS = ["mean", "sum", "none"]


def reduce(losses, reduction, denominator=None):
    if reduction == "none":
        return losses
    total = losses.sum()
    return (
        total
        if reduction == "sum"
        else total / (losses.size if denominator is None else denominator)
    )


def leaf(a):
    return mt.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# ----------------------------------------------------------------------- element-wise
def ref_huber(d, delta):
    return np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))


POINTWISE = [  # name, call(input, target, reduction), reference per element of d = x - y
    ("mse", lambda x, y, r: F.mse_loss(x, y, reduction=r), lambda d: d**2),
    ("l1", lambda x, y, r: F.l1_loss(x, y, reduction=r), np.abs),
    ("huber", lambda x, y, r: F.huber_loss(x, y, r, delta=0.7), lambda d: ref_huber(d, 0.7)),
    ("huber default", lambda x, y, r: F.huber_loss(x, y, r), lambda d: ref_huber(d, 1.0)),
    (
        "smooth_l1",
        lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.5),
        lambda d: ref_huber(d, 0.5) / 0.5,
    ),
    ("smooth_l1 beta=0", lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0), np.abs),
]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,call,ref", POINTWISE, ids=[p[0] for p in POINTWISE])
def test_regression_losses_values_and_gradients(name, call, ref, reduction, rng):
    x = leaf(rng.normal(size=(4, 3)) * 2)
    # |x - y| from a set that keeps off every kink (0, beta 0.5, delta 0.7 and 1.0)
    gaps = rng.choice([0.2, 0.35, 0.6, 0.85, 1.3, 1.8], size=(4, 3))
    y = leaf(x._data + rng.choice([-1, 1], size=(4, 3)) * gaps)
    d = x._data - y._data
    np.testing.assert_allclose(call(x, y, reduction)._data, reduce(ref(d), reduction), rtol=1e-12)
    assert gradcheck(lambda a, b: call(a, b, reduction), (x, y))


def test_float32_input_keeps_float32_with_a_float64_target(rng):
    x = mt.tensor(rng.normal(size=(3, 2)).astype(np.float32), requires_grad=True)
    y = mt.tensor(rng.uniform(0, 1, (3, 2)), requires_grad=True)  # float64
    for loss_fn in (
        F.mse_loss,
        F.l1_loss,
        F.huber_loss,
        F.smooth_l1_loss,
        F.binary_cross_entropy_with_logits,
    ):
        x.grad = y.grad = None
        loss = loss_fn(x, y)
        loss.backward()
        assert loss.dtype == mt.float32 and x.grad.dtype == mt.float32
        assert y.grad.dtype == mt.float64


def test_integer_and_bool_targets_are_cast_to_the_input_dtype():
    x = mt.tensor([0.25, 0.75])
    expected = F.binary_cross_entropy(x, mt.tensor([0.0, 1.0])).item()
    for target in (mt.tensor([0, 1]), mt.tensor([False, True])):
        assert F.binary_cross_entropy(x, target).item() == expected


def test_mse_sum_is_the_thesis_sum_of_squared_errors(rng):
    y_hat, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    loss = mt.nn.MSELoss(reduction="sum")(mt.tensor(y_hat), mt.tensor(y))
    assert loss.item() == pytest.approx(((y - y_hat) ** 2).sum(), rel=1e-12)


def test_bce_values_weights_and_the_minus_100_clamp(rng):
    x, y = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    w = rng.uniform(0.5, 2, 3)
    ref = -w * (y * np.log(x) + (1 - y) * np.log(1 - x))
    for r in REDUCTIONS:
        out = F.binary_cross_entropy(mt.tensor(x), mt.tensor(y), mt.tensor(w), reduction=r)
        np.testing.assert_allclose(out._data, reduce(ref, r), rtol=1e-12)
    edge = mt.tensor([0.0, 1.0, 0.0, 1.0])
    labels = mt.tensor([1.0, 0.0, 0.0, 1.0])
    out = F.binary_cross_entropy(edge, labels, reduction="none")
    np.testing.assert_array_equal(out._data, [100.0, 100.0, 0.0, 0.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_gradcheck(reduction, weighted, rng):
    x, y = leaf(rng.uniform(0.05, 0.95, (3, 4))), leaf(rng.uniform(0, 1, (3, 4)))
    w = mt.tensor(rng.uniform(0.5, 2, (3, 1))) if weighted else None
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, w, reduction=reduction), (x, y))


def ref_bce_logits(x, y, w=1.0, p=1.0):
    sig = 1 / (1 + np.exp(-x))
    return -w * (p * y * np.log(sig) + (1 - y) * np.log(1 - sig))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "weight,pos_weight", [(None, None), ((4, 1), None), (None, (3,)), ((3,), (3,))]
)
def test_bce_with_logits_values_and_gradcheck(reduction, weight, pos_weight, rng):
    x, y = leaf(rng.normal(size=(4, 3)) * 3), leaf(rng.uniform(0, 1, (4, 3)))
    w = None if weight is None else mt.tensor(rng.uniform(0.5, 2, weight))
    p = None if pos_weight is None else mt.tensor(rng.uniform(0.5, 3, pos_weight))
    ref = ref_bce_logits(
        x._data, y._data, 1.0 if w is None else w._data, 1.0 if p is None else p._data
    )

    def call(a, b):
        return F.binary_cross_entropy_with_logits(a, b, w, reduction=reduction, pos_weight=p)

    np.testing.assert_allclose(call(x, y)._data, reduce(ref, reduction), rtol=1e-10)
    assert gradcheck(call, (x, y))


def test_bce_with_logits_is_stable_and_its_gradient_is_sigmoid_minus_target():
    x = mt.tensor([1000.0, -1000.0, 1000.0, -1000.0, 0.0], requires_grad=True)
    y = mt.tensor([0.0, 1.0, 1.0, 0.0, 1.0])
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy_with_logits(x, y, reduction="sum")
        loss.backward()
    assert loss.dtype == mt.float32
    assert loss.item() == pytest.approx(2000.0 + np.log(2))
    np.testing.assert_allclose(x.grad, [1.0, -1.0, 0.0, 0.0, -0.5])


# ---------------------------------------------------------------------- cross-entropy
def log_softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def ref_cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean", eps=0.0):
    """PyTorch's documented formulas, one sample (and position) at a time."""
    soft, unbatched = target.dtype.kind == "f", x.ndim == 1
    if unbatched:
        x, target = x[None], target[None]
    C = x.shape[1]
    logp = np.moveaxis(log_softmax(x, 1), 1, -1).reshape(-1, C)
    w = np.ones(C) if weight is None else weight
    losses, denominator = [], 0.0
    if soft:  # probabilities: smoothed, weighted; 'mean' divides by the number of samples
        for lp, tn in zip(logp, np.moveaxis(target, 1, -1).reshape(-1, C)):
            losses.append(-(w * ((1 - eps) * tn + eps / C) * lp).sum())
        denominator = len(losses)
    else:  # indices: 'mean' divides by the summed weights of the kept targets
        for lp, yn in zip(logp, target.reshape(-1)):
            if yn == ignore_index:
                losses.append(0.0)
                continue
            losses.append((1 - eps) * -w[yn] * lp[yn] + eps / C * -(w * lp).sum())
            denominator += w[yn]
    losses = np.array(losses).reshape((x.shape[0], *x.shape[2:]))
    if reduction == "none":
        return losses[0] if unbatched else losses
    return losses.sum() if reduction == "sum" else losses.sum() / denominator


def class_targets(rng, shape, C, ignore=False):
    t = rng.integers(0, C, size=shape)
    if ignore and t.ndim:
        t.reshape(-1)[::3] = -100  # the first, fourth ... target is ignored
    return t


CE_OPTIONS = list(itertools.product([False, True], [False, True], [0.0, 0.2], REDUCTIONS))


@pytest.mark.parametrize("weighted,ignore,eps,reduction", CE_OPTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (4,)], ids=["NC", "NCd", "C"])
def test_cross_entropy_class_indices(shape, weighted, ignore, eps, reduction, rng):
    C = shape[1] if len(shape) > 1 else shape[0]
    x = leaf(rng.normal(size=shape) * 2)
    t = class_targets(rng, shape[:1] + shape[2:] if len(shape) > 1 else (), C, ignore)
    w = rng.uniform(0.5, 2.0, C) if weighted else None

    def call(a):
        return F.cross_entropy(
            a,
            mt.tensor(t),
            None if w is None else mt.tensor(w),
            ignore_index=-100,
            reduction=reduction,
            label_smoothing=eps,
        )

    expected = ref_cross_entropy(x._data, t, w, -100, reduction, eps)
    np.testing.assert_allclose(call(x)._data, expected, rtol=1e-10)
    assert gradcheck(call, (x,))


@pytest.mark.parametrize(
    "weighted,eps,reduction", list(itertools.product([False, True], [0.0, 0.3], REDUCTIONS))
)
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3), (4,)], ids=["NC", "NCd", "C"])
def test_cross_entropy_probability_targets(shape, weighted, eps, reduction, rng):
    C = shape[1] if len(shape) > 1 else shape[0]
    x = leaf(rng.normal(size=shape))
    p = rng.uniform(0.1, 1, shape)
    p = leaf(p / p.sum(axis=1 if len(shape) > 1 else 0, keepdims=True))
    w = mt.tensor(rng.uniform(0.5, 2.0, C)) if weighted else None

    def call(a, b):
        return F.cross_entropy(a, b, w, reduction=reduction, label_smoothing=eps)

    expected = ref_cross_entropy(
        x._data, p._data, None if w is None else w._data, -100, reduction, eps
    )
    np.testing.assert_allclose(call(x, p)._data, expected, rtol=1e-10)
    assert gradcheck(call, (x, p))


def test_cross_entropy_is_one_fused_node_whose_gradient_is_the_thesis_delta(rng):
    x = mt.tensor(rng.normal(size=(6, 3)), requires_grad=True)
    t = rng.integers(0, 3, 6)
    loss = mt.nn.CrossEntropyLoss()(x, mt.tensor(t))
    assert loss.grad_fn.fn.__name__ == "CrossEntropyFunction" and loss._ctx.inputs[0] is x
    loss.backward()
    softmax = np.exp(log_softmax(x._data, 1))
    np.testing.assert_allclose(x.grad, (softmax - np.eye(3)[t]) / 6, rtol=1e-12)
    one_hot = mt.tensor(np.eye(3)[t])  # Keras's categorical targets: the same loss
    assert F.cross_entropy(x, one_hot).item() == pytest.approx(loss.item(), rel=1e-12)
    log_p = F.log_softmax(x, dim=1)
    assert F.nll_loss(log_p, mt.tensor(t)).item() == pytest.approx(loss.item(), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("offsets", [(0.0, 3.0, -5.0), (0.0, -60.0, 200.0)], ids=["near", "far"])
def test_cross_entropy_rows_far_apart_keep_their_precision(offsets, dtype, rng):
    # Rows are shifted by the batch's largest logit, or by their own when one falls far below.
    logits = rng.normal(size=(3, 5)) + np.array(offsets)[:, None]
    x = mt.tensor(logits.astype(dtype), requires_grad=True)
    t = np.array([1, 4, 0])
    loss = F.cross_entropy(x, mt.tensor(t), reduction="sum")
    loss.backward()
    exact = logits.astype(dtype).astype(np.float64)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(loss.item(), ref_cross_entropy(exact, t, reduction="sum"), rtol)
    delta = np.exp(log_softmax(exact, 1)) - np.eye(5)[t]
    np.testing.assert_allclose(x.grad, delta, rtol=rtol, atol=rtol * 1e-2)


def test_ignored_rows_with_infinite_log_probabilities_stay_out_quietly():
    log_p = mt.tensor([[-np.inf, 0.0], [0.0, -np.inf]], requires_grad=True)
    with np.errstate(all="raise"):
        loss = F.nll_loss(log_p, mt.tensor([-100, 0]), reduction="sum")
        loss.backward()
    assert loss.item() == 0.0
    np.testing.assert_array_equal(log_p.grad, [[0, 0], [-1, 0]])


def test_cross_entropy_all_ignored_is_nan_without_gradient():
    x = mt.randn(3, 4, requires_grad=True)
    loss = F.cross_entropy(x, mt.tensor([-100, -100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(x.grad, 0.0)


@pytest.mark.parametrize("target_dtype", ["int64", "int32", "uint8", "float64"])
def test_cross_entropy_keeps_float32_at_extreme_logits(target_dtype, rng):
    x = mt.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 5.0]], requires_grad=True)
    t = np.array([1, 1]) if target_dtype != "float64" else np.eye(3)[[1, 1]]
    target = mt.tensor(t.astype(target_dtype))
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, target, label_smoothing=0.1)
        loss.backward()
    assert loss.dtype == mt.float32 and x.grad.dtype == mt.float32
    assert np.isfinite(loss.item()) and np.isfinite(x.grad).all()


@pytest.mark.parametrize(
    "weighted,ignore,reduction", list(itertools.product([False, True], [False, True], REDUCTIONS))
)
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3)], ids=["NC", "NCd"])
def test_nll_loss(shape, weighted, ignore, reduction, rng):
    x = leaf(log_softmax(rng.normal(size=shape), 1))
    t = class_targets(rng, shape[:1] + shape[2:], shape[1], ignore)
    w = rng.uniform(0.5, 2.0, shape[1]) if weighted else None
    loss = mt.nn.NLLLoss(None if w is None else mt.tensor(w), reduction=reduction)
    weights = np.ones(shape[1]) if w is None else w
    picked = np.take_along_axis(x._data, np.where(t == -100, 0, t)[:, None], 1)[:, 0]
    per = np.where(t == -100, 0, -weights[np.where(t == -100, 0, t)] * picked)
    expected = reduce(per, reduction, weights[t[t != -100]].sum())
    np.testing.assert_allclose(loss(x, mt.tensor(t))._data, expected, rtol=1e-12)
    assert gradcheck(lambda a: loss(a, mt.tensor(t)), (x,))


# ----------------------------------------------------------------- registry / configs
ALIASES = {
    "MSELoss": ["mse", "mean_squared_error", "mse_loss"],
    "L1Loss": ["mae", "l1", "mean_absolute_error", "l1_loss"],
    "HuberLoss": ["huber", "huber_loss"],
    "SmoothL1Loss": ["smooth_l1", "smooth_l1_loss"],
    "BCELoss": ["bce", "binary_crossentropy", "binary_cross_entropy"],
    "BCEWithLogitsLoss": ["bce_with_logits", "binary_cross_entropy_with_logits"],
    "CrossEntropyLoss": [
        "cross_entropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
    ],
    "NLLLoss": ["nll", "nll_loss"],
}


def test_every_loss_is_registered_under_its_names_and_exported():
    for name, aliases in ALIASES.items():
        cls = getattr(mt.nn, name)
        assert issubclass(cls, mt.nn.Loss)
        for alias in [name, *aliases]:
            assert mt.registry.get("loss", alias) is cls, alias
    for fn in (
        "mse_loss",
        "l1_loss",
        "huber_loss",
        "smooth_l1_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "cross_entropy",
        "nll_loss",
    ):
        assert getattr(F, fn).__doc__


W3 = mt.tensor([0.5, 1.0, 2.0])
CONFIGURED = [
    (mt.nn.MSELoss(reduction="sum"), "reg"),
    (mt.nn.L1Loss(reduction="none"), "reg"),
    (mt.nn.HuberLoss("sum", 0.5), "reg"),
    (mt.nn.SmoothL1Loss(beta=0.3), "reg"),
    (mt.nn.BCELoss(W3, reduction="sum"), "prob"),
    (mt.nn.BCEWithLogitsLoss(W3, pos_weight=mt.tensor([2.0, 1.0, 3.0])), "reg"),
    (mt.nn.CrossEntropyLoss(W3, ignore_index=1, label_smoothing=0.1), "cls"),
    (mt.nn.NLLLoss(W3, ignore_index=0, reduction="sum"), "cls"),
]


@pytest.mark.parametrize("loss,kind", CONFIGURED, ids=lambda v: type(v).__name__)
def test_config_round_trip_through_the_registry(loss, kind, rng):
    config = loss.get_config()
    rebuilt = mt.registry.create("loss", {"name": type(loss).__name__, "config": config})
    assert type(rebuilt) is type(loss) and rebuilt.get_config() == config
    x = mt.tensor(rng.uniform(0.1, 0.9, (4, 3)))
    target = {
        "cls": mt.tensor([0, 1, 2, 2]),
        "prob": mt.tensor(rng.uniform(0, 1, (4, 3))),
        "reg": mt.tensor(rng.normal(size=(4, 3))),
    }[kind]
    np.testing.assert_array_equal(rebuilt(x, target)._data, loss(x, target)._data)


def test_weights_are_buffers_in_the_state_dict():
    assert set(mt.nn.CrossEntropyLoss(W3).state_dict()) == {"weight"}
    assert set(mt.nn.BCEWithLogitsLoss(pos_weight=W3).state_dict()) == {"pos_weight"}


# ---------------------------------------------------------------------------- errors
X, T = mt.randn(4, 3), mt.tensor([0, 1, 2, 1])
ERRORS = [
    (
        lambda: F.mse_loss(mt.randn(4, 1), mt.randn(4)),
        mt.ShapeError,
        r"\(4,\).*torch.Size\(\[4, 1\]\)",
    ),
    (lambda: mt.nn.L1Loss()(X, [1.0]), TypeError, "target must be a Tensor"),
    (lambda: F.l1_loss(X.long(), X), TypeError, "floating-point"),
    (lambda: F.mse_loss(X, X, reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: mt.nn.MSELoss(reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: mt.nn.MSELoss("sum"), TypeError, "positional"),
    (lambda: mt.nn.HuberLoss(delta=0), ValueError, "delta must be a real number > 0"),
    (lambda: F.smooth_l1_loss(X, X, beta=-1.0), ValueError, "beta must be a real number >= 0"),
    (lambda: F.binary_cross_entropy(X, X), ValueError, "input should be between 0 and 1"),
    (
        lambda: F.binary_cross_entropy(X.abs().clamp(max=1.0), X + 2),
        ValueError,
        "target should be between 0 and 1",
    ),
    (
        lambda: F.binary_cross_entropy_with_logits(X, X, mt.ones(4)),
        mt.ShapeError,
        r"weight of shape \(4,\) does not broadcast",
    ),
    (
        lambda: F.cross_entropy(X, mt.tensor([0, 1, 2])),
        mt.ShapeError,
        r"target of shape \(4,\) for input of shape torch.Size\(\[4, 3\]\).*got shape \(3,\)",
    ),
    (
        lambda: F.cross_entropy(X, mt.tensor([0, 1, 3, 1])),
        IndexError,
        "target class 3 is out of range for 3 classes",
    ),
    (lambda: F.nll_loss(X, mt.tensor([0, -1, 2, 1])), IndexError, "class -1 is out of range"),
    (
        lambda: F.cross_entropy(X, mt.tensor([0.0, 1.0, 2.0, 1.0])),
        TypeError,
        "class-index targets must be integers",
    ),
    (
        lambda: F.cross_entropy(X, mt.zeros(4, 4)),
        TypeError,
        r"probabilities of shape torch.Size\(\[4, 3\]\)",
    ),
    (
        lambda: F.cross_entropy(X, mt.zeros(4, 3).long()),
        TypeError,
        "holds class probabilities and must be floating point",
    ),
    (lambda: F.cross_entropy(mt.tensor(1.0), T), mt.ShapeError, "0-d tensor"),
    (lambda: F.cross_entropy(X, T, mt.ones(4)), mt.ShapeError, "weight has 4 entries.*3 classes"),
    (lambda: mt.nn.CrossEntropyLoss(mt.ones(3, 1)), mt.ShapeError, "1-D"),
    (lambda: mt.nn.NLLLoss(mt.tensor([1.0, -1.0])), ValueError, "-1.0 for class 1"),
    (
        lambda: mt.nn.CrossEntropyLoss(label_smoothing=1.5),
        ValueError,
        r"label_smoothing must be a real number in \[0, 1\], got 1.5",
    ),
    (lambda: F.cross_entropy(X, T, ignore_index=1.0), TypeError, "ignore_index must be an int"),
    (lambda: F.nll_loss(X, T.float()), TypeError, "class-index targets must be integers"),
]


@pytest.mark.parametrize("call,error,match", ERRORS)
def test_bad_inputs_raise_errors_that_say_what_and_where(call, error, match):
    with pytest.raises(error, match=match):
        call()


def torch_data(rng):
    logits = rng.normal(size=(5, 4, 3)) * 3
    classes = rng.integers(0, 4, (5, 3))
    classes[::2, 0] = 1  # some targets equal to ignore_index=1
    probs = rng.uniform(0.1, 1, (5, 4, 3))
    return {
        "logits": logits,
        "classes": classes,
        "probs": probs / probs.sum(1, keepdims=True),
        "logp": logits - np.log(np.exp(logits).sum(1, keepdims=True)),
        "w4": rng.uniform(0.5, 2, 4),
        "x": rng.normal(size=(5, 4)),
        "p": rng.uniform(0.05, 0.95, (5, 4)),
        "q": rng.uniform(0, 1, (5, 4)),
    }


TORCH_CASES = [  # functional name, positional args, keyword args (names of torch_data entries)
    ("cross_entropy", ("logits", "classes", "w4"), dict(ignore_index=1, label_smoothing=0.2)),
    ("cross_entropy", ("logits", "classes"), dict(reduction="none", label_smoothing=0.1)),
    ("cross_entropy", ("logits", "probs", "w4"), dict(label_smoothing=0.3, reduction="sum")),
    ("nll_loss", ("logp", "classes", "w4"), dict(ignore_index=1)),
    ("binary_cross_entropy", ("p", "q", "w4"), {}),
    ("binary_cross_entropy_with_logits", ("x", "q", "w4"), dict(pos_weight="w4")),
    ("huber_loss", ("x", "q"), dict(delta=0.5, reduction="sum")),
    ("smooth_l1_loss", ("x", "q"), dict(beta=0.5, reduction="none")),
    ("mse_loss", ("x", "q"), {}),
    ("l1_loss", ("x", "q"), {}),
]


@pytest.mark.parametrize("case", range(len(TORCH_CASES)), ids=[c[0] for c in TORCH_CASES])
def test_values_and_gradients_match_torch(case, rng):
    name, args, kwargs = TORCH_CASES[case]
    data = torch_data(rng)
    used = {a: data[a] for a in {*args, *(v for v in kwargs.values() if v in data)}}

    def torch_values(torch, **arrays):
        def tensor(key, grad=False):
            return torch.tensor(arrays[key], requires_grad=grad)

        theirs = [tensor(a, grad=i == 0) for i, a in enumerate(args)]
        options = {k: tensor(v) if v in arrays else v for k, v in kwargs.items()}
        out = getattr(torch.nn.functional, name)(*theirs, **options)
        out.sum().backward()
        return {"out": out, "grad": theirs[0].grad}

    expected = reference(f"losses/{case}_{name}", torch_values, **used)
    ours = [mt.tensor(data[a], requires_grad=i == 0) for i, a in enumerate(args)]
    options = {k: mt.tensor(data[v]) if v in used else v for k, v in kwargs.items()}
    out = getattr(F, name)(*ours, **options)
    np.testing.assert_allclose(out._data, expected["out"], rtol=1e-10)
    out.sum().backward()
    np.testing.assert_allclose(ours[0].grad, expected["grad"], rtol=1e-10, atol=1e-14)
