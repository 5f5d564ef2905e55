"""``Metric``: a quantity accumulated over a whole epoch (Keras's stateful metrics).

A metric keeps running totals (counts, sums, a confusion matrix) in the attributes listed in
``state_names``; ``update_state(y_true, y_pred)`` adds one batch, ``result()`` gives the value
over everything seen since ``reset_state()``. So an epoch's accuracy is exact, not a mean of
per-batch accuracies. Argument order is Keras's (``y_true`` first), unlike a loss's
``(input, target)``.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..config import Configurable
from ..tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def to_numpy(value: Tensor | ArrayLike, where: str = "value") -> np.ndarray:
    """The ndarray behind a Tensor, or ``np.asarray`` of anything else."""
    if isinstance(value, Tensor):
        return value._data
    try:
        return np.asarray(value)
    except Exception:
        raise TypeError(
            f"{where}: expected a Tensor or an array, got {type(value).__name__}"
        ) from None


def snake_case(name: str) -> str:
    """``"TopKAccuracy"`` -> ``"top_k_accuracy"``: the default log key of a metric class."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class Metric(Configurable):
    """Base class: set ``state_names`` and implement ``reset_state``, ``update_state`` and
    ``result``. ``name`` is the key in the logs (``"accuracy"``, ``"val_accuracy"``).

    ``metric(y_true, y_pred)`` returns the value for that one batch *without* touching the
    accumulated state (unlike Keras, whose ``__call__`` also accumulates).

        >>> class MeanAbsError(mt.training.Metric):
        ...     state_names = ("total", "count")
        ...     def reset_state(self):
        ...         self.total, self.count = 0.0, 0
        ...     def update_state(self, y_true, y_pred):
        ...         diff = np.abs(np.asarray(y_pred) - np.asarray(y_true))
        ...         self.total += float(diff.sum())
        ...         self.count += diff.size
        ...     def result(self):
        ...         return self.total / self.count if self.count else 0.0
        >>> m = MeanAbsError()
        >>> m.update_state([0., 1.], [1., 1.]); m.update_state([0.], [4.])
        >>> m.name, m.result(), m([0.], [2.])
        ('mean_abs_error', 1.6666666666666667, 2.0)
    """

    state_names: tuple = ()
    default_name: str | None = None
    #: None when the metric does not read scores; a metric that reads probabilities declares
    #: ``from_logits = False`` and takes a ``from_logits`` constructor argument, so a Trainer
    #: whose loss takes logits (``Loss.from_logits``) can create it with ``from_logits=True``.
    from_logits: bool | None = None

    def __init__(self, name: str | None = None) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"{type(self).__name__}: name must be a non-empty str, got {name!r}")
        self.name = name or self.default_name or snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self) -> None:
        """Set the running totals to their initial values (start of an epoch)."""
        raise NotImplementedError(f"{type(self).__name__} must implement reset_state()")

    def update_state(self, y_true: Tensor | ArrayLike, y_pred: Tensor | ArrayLike) -> None:
        """Add one batch to the running totals (Keras's argument order: ``y_true`` first)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self) -> float:
        """The metric over everything seen since `reset_state`."""
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def __call__(self, y_true: Tensor | ArrayLike, y_pred: Tensor | ArrayLike) -> float:
        saved = self.state_dict()
        self.reset_state()
        try:
            self.update_state(y_true, y_pred)
            return self.result()
        finally:
            self.load_state_dict(saved)

    def state_dict(self) -> dict:
        """Copies of the running totals."""
        return {n: copy.deepcopy(getattr(self, n)) for n in self.state_names}

    def load_state_dict(self, state: dict) -> None:
        """Restore running totals saved by `state_dict`."""
        missing = [n for n in self.state_names if n not in state]
        if missing:
            raise KeyError(f"{type(self).__name__}.load_state_dict: the state lacks {missing}")
        for n in self.state_names:
            value = state[n]
            setattr(self, n, value.copy() if isinstance(value, np.ndarray) else value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class MeanMetricWrapper(Metric):
    """A plain function ``fn(y_true, y_pred) -> number`` used as a metric: its per-batch values
    are averaged with the batch sizes as weights (Keras's ``MeanMetricWrapper``)."""

    state_names = ("total", "count")

    def __init__(self, fn: Callable[..., Any], name: str | None = None) -> None:
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper expected a callable, got {type(fn).__name__}")
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", type(fn).__name__))

    def reset_state(self) -> None:
        self.total, self.count = 0.0, 0

    def update_state(self, y_true: Tensor | ArrayLike, y_pred: Tensor | ArrayLike) -> None:
        value = self.fn(y_true, y_pred)
        value = float(value.item() if isinstance(value, Tensor) else np.asarray(value).mean())
        n = len(y_pred) if np.ndim(to_numpy(y_pred)) else 1
        self.total += value * n
        self.count += n

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


def resolve_metric(spec: Any, where: str = "metrics", from_logits: bool = False) -> Metric:
    """A Metric from a registered name (the name is kept as the log key, as Keras does), a
    ``{"name", "config"}`` dict, a Metric class or instance, or a plain function. With
    ``from_logits`` a metric named by a string that reads scores (its class declares
    ``from_logits``) is created with ``from_logits=True``."""
    from ..registry import registry

    if isinstance(spec, Metric):
        return spec
    if isinstance(spec, str):
        cls = registry.get("metric", spec)
        reads_scores = getattr(cls, "from_logits", None) is not None
        options = {"from_logits": True} if from_logits and reads_scores else {}
        return _named(registry.create("metric", spec, **options), spec, where)
    if isinstance(spec, dict) or (inspect.isclass(spec) and issubclass(spec, Metric)):
        metric = registry.create("metric", spec)
        return _named(metric, None, where)
    if callable(spec) and not inspect.isclass(spec):
        return MeanMetricWrapper(spec)
    raise TypeError(
        f"{where}: expected a metric name, a config dict, a Metric or a function "
        f"fn(y_true, y_pred), got {type(spec).__name__} ({spec!r})"
    )


def _named(metric: Any, name: str | None, where: str):
    if isinstance(metric, Metric):
        if name is not None:
            metric.name = name
        return metric
    if callable(metric):  # a registered plain function
        return MeanMetricWrapper(metric, name)
    raise TypeError(f"{where}: the registry returned {type(metric).__name__}, not a Metric")
