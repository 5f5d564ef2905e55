"""ReduceLROnPlateau: divide the lr when a monitored metric stops improving."""

from __future__ import annotations

import math
from collections.abc import Sequence

import minitorch_es as mt
from minitorch_es.optim import Optimizer
from minitorch_es.optim.lr_scheduler import LRScheduler
from minitorch_es.validation import check_int


class ReduceLROnPlateau(LRScheduler):
    """PyTorch's ``ReduceLROnPlateau``: call ``step(metric)`` once per epoch (e.g. with the
    validation loss). After more than ``patience`` epochs without improvement each group's lr
    becomes ``max(lr * factor, min_lr)`` (changes smaller than ``eps`` are skipped) and the next
    ``cooldown`` epochs are not counted.

    An improvement is ``metric < best * (1 - threshold)`` (mode ``'min'``, threshold_mode
    ``'rel'``), ``metric < best - threshold`` (``'abs'``), and symmetrically for ``'max'``.

    As in PyTorch >= 2.2 it is an `LRScheduler` whose ``step`` takes the metric; it does
    not set the lr at construction and has no ``get_lr``. It reduces the *current* lr, so it
    composes with a manual lr change.
    """

    monitor = "val_loss"  # what a Trainer passes to step() at the end of each epoch

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        if not factor < 1.0:
            raise ValueError(f"Factor should be < 1.0 (ReduceLROnPlateau got factor={factor!r})")
        if not factor >= 0:
            raise ValueError(f"ReduceLROnPlateau: expected 0 <= factor < 1, got {factor!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"ReduceLROnPlateau expects an Optimizer, got {type(optimizer).__name__}"
            )
        check_int(patience, "patience", "ReduceLROnPlateau", low=0)
        check_int(cooldown, "cooldown", "ReduceLROnPlateau", low=0)
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"expected {len(optimizer.param_groups)} min_lrs (one per "
                    f"param group), got {len(min_lr)}"
                )
            self.default_min_lr, self.min_lrs = None, list(min_lr)
        else:
            self.default_min_lr, self.min_lrs = min_lr, [min_lr] * len(optimizer.param_groups)
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(
                f"mode {mode!r} is unknown! (ReduceLROnPlateau expects 'min' or 'max')"
            )
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"threshold mode {threshold_mode!r} is unknown! (ReduceLROnPlateau "
                f"expects 'rel' or 'abs')"
            )
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode

    @property
    def in_cooldown(self) -> bool:
        """Whether bad epochs are currently ignored after a reduction."""
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            return a < (
                best * (1.0 - self.threshold)
                if self.threshold_mode == "rel"
                else best - self.threshold
            )
        return a > (
            best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        )

    def step(self, metrics: float | mt.Tensor, epoch: int | None = None) -> None:
        """Record one epoch's metric (a number or a one-element Tensor)."""
        current = float(metrics)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.is_better(current, self.best):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"the optimizer has {len(groups)} param groups but ReduceLROnPlateau was "
                    f"given {len(self.min_lrs)} min_lrs (a group was added?); set min_lrs to "
                    f"one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    def get_lr(self) -> list[float]:
        """Not available: the lr depends on the metrics passed to `step`."""
        raise NotImplementedError(
            "ReduceLROnPlateau has no schedule: it changes the lr in "
            "step(metrics); read it with get_last_lr()"
        )

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the counters, best value and settings from `state_dict`."""
        super().load_state_dict(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
