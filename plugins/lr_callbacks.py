"""Learning-rate callbacks (Keras): ``LearningRateScheduler`` and ``ReduceLROnPlateau``.

Both act on every param group of the trainer's optimizer. (The PyTorch-style schedulers
``mt.optim.lr_scheduler.*`` are the other route: pass one as ``Trainer(scheduler=...)``.)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from minitorch_es.console import format_number
from minitorch_es.training import Callback
from minitorch_es.validation import check_float, check_int

from .monitoring import improved, monitored_value, resolve_mode


class LearningRateScheduler(Callback):
    """At the start of each epoch set every group's ``lr`` to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)`` for a one-argument function), ``epoch`` 0-based and ``lr`` that group's
    current rate. The rate used is logged as ``lr``.

        >>> halve = mt.callbacks.LearningRateScheduler(lambda epoch, lr: lr / 2 if epoch else lr)
        >>> model = mt.nn.Linear(2, 1)
        >>> trainer = mt.Trainer(model, optimizer=mt.optim.SGD(model.parameters(), lr=0.1),
        ...                      loss="mse", callbacks=[halve])
        >>> history = trainer.fit(mt.randn(8, 2), mt.randn(8, 1), epochs=3, verbose=0)
        >>> history.history["lr"]
        [0.1, 0.05, 0.025]
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        if not callable(schedule):
            raise TypeError(
                f"LearningRateScheduler: schedule must be callable "
                f"schedule(epoch, lr) -> lr, got {type(schedule).__name__}"
            )
        self.schedule, self.verbose = schedule, verbose
        try:
            params = [
                p
                for p in inspect.signature(schedule).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
            ]
            self._takes_lr = len(params) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
        except (TypeError, ValueError):  # builtins without a signature
            self._takes_lr = True

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        for i, group in enumerate(self.trainer.optimizer.param_groups):
            new = self.schedule(epoch, group["lr"]) if self._takes_lr else self.schedule(epoch)
            where = f"LearningRateScheduler (epoch {epoch}, group {i})"
            group["lr"] = check_float(new, "the learning rate", where, low=0, finite=True)
        if self.verbose:
            self.announce(
                f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                f"{format_number(self.trainer.optimizer.param_groups[0]['lr'])}."
            )


class ReduceLROnPlateau(Callback):
    """Multiply every group's ``lr`` by ``factor`` when ``monitor`` has not improved by more
    than ``min_delta`` for ``patience`` epochs; then wait ``cooldown`` epochs before counting
    again. Rates never go below ``min_lr`` (a number, or one per param group)."""

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0.0,
    ) -> None:
        where = "ReduceLROnPlateau"
        check_float(factor, "factor", where, low=0, high=1, low_open=True, high_open=True)
        check_int(patience, "patience", where, low=0)
        check_int(cooldown, "cooldown", where, low=0)
        check_float(min_delta, "min_delta", where, low=0)
        for v in min_lr if isinstance(min_lr, (list, tuple)) else [min_lr]:
            check_float(v, "min_lr", where, low=0)
        self.monitor, self.mode = monitor, resolve_mode(mode, monitor, "ReduceLROnPlateau")
        self.factor, self.patience, self.verbose = float(factor), patience, verbose
        self.min_delta, self.cooldown, self.min_lr = float(min_delta), cooldown, min_lr
        self.on_train_begin()

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.best, self.wait, self.cooldown_counter = None, 0, 0

    def _min_lrs(self, groups: list[dict]):
        if isinstance(self.min_lr, (list, tuple)):
            if len(self.min_lr) != len(groups):
                raise ValueError(
                    f"ReduceLROnPlateau: {len(self.min_lr)} min_lr values for "
                    f"{len(groups)} param groups"
                )
            return [float(v) for v in self.min_lr]
        return [float(self.min_lr)] * len(groups)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        current = monitored_value(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if improved(current, self.best, self.mode, self.min_delta):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience:
                self._reduce(epoch)
                self.cooldown_counter, self.wait = self.cooldown, 0

    def _reduce(self, epoch: int) -> None:
        groups = self.trainer.optimizer.param_groups
        for group, floor in zip(groups, self._min_lrs(groups)):
            old = group["lr"]
            if old > floor:
                group["lr"] = max(old * self.factor, floor)
                if self.verbose:
                    self.announce(
                        f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to "
                        f"{format_number(group['lr'])}."
                    )

    def state_dict(self) -> dict:
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def load_state_dict(self, state: dict) -> None:
        self.best = None if state["best"] is None else float(state["best"])
        self.wait, self.cooldown_counter = int(state["wait"]), int(state["cooldown_counter"])
