"""Built-in metrics (kind ``"metric"``): accuracy, top-k accuracy, MSE, MAE, precision, recall,
F1, plus the functions ``mt.metrics.accuracy(y_true, y_pred)`` ... and ``confusion_matrix``.

Every metric accumulates counts or sums over the epoch, so the epoch value is exact (not a mean
of batch values). How outputs are turned into classes is described in
``classification_metrics``: argmax for ``(N, C)`` scores, a 0.5 threshold on probabilities for
``(N,)`` / ``(N, 1)`` outputs (``from_logits=True`` for logits).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import minitorch_es as mt
from minitorch_es.training import Metric, to_numpy
from minitorch_es.validation import check_int

from .classification_metrics import (
    F1Score,
    Precision,
    Recall,
    class_labels,
    confusion_matrix,
    f1_score,
    precision,
    recall,
)

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from minitorch_es.registry import Registry


class Accuracy(Metric):
    """Fraction of samples whose predicted class equals the target class (Keras's
    ``"accuracy"``: categorical for ``(N, C)`` outputs, binary for ``(N,)`` / ``(N, 1)``).

        >>> acc = mt.metrics.Accuracy()
        >>> acc.update_state(mt.tensor([0, 1]), mt.tensor([[0.9, 0.1], [0.8, 0.2]]))
        >>> acc.update_state(mt.tensor([1]), mt.tensor([[0.3, 0.7]]))
        >>> acc.result()
        0.6666666666666666
    """

    state_names = ("correct", "total")
    default_name = "accuracy"
    from_logits = False  # reads probabilities unless created with from_logits=True

    def __init__(
        self, threshold: float = 0.5, from_logits: bool = False, name: str | None = None
    ) -> None:
        self.threshold, self.from_logits = threshold, from_logits
        super().__init__(name)

    def reset_state(self) -> None:
        self.correct, self.total = 0, 0

    def update_state(self, y_true: mt.Tensor | ArrayLike, y_pred: mt.Tensor | ArrayLike) -> None:
        true, pred, _, _ = class_labels(
            y_true, y_pred, threshold=self.threshold, from_logits=self.from_logits, where="Accuracy"
        )
        self.correct += int(np.count_nonzero(true == pred))
        self.total += int(true.size)

    def result(self) -> float:
        return self.correct / self.total if self.total else 0.0


class TopKAccuracy(Metric):
    """Fraction of samples whose target class is among the ``k`` highest scores of ``(N, C)``
    outputs. Ties count in the target's favour (TensorFlow's ``in_top_k``): a sample is right
    when fewer than ``k`` classes score strictly higher than its target."""

    state_names = ("correct", "total")
    default_name = "top_k_accuracy"

    def __init__(self, k: int = 5, name: str | None = None) -> None:
        self.k = check_int(k, "k", "TopKAccuracy", low=1)
        super().__init__(name)

    def reset_state(self) -> None:
        self.correct, self.total = 0, 0

    def update_state(self, y_true: mt.Tensor | ArrayLike, y_pred: mt.Tensor | ArrayLike) -> None:
        scores = to_numpy(y_pred, "TopKAccuracy")
        if scores.ndim != 2 or scores.shape[1] < 2:
            raise ValueError(
                f"TopKAccuracy: expected (N, C) scores with C >= 2, got shape {scores.shape}"
            )
        true, _, _, _ = class_labels(y_true, y_pred, where="TopKAccuracy")
        target_score = scores[np.arange(len(scores)), true]
        higher = np.count_nonzero(scores > target_score[:, None], axis=1)
        self.correct += int(np.count_nonzero(higher < self.k))
        self.total += len(scores)

    def result(self) -> float:
        return self.correct / self.total if self.total else 0.0


class _ElementwiseMean(Metric):
    state_names = ("total", "count")

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0

    def update_state(self, y_true: mt.Tensor | ArrayLike, y_pred: mt.Tensor | ArrayLike) -> None:
        where = type(self).__name__
        p = to_numpy(y_pred, where).astype(np.float64)
        t = to_numpy(y_true, where).astype(np.float64)
        if t.shape != p.shape:
            if (
                t.size == p.size
                and t.reshape(-1).shape == p.reshape(-1).shape
                and (t.ndim == 1 or p.ndim == 1)
                and max(t.ndim, p.ndim) == 2
            ):
                t = t.reshape(p.shape)  # (N,) targets for (N, 1) outputs and vice versa
            else:
                raise ValueError(
                    f"{where}: targets of shape {t.shape} do not match outputs of shape {p.shape}"
                )
        self.total += float(self._error(p - t).sum())
        self.count += int(p.size)

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class MeanSquaredError(_ElementwiseMean):
    """Mean of ``(y_pred - y_true) ** 2`` over every element of the epoch."""

    default_name = "mse"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)

    @staticmethod
    def _error(diff: np.ndarray):
        return diff * diff


class MeanAbsoluteError(_ElementwiseMean):
    """Mean of ``|y_pred - y_true|`` over every element of the epoch."""

    default_name = "mae"

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)

    @staticmethod
    def _error(diff: np.ndarray):
        return np.abs(diff)


def accuracy(
    y_true: mt.Tensor | ArrayLike,
    y_pred: mt.Tensor | ArrayLike,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> float:
    """Accuracy of one set of predictions (see `Accuracy`)."""
    return Accuracy(threshold, from_logits)(y_true, y_pred)


def top_k_accuracy(
    y_true: mt.Tensor | ArrayLike, y_pred: mt.Tensor | ArrayLike, k: int = 5
) -> float:
    """Top-k accuracy of one set of predictions (see `TopKAccuracy`)."""
    return TopKAccuracy(k)(y_true, y_pred)


def mse(y_true: mt.Tensor | ArrayLike, y_pred: mt.Tensor | ArrayLike) -> float:
    """Mean squared error over every element."""
    return MeanSquaredError()(y_true, y_pred)


def mae(y_true: mt.Tensor | ArrayLike, y_pred: mt.Tensor | ArrayLike) -> float:
    """Mean absolute error over every element."""
    return MeanAbsoluteError()(y_true, y_pred)


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register the built-in metrics (kind ``"metric"``) and their functional forms."""
    registry.add("metric", "Accuracy", Accuracy, aliases=("acc",))
    registry.add("metric", "TopKAccuracy", TopKAccuracy, aliases=("top_k_categorical_accuracy",))
    registry.add("metric", "MeanSquaredError", MeanSquaredError, aliases=("mse",))
    registry.add("metric", "MeanAbsoluteError", MeanAbsoluteError, aliases=("mae",))
    registry.add("metric", "Precision", Precision)
    registry.add("metric", "Recall", Recall)
    registry.add("metric", "F1Score", F1Score, aliases=("f1",))
    for fn in (accuracy, top_k_accuracy, mse, mae, precision, recall, f1_score, confusion_matrix):
        registry.export("metrics", fn.__name__, fn)
