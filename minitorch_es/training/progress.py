"""Progress output of ``fit``, by the package's console policy (`minitorch_es.console`).

``verbose=0`` prints nothing; ``verbose=2`` prints one line per epoch; ``verbose=1`` also shows
the epoch's progress while it runs: a tqdm bar (loss and metrics beside it) on a terminal, a
plain line every few seconds elsewhere (logs, pipes, notebooks). Epoch lines wrap to fit 100
columns and round numbers to 4 significant digits:

    Epoch 3/50 - loss: 0.1234 - accuracy: 0.9612 - val_loss: 0.1502 - lr: 0.001 - 1.2s

Callbacks' messages (`announce`) raised while an epoch ends are printed after its line.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from ..console import Progress, join_parts, log_parts
from .callback import Callback
from .messages import RUNNING as _RUNNING  # the loggers of the fits running now

NOT_SHOWN = ("batch", "size", "batch_loss")  # per-batch bookkeeping, not for people


def format_logs(logs: dict, skip: tuple[str, ...] = NOT_SHOWN) -> str:
    """``"loss: 0.1235 - accuracy: 0.9612"`` (4 significant digits)."""
    return " - ".join(log_parts(logs, skip))


class ProgressLogger(Callback):
    """The trainer's own progress callback (not registered; ``verbose`` selects it)."""

    def __init__(self, verbose: int = 1, stream: TextIO | None = None) -> None:
        if verbose not in (0, 1, 2):
            raise ValueError(
                f"verbose must be 0 (silent), 1 (progress bar) or 2 (one line per "
                f"epoch), got {verbose!r}"
            )
        self.verbose = verbose
        self.stream = stream
        self._progress = None
        self._start = 0.0
        self._epoch_open = False  # between on_epoch_begin and the epoch line
        self._notes: list[str] = []

    def skipped_hooks(self) -> frozenset[str]:
        """Without the bar (``verbose`` 0 or 2) there is nothing to do per batch."""
        return frozenset() if self.verbose == 1 else frozenset({"on_batch_end"})

    def _out(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stdout

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epochs = self.trainer.params.get("epochs")
        self.steps = self.trainer.params.get("steps")
        _RUNNING.append(self)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        self._epoch_open = True
        if self.verbose != 1:  # no bar: nothing to update per batch
            return
        self._progress = Progress(
            self.steps,
            f"Epoch {epoch + 1}/{self.epochs}",
            unit="batch",
            stream=self._out(),
        )

    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._progress is not None:
            shown = {k: v for k, v in (logs or {}).items() if k not in NOT_SHOWN}
            self._progress.update(1, **shown)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._close_progress()
        if self.verbose:
            seconds = time.perf_counter() - self._start
            parts = [f"Epoch {epoch + 1}/{self.epochs}", *log_parts(logs or {}, NOT_SHOWN)]
            print(join_parts([*parts, f"{seconds:.1f}s"]), file=self._out(), flush=True)
        self._epoch_open = False
        self._flush_notes()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close_progress()
        self._epoch_open = False
        self._flush_notes()
        if self in _RUNNING:
            _RUNNING.remove(self)

    def note(self, message: str) -> None:
        """Print a callback's message, after the epoch line when the epoch is ending."""
        if self._epoch_open:
            self._notes.append(message)
        else:
            print(message, file=self._out(), flush=True)

    def _flush_notes(self) -> None:
        for message in self._notes:
            print(message, file=self._out(), flush=True)
        self._notes = []

    def _close_progress(self) -> None:
        if self._progress is not None:
            self._progress.close()
            self._progress = None
