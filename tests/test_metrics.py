"""Metrics: values against hand-computed ones, epoch accumulation, state, registry, errors."""

import numpy as np
import pytest

import minitorch_es as mt
from minitorch_es.training import MeanMetricWrapper, Metric, resolve_metric


def metric(kind, **config):
    return mt.registry.create("metric", {"name": kind, "config": config})


def fns():
    return mt.registry.namespace("metrics")


SCORES = np.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3]])


# ---------------------------------------------------------------------------------- accuracy
def test_accuracy_multiclass_labels_onehot_and_tensors():
    acc = metric("accuracy")
    labels = np.array([1, 0, 1, 1])  # predictions are [1, 0, 2, 1]: 3 of 4 right
    assert acc(labels, SCORES) == 0.75
    assert acc(np.eye(3)[labels], SCORES) == 0.75  # one-hot targets
    assert acc(mt.tensor(labels), mt.tensor(SCORES)) == 0.75
    assert acc(labels[:, None], SCORES) == 0.75  # (N, 1) labels


def test_accuracy_binary_probabilities_logits_and_threshold():
    y = np.array([0, 1, 1, 1])
    probs = np.array([[0.2], [0.6], [0.5], [0.9]])  # > 0.5 gives [0, 1, 0, 1]
    assert metric("accuracy")(y, probs) == 0.75
    assert metric("accuracy")(y.astype(np.float32), probs[:, 0]) == 0.75
    assert metric("accuracy", threshold=0.3)(y, probs) == 1.0
    logits = np.array([-1.0, 0.3, 0.0, 2.0])  # logit > 0 gives [0, 1, 0, 1]
    assert metric("accuracy", from_logits=True)(y, logits) == 0.75
    assert metric("accuracy", from_logits=True, threshold=0.6)(y, logits) == 0.5  # logit > 0.405


def test_accuracy_class_axis_second_as_pytorch():
    scores = np.zeros((2, 3, 2))
    scores[0, 1, :] = 1.0  # sample 0 predicts class 1 at both positions
    scores[1, 2, 0] = 1.0  # sample 1: class 2 then class 0
    target = np.array([[1, 1], [2, 2]])
    assert metric("accuracy")(target, scores) == 0.75


def test_accuracy_accumulates_counts_over_the_epoch_not_batch_means():
    acc = metric("accuracy")
    acc.update_state([1, 0], SCORES[:2])  # 2 of 2
    acc.update_state([0, 0, 0, 0], np.eye(3)[[0, 1, 1, 1]])  # 1 of 4
    assert acc.result() == 3 / 6  # the mean of batch accuracies would be 0.625
    acc.reset_state()
    assert acc.result() == 0.0


def test_call_does_not_touch_the_accumulated_state():
    acc = metric("accuracy")
    acc.update_state([1], SCORES[:1])
    assert acc([0], SCORES[:1]) == 0.0
    assert acc.result() == 1.0


def test_top_k_accuracy_with_ties_in_the_targets_favour():
    scores = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25]])
    target = np.array([0, 2, 3])
    assert metric("top_k_accuracy", k=2)(target, scores) == pytest.approx(1 / 3)
    assert metric("top_k_accuracy", k=3)(target, scores) == pytest.approx(2 / 3)
    assert metric("top_k_accuracy", k=3)(np.eye(4)[target], scores) == pytest.approx(2 / 3)
    assert metric("top_k_accuracy")(target, scores) == 1.0  # k=5 >= 4 classes
    assert fns()["top_k_accuracy"](target, scores, k=1) == pytest.approx(1 / 3)  # the tie


def test_mse_and_mae_over_every_element():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_pred = np.array([[1.0, 3.0], [5.0, 4.0]])  # differences 0, 1, 2, 0
    assert metric("mse")(y_true, y_pred) == 1.25
    assert metric("mae")(y_true, y_pred) == 0.75
    m = metric("mse")
    m.update_state(y_true[:1], y_pred[:1])  # 1 / 2
    m.update_state(np.zeros((3, 2)), np.ones((3, 2)))  # 6 / 6
    assert m.result() == pytest.approx(7 / 8)
    assert fns()["mae"](np.array([1.0, 2.0]), np.array([[2.0], [2.0]])) == 0.5  # (N,) vs (N,1)


# -------------------------------------------------------------- precision / recall / f1
def test_binary_precision_recall_f1():
    y = np.array([1, 1, 1, 0, 0])
    probs = np.array([0.9, 0.2, 0.1, 0.8, 0.3])  # predictions [1, 0, 0, 1, 0]: TP 1 FP 1 FN 2
    assert metric("precision")(y, probs) == 0.5
    assert metric("recall")(y, probs) == pytest.approx(1 / 3)
    assert metric("f1")(y, probs) == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))
    assert fns()["f1_score"](y, probs) == pytest.approx(0.4)


def test_macro_and_micro_multiclass_scores():
    y = np.array([0, 0, 1, 1, 2, 2])
    scores = np.eye(3)[[0, 1, 1, 1, 0, 2]]
    # per class: precision 1/2, 2/3, 1 ; recall 1/2, 1, 1/2 ; F1 1/2, 4/5, 2/3
    assert metric("precision")(y, scores) == pytest.approx((0.5 + 2 / 3 + 1) / 3)
    assert metric("recall")(y, scores) == pytest.approx((0.5 + 1 + 0.5) / 3)
    assert metric("f1")(y, scores) == pytest.approx((0.5 + 0.8 + 2 / 3) / 3)
    assert metric("precision", average="micro")(y, scores) == pytest.approx(4 / 6)
    # a fourth score column for a class that never occurs is left out of the macro mean
    padded = np.concatenate([scores, np.zeros((6, 1))], axis=1)
    assert metric("recall")(y, padded) == pytest.approx(2 / 3)


def test_precision_with_nothing_predicted_positive_is_zero():
    assert metric("precision")(np.array([1, 0]), np.array([0.1, 0.2])) == 0.0
    assert metric("f1")(np.array([1, 0]), np.array([0.1, 0.2])) == 0.0


def test_confusion_matrix_from_labels_scores_and_probabilities():
    cm = fns()["confusion_matrix"]
    expected = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 1]])
    np.testing.assert_array_equal(cm([0, 1, 2, 2], [0, 2, 2, 1]), expected)
    np.testing.assert_array_equal(cm(np.array([0, 1, 2, 2]), np.eye(3)[[0, 2, 2, 1]]), expected)
    np.testing.assert_array_equal(cm(np.eye(3)[[0, 1, 2, 2]], np.array([0, 2, 2, 1])), expected)
    big = cm([0, 1], [0, 1], num_classes=4)
    assert big.shape == (4, 4) and big.sum() == 2 and big[1, 1] == 1
    np.testing.assert_array_equal(cm([0, 1, 1], np.array([[0.2], [0.7], [0.4]])), [[1, 0], [1, 1]])


# ----------------------------------------------------------------------------- state & registry
def test_state_dict_round_trip_continues_accumulating():
    for name in ("accuracy", "top_k_accuracy", "mse", "f1"):
        a = metric(name)
        scores = SCORES if name != "mse" else SCORES[:, :1]
        a.update_state(np.array([1, 0, 1, 1]) if name != "mse" else np.zeros((4, 1)), scores)
        b = metric(name)
        b.load_state_dict(a.state_dict())
        assert b.result() == a.result()


def test_registry_names_aliases_and_config_round_trip():
    assert {
        "Accuracy",
        "TopKAccuracy",
        "MeanSquaredError",
        "MeanAbsoluteError",
        "Precision",
        "Recall",
        "F1Score",
    } <= set(mt.registry.names("metric"))
    assert type(mt.registry.create("metric", "acc")).__name__ == "Accuracy"
    topk = metric("top_k_accuracy", k=3, name="top3")
    rebuilt = mt.registry.create("metric", {"name": "TopKAccuracy", "config": topk.get_config()})
    assert rebuilt.k == 3 and rebuilt.name == "top3"
    f1 = metric("f1", average="macro", threshold=0.3)
    again = mt.registry.create("metric", {"name": "f1", "config": f1.get_config()})
    assert (again.average, again.threshold) == ("macro", 0.3)


def test_resolve_metric_keeps_the_string_as_log_name_and_wraps_functions():
    assert resolve_metric("acc").name == "acc"
    assert resolve_metric("accuracy").name == "accuracy"

    def hits(y_true, y_pred):
        return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

    m = resolve_metric(hits)
    assert isinstance(m, MeanMetricWrapper) and m.name == "hits"
    m.update_state(np.array([1, 1]), np.array([1, 1]))  # 1.0 on 2 samples
    m.update_state(np.array([1, 1, 1, 1]), np.array([0, 0, 0, 1]))  # 0.25 on 4 samples
    assert m.result() == pytest.approx((2 + 1) / 6)
    with pytest.raises(TypeError, match="expected a metric name"):
        resolve_metric(3)
    with pytest.raises(LookupError, match="unknown metric 'acuracy'"):
        resolve_metric("acuracy")


def test_metric_base_requires_the_methods():
    class Half(Metric):
        pass

    with pytest.raises(NotImplementedError, match="reset_state"):
        Half()
    with pytest.raises(ValueError, match="name must be a non-empty str"):
        metric("accuracy", name="")


# ------------------------------------------------------------------------------------ errors
@pytest.mark.parametrize(
    "name, y_true, y_pred, error, match",
    [
        ("accuracy", [0, 3], SCORES[:2], ValueError, "class 3 is out of range for 3 classes"),
        ("accuracy", [-1, 0], SCORES[:2], ValueError, "class -1 is out of range for 3 classes"),
        ("accuracy", [0, -1], np.array([0.1, 0.9]), ValueError, "class -1 is out of range for 2"),
        ("accuracy", [0, 1, 2], SCORES[:2], ValueError, r"targets of shape \(3,\) do not fit"),
        ("accuracy", [0.5, 1.0], SCORES[:2], ValueError, "must be integers"),
        ("accuracy", [0, 1], np.zeros((2, 1, 3)), ValueError, r"binary outputs must be"),
        ("accuracy", [0, 2], np.array([0.1, 0.9]), ValueError, "class 2 is out of range for 2"),
        ("accuracy", [0, 1, 1], np.array([0.1, 0.9]), ValueError, "need 2 targets"),
        ("accuracy", 1, np.array(0.3), ValueError, "scalar"),
        ("top_k_accuracy", [0, 1], np.array([0.1, 0.9]), ValueError, r"expected \(N, C\) scores"),
        ("mse", np.zeros((2, 3)), np.zeros((3, 2)), ValueError, "do not match outputs"),
    ],
)
def test_bad_inputs_name_what_was_expected(name, y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        metric(name)(np.asarray(y_true), y_pred)


def test_bad_configuration_errors():
    with pytest.raises(ValueError, match="k must be an int >= 1, got 0"):
        metric("top_k_accuracy", k=0)
    with pytest.raises(ValueError, match="average must be one of"):
        metric("precision", average="weighted")
    with pytest.raises(ValueError, match="threshold must be in"):
        metric("accuracy", threshold=1.5)([0], np.array([0.2]))
    with pytest.raises(ValueError, match="average='binary' needs a binary problem"):
        metric("recall", average="binary")(np.array([0, 1, 2]), np.eye(3))
    f1 = metric("f1")
    f1.update_state(np.array([0, 1]), np.eye(3)[:2])
    with pytest.raises(ValueError, match="number of classes changed from 3 to 2"):
        f1.update_state(np.array([0, 1]), np.eye(2))
    with pytest.raises(ValueError, match="num_classes=2 but the data has class 2"):
        fns()["confusion_matrix"]([0, 2], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match="2 targets but 3 predictions"):
        fns()["confusion_matrix"]([0, 1], [0, 1, 1])
