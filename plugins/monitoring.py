"""Helpers shared by callbacks that watch a logged quantity (``monitor``/``mode``/``min_delta``)."""

from __future__ import annotations

from typing import Any

from minitorch_es.errors import warn

MAX_SUFFIXES = ("acc", "accuracy", "auc", "precision", "recall", "f1")


def resolve_mode(mode: str, monitor: str, where: str) -> str:
    """``"min"`` or ``"max"``; ``"auto"`` picks max for accuracy-like names (Keras's rule)."""
    if not isinstance(monitor, str) or not monitor:
        raise ValueError(f"{where}: monitor must be a log key such as 'val_loss', got {monitor!r}")
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{where}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    return "max" if monitor.lower().endswith(MAX_SUFFIXES) else "min"


def improved(current: float, reference: float | None, mode: str, min_delta: float = 0.0) -> bool:
    """Whether ``current`` beats ``reference`` by more than ``min_delta`` (None: always)."""
    if reference is None:
        return True
    if mode == "min":
        return current < reference - min_delta
    return current > reference + min_delta


def monitored_value(logs: dict[str, Any] | None, monitor: str, where: str) -> float | None:
    """``logs[monitor]`` as a float, or None with a warning listing the available keys."""
    value = (logs or {}).get(monitor)
    if value is None:
        warn(
            f"{where}: the monitored quantity {monitor!r} is not in the logs (available: "
            f"{', '.join(sorted(logs or {})) or 'none'}); skipping",
            RuntimeWarning,
        )
        return None
    return float(value)  # NaN never counts as an improvement (comparisons are False)
