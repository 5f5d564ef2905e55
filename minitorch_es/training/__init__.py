"""Keras-style training: ``Trainer`` (fit / evaluate / predict), ``History``, the ``Callback``
base and its dispatcher, stateful ``Metric`` s and the progress output."""

from .callback import Callback, CallbackList
from .errors import NonFiniteLossError, TrainingError
from .history import History, require_matplotlib
from .metric import MeanMetricWrapper, Metric, resolve_metric, to_numpy
from .progress import ProgressLogger
from .strategy import Strategy, default_strategy, set_default_strategy
from .trainer import Trainer

__all__ = [
    "Trainer",
    "History",
    "Callback",
    "CallbackList",
    "Metric",
    "MeanMetricWrapper",
    "resolve_metric",
    "to_numpy",
    "TrainingError",
    "NonFiniteLossError",
    "ProgressLogger",
    "require_matplotlib",
    "Strategy",
    "default_strategy",
    "set_default_strategy",
]
