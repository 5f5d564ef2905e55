"""Class labels from model outputs, ``confusion_matrix``, and Precision / Recall / F1Score.

How outputs become predicted classes (shared by every classification metric):

* ``(N, C)`` scores with ``C >= 2`` (logits or probabilities, also ``(N, C, d1, ...)`` with the
  class axis second as in PyTorch): ``argmax`` over the class axis.
* ``(N,)`` or ``(N, 1)`` outputs are binary: class 1 when ``output > threshold`` (0.5). The
  outputs are read as probabilities unless ``from_logits=True``, which compares the logit with
  ``log(t / (1 - t))`` (0 for t = 0.5). ``Trainer`` sets ``from_logits`` for metrics named by
  string when the loss takes logits (``BCEWithLogitsLoss``); nothing is guessed from values.

Targets are class indices (``(N,)`` / ``(N, 1)``, integers or integral floats), or one-hot /
probability rows shaped like the scores (``argmax`` taken). Binary targets are 1 when > 0.5.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from minitorch_es.training import Metric, to_numpy
from minitorch_es.validation import check_int

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from minitorch_es import Tensor


def _labels_from_outputs(
    y_pred: Tensor | ArrayLike, threshold: float, from_logits: bool, where: str
):
    p = to_numpy(y_pred, where)
    if p.ndim == 0:
        raise ValueError(f"{where}: expected outputs with a batch dimension, got a scalar")
    if p.ndim == 1 or (p.ndim == 2 and p.shape[1] == 1):
        if not 0 < threshold < 1:
            raise ValueError(f"{where}: threshold must be in (0, 1), got {threshold}")
        cut = math.log(threshold / (1 - threshold)) if from_logits else threshold
        return (p.reshape(-1) > cut).astype(np.int64), 2, True
    if p.shape[1] == 1:
        raise ValueError(f"{where}: binary outputs must be (N,) or (N, 1), got {p.shape}")
    return p.argmax(axis=1).reshape(-1), p.shape[1], False


def _integral_labels(t: np.ndarray, where: str):
    if t.dtype.kind == "f":
        if not np.all(np.isfinite(t)) or not np.all(t == np.round(t)):
            raise ValueError(
                f"{where}: class-index targets must be integers, got non-integral floats"
            )
    elif t.dtype.kind not in "biu":
        raise TypeError(f"{where}: targets must be numeric, got dtype {t.dtype}")
    return t.astype(np.int64, copy=False)  # int64 labels (the usual) are not copied


def class_labels(
    y_true: Tensor | ArrayLike,
    y_pred: Tensor | ArrayLike,
    *,
    threshold: float = 0.5,
    from_logits: bool = False,
    where: str = "metric",
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """``(true, predicted, num_classes, binary)``: flat int64 label arrays of equal length."""
    p = to_numpy(y_pred, where)
    t = to_numpy(y_true, where)
    if p.ndim == 2 and p.shape[1] > 1 and t.dtype == np.int64 and t.shape == p.shape[:1]:
        # The usual case, every step of a classifier's fit: scores against int64 labels, all
        # in range (seen as unsigned, a negative label is huge; else the checks below).
        if t.size and t.view(np.uint64).max() < p.shape[1]:
            return t, p.argmax(axis=1), p.shape[1], False
    pred, num_classes, binary = _labels_from_outputs(p, threshold, from_logits, where)
    p_shape = p.shape
    if binary:
        if t.size != pred.size:
            raise ValueError(
                f"{where}: binary outputs {p_shape} need {pred.size} targets, got shape {t.shape}"
            )
        t = t.reshape(-1)
        true = (t > 0.5).astype(np.int64) if t.dtype.kind == "f" else _integral_labels(t, where)
    elif t.shape == p_shape:
        true = np.argmax(t, axis=1).reshape(-1)
    elif t.shape == p_shape[:1] + p_shape[2:] or (len(p_shape) == 2 and t.shape == (p_shape[0], 1)):
        true = _integral_labels(t, where).reshape(-1)
    else:
        raise ValueError(
            f"{where}: targets of shape {t.shape} do not fit outputs of shape "
            f"{p_shape}; expected class indices {p_shape[:1] + p_shape[2:]} or "
            f"one-hot {p_shape}"
        )
    # One reduction checks the range: seen as unsigned, a negative label is huge. The
    # offending labels are looked for only for the message.
    if true.size and true.view(np.uint64).max() >= num_classes:
        bad = true[(true < 0) | (true >= num_classes)]
        raise ValueError(
            f"{where}: target class {int(bad[0])} is out of range for {num_classes} classes"
        )
    return true, pred, num_classes, binary


def confusion_matrix(
    y_true: Tensor | ArrayLike, y_pred: Tensor | ArrayLike, num_classes: int | None = None
) -> np.ndarray:
    """``M[i, j]`` = samples of true class ``i`` predicted as ``j`` (scikit-learn's layout).

    ``y_pred`` is integer class labels, or scores / probabilities (see the module docstring:
    ``(N, C)`` argmax, float ``(N,)`` / ``(N, 1)`` thresholded at 0.5). ``y_true`` is labels or
    one-hot rows. Without ``num_classes`` the size is the number of score columns, or the
    largest label + 1.

        >>> confusion_matrix([0, 1, 1], [0, 1, 0])
        array([[1, 0], [1, 1]])
    """
    p = to_numpy(y_pred, "confusion_matrix")
    if p.dtype.kind == "f":
        true, pred, c, _ = class_labels(y_true, y_pred, where="confusion_matrix")
    else:
        pred = _integral_labels(p, "confusion_matrix").reshape(-1)
        t = to_numpy(y_true, "confusion_matrix")
        if t.ndim == 2 and t.shape[1] > 1:
            t = np.argmax(t, axis=1)
        true = _integral_labels(t, "confusion_matrix").reshape(-1)
        if true.size != pred.size:
            raise ValueError(f"confusion_matrix: {true.size} targets but {pred.size} predictions")
        c = int(max(true.max(initial=-1), pred.max(initial=-1))) + 1
    if num_classes is not None:
        check_int(num_classes, "num_classes", "confusion_matrix", low=1)
        if num_classes < c:
            raise ValueError(
                f"confusion_matrix: num_classes={num_classes} but the data has class {c - 1}"
            )
        c = num_classes
    if min(true.min(initial=0), pred.min(initial=0)) < 0:
        raise ValueError("confusion_matrix: class labels must be >= 0")
    return np.bincount(true * c + pred, minlength=c * c).reshape(c, c).astype(np.int64)


AVERAGES = (None, "binary", "macro", "micro")


class ConfusionMetric(Metric):
    """Accumulates a confusion matrix over the epoch; subclasses read scores off it.

    ``average``: ``"binary"`` (class 1 of a binary problem), ``"macro"`` (unweighted mean over
    the classes that occur in the targets or predictions, as scikit-learn), ``"micro"`` (from
    the pooled counts) or None: binary for ``(N,)`` / ``(N, 1)`` outputs, macro otherwise.
    Zero divisions count as 0.
    """

    state_names = ("matrix",)
    from_logits = False  # reads probabilities unless created with from_logits=True

    def __init__(
        self,
        average: str | None = None,
        threshold: float = 0.5,
        from_logits: bool = False,
        name: str | None = None,
    ) -> None:
        if average not in AVERAGES:
            raise ValueError(
                f"{type(self).__name__}: average must be one of {AVERAGES}, got {average!r}"
            )
        self.average, self.threshold, self.from_logits = average, threshold, from_logits
        super().__init__(name)

    def reset_state(self) -> None:
        self.matrix = None

    def update_state(self, y_true: Tensor | ArrayLike, y_pred: Tensor | ArrayLike) -> None:
        where = type(self).__name__
        true, pred, c, binary = class_labels(
            y_true, y_pred, threshold=self.threshold, from_logits=self.from_logits, where=where
        )
        if self.average == "binary" and c != 2:
            raise ValueError(f"{where}: average='binary' needs a binary problem, got {c} classes")
        m = np.bincount(true * c + pred, minlength=c * c).reshape(c, c)
        if self.matrix is None:
            self.matrix, self._binary = m.astype(np.int64), binary
        elif self.matrix.shape != m.shape:
            raise ValueError(
                f"{where}: the number of classes changed from "
                f"{len(self.matrix)} to {c} between batches"
            )
        else:
            self.matrix += m

    def _scores(self):
        """Per-class precision and recall, and the classes to average over."""
        m = self.matrix.astype(np.float64)
        tp, predicted, actual = np.diag(m), m.sum(axis=0), m.sum(axis=1)
        precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
        recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
        return precision, recall, (predicted + actual) > 0

    def _mode(self) -> str:
        if self.average is not None:
            return self.average
        return "binary" if getattr(self, "_binary", False) else "macro"

    def result(self) -> float:
        if self.matrix is None or self.matrix.sum() == 0:
            return 0.0
        mode = self._mode()
        if mode == "micro":
            m = self.matrix
            return float(np.trace(m) / m.sum())  # single-label: P = R = F1 = accuracy
        precision, recall, present = self._scores()
        values = self._combine(precision, recall)
        if mode == "binary":
            return float(values[1])
        return float(values[present].mean()) if present.any() else 0.0

    def _combine(self, precision: np.ndarray, recall: np.ndarray):
        raise NotImplementedError

    def state_dict(self) -> dict:
        return {
            "matrix": None if self.matrix is None else self.matrix.copy(),
            "binary": bool(getattr(self, "_binary", False)),
        }

    def load_state_dict(self, state: dict) -> None:
        matrix = state["matrix"]
        self.matrix = None if matrix is None else np.array(matrix, dtype=np.int64)
        self._binary = bool(state.get("binary", False))


class Precision(ConfusionMetric):
    """TP / (TP + FP) over the epoch (see `ConfusionMetric` for ``average``)."""

    default_name = "precision"

    def _combine(self, precision: np.ndarray, recall: np.ndarray):
        return precision


class Recall(ConfusionMetric):
    """TP / (TP + FN) over the epoch (see `ConfusionMetric` for ``average``)."""

    default_name = "recall"

    def _combine(self, precision: np.ndarray, recall: np.ndarray):
        return recall


class F1Score(ConfusionMetric):
    """Harmonic mean of precision and recall, per class then averaged (macro F1 is the mean
    of the per-class F1 scores, as scikit-learn)."""

    default_name = "f1"

    def _combine(self, precision: np.ndarray, recall: np.ndarray):
        total = precision + recall
        return np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)


def precision(
    y_true: Tensor | ArrayLike,
    y_pred: Tensor | ArrayLike,
    average: str | None = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> float:
    """Precision of one set of predictions (see `Precision`)."""
    return Precision(average, threshold, from_logits)(y_true, y_pred)


def recall(
    y_true: Tensor | ArrayLike,
    y_pred: Tensor | ArrayLike,
    average: str | None = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> float:
    """Recall of one set of predictions (see `Recall`)."""
    return Recall(average, threshold, from_logits)(y_true, y_pred)


def f1_score(
    y_true: Tensor | ArrayLike,
    y_pred: Tensor | ArrayLike,
    average: str | None = None,
    threshold: float = 0.5,
    from_logits: bool = False,
) -> float:
    """F1 score of one set of predictions (see `F1Score`)."""
    return F1Score(average, threshold, from_logits)(y_true, y_pred)
