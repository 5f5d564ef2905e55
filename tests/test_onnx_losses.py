"""A model whose forward returns its loss: ``F.cross_entropy`` (class indices or class
probabilities) and ``F.nll_loss``, exported and compared with minitorch_es in ONNX Runtime
(class weights, ``ignore_index``, label smoothing of probabilities, every reduction, extra
dims); what is not translated gets an error."""

import numpy as np
import pytest
from onnx_helpers import Lambda, check, op_types

import minitorch_es as mt
from minitorch_es.onnx import ExportError

F = mt.nn.functional
WEIGHT = np.array([0.5, 2.0, 1.0, 1.5], dtype=np.float32)


@pytest.fixture
def logits(rng):
    return rng.normal(size=(5, 4)).astype(np.float32)


OPTIONS = {
    "plain": {},
    "sum": {"reduction": "sum"},
    "none": {"reduction": "none"},
    "weights": {"weight": WEIGHT},
    "ignore_index": {"ignore_index": 2},
    "weights_ignored_sum": {"weight": WEIGHT, "ignore_index": 1, "reduction": "sum"},
}


@pytest.mark.parametrize("name", OPTIONS)
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_class_index_losses(logits, loss, name):
    options = dict(OPTIONS[name])
    if "weight" in options:
        options["weight"] = mt.tensor(options["weight"])
    fn = getattr(F, loss)
    target = np.array([0, 2, 3, 1, 2])

    def forward(m, x, t):
        return fn(x if loss == "cross_entropy" else F.log_softmax(x, dim=1), t, **options)

    proto = check(Lambda(forward), logits, target)
    op_type = "SoftmaxCrossEntropyLoss" if loss == "cross_entropy" else "NegativeLogLikelihoodLoss"
    assert op_type in op_types(proto)


def test_cross_entropy_over_extra_dims(rng):
    x = rng.normal(size=(2, 4, 3, 5)).astype(np.float32)
    target = rng.integers(0, 4, size=(2, 3, 5))
    check(Lambda(lambda m, x, t: F.cross_entropy(x, t, reduction="none") * 2), x, target)
    check(Lambda(lambda m, x, t: mt.nn.CrossEntropyLoss()(x, t)), x, target)


def test_label_smoothing_is_refused(logits):
    model = Lambda(lambda m, x, t: F.cross_entropy(x, t, label_smoothing=0.1))
    with pytest.raises(ExportError, match=r"CrossEntropyFunction.*label_smoothing=0.1"):
        check(model, logits, np.array([0, 2, 3, 1, 2]))


SOFT_OPTIONS = {
    "plain": {},
    "weights": {"weight": WEIGHT},
    "smoothing": {"label_smoothing": 0.2},
    "weights_smoothing": {"weight": WEIGHT, "label_smoothing": 0.1},
}


def _probabilities(rng, shape):
    """Class probabilities along dim 1 (the class axis), with some exactly 0."""
    p = rng.dirichlet(np.ones(4), size=(shape[0], *shape[2:])).astype(np.float32)
    p = np.moveaxis(p, -1, 1)
    p[0, 0] = 0
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", SOFT_OPTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (2, 4, 3)])
def test_cross_entropy_with_class_probabilities(rng, name, reduction, shape):
    options = dict(SOFT_OPTIONS[name])
    if "weight" in options:
        options["weight"] = mt.tensor(options["weight"])
    x = rng.normal(size=shape).astype(np.float32)

    def forward(m, x, t):
        return F.cross_entropy(x, t, reduction=reduction, **options)

    proto = check(Lambda(forward), x, _probabilities(rng, shape))
    assert "LogSoftmax" in op_types(proto)


def test_cross_entropy_of_one_sample_with_class_probabilities(rng):
    # A (C) input: the classes are dim 0, so no batch axis can be dynamic.
    x = rng.normal(size=4).astype(np.float32)
    t = _probabilities(rng, (1, 4))[0]
    model = Lambda(lambda m, x, t: mt.nn.CrossEntropyLoss(weight=m.w.abs())(x, t))
    check(model, x, t, dynamic=False)
