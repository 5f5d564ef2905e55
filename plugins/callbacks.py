"""Built-in callbacks (kind ``"callback"``, ``mt.callbacks.<Name>``): EarlyStopping and
TerminateOnNaN here; learning-rate callbacks in ``lr_callbacks``, ModelCheckpoint and
CSVLogger in ``io_callbacks``, GradientMonitor and DeadUnitMonitor in ``diagnostics``."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

import minitorch_es as mt
from minitorch_es.training import Callback
from minitorch_es.validation import check_float, check_int

from .monitoring import improved, monitored_value, resolve_mode

if TYPE_CHECKING:
    from minitorch_es.registry import Registry


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has not improved for ``patience`` epochs (Keras).

    An improvement beats the best value by more than ``min_delta``. With ``baseline``, the
    patience counter only restarts for values that also beat the baseline. Epochs before
    ``start_from_epoch`` are ignored. ``restore_best_weights`` puts back the weights of the
    best epoch when training ends however it ends: stopped early, out of epochs, or an
    exception (NaN loss, KeyboardInterrupt ...), since ``on_train_end`` always runs.

        stop = mt.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                          restore_best_weights=True)
        trainer = mt.Trainer(model, optimizer="adam", loss="mse", callbacks=[stop])
        trainer.fit(x, y, epochs=500, validation_split=0.2)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        self.monitor = monitor
        self.mode = resolve_mode(mode, monitor, "EarlyStopping")
        self.min_delta = abs(check_float(min_delta, "min_delta", "EarlyStopping"))  # either sign
        check_int(patience, "patience", "EarlyStopping", low=0)
        check_int(start_from_epoch, "start_from_epoch", "EarlyStopping", low=0)
        self.patience, self.verbose, self.baseline = patience, verbose, baseline
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch
        self.on_train_begin()

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.wait, self.stopped_epoch, self.best, self.best_epoch = 0, 0, None, 0
        self.best_weights = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        current = monitored_value(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = _snapshot(self.model), epoch
        self.wait += 1
        if improved(current, self.best, self.mode, self.min_delta):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = _snapshot(self.model)
            if self.baseline is None or improved(current, self.baseline, self.mode, self.min_delta):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose:
            self.announce(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                self.announce(
                    f"Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict:
        return {
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "best_weights": self.best_weights,
        }

    def load_state_dict(self, state: dict) -> None:
        self.wait, self.stopped_epoch = int(state["wait"]), int(state["stopped_epoch"])
        self.best = None if state["best"] is None else float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        weights = state["best_weights"]
        self.best_weights = (
            None if weights is None else {k: np.array(v) for k, v in weights.items()}
        )

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r}, "
            f"patience={self.patience}, min_delta={self.min_delta})"
        )


class TerminateOnNaN(Callback):
    """Stop training quietly (no exception) when a batch's loss is NaN or Inf. The bad batch is
    not applied to the weights; the epoch's logs still close normally."""

    def __init__(self) -> None:
        self.stopped_at = None

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        loss = (logs or {}).get("batch_loss", (logs or {}).get("loss"))
        if loss is not None and not math.isfinite(float(loss)):
            self.announce(f"Batch {batch}: Invalid loss, terminating training")
            self.stopped_at = (self.trainer.epoch, int(batch))
            self.trainer.stop_training = True


@mt.hookimpl
def minitorch_es_register(registry: Registry) -> None:
    """Register the built-in callbacks (kind ``"callback"``)."""
    from .diagnostics import DeadUnitMonitor, GradientMonitor
    from .io_callbacks import CSVLogger, ModelCheckpoint
    from .lr_callbacks import LearningRateScheduler, ReduceLROnPlateau

    for cls in (
        EarlyStopping,
        TerminateOnNaN,
        ModelCheckpoint,
        CSVLogger,
        LearningRateScheduler,
        ReduceLROnPlateau,
        GradientMonitor,
        DeadUnitMonitor,
    ):
        registry.add("callback", cls.__name__, cls)


def _snapshot(model: mt.nn.Module) -> dict:
    """A copy of the weights (a state dict shares the live tensors' memory, as in PyTorch)."""
    return {k: v.clone() for k, v in model.state_dict().items()}
